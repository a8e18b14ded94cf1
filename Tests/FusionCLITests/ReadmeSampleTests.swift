import Foundation
import Fusion
import TensorGraph
import Testing

/// The README's library sample compiles (it is `ReadmeSample.swift`), does what the README
/// says, and is still the code the README shows.
@Suite struct ReadmeSampleTests {
    @Test func readmeShowsTheSampleVerbatim() throws {
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"),
                                encoding: .utf8)
        let source = try String(
            contentsOf: Repository.root.appendingPathComponent("Tests/FusionCLITests/ReadmeSample.swift"),
            encoding: .utf8)
        let begin = try #require(source.range(of: "// README sample begin\n"))
        let end = try #require(source.range(of: "// README sample end"))
        let sample = String(source[begin.upperBound..<end.lowerBound])
        #expect(readme.contains("```swift\nimport Fusion\nimport TensorGraph\n\n" + sample + "```"))
    }

    @Test func mlpSampleFusesBothMatMulAdds() throws {
        let (optimized, report) = try optimizeMLP()
        #expect(report.fusions.map(\.label) == ["MatMul+Add→FusedMatMulAdd",
                                                "MatMul+Add→FusedMatMulAdd"])
        #expect(report.fusions.map(\.node) == [NodeID(6), NodeID(9)])
        #expect(report.nodesBefore == 10)
        #expect(report.nodesAfter == 8)
        let fused = optimized.nodes.filter { $0.op.name == "FusedMatMulAdd" }
        #expect(fused.count == 2)
        // The output survives: same id, now the fused kernel.
        #expect(optimized.outputs == [NodeID(9)])
        #expect(optimized[NodeID(9)].op.name == "FusedMatMulAdd")
    }

    @Test func smolLM2SampleWritesAGraphThatReadsBack() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("smollm2.optimized.json").path
        let report = try optimizeSmolLM2(writingTo: path)
        #expect(report.nodesBefore == 726)
        #expect(report.fusionCounts[.matMulAdd] == 60)
        let reread = try Graph(contentsOfFile: path)
        #expect(reread.activeCount == report.nodesAfter)
    }
}
