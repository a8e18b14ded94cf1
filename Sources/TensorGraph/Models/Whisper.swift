/// The configuration of a Whisper audio encoder (batch 1).
///
/// The stem is two 1-D convolutions over the mel frames (expressed as `Conv2d` with
/// width 1; the second has stride 2), each followed by a folded bias and GELU; the
/// result is reshaped to `[hidden, S]`, transposed to `[S, hidden]` and given a learned
/// positional embedding. Each layer is a pre-LayerNorm transformer block with full
/// (bidirectional) attention and a GELU MLP; a final LayerNorm closes the encoder.
public struct WhisperEncoderConfig: Hashable, Sendable {
    /// Number of encoder layers.
    public var layers: Int
    /// Width of the residual stream (`d_model`).
    public var hidden: Int
    /// Number of attention heads (no grouped-query attention).
    public var heads: Int
    /// Inner width of the MLP.
    public var ffn: Int
    /// Number of mel channels of the input.
    public var mels: Int
    /// LayerNorm epsilon.
    public var layerNormEps: Float
    /// Number of classes of the training head (a linear projection and cross-entropy
    /// over every encoder position).
    public var trainingClasses: Int

    /// Creates a configuration.
    public init(layers: Int, hidden: Int, heads: Int, ffn: Int, mels: Int,
                layerNormEps: Float = 1e-5, trainingClasses: Int)
    {
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.ffn = ffn
        self.mels = mels
        self.layerNormEps = layerNormEps
        self.trainingClasses = trainingClasses
    }

    /// Width of one head.
    public var headDim: Int { hidden / heads }

    /// The encoder's sequence length for `melLength` frames (the stride-2 conv halves it).
    public func sequenceLength(melLength: Int) -> Int { (melLength + 2 - 3) / 2 + 1 }

    /// Nodes in the graph: 15 in the stem, 32 per layer, 3 for the final norm; training
    /// adds 4 (projection weight, matmul, labels, loss).
    public func nodeCount(training: Bool) -> Int {
        15 + 32 * layers + 3 + (training ? 4 : 0)
    }

    /// Whisper-tiny: 4 layers, hidden 384, 6 heads of 64, MLP 1536, 80 mels.
    public static let tiny = WhisperEncoderConfig(
        layers: 4, hidden: 384, heads: 6, ffn: 1536, mels: 80, layerNormEps: 1e-5,
        trainingClasses: 64)

    func validate(melLength: Int) throws {
        for (value, field) in [(layers, "layers"), (hidden, "hidden"), (heads, "heads"),
                               (ffn, "ffn"), (mels, "mels"),
                               (trainingClasses, "trainingClasses")]
        {
            try Models.requirePositive(value, field, model: "Whisper")
        }
        guard hidden % heads == 0 else {
            throw ModelConfigurationError(model: "Whisper", field: "heads",
                                          message: "\(heads) heads do not divide hidden \(hidden)")
        }
        guard melLength >= 2 else {
            throw ModelConfigurationError(model: "Whisper", field: "melLength",
                                          message: "needs at least 2 frames (got \(melLength))")
        }
    }
}

