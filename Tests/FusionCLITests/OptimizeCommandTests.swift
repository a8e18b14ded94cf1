import EGraphKit
import Foundation
import TensorGraph
import Testing

/// `fusion optimize` end to end through the built binary: the report, the JSON shape of
/// `CLI.md`, the files it writes, and the options that change what it does.
@Suite struct OptimizeCommandTests {
    static let smallTraining = Repository.fixtures
        .appendingPathComponent("smollm2-small-test-training.json").path

    /// The fixture's expected forward stage (`fusions`, `fusion_counts`, node counts).
    static func expectedStage(_ slug: String, _ index: Int) throws -> [String: Any] {
        let url = Repository.fixtures.appendingPathComponent("\(slug).expected.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let stages = try #require(object?["stages"] as? [[String: Any]])
        return stages[index]
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func textReportStartsWithTheReferenceLines() throws {
        let result = try FusionExecutable.run(["optimize", Self.smallTraining])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "=== Optimization Report ===")
        #expect(lines.contains("Graph: 56 nodes -> 52 active nodes (4 fused away)"))
        #expect(lines.contains("  MatMul+Add→FusedMatMulAdd x4"))
        #expect(lines.contains("  SwiGLU(MatMul,MatMul)→SwiGLUConcat(MatMul) x2"))
    }

    @Test func jsonReportHasTheDocumentedKeysInOrder() throws {
        let result = try FusionExecutable.run(["optimize", Self.smallTraining, "--format", "json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // Exactly one JSON object on one line.
        #expect(result.stdout.hasSuffix("}\n"))
        #expect(result.stdout.dropLast().contains("\n") == false)
        let keys = ["strategy", "nodes_before", "active_after", "fusions", "fusion_counts",
                    "eclasses", "enodes", "iterations", "stop_reason", "saturation_ms",
                    "extract_ms", "total_ms", "cost_before", "cost_after"]
        let positions = keys.map { result.stdout.range(of: "\"\($0)\": ")?.lowerBound }
        #expect(!positions.contains(nil))
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())

        let report = try Self.object(result.stdout)
        let expected = try Self.expectedStage("smollm2-small-test-training", 0)
        #expect(report["strategy"] as? String == "egraph")
        #expect(report["nodes_before"] as? Int == expected["nodes_before"] as? Int)
        #expect(report["active_after"] as? Int == expected["active_after"] as? Int)
        #expect(report["fusion_counts"] as? [String: Int] == expected["fusion_counts"] as? [String: Int])
        let fusions = try #require(report["fusions"] as? [[Any]])
        #expect(fusions.count == 6)
        #expect(fusions.allSatisfy { $0.count == 2 && $0[0] is String && $0[1] is Int })
        #expect((report["enodes"] as? Int ?? 0) > 0)
        #expect((report["eclasses"] as? Int ?? 0) > 0)
        #expect(report["stop_reason"] as? String == "saturated")
        let costBefore = try #require(report["cost_before"] as? Double)
        let costAfter = try #require(report["cost_after"] as? Double)
        #expect(costAfter < costBefore)
    }

    @Test func patternStrategyReproducesTheReferenceFusions() throws {
        let full = Repository.fixtures.appendingPathComponent("smollm2-small-test-training.full.json").path
        let result = try FusionExecutable.run(["optimize", full, "--strategy", "patterns",
                                               "--format", "json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try Self.object(result.stdout)
        let expected = try Self.expectedStage("smollm2-small-test-training", 1)
        #expect(report["strategy"] as? String == "patterns")
        let fusions = try #require(report["fusions"] as? [[Any]])
        let reference = try #require(expected["fusions"] as? [[Any]])
        #expect(fusions.map { "\($0[0])@\($0[1])" } == reference.map { "\($0[0])@\($0[1])" })
        #expect(report["active_after"] as? Int == expected["active_after"] as? Int)
    }

    @Test func inferenceModeEnablesGroupNormSiluAndWinograd() throws {
        let unet = Repository.fixtures.appendingPathComponent("sd-unet-tiny-inference.json").path
        let training = try Self.object(try FusionExecutable.run(["optimize", unet, "--format", "json"]).stdout)
        #expect((training["fusion_counts"] as? [String: Int])?.isEmpty == true)
        let inference = try Self.object(
            try FusionExecutable.run(["optimize", unet, "--mode", "inference", "--format", "json"]).stdout)
        let expected = try Self.expectedStage("sd-unet-tiny-inference", 1)
        #expect(inference["fusion_counts"] as? [String: Int] == expected["fusion_counts"] as? [String: Int])
    }

    @Test func optInFusionsFireOnlyWhenEnabled() throws {
        let label = "CausalAttn(RoPE,RoPE)→CausalAttnRoPE"
        let plain = try Self.object(try FusionExecutable.run(
            ["optimize", "--model", "smollm2-small-test", "--format", "json"]).stdout)
        #expect((plain["fusion_counts"] as? [String: Int])?[label] == nil)
        let enabled = try Self.object(try FusionExecutable.run(
            ["optimize", "--model", "smollm2-small-test", "--enable", "rope-attention",
             "--format", "json"]).stdout)
        // One causal attention per layer; smollm2-small-test has 2 layers.
        #expect((enabled["fusion_counts"] as? [String: Int])?[label] == 2)
    }

    @Test func modelOptionsReachTheBuilder() throws {
        let inference = try Self.object(try FusionExecutable.run(
            ["optimize", "--model", "llama-synthetic", "--layers", "3", "--format", "json"]).stdout)
        let training = try Self.object(try FusionExecutable.run(
            ["optimize", "--model", "llama-synthetic", "--layers", "3", "--training", "--seq", "4",
             "--format", "json"]).stdout)
        let layers3 = ModelName.llamaSynthetic.nodeCount(layers: 3)
        #expect(inference["nodes_before"] as? Int == layers3)
        #expect(training["nodes_before"] as? Int == ModelName.llamaSynthetic.nodeCount(training: true, layers: 3))
    }

    @Test func writesTheOptimizedGraphDotAndEgglogProgram() throws {
        let folder = try TemporaryFolder()
        let output = folder.url.appendingPathComponent("out.json").path
        let dot = folder.url.appendingPathComponent("out.dot").path
        let program = folder.url.appendingPathComponent("in.egg").path
        let result = try FusionExecutable.run(["optimize", Self.smallTraining, "--output", output,
                                               "--dot", dot, "--egglog-program", program])
        #expect(result.status == 0, "stderr: \(result.stderr)")

        let optimized = try Graph(contentsOfFile: output)
        let input = try Graph(contentsOfFile: Self.smallTraining)
        #expect(optimized.activeCount == 52)
        #expect(optimized.outputs == input.outputs)
        #expect(optimized.nodes.filter { $0.op.name == "FusedMatMulAdd" }.count == 4)

        let dotText = try String(contentsOfFile: dot, encoding: .utf8)
        #expect(dotText.hasPrefix("digraph"))
        #expect(dotText.contains("FusedMatMulAdd"))

        // The program is the input graph's, in the seed's encoding, and it parses.
        let programText = try String(contentsOfFile: program, encoding: .utf8)
        #expect(programText.contains("(run 1)"))
        #expect(programText.components(separatedBy: "(let n").count - 1 == input.activeCount)
        _ = try EgglogProgram(parsing: programText)
    }

    @Test func logsGoToStandardErrorOnly() throws {
        let result = try FusionExecutable.run(["optimize", "--model", "smollm2-small-test",
                                               "--format", "json", "--verbose"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("info"))
        // Standard output is still exactly the one JSON object.
        let report = try Self.object(result.stdout)
        #expect(report["nodes_before"] as? Int == ModelName.smollm2SmallTest.nodeCount())
    }

    @Test func unwritableOutputIsAUsageErrorWithNothingOnStandardOutput() throws {
        let result = try FusionExecutable.run(["optimize", Self.smallTraining,
                                               "--output", "/nonexistent-folder/out.json"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("/nonexistent-folder/out.json"))
    }

    @Test func missingInputFileIsAUsageError() throws {
        let result = try FusionExecutable.run(["optimize", "/nonexistent-folder/graph.json"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("/nonexistent-folder/graph.json"))
    }

    @Test func sameGraphGivesTheSameReportAndGraph() throws {
        let folder = try TemporaryFolder()
        var outputs: [String] = []
        var fusions: [String] = []
        for i in 0..<2 {
            let path = folder.url.appendingPathComponent("out\(i).json").path
            let result = try FusionExecutable.run(["optimize", Self.smallTraining, "--output", path,
                                                   "--format", "json"])
            let report = try Self.object(result.stdout)
            fusions.append("\(report["fusions"] ?? "")")
            outputs.append(try String(contentsOfFile: path, encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
        #expect(fusions[0] == fusions[1])
    }
}
