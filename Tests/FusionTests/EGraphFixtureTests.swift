import Testing
import TensorGraph
@testable import Fusion

/// `.egraph` on every fixture stage: the same fusion counts as the reference and a graph
/// isomorphic to the reference's — or, where the e-graph finds something better, a lower
/// estimated cost (each such stage is listed with the reason).
@Suite struct EGraphFixtureTests {
    /// Stages where the e-graph's result is cheaper than the reference's rather than
    /// isomorphic, and why.
    static let improvements: [String: String] = [
        // The full graphs compute the MSE gradient's `Mul(d, c)` twice; the e-graph's
        // hashcons merges the identical nodes (common-subexpression elimination).
        "sd-unet-tiny-training full": "duplicate Mul merged",
        "smolvla-small-test-training full": "duplicate Mul merged",
        "smolvla-base-training full": "duplicate Mul merged",
        // layer4's three 512×512 3×3 convs on 7×7 maps read 9.4 MB of weights for 0.23
        // GFLOP: memory-bound. The Winograd weight is 16/9 as large, so the roofline keeps
        // the plain conv there (10 Winograd convs instead of 13).
        "resnet18-inference inference-passes": "Winograd skipped where weight-bound",
    ]

    /// Fusion counts that differ from the reference's, with the improvements above.
    static let expectedCounts: [String: [String: Int]] = [
        "resnet18-inference inference-passes": [FusionKind.winograd.label: 10],
    ]

    @Test(arguments: FixtureCases.stages)
    func matchesTheReference(_ stage: FixtureCases.Stage) throws {
        let input = try FixtureCases.graph(stage.inputFile)
        let reference = try FixtureCases.graph(stage.outputFile)
        let (optimized, report) = try Fusion.optimize(input, options: OptimizeOptions(mode: stage.mode))
        #expect(report.stopReason == .saturated)
        let counts = report.fusions.reduce(into: [String: Int]()) { $0[$1.label, default: 0] += 1 }
        #expect(counts == (Self.expectedCounts[stage.description] ?? stage.fusionCounts))
        #expect(optimized.outputs == input.outputs)
        #expect(optimized.paramGradOutputs == input.paramGradOutputs)
        try optimized.validate()
        let model = CostModel.roofline()
        if let reason = Self.improvements[stage.description] {
            #expect(model.cost(of: optimized) < model.cost(of: reference), "\(reason)")
        } else {
            let isomorphic = GraphShape.isomorphic(optimized, reference)
            #expect(isomorphic, "not isomorphic: cost \(model.cost(of: optimized)) vs reference \(model.cost(of: reference))")
            #expect(optimized.count == reference.count)
            if let index = (0..<min(optimized.count, reference.count)).first(where: { optimized.nodes[$0] != reference.nodes[$0] }) {
                Issue.record("node \(index): got \(optimized.nodes[index]), reference \(reference.nodes[index])")
            }
            #expect(optimized.derivedParams == reference.derivedParams)
            #expect(report.fusions.map { [$0.label, String($0.node.rawValue)] }
                == stage.fusions.map { [$0.0, String($0.1)] }, "the reference's fusions, in its order")
        }
    }
}
