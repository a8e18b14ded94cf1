import Testing
import TensorGraph

/// Every model with a forward fixture (`<slug>.json`) is rebuilt by its builder, with the
/// registry's defaults, and compared node for node: op, parameters, inputs, dtype, shape
/// and the names of parameters and inputs.
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

    @Test(arguments: cases)
    func builderReproducesFixture(_ testCase: Case) throws {
        let fixture = try FixtureGraph.load(testCase.slug)
        let built = FixtureGraph(try testCase.model.build(training: testCase.training))

        #expect(built.nodes.count == fixture.nodes.count)
        let mismatch = zip(built.nodes, fixture.nodes).enumerated().first { $1.0 != $1.1 }
        if let (index, (ours, theirs)) = mismatch {
            Issue.record("first difference at node \(index):\n  built   \(ours)\n  fixture \(theirs)")
        }
        #expect(built.outputs == fixture.outputs)
        #expect(built.paramGradOutputs == fixture.paramGradOutputs)
        #expect(testCase.model.nodeCount(training: testCase.training) == fixture.nodes.count)
    }

    /// The comparison itself can fail: a graph that differs in one parameter is caught.
    @Test func comparisonDetectsADifferentParameter() throws {
        let fixture = try FixtureGraph.load("smollm2-small-test-training")
        var config = LlamaConfig.smolLM2SmallTest
        config.ropeTheta = 20000
        let built = FixtureGraph(try Models.llama(config, sequenceLength: 8, training: true))
        #expect(built.nodes.count == fixture.nodes.count)
        let differing = zip(built.nodes, fixture.nodes).filter { $0 != $1 }.map(\.0.op)
        #expect(differing == Array(repeating: "RoPE", count: 4))
    }
}
