import Testing
import TensorGraph

/// Every model with a forward fixture (`<slug>.json`) is rebuilt by its builder, with the
/// registry's defaults, and compared with the fixture read through the library's JSON
/// reader: node for node (op with its parameters, inputs, dtype, shape, and the names of
/// parameters and inputs), outputs, and finally the written JSON byte for byte.
@Suite struct ModelFixtureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var slug: String
        var model: ModelName
        var training: Bool
        var testDescription: String { slug }
    }

    static let cases: [Case] = [
        Case(slug: "smollm2-135m-inference-seq32", model: .smollm2_135m, training: false),
        Case(slug: "smollm2-135m-training-seq32", model: .smollm2_135m, training: true),
        Case(slug: "smollm2-small-test-training", model: .smollm2SmallTest, training: true),
        Case(slug: "smollm2-medium-test-training", model: .smollm2MediumTest, training: true),
        Case(slug: "gemma4-small-test-inference", model: .gemma4SmallTest, training: false),
        Case(slug: "smolvla-base-training", model: .smolvlaBase, training: true),
        Case(slug: "smolvla-small-test-training", model: .smolvlaSmallTest, training: true),
        Case(slug: "whisper-tiny-training", model: .whisperTiny, training: true),
        Case(slug: "resnet18-inference", model: .resnet18, training: false),
        Case(slug: "resnet50-training", model: .resnet50, training: true),
        Case(slug: "sd-unet-tiny-inference", model: .sdUNetTiny, training: false),
        Case(slug: "sd-unet-tiny-training", model: .sdUNetTiny, training: true),
    ]

    /// The first node where two graphs differ, described for a failure message.
    static func firstDifference(_ built: Graph, _ fixture: Graph) -> String? {
        let shared = min(built.count, fixture.count)
        guard let index = (0..<shared).first(where: { built.nodes[$0] != fixture.nodes[$0] })
        else { return nil }
        func describe(_ node: Node) -> String { "\(node.op) \(node.inputs) \(node.type)" }
        return "first difference at node \(index):\n  built   \(describe(built.nodes[index]))"
            + "\n  fixture \(describe(fixture.nodes[index]))"
    }

    @Test(arguments: cases)
    func builderReproducesFixture(_ testCase: Case) throws {
        let file = testCase.slug + ".json"
        let bytes = try Fixtures.bytes(file)
        let fixture = try Graph(json: bytes, file: file)
        let built = try testCase.model.build(training: testCase.training)
        try built.validate()

        #expect(built.count == fixture.count)
        if let difference = Self.firstDifference(built, fixture) {
            Issue.record(Comment(rawValue: difference))
        }
        #expect(built.outputs == fixture.outputs)
        #expect(built.paramGradOutputs == fixture.paramGradOutputs)
        #expect(built.derivedParams.isEmpty)
        #expect(try built.jsonBytes() == bytes)
        #expect(testCase.model.nodeCount(training: testCase.training) == fixture.count)
    }

    /// The comparison itself can fail: a graph that differs in one parameter is caught.
    @Test func comparisonDetectsADifferentParameter() throws {
        let file = "smollm2-small-test-training.json"
        let fixture = try Graph(json: Fixtures.bytes(file), file: file)
        var config = LlamaConfig.smolLM2SmallTest
        config.ropeTheta = 20000
        let built = try Models.llama(config, sequenceLength: 8, training: true)
        #expect(built.count == fixture.count)
        let differing = zip(built.nodes, fixture.nodes).filter { $0 != $1 }.map(\.0.op.name)
        #expect(differing == Array(repeating: "RoPE", count: 4))
        #expect(Self.firstDifference(built, fixture)?.contains("node 11") == true)
    }
}
