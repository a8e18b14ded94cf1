import EGraphKit
import Logging
import Testing
import TensorGraph
@testable import Fusion

/// `dumpEgglogProgram`: the original encoding, accepted by an egglog front end.
@Suite struct EgglogProgramTests {
    @Test func encodingOfOneOfEachKind() throws {
        var g = Graph()
        let ids = try g.input("token \"ids\"", shape: [4], dtype: .u32)
        let table = try g.parameter("embed", shape: [8, 4])
        let e = try g.embedding(ids, table)
        let c = try g.constant(fill: 1, shape: [4, 4])
        let s = try g.scatterAdd(ids, e, vocabSize: 8)
        let r = try g.rope(try g.add(e, c), theta: 10000, headDim: 2)
        try g.setOutputs([s, r])
        let program = Fusion.dumpEgglogProgram(g)
        #expect(program.contains("(let n0 (Input \"token \\\"ids\\\"\"))"))
        #expect(program.contains("(let n1 (Parameter \"embed\"))"))
        #expect(program.contains("(let n3 (Const 3))"))
        #expect(program.contains("(let n4 (ScatterAdd 8 n0 n2))"))
        #expect(program.contains("(let n6 (RoPE n5))"))
        #expect(program.contains("(run 1)\n"))
        #expect(program.hasSuffix("(extract n4)\n(extract n6)\n"))
        #expect(program.contains("(rewrite (Mul (Silu ?g) ?u) (SwiGLU ?g ?u))"))
    }

    @Test func nopsAreLeftOutAndForwardReferencesOrdered() throws {
        let graph = try FixtureCases.graph("smollm2-small-test-training.optimized.json")
        let program = Fusion.dumpEgglogProgram(graph)
        #expect(!program.contains("(let n15 "))
        let wide = try #require(program.range(of: "(let n57 "))
        let user = try #require(program.range(of: "(let n24 "))
        #expect(wide.lowerBound < user.lowerBound)
    }

    /// Every fixture's program runs on the package's egglog front end (the bench script
    /// runs the 1528-node one on PyPI egglog as well).
    @Test(arguments: ["smollm2-small-test-training.full.json", "resnet18-inference.inference-passes.json",
                      "sd-unet-tiny-inference.inference-passes.json", "whisper-tiny-training.full.json",
                      "smolvla-small-test-training.full.optimized.json"])
    func programRuns(_ file: String) throws {
        let graph = try FixtureCases.graph(file)
        let program = try EgglogProgram(parsing: Fusion.dumpEgglogProgram(graph))
        let result = try EgglogInterpreter(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            .run(program) { _ in }
        #expect(result.extracted.count == graph.outputs.count)
    }
}
