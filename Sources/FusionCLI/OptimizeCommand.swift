import ArgumentParser
import Foundation
import Fusion
import Logging
import TensorGraph

/// `fusion optimize`: optimize a graph from a tensor-graph JSON file or a built-in model.
struct OptimizeCommand: ParsableCommand, LoggingOptionsProvider {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Optimize a tensor-graph JSON file or a built-in model graph.",
        discussion: """
            Prints the optimization report (text, or one JSON object with --format json) on \
            standard output. Examples:
              fusion optimize --model smollm2-135m
              fusion optimize graph.json --mode inference --output graph.optimized.json
            """
    )

    /// `--strategy`.
    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case egraph, patterns
    }

    /// `--mode`.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case training, inference
    }

    /// `--cost-model`.
    enum CostModelChoice: String, ExpressibleByArgument, CaseIterable {
        case roofline, flat
    }

    /// `--format`.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// The opt-in fusions `--enable` accepts.
    enum OptIn: String, CaseIterable {
        case rmsnormMatmul = "rmsnorm-matmul"
        case ropeAttention = "rope-attention"
    }

    @Argument(help: ArgumentHelp("A tensor-graph JSON file (format version 1). Omit it when using --model.",
                               valueName: "graph.json"))
    var graph: String?

    @Option(help: ArgumentHelp("A built-in model to optimize instead of a file (see `fusion models`).",
                             valueName: "name"))
    var model: String?

    @Option(help: "egraph: the e-graph chooses the fusions; patterns: the reference pattern passes.")
    var strategy: Strategy = .egraph

    @Option(help: "inference also enables GroupNorm+Silu and Winograd.")
    var mode: Mode = .training

    @Option(name: .customLong("enable"),
            help: ArgumentHelp("Comma-separated opt-in fusions: rmsnorm-matmul, rope-attention.",
                               valueName: "list"))
    var enableList: String?

    @Flag(help: "With --model: build the model's training graph (with its loss).")
    var training = false

    @Option(help: ArgumentHelp("With --model: the sequence length (for models that have one).",
                             valueName: "n"))
    var seq: Int?

    @Option(help: ArgumentHelp("With --model: the number of layers (the depth of llama-synthetic).",
                             valueName: "n"))
    var layers: Int?

    @Option(help: ArgumentHelp("Write the optimized graph as tensor-graph JSON to this file.",
                             valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Write the optimized graph as Graphviz DOT to this file.",
                             valueName: "file"))
    var dot: String?

    @Option(help: ArgumentHelp("Write the egglog program text of the input graph to this file.",
                             valueName: "file"))
    var egglogProgram: String?

    @Option(help: "The report as text (the report's own format) or as one JSON object.")
    var format: Format = .text

    @Option(help: "roofline: per-kernel time estimate on a mid-range GPU; flat: leaves 0, fused ops 9, others 10.")
    var costModel: CostModelChoice = .roofline

    @OptionGroup var logging: LoggingOptions

    /// The parsed `--enable` list, in the order given, without duplicates.
    var optIns: [OptIn] {
        get throws {
            guard let enableList else { return [] }
            var result: [OptIn] = []
            for raw in enableList.split(separator: ",", omittingEmptySubsequences: false) {
                let name = raw.trimmingCharacters(in: .whitespaces)
                guard let optIn = OptIn(rawValue: name) else {
                    throw ValidationError(
                        "unknown fusion '\(name)' in --enable; known: "
                            + OptIn.allCases.map(\.rawValue).joined(separator: ", "))
                }
                if !result.contains(optIn) { result.append(optIn) }
            }
            return result
        }
    }

    func validate() throws {
        switch (graph, model) {
        case (nil, nil):
            throw ValidationError("give a GRAPH.json file or --model NAME")
        case (.some, .some):
            throw ValidationError("give either a GRAPH.json file or --model NAME, not both")
        case (.some, nil):
            if training { throw ValidationError("--training needs --model") }
            if seq != nil { throw ValidationError("--seq needs --model") }
            if layers != nil { throw ValidationError("--layers needs --model") }
        case (nil, .some):
            break
        }
        if let seq, seq < 1 { throw ValidationError("--seq must be at least 1, got \(seq)") }
        if let layers, layers < 1 {
            throw ValidationError("--layers must be at least 1, got \(layers)")
        }
        _ = try optIns
    }

    /// The graph to optimize, from the file or the model.
    func inputGraph() throws(CommandFailure) -> TensorGraph.Graph {
        if let graph { return try InputGraph.read(path: graph) }
        return try InputGraph.build(model: model!, training: training, sequenceLength: seq,
                                    layers: layers)
    }

    /// The optimizer's options from the command line.
    func optimizeOptions(logger: Logger) throws -> OptimizeOptions {
        var optIns: OptInFusions = []
        for optIn in try self.optIns {
            switch optIn {
            case .rmsnormMatmul: optIns.insert(.rmsNormMatMul)
            case .ropeAttention: optIns.insert(.ropeAttention)
            }
        }
        return OptimizeOptions(
            strategy: strategy == .egraph ? .egraph : .patterns,
            mode: mode == .training ? .training : .inference,
            optIns: optIns,
            costModel: costModel == .roofline ? .roofline() : .flat,
            logger: logger)
    }

    func run() throws {
        let logger = Logger(label: "fusion.optimize")
        // Everything is computed and every file written before the report is printed, so
        // a failure leaves standard output empty.
        let input = try inputGraph()
        let source = graph ?? "model \(model!)"
        logger.info("read \(source): \(input.count) nodes")
        if let egglogProgram {
            try OutputFile.write(Fusion.dumpEgglogProgram(input), to: egglogProgram)
        }
        let optimized: TensorGraph.Graph
        let report: OptimizeReport
        do {
            (optimized, report) = try Fusion.optimize(input, options: optimizeOptions(logger: logger))
        } catch let error as FusionError {
            throw CommandFailure.invalidInput("\(source): \(error)")
        }
        if let output {
            let bytes: [UInt8]
            do {
                bytes = try optimized.jsonBytes()
            } catch {
                throw CommandFailure.invalidInput("\(source): cannot write the optimized graph: \(error)")
            }
            try OutputFile.write(bytes, to: output)
        }
        if let dot {
            try OutputFile.write(optimized.dot(), to: dot)
        }
        switch format {
        case .text: StandardStreams.out(report.description)
        case .json: StandardStreams.out(ReportJSON.object(for: report, mode: mode.rawValue).serialized())
        }
    }
}
