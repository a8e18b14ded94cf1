import ArgumentParser

/// `fusion-bench`: benchmarks of the engine and the optimizer, driven by `scripts/`.
struct FusionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusion-bench",
        abstract: "Benchmarks of swift-egraph-fusion.",
        subcommands: [MathCommand.self, EgglogRunCommand.self, ExtractCommand.self, OptimizeBenchCommand.self])
}

FusionBench.main()
