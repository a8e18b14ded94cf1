import ArgumentParser

/// `fusion-bench`: the package's benchmarks, one subcommand each, all release-built
/// (`swift run -c release fusion-bench <subcommand>`).
@main
struct FusionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusion-bench",
        abstract: "Benchmarks of swift-egraph-fusion (run a release build).",
        // One subcommand per file; add new ones to this list.
        subcommands: [CoreBenchmark.self, MathCommand.self, EgglogRunCommand.self, ExtractCommand.self,
                      OptimizeBenchCommand.self],
        defaultSubcommand: CoreBenchmark.self
    )
}