extension Models {
    /// Builds the Whisper encoder over `melLength` mel frames (3000 for 30 s of audio,
    /// giving 1500 positions).
    ///
    /// Input: `mel [mels · melLength]` (flat NCHW with H = frames, W = 1); training adds
    /// `labels [S, trainingClasses]`. Output: the encoder states `[S, hidden]`, or for
    /// training the cross-entropy of a linear head (`train_proj.weight`) over them.
    ///
    /// - Complexity: O(`config.layers`).
    public static func whisperEncoder(_ config: WhisperEncoderConfig, melLength: Int = 3000,
                                      training: Bool = false) throws -> Graph
    {
        try config.validate(melLength: melLength)
        let d = config.hidden
        let eps = config.layerNormEps
        let seq = config.sequenceLength(melLength: melLength)
        var g = Graph()

        let mel = try g.input("mel", shape: [config.mels * melLength])
        let conv1 = Conv2dGeometry(inChannels: config.mels, inH: melLength, inW: 1,
                                   outChannels: d, kernelH: 3, kernelW: 1, stride: 1,
                                   paddingH: 1, paddingW: 0)
        let conv1W = try g.parameter("model.encoder.conv1.weight", shape: [conv1.weightCount])
        let conv1B = try g.parameter("model.encoder.conv1.fused_bias", shape: [d * conv1.outH])
        var x = try g.conv2d(mel, conv1W, conv1)
        x = try g.add(x, conv1B)
        x = try g.gelu(x)
        let conv2 = Conv2dGeometry(inChannels: d, inH: conv1.outH, inW: 1, outChannels: d,
                                   kernelH: 3, kernelW: 1, stride: 2, paddingH: 1, paddingW: 0)
        let conv2W = try g.parameter("model.encoder.conv2.weight", shape: [conv2.weightCount])
        let conv2B = try g.parameter("model.encoder.conv2.fused_bias", shape: [d * conv2.outH])
        x = try g.conv2d(x, conv2W, conv2)
        x = try g.add(x, conv2B)
        x = try g.gelu(x)
        x = try g.reshape(x, [d, seq])
        x = try g.transpose(x)
        let positions = try g.parameter("model.encoder.embed_positions.weight", shape: [seq, d])
        x = try g.add(x, positions)

        for layer in 0..<config.layers {
            let prefix = "model.encoder.layers.\(layer)"
            let ln1W = try g.parameter(prefix + ".self_attn_layer_norm.weight", shape: [d])
            let ln1B = try g.parameter(prefix + ".self_attn_layer_norm.bias", shape: [d])
            var h = try g.layerNorm(x, ln1W, ln1B, eps: eps)
            let wq = try g.parameter(prefix + ".self_attn.q_proj.weight", shape: [d, d])
            let wk = try g.parameter(prefix + ".self_attn.k_proj.weight", shape: [d, d])
            let wv = try g.parameter(prefix + ".self_attn.v_proj.weight", shape: [d, d])
            let bq = try g.parameter(prefix + ".self_attn.q_proj.bias", shape: [d])
            let bv = try g.parameter(prefix + ".self_attn.v_proj.bias", shape: [d])
            var q = try g.matmul(h, wq)
            q = try g.biasAdd(q, bq)
            let k = try g.matmul(h, wk)  // Whisper's key projection has no bias.
            var v = try g.matmul(h, wv)
            v = try g.biasAdd(v, bv)
            let attended = try g.fullAttention(q, k, v, numHeads: config.heads,
                                                 numKVHeads: config.heads, headDim: config.headDim)
            let wo = try g.parameter(prefix + ".self_attn.out_proj.weight", shape: [d, d])
            let bo = try g.parameter(prefix + ".self_attn.out_proj.bias", shape: [d])
            var projected = try g.matmul(attended, wo)
            projected = try g.biasAdd(projected, bo)
            x = try g.add(x, projected)

            let ln2W = try g.parameter(prefix + ".final_layer_norm.weight", shape: [d])
            let ln2B = try g.parameter(prefix + ".final_layer_norm.bias", shape: [d])
            h = try g.layerNorm(x, ln2W, ln2B, eps: eps)
            let fc1W = try g.parameter(prefix + ".fc1.weight", shape: [d, config.ffn])
            let fc1B = try g.parameter(prefix + ".fc1.bias", shape: [config.ffn])
            h = try g.matmul(h, fc1W)
            h = try g.biasAdd(h, fc1B)
            h = try g.gelu(h)
            let fc2W = try g.parameter(prefix + ".fc2.weight", shape: [config.ffn, d])
            let fc2B = try g.parameter(prefix + ".fc2.bias", shape: [d])
            h = try g.matmul(h, fc2W)
            h = try g.biasAdd(h, fc2B)
            x = try g.add(x, h)
        }

        let lnW = try g.parameter("model.encoder.layer_norm.weight", shape: [d])
        let lnB = try g.parameter("model.encoder.layer_norm.bias", shape: [d])
        x = try g.layerNorm(x, lnW, lnB, eps: eps)
        if training {
            let proj = try g.parameter("train_proj.weight", shape: [d, config.trainingClasses])
            let logits = try g.matmul(x, proj)
            let labels = try g.input("labels", shape: [seq, config.trainingClasses])
            x = try g.crossEntropyLoss(logits, labels)
        }
        try g.setOutputs([x])
        return g
    }
}
