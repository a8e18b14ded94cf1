import Testing
import TensorGraph
@testable import Fusion

/// `.patterns` reproduces every fixture stage of the original implementation node for
/// node, with the same fusions in the same order.
@Suite struct ReferencePassFixtureTests {
    @Test func everyFixtureHasStages() {
        // 12 configurations: forward for each, full for the 9 training ones,
        // inference-passes for the 3 inference ones.
        #expect(FixtureCases.stages.count == 24)
    }

    @Test(arguments: FixtureCases.stages)
    func reproducesTheReference(_ stage: FixtureCases.Stage) throws {
        let input = try FixtureCases.graph(stage.inputFile)
        let expected = try FixtureCases.graph(stage.outputFile)
        let (optimized, report) = try Fusion.optimize(
            input, options: OptimizeOptions(strategy: .patterns, mode: stage.mode))
        #expect(report.fusions.map { [$0.label, String($0.node.rawValue)] }
            == stage.fusions.map { [$0.0, String($0.1)] })
        #expect(optimized.count == expected.count)
        for index in 0..<min(optimized.count, expected.count) where optimized.nodes[index] != expected.nodes[index] {
            Issue.record("node \(index): got \(optimized.nodes[index]), expected \(expected.nodes[index])")
            break
        }
        #expect(optimized.outputs == expected.outputs)
        #expect(optimized.paramGradOutputs == expected.paramGradOutputs)
        #expect(optimized.derivedParams == expected.derivedParams)
        #expect(optimized == expected)
        #expect(report.nodesBefore == input.count)
        #expect(report.nodesAfter == expected.activeCount)
    }

    @Test func inputIsNotMutated() throws {
        let input = try FixtureCases.graph("smollm2-small-test-training.json")
        let copy = input
        _ = try Fusion.optimize(input, options: OptimizeOptions(strategy: .patterns))
        #expect(input == copy)
    }
}
