/// The built-in models, by the names the `fusion` command line and the benchmarks use.
///
/// Each name fixes a family and a configuration; ``build(training:sequenceLength:batch:layers:)``
/// builds its inference graph or (with `training`) its training graph, over the model's
/// default sequence length unless one is given.
public enum ModelName: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// SmolLM2-135M (``LlamaConfig/smolLM2_135M``).
    case smollm2_135m = "smollm2-135m"
    /// SmolLM2's small test configuration (``LlamaConfig/smolLM2SmallTest``).
    case smollm2SmallTest = "smollm2-small-test"
    /// SmolLM2's medium test configuration (``LlamaConfig/smolLM2MediumTest``).
    case smollm2MediumTest = "smollm2-medium-test"
    /// Mistral-7B (``LlamaConfig/mistral7B``).
    case mistral7b = "mistral-7b"
    /// Phi-3-mini (``LlamaConfig/phi3Mini``).
    case phi3Mini = "phi3-mini"
    /// Gemma-4-4B (``LlamaConfig/gemma4_4B``).
    case gemma4_4b = "gemma4-4b"
    /// Gemma-4's small test configuration (``LlamaConfig/gemma4SmallTest``).
    case gemma4SmallTest = "gemma4-small-test"
    /// The SmolVLA action expert (``SmolVLAConfig/base``).
    case smolvlaBase = "smolvla-base"
    /// The SmolVLA action expert's small test configuration (``SmolVLAConfig/smallTest``).
    case smolvlaSmallTest = "smolvla-small-test"
    /// The Whisper-tiny encoder (``WhisperEncoderConfig/tiny``).
    case whisperTiny = "whisper-tiny"
    /// ResNet-18 (``ResNetConfig/resnet18``).
    case resnet18 = "resnet18"
    /// ResNet-50 (``ResNetConfig/resnet50``).
    case resnet50 = "resnet50"
    /// The tiny SD U-Net (``SDUNetConfig/tiny``).
    case sdUNetTiny = "sd-unet-tiny"
    /// The small SD U-Net (``SDUNetConfig/small``).
    case sdUNetSmall = "sd-unet-small"
    /// A Llama-style graph of any depth (``Models/llamaSynthetic(layers:sequenceLength:)``).
    case llamaSynthetic = "llama-synthetic"

    /// The command-line name (`smollm2-135m`, …).
    public var description: String { rawValue }

    /// A one-line human description (`"SmolLM2-135M: 30 layers, hidden 576, tied embeddings"`).
    public var summary: String {
        switch self {
        case .smollm2_135m: "SmolLM2-135M: 30 layers, hidden 576, 9/3 heads, tied embeddings"
        case .smollm2SmallTest: "SmolLM2 small test: 2 layers, hidden 32"
        case .smollm2MediumTest: "SmolLM2 medium test: 8 layers, hidden 128"
        case .mistral7b: "Mistral-7B: 32 layers, hidden 4096, 32/8 heads, sliding window 4096"
        case .phi3Mini: "Phi-3-mini: 32 layers, hidden 3072, alternating causal / window 2048"
        case .gemma4_4b: "Gemma-4-4B: 34 layers, hidden 2560, q/k norms, global every 4th from 3"
        case .gemma4SmallTest: "Gemma-4 small test: 4 layers, hidden 32, window 8"
        case .smolvlaBase: "SmolVLA action expert: 16 layers (8 self, 8 cross), hidden 720"
        case .smolvlaSmallTest: "SmolVLA action expert small test: 2 layers, hidden 64"
        case .whisperTiny: "Whisper-tiny encoder: 4 layers, hidden 384, 80 mels"
        case .resnet18: "ResNet-18: 8 basic blocks, 224x224, 1000 classes"
        case .resnet50: "ResNet-50: 16 bottleneck blocks, 224x224, 1000 classes"
        case .sdUNetTiny: "SD-UNet tiny: 3 levels, base 32 channels, 32x32 latent, batch 4"
        case .sdUNetSmall: "SD-UNet small: 3 levels, base 64 channels, 32x32 latent, batch 2"
        case .llamaSynthetic: "Llama-style decoder of any depth (--layers), hidden 64"
        }
    }

    /// The default sequence length: tokens for the language models, action steps for
    /// SmolVLA, mel frames for Whisper; `nil` for the image models, which have none.
    public var defaultSequenceLength: Int? {
        switch self {
        case .smollm2_135m, .mistral7b, .phi3Mini, .gemma4_4b: 32
        case .smollm2SmallTest, .smollm2MediumTest, .gemma4SmallTest: 8
        case .llamaSynthetic: 16
        case .smolvlaBase: 50
        case .smolvlaSmallTest: 4
        case .whisperTiny: 3000
        case .resnet18, .resnet50, .sdUNetTiny, .sdUNetSmall: nil
        }
    }

    /// The default batch size of the image models; `nil` for the sequence models.
    public var defaultBatch: Int? {
        switch self {
        case .resnet18: 1
        case .resnet50: 2
        case .sdUNetTiny: SDUNetConfig.tiny.batch
        case .sdUNetSmall: SDUNetConfig.small.batch
        default: nil
        }
    }

    /// The default depth of ``llamaSynthetic`` (`nil` for the other models).
    public var defaultLayers: Int? { self == .llamaSynthetic ? 8 : nil }

    /// The Llama-family configuration behind this name, if it is one.
    public var llamaConfig: LlamaConfig? {
        switch self {
        case .smollm2_135m: .smolLM2_135M
        case .smollm2SmallTest: .smolLM2SmallTest
        case .smollm2MediumTest: .smolLM2MediumTest
        case .mistral7b: .mistral7B
        case .phi3Mini: .phi3Mini
        case .gemma4_4b: .gemma4_4B
        case .gemma4SmallTest: .gemma4SmallTest
        default: nil
        }
    }

    /// Builds the model's graph.
    ///
    /// - Parameters:
    ///   - training: build the training graph (the loss is `outputs[0]`).
    ///   - sequenceLength: tokens, action steps (SmolVLA) or mel frames (Whisper);
    ///     ``defaultSequenceLength`` when `nil`.
    ///   - batch: images per batch for the image models; ``defaultBatch`` when `nil`.
    ///   - layers: the depth of ``llamaSynthetic``; ``defaultLayers`` when `nil`.
    /// - Throws: ``ModelConfigurationError`` when an option does not apply to this model
    ///   or is out of range.
    /// - Complexity: O(nodes built).
    public func build(training: Bool = false, sequenceLength: Int? = nil, batch: Int? = nil,
                      layers: Int? = nil) throws -> Graph
    {
        if sequenceLength != nil, defaultSequenceLength == nil {
            throw ModelConfigurationError(model: rawValue, field: "sequenceLength",
                                          message: "the model has no sequence length")
        }
        if batch != nil, defaultBatch == nil {
            throw ModelConfigurationError(model: rawValue, field: "batch",
                                          message: "the model has no batch option")
        }
        if layers != nil, defaultLayers == nil {
            throw ModelConfigurationError(model: rawValue, field: "layers",
                                          message: "only llama-synthetic takes a layer count")
        }
        let seq = sequenceLength ?? defaultSequenceLength ?? 0
        let n = batch ?? defaultBatch ?? 0
        switch self {
        case .smollm2_135m, .smollm2SmallTest, .smollm2MediumTest, .mistral7b, .phi3Mini,
             .gemma4_4b, .gemma4SmallTest:
            return try Models.llama(llamaConfig!, sequenceLength: seq, training: training)
        case .llamaSynthetic:
            return try Models.llama(.synthetic(layers: layers ?? defaultLayers!),
                                    sequenceLength: seq, training: training)
        case .smolvlaBase:
            return try Models.smolVLA(.base, chunkLength: seq, training: training)
        case .smolvlaSmallTest:
            return try Models.smolVLA(.smallTest, chunkLength: seq, training: training)
        case .whisperTiny:
            return try Models.whisperEncoder(.tiny, melLength: seq, training: training)
        case .resnet18:
            return try Models.resNet(.resnet18, batch: n, training: training)
        case .resnet50:
            return try Models.resNet(.resnet50, batch: n, training: training)
        case .sdUNetTiny:
            var config = SDUNetConfig.tiny
            config.batch = n
            return try Models.sdUNet(config, training: training)
        case .sdUNetSmall:
            var config = SDUNetConfig.small
            config.batch = n
            return try Models.sdUNet(config, training: training)
        }
    }

    /// The number of nodes ``build(training:sequenceLength:batch:layers:)`` produces,
    /// without building (node counts do not depend on sequence length or batch).
    public func nodeCount(training: Bool = false, layers: Int? = nil) -> Int {
        switch self {
        case .smollm2_135m, .smollm2SmallTest, .smollm2MediumTest, .mistral7b, .phi3Mini,
             .gemma4_4b, .gemma4SmallTest:
            llamaConfig!.nodeCount(training: training)
        case .llamaSynthetic:
            LlamaConfig.synthetic(layers: layers ?? defaultLayers!).nodeCount(training: training)
        case .smolvlaBase: SmolVLAConfig.base.nodeCount(training: training)
        case .smolvlaSmallTest: SmolVLAConfig.smallTest.nodeCount(training: training)
        case .whisperTiny: WhisperEncoderConfig.tiny.nodeCount(training: training)
        case .resnet18: ResNetConfig.resnet18.nodeCount(training: training)
        case .resnet50: ResNetConfig.resnet50.nodeCount(training: training)
        case .sdUNetTiny: SDUNetConfig.tiny.nodeCount(training: training)
        case .sdUNetSmall: SDUNetConfig.small.nodeCount(training: training)
        }
    }
}

extension Models {
    /// Looks up a built-in model by its command-line name (`"smollm2-135m"`, …).
    ///
    /// - Throws: ``ModelConfigurationError`` naming the unknown model and listing the
    ///   known ones.
    public static func named(_ name: String) throws -> ModelName {
        guard let model = ModelName(rawValue: name) else {
            let known = ModelName.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelConfigurationError(model: name, field: "name",
                                          message: "unknown model; known models: \(known)")
        }
        return model
    }
}
