import Testing
import TensorGraph

/// Node counts, attention patterns, losses and configuration errors of the model
/// builders and the registry.
@Suite struct ModelsTests {
    struct Count: CustomTestStringConvertible, Sendable {
        var model: ModelName
        var training: Bool
        var nodes: Int
        var testDescription: String { "\(model)\(training ? " training" : "") = \(nodes)" }
    }

    /// The node counts that SPEC §7 gives for the published configurations.
    static let specCounts: [Count] = [
        Count(model: .smollm2_135m, training: false, nodes: 726),
        Count(model: .smollm2_135m, training: true, nodes: 728),
        Count(model: .mistral7b, training: false, nodes: 775),
        Count(model: .phi3Mini, training: false, nodes: 775),
        Count(model: .gemma4_4b, training: false, nodes: 959),
        Count(model: .smolvlaBase, training: false, nodes: 381),
        Count(model: .smolvlaBase, training: true, nodes: 385),
        Count(model: .whisperTiny, training: false, nodes: 146),
        Count(model: .whisperTiny, training: true, nodes: 150),
        Count(model: .resnet18, training: false, nodes: 112),
        Count(model: .resnet50, training: false, nodes: 284),
        Count(model: .resnet50, training: true, nodes: 286),
        Count(model: .sdUNetTiny, training: false, nodes: 119),
        Count(model: .sdUNetTiny, training: true, nodes: 124),
        Count(model: .sdUNetSmall, training: false, nodes: 119),
        Count(model: .sdUNetSmall, training: true, nodes: 124),
    ]

    @Test(arguments: specCounts)
    func nodeCountMatchesSpec(_ count: Count) throws {
        let graph = try count.model.build(training: count.training)
        #expect(graph.count == count.nodes)
    }

    /// Every model builds in both modes into a valid graph; the predicted count is the
    /// built count; names of parameters and inputs are unique; a training graph has one
    /// output, a scalar loss.
    @Test(arguments: ModelName.allCases)
    func everyModelBuildsInBothModes(_ model: ModelName) throws {
        for training in [false, true] {
            let graph = try model.build(training: training)
            try graph.validate()
            #expect(graph.count == model.nodeCount(training: training), "training: \(training)")
            let names = graph.nodes.compactMap(\.op.leafName)
            #expect(Set(names).count == names.count, "duplicate leaf names, training: \(training)")
            #expect(graph.outputs.count == 1)
            #expect(graph.paramGradOutputs == 0)
            let output = try #require(graph.outputs.first)
            if training {
                #expect(graph[output].shape == [1])
                #expect(["CrossEntropyLoss", "MeanAll"].contains(graph[output].op.name))
            } else {
                #expect(graph[output].shape != [1])
            }
        }
    }

    /// Node counts do not depend on the sequence length; shapes do.
    @Test func sequenceLengthChangesShapesNotCounts() throws {
        let short = try ModelName.smollm2_135m.build(sequenceLength: 32)
        let long = try ModelName.smollm2_135m.build(sequenceLength: 128)
        #expect(short.count == long.count)
        #expect(short[short.outputs[0]].shape == [32, 49152])
        #expect(long[long.outputs[0]].shape == [128, 49152])

        let whisper = try ModelName.whisperTiny.build(sequenceLength: 1000)
        #expect(whisper.count == 146)
        #expect(whisper[whisper.outputs[0]].shape == [500, 384])
    }

    private func attentionOps(_ graph: Graph) -> [Op] {
        graph.nodes.map(\.op).filter { $0.name.hasSuffix("Attention") || $0.name == "MultiHeadAttn" }
    }

