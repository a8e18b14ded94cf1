import Testing
import TensorGraph
@testable import Fusion

/// The same graph gives the same optimized graph and report text (timings aside), on
/// both strategies.
@Suite struct DeterminismTests {
    /// The report text without the lines that carry times.
    static func untimed(_ report: OptimizeReport) -> String {
        report.description.split(separator: "\n")
            .filter { !$0.hasPrefix("Egglog saturation:") && !$0.hasPrefix("Extract time:") && !$0.hasPrefix("Timings:") }
            .joined(separator: "\n")
    }

    @Test(arguments: ["smollm2-135m-training-seq32.full.json", "smolvla-base-training.json",
                      "sd-unet-tiny-inference.json"],
          [OptimizationStrategy.egraph, .patterns])
    func sameResultEveryTime(_ file: String, _ strategy: OptimizationStrategy) throws {
        let graph = try FixtureCases.graph(file)
        let options = OptimizeOptions(strategy: strategy, mode: .inference)
        let (first, firstReport) = try Fusion.optimize(graph, options: options)
        for _ in 0..<3 {
            let (again, report) = try Fusion.optimize(graph, options: options)
            #expect(again == first)
            #expect(Self.untimed(report) == Self.untimed(firstReport))
        }
    }
}

/// Optimizing an optimized graph (with its forward references, `Nop`s and derived
/// weights) finds nothing more and changes nothing.
@Suite struct IdempotenceTests {
    @Test(arguments: ["smollm2-small-test-training.optimized.json", "sd-unet-tiny-inference.inference-passes.json",
                      "whisper-tiny-training.full.optimized.json"],
          [OptimizationStrategy.egraph, .patterns])
    func secondOptimizeIsANoOp(_ file: String, _ strategy: OptimizationStrategy) throws {
        let graph = try FixtureCases.graph(file)
        let mode: OptimizationMode = file.contains("inference") ? .inference : .training
        let (again, report) = try Fusion.optimize(graph, options: OptimizeOptions(strategy: strategy, mode: mode))
        #expect(report.fusions.isEmpty)
        #expect(again == graph)
    }
}
