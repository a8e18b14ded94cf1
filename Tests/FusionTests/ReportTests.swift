import Testing
import TensorGraph
@testable import Fusion

/// The report's text lines (SPEC §5) and fields.
@Suite struct ReportTests {
    @Test(arguments: [OptimizationStrategy.egraph, .patterns])
    func textFollowsTheSpecLines(_ strategy: OptimizationStrategy) throws {
        let graph = try FixtureCases.graph("smollm2-small-test-training.json")
        let (optimized, report) = try Fusion.optimize(graph, options: OptimizeOptions(strategy: strategy))
        let lines = report.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "=== Optimization Report ===")
        #expect(lines[1].hasPrefix("Egglog saturation: "))
        #expect(lines[1].hasSuffix(" (\(report.eclassCount) e-classes, \(report.enodeCount) e-nodes)"))
        #expect(lines[2] == "Rules fired:")
        #expect(lines[3] == "  MatMul+Add→FusedMatMulAdd x4")
        #expect(lines[4] == "  SwiGLU(MatMul,MatMul)→SwiGLUConcat(MatMul) x2")
        #expect(lines[5] == "Graph: 56 nodes -> 52 active nodes (4 fused away)")
        #expect(lines[6] == "Fusions: MatMul+Add→FusedMatMulAdd @node16, MatMul+Add→FusedMatMulAdd @node26, "
            + "MatMul+Add→FusedMatMulAdd @node40, MatMul+Add→FusedMatMulAdd @node50, "
            + "SwiGLU(MatMul,MatMul)→SwiGLUConcat(MatMul) @node24, SwiGLU(MatMul,MatMul)→SwiGLUConcat(MatMul) @node48")
        #expect(lines[7].hasPrefix("Extract time: ") && lines[7].hasSuffix("ms"))
        #expect(report.nodesAfter == optimized.activeCount)
        #expect(report.costAfter < report.costBefore)
        #expect(report.description.contains("Cost: "))
        if strategy == .egraph {
            #expect(report.eclassCount > 0 && report.enodeCount > report.eclassCount)
            #expect(report.iterations >= 1)
            #expect(report.stopReason == .saturated)
            #expect(report.description.contains("stop reason: saturated"))
        } else {
            #expect(report.eclassCount == 0 && report.enodeCount == 0)
        }
    }

    @Test func noFusionsMeansNoFusionLines() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 2])
        try g.setOutputs([try g.relu(x)])
        let (_, report) = try Fusion.optimize(g)
        #expect(!report.description.contains("Rules fired:"))
        #expect(!report.description.contains("Fusions:"))
        #expect(report.description.contains("Graph: 2 nodes -> 2 active nodes (0 fused away)"))
    }

    @Test func millisecondsHaveOneDecimal() {
        #expect(OptimizeReport.milliseconds(0.00041) == "0.4")
        #expect(OptimizeReport.milliseconds(0.0123) == "12.3")
        #expect(OptimizeReport.milliseconds(0) == "0.0")
        #expect(OptimizeReport.decimal(-1.5, digits: 2) == "-1.50")
    }

    @Test func reportCarriesTheEgglogProgramOfTheInput() throws {
        let graph = try FixtureCases.graph("smollm2-small-test-training.json")
        let (_, report) = try Fusion.optimize(graph)
        #expect(report.egglogProgram == Fusion.dumpEgglogProgram(graph))
    }
}