    @Test func mistralSlidesInEveryLayerWithItsOwnHead() throws {
        let graph = try ModelName.mistral7b.build()
        let heads = AttentionHeads(numHeads: 32, numKVHeads: 8, headDim: 128)
        #expect(attentionOps(graph) == Array(repeating: .slidingWindowAttention(heads, windowSize: 4096),
                                             count: 32))
        let ropes = graph.nodes.map(\.op).filter { $0.name == "RoPE" }
        #expect(ropes.count == 64)
        #expect(ropes.allSatisfy { $0 == .rope(RoPEParameters(theta: 1e6, posOffset: 0, headDim: 128)) })
        let logits = graph[graph.outputs[0]]
        #expect(logits.op == .matMul)
        #expect(graph[logits.inputs[1]].op == .parameter(name: "lm_head.weight"))
        #expect(logits.shape == [32, 32768])
    }

    @Test func phi3AlternatesCausalAndSlidingLayers() throws {
        let graph = try ModelName.phi3Mini.build()
        let heads = AttentionHeads(numHeads: 32, numKVHeads: 32, headDim: 96)
        let expected: [Op] = (0..<32).map {
            $0 % 2 == 1 ? .causalAttention(heads) : .slidingWindowAttention(heads, windowSize: 2048)
        }
        #expect(attentionOps(graph) == expected)
    }

    @Test func gemma4HasQKNormsAndAGlobalLayerEveryFourthFromThree() throws {
        let graph = try ModelName.gemma4_4b.build()
        let heads = AttentionHeads(numHeads: 20, numKVHeads: 10, headDim: 128)
        let global: Set = [3, 7, 11, 15, 19, 23, 27, 31]
        let expected: [Op] = (0..<34).map {
            global.contains($0) ? .causalAttention(heads) : .slidingWindowAttention(heads, windowSize: 4096)
        }
        #expect(attentionOps(graph) == expected)
        let qNorms = graph.nodes.filter { $0.op.leafName?.hasSuffix("q_norm.weight") == true }
        let kNorms = graph.nodes.filter { $0.op.leafName?.hasSuffix("k_norm.weight") == true }
        #expect(qNorms.count == 34 && qNorms.allSatisfy { $0.shape == [2560] })
        #expect(kNorms.count == 34 && kNorms.allSatisfy { $0.shape == [1280] })
        // The q/k norms sit between the projection and RoPE.
        for rope in graph.nodes where rope.op.name == "RoPE" {
            #expect(graph[rope.inputs[0]].op == .rmsNorm(eps: 1e-6))
        }
        #expect(graph[graph.outputs[0]].shape == [32, 262_144])
    }

    @Test func smolVLAInferenceAndTrainingAttention() throws {
        let heads = AttentionHeads(numHeads: 15, numKVHeads: 5, headDim: 64)
        let inference = try ModelName.smolvlaBase.build()
        #expect(attentionOps(inference) == (0..<16).map {
            $0 % 2 == 1 ? .crossAttention(heads) : .causalAttention(heads)
        })
        #expect(inference.nodes.contains { $0.op == .input(name: "vlm_hidden") && $0.shape == [16, 960] })
        #expect(inference[inference.outputs[0]].shape == [50, 32])

        let training = try ModelName.smolvlaBase.build(training: true)
        #expect(attentionOps(training) == (0..<16).map { .multiHeadAttn(heads, isCross: $0 % 2 == 1) })
        #expect(!training.nodes.contains { $0.op == .input(name: "vlm_hidden") })
    }

    @Test func llamaSyntheticScalesLinearly() throws {
        for layers in [1, 3, 40] {
            let graph = try Models.llamaSynthetic(layers: layers)
            #expect(graph.count == 24 * layers + 6)
            #expect(try ModelName.llamaSynthetic.build(layers: layers).count == graph.count)
        }
        for target in [1_000, 10_000, 100_000, 1_000_000] {
            let layers = Models.llamaSyntheticLayers(forNodes: target)
            let nodes = LlamaConfig.synthetic(layers: layers).nodeCount(training: false)
            #expect(Swift.abs(nodes - target) <= 12, "target \(target): \(nodes) nodes")
        }
    }

    @Test func registryNamesRoundTrip() throws {
        for model in ModelName.allCases {
            #expect(try Models.named(model.rawValue) == model)
        }
        #expect(ModelName.allCases.count == 15)
        let error = try #require(throws: ModelConfigurationError.self) { try Models.named("gpt-5") }
        #expect(error.field == "name")
        #expect(error.description.contains("smollm2-135m"))
    }

    @Test func registryRejectsOptionsThatDoNotApply() throws {
        let seq = try #require(throws: ModelConfigurationError.self) {
            try ModelName.resnet18.build(sequenceLength: 32)
        }
        #expect(seq.field == "sequenceLength" && seq.model == "resnet18")
        let layers = try #require(throws: ModelConfigurationError.self) {
            try ModelName.smollm2_135m.build(layers: 4)
        }
        #expect(layers.field == "layers")
        let batch = try #require(throws: ModelConfigurationError.self) {
            try ModelName.whisperTiny.build(batch: 2)
        }
        #expect(batch.field == "batch")
        // A batch option that applies changes the image shape, not the node count.
        let resnet = try ModelName.resnet18.build(batch: 3)
        #expect(resnet.count == 112)
        #expect(resnet[NodeID(0)].shape == [3 * 3 * 224 * 224])
    }

    @Test func badConfigurationsNameTheField() throws {
        var llama = LlamaConfig.smolLM2SmallTest
        llama.layers = 0
        let noLayers = try #require(throws: ModelConfigurationError.self) {
            try Models.llama(llama, sequenceLength: 8)
        }
        #expect(noLayers.field == "layers")

        llama = .smolLM2SmallTest
        llama.kvHeads = 3
        let kv = try #require(throws: ModelConfigurationError.self) {
            try Models.llama(llama, sequenceLength: 8)
        }
        #expect(kv.field == "kvHeads")

        let seq = try #require(throws: ModelConfigurationError.self) {
            try Models.llama(.smolLM2SmallTest, sequenceLength: 0)
        }
        #expect(seq.field == "sequenceLength")

        var unet = SDUNetConfig.tiny
        unet.height = 30
        let size = try #require(throws: ModelConfigurationError.self) { try Models.sdUNet(unet) }
        #expect(size.field == "height")

        let chunk = try #require(throws: ModelConfigurationError.self) {
            try Models.smolVLA(.smallTest, chunkLength: 0)
        }
        #expect(chunk.field == "chunkLength")
    }

    /// RoPE rotates pairs of columns, so an odd head width is refused up front.
    @Test func oddHeadWidthIsRefused() throws {
        var llama = LlamaConfig.smolLM2SmallTest
        llama.headDim = 7
        let error = try #require(throws: ModelConfigurationError.self) {
            try Models.llama(llama, sequenceLength: 8)
        }
        #expect(error.field == "headDim")
    }

    @Test func decodeStepWritesAndReadsTheCache() throws {
        let graph = try Models.llamaDecode(.smolLM2_135M, cacheLength: 256)
        try graph.validate()
        #expect(graph.count == 4 + 28 * 30 + 3)
        let position = try #require(graph.nodes.first { $0.op == .input(name: "kv_pos") })
        #expect(position.dtype == .u32)
        let writes = graph.nodes.filter { $0.op == .cacheWrite }
        #expect(writes.count == 60)
        #expect(writes.allSatisfy { $0.inputs[2] == position.id && $0.shape == [256, 192] })
        let ropes = graph.nodes.filter { $0.op.name == "RoPE" }
        #expect(ropes.count == 60 && ropes.allSatisfy { $0.inputs.count == 2 && $0.inputs[1] == position.id })
        let heads = AttentionHeads(numHeads: 9, numKVHeads: 3, headDim: 64)
        let attention = graph.nodes.filter { $0.op == .cachedAttention(heads) }
        #expect(attention.count == 30)
        // The attention reads the caches that the writes fill.
        for (index, node) in attention.enumerated() {
            #expect(graph[node.inputs[1]].op == .parameter(name: "kv_cache.layer.\(index).k"))
            #expect(graph[node.inputs[2]].op == .parameter(name: "kv_cache.layer.\(index).v"))
        }
        #expect(graph[graph.outputs[0]].shape == [1, 49152])
    }
}
