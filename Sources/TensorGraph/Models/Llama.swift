/// Which attention each layer of a Llama-style decoder uses.
public enum LlamaAttentionPattern: Hashable, Sendable {
    /// Causal attention in every layer (SmolLM2).
    case causal
    /// Sliding-window attention in every layer (Mistral).
    case slidingWindow(window: Int)
    /// Odd layers causal, even layers sliding window (Phi-3).
    case alternating(window: Int)
    /// Causal ("global") attention in layer `i` when `i ≥ offset` and
    /// `(i − offset) % period == 0`, sliding window elsewhere (Gemma-4).
    case periodicGlobal(window: Int, period: Int, offset: Int)

    /// The sliding window of `layer`, or `nil` when the layer attends causally.
    public func window(ofLayer layer: Int) -> Int? {
        switch self {
        case .causal:
            return nil
        case .slidingWindow(let window):
            return window
        case .alternating(let window):
            return layer % 2 == 1 ? nil : window
        case .periodicGlobal(let window, let period, let offset):
            return layer >= offset && (layer - offset) % period == 0 ? nil : window
        }
    }
}

/// The configuration of a Llama-style decoder: SmolLM2, Mistral, Phi-3 and Gemma-4.
///
/// Each layer is `x += Wo·attention(rope(Wq·h), rope(Wk·h), Wv·h)` with
/// `h = rmsNorm(x)`, then `x += Wd·swiglu(Wg·h, Wu·h)` with `h = rmsNorm(x)`. Gemma-4 adds
/// an RMS norm on q and on k before RoPE (``qkNorm``). Linear weights are `[in, out]`.
public struct LlamaConfig: Hashable, Sendable {
    /// Number of decoder layers.
    public var layers: Int
    /// Width of the residual stream.
    public var hidden: Int
    /// Number of query heads.
    public var heads: Int
    /// Number of key/value heads (grouped-query attention when fewer than ``heads``).
    public var kvHeads: Int
    /// Width of one head.
    public var headDim: Int
    /// Inner width of the SwiGLU feed-forward network.
    public var ffn: Int
    /// Vocabulary size.
    public var vocab: Int
    /// RMS norm epsilon.
    public var rmsNormEps: Float
    /// RoPE base frequency.
    public var ropeTheta: Float
    /// Whether the LM head reuses the embedding table (`matmulBT(x, embed)`) instead of
    /// its own `lm_head` parameter.
    public var tiedEmbeddings: Bool
    /// Whether q and k get an RMS norm (weights `q_norm`, `k_norm`) before RoPE.
    public var qkNorm: Bool
    /// Which attention each layer uses.
    public var attention: LlamaAttentionPattern

    /// Creates a configuration.
    public init(layers: Int, hidden: Int, heads: Int, kvHeads: Int, headDim: Int, ffn: Int,
                vocab: Int, rmsNormEps: Float = 1e-5, ropeTheta: Float = 10000,
                tiedEmbeddings: Bool = false, qkNorm: Bool = false,
                attention: LlamaAttentionPattern = .causal)
    {
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.ffn = ffn
        self.vocab = vocab
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.tiedEmbeddings = tiedEmbeddings
        self.qkNorm = qkNorm
        self.attention = attention
    }

    /// Width of the query projection (`heads · headDim`).
    public var queryWidth: Int { heads * headDim }
    /// Width of the key and value projections (`kvHeads · headDim`).
    public var kvWidth: Int { kvHeads * headDim }

    /// Nodes in the forward graph: 3 for the embedding, 24 per layer (28 with q/k
    /// norms), 3 for a tied head or 4 for an untied one; training adds 2 (labels, loss).
    public func nodeCount(training: Bool) -> Int {
        let perLayer = qkNorm ? 28 : 24
        return 3 + layers * perLayer + (tiedEmbeddings ? 3 : 4) + (training ? 2 : 0)
    }

    /// SmolLM2-135M: 30 layers, hidden 576, 9/3 heads of 64, FFN 1536, vocab 49152,
    /// tied embeddings.
    public static let smolLM2_135M = LlamaConfig(
        layers: 30, hidden: 576, heads: 9, kvHeads: 3, headDim: 64, ffn: 1536, vocab: 49152,
        rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true)

    /// SmolLM2's small test configuration: 2 layers, hidden 32, 2/2 heads of 16, FFN 64,
    /// vocab 64.
    public static let smolLM2SmallTest = LlamaConfig(
        layers: 2, hidden: 32, heads: 2, kvHeads: 2, headDim: 16, ffn: 64, vocab: 64,
        rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true)

    /// SmolLM2's medium test configuration: 8 layers, hidden 128, 2/2 heads of 64,
    /// FFN 256, vocab 64.
    public static let smolLM2MediumTest = LlamaConfig(
        layers: 8, hidden: 128, heads: 2, kvHeads: 2, headDim: 64, ffn: 256, vocab: 64,
        rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true)

    /// Mistral-7B: 32 layers, hidden 4096, 32/8 heads of 128, FFN 14336, vocab 32768,
    /// sliding window 4096 in every layer, θ 1e6.
    public static let mistral7B = LlamaConfig(
        layers: 32, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, ffn: 14336,
        vocab: 32768, rmsNormEps: 1e-5, ropeTheta: 1_000_000,
        attention: .slidingWindow(window: 4096))

    /// Phi-3-mini: 32 layers, hidden 3072, 32/32 heads of 96, FFN 8192, vocab 32064;
    /// odd layers causal, even layers sliding window 2048.
    public static let phi3Mini = LlamaConfig(
        layers: 32, hidden: 3072, heads: 32, kvHeads: 32, headDim: 96, ffn: 8192,
        vocab: 32064, rmsNormEps: 1e-5, ropeTheta: 10000,
        attention: .alternating(window: 2048))

    /// Gemma-4-4B: 34 layers, hidden 2560, 20/10 heads of 128, FFN 10240, vocab 262144,
    /// q/k norms, a global layer every 4th from layer 3, sliding window 4096 elsewhere.
    public static let gemma4_4B = LlamaConfig(
        layers: 34, hidden: 2560, heads: 20, kvHeads: 10, headDim: 128, ffn: 10240,
        vocab: 262_144, rmsNormEps: 1e-6, ropeTheta: 10000, qkNorm: true,
        attention: .periodicGlobal(window: 4096, period: 4, offset: 3))

    /// Gemma-4's small test configuration: 4 layers, hidden 32, 2/2 heads of 16, FFN 64,
    /// vocab 64, window 8 (layer 3 global).
    public static let gemma4SmallTest = LlamaConfig(
        layers: 4, hidden: 32, heads: 2, kvHeads: 2, headDim: 16, ffn: 64, vocab: 64,
        rmsNormEps: 1e-6, ropeTheta: 10000, qkNorm: true,
        attention: .periodicGlobal(window: 8, period: 4, offset: 3))

    /// The small-width configuration of ``Models/llamaSynthetic(layers:sequenceLength:)``:
    /// hidden 64, 4/2 heads of 16, FFN 128, vocab 256, tied embeddings.
    public static func synthetic(layers: Int) -> LlamaConfig {
        LlamaConfig(layers: layers, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, ffn: 128,
                    vocab: 256, rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true)
    }

    func validate(sequenceLength: Int, field lengthField: String = "sequenceLength") throws {
        let model = "Llama"
        for (value, field) in [(layers, "layers"), (hidden, "hidden"), (heads, "heads"),
                               (kvHeads, "kvHeads"), (headDim, "headDim"), (ffn, "ffn"),
                               (vocab, "vocab"), (sequenceLength, lengthField)]
        {
            try Models.requirePositive(value, field, model: model)
        }
        guard heads % kvHeads == 0 else {
            throw ModelConfigurationError(
                model: model, field: "kvHeads",
                message: "\(kvHeads) does not divide the \(heads) query heads")
        }
        guard headDim % 2 == 0 else {
            throw ModelConfigurationError(model: model, field: "headDim",
                                          message: "RoPE needs an even head width (got \(headDim))")
        }
        switch attention {
        case .causal:
            break
        case .slidingWindow(let window), .alternating(let window):
            try Models.requirePositive(window, "attention.window", model: model)
        case .periodicGlobal(let window, let period, _):
            try Models.requirePositive(window, "attention.window", model: model)
            try Models.requirePositive(period, "attention.period", model: model)
        }
    }
}

extension Models {
    /// Builds a Llama-style decoder (SmolLM2, Mistral, Phi-3, Gemma-4) over
    /// `sequenceLength` tokens.
    ///
    /// Inputs: u32 `token_ids [S]`, and for training f32 `labels [S, vocab]`. Output: the
    /// logits `[S, vocab]`, or for training the cross-entropy loss. Parameters are named
    /// as in the Hugging Face checkpoints (`model.layers.0.self_attn.q_proj.weight`, …).
    ///
    /// - Complexity: O(`config.layers`).
    public static func llama(_ config: LlamaConfig, sequenceLength: Int,
                             training: Bool = false) throws -> Graph
    {
        try config.validate(sequenceLength: sequenceLength)
        var g = Graph()
        let tokens = try g.input("token_ids", shape: [sequenceLength], dtype: .u32)
        let embed = try g.parameter("model.embed_tokens.weight", shape: [config.vocab, config.hidden])
        var x = try g.embedding(tokens, embed)
        for layer in 0..<config.layers {
            x = try llamaLayer(&g, x, layer: layer, config, cache: nil)
        }
        let logits = try llamaHead(&g, x, embed: embed, config)
        if training {
            let labels = try g.input("labels", shape: [sequenceLength, config.vocab])
            let loss = try g.crossEntropyLoss(logits, labels)
            try g.setOutputs([loss])
        } else {
            try g.setOutputs([logits])
        }
        return g
    }

    /// A Llama-style forward graph of any depth with small widths
    /// (``LlamaConfig/synthetic(layers:)``), for scaling runs: `24 · layers + 6` nodes,
    /// so about 42 000 layers make a million nodes.
    ///
    /// - Complexity: O(`layers`), a constant amount of work per node.
    public static func llamaSynthetic(layers: Int, sequenceLength: Int = 16) throws -> Graph {
        try llama(.synthetic(layers: layers), sequenceLength: sequenceLength)
    }

    /// The number of layers of ``llamaSynthetic(layers:sequenceLength:)`` whose graph
    /// has about `nodes` nodes (at least 1 layer).
    public static func llamaSyntheticLayers(forNodes nodes: Int) -> Int {
        max(1, (nodes - 6 + 12) / 24)
    }
}

extension Models {
    /// Builds the single-token decode step of a Llama-style decoder over a key/value
    /// cache of `cacheLength` rows.
    ///
    /// Inputs: u32 `token_ids [1]` and u32 `kv_pos [1]` (the position being decoded).
    /// Each layer has two cache parameters `kv_cache.layer.i.k/v [cacheLength, kvWidth]`;
    /// the roped k and the v of the new token are written into them with `CacheWrite`
    /// (side effects, not consumed), and `CachedAttention` reads the caches up to
    /// `kv_pos`. RoPE takes its offset from `kv_pos`. Every layer attends over the whole
    /// cache (a sliding window is not represented in the decode step). Output: the
    /// logits `[1, vocab]`.
    ///
    /// - Complexity: O(`config.layers`).
    public static func llamaDecode(_ config: LlamaConfig, cacheLength: Int) throws -> Graph {
        try config.validate(sequenceLength: cacheLength, field: "cacheLength")
        var g = Graph()
        let tokens = try g.input("token_ids", shape: [1], dtype: .u32)
        let position = try g.input("kv_pos", shape: [1], dtype: .u32)
        let embed = try g.parameter("model.embed_tokens.weight", shape: [config.vocab, config.hidden])
        var x = try g.embedding(tokens, embed)
        for layer in 0..<config.layers {
            x = try llamaLayer(&g, x, layer: layer, config,
                               cache: (position: position, length: cacheLength))
        }
        let logits = try llamaHead(&g, x, embed: embed, config)
        try g.setOutputs([logits])
        return g
    }

    /// One decoder layer. With `cache`, the layer is a decode step: RoPE takes its offset
    /// from `cache.position`, k and v are written into new cache parameters and the
    /// attention reads the caches; otherwise the layer attends causally or in a window
    /// as ``LlamaConfig/attention`` says.
    private static func llamaLayer(_ g: inout Graph, _ input: NodeID, layer: Int,
                                   _ config: LlamaConfig,
                                   cache: (position: NodeID, length: Int)?) throws -> NodeID
    {
        let prefix = "model.layers.\(layer)"
        let (hidden, eps) = (config.hidden, config.rmsNormEps)
        let (nh, nkv, hd) = (config.heads, config.kvHeads, config.headDim)
        var x = input

        let ln1 = try g.parameter(prefix + ".input_layernorm.weight", shape: [hidden])
        var h = try g.rmsNorm(x, ln1, eps: eps)
        let wq = try g.parameter(prefix + ".self_attn.q_proj.weight",
                                 shape: [hidden, config.queryWidth])
        let wk = try g.parameter(prefix + ".self_attn.k_proj.weight", shape: [hidden, config.kvWidth])
        let wv = try g.parameter(prefix + ".self_attn.v_proj.weight", shape: [hidden, config.kvWidth])
        var q = try g.matmul(h, wq)
        var k = try g.matmul(h, wk)
        let v = try g.matmul(h, wv)
        if config.qkNorm {
            let qNorm = try g.parameter(prefix + ".self_attn.q_norm.weight", shape: [config.queryWidth])
            let kNorm = try g.parameter(prefix + ".self_attn.k_norm.weight", shape: [config.kvWidth])
            q = try g.rmsNorm(q, qNorm, eps: eps)
            k = try g.rmsNorm(k, kNorm, eps: eps)
        }
        q = try g.rope(q, theta: config.ropeTheta, headDim: hd, offset: cache?.position)
        k = try g.rope(k, theta: config.ropeTheta, headDim: hd, offset: cache?.position)

        let attended: NodeID
        if let cache {
            let cacheShape = [cache.length, config.kvWidth]
            let kCache = try g.parameter("kv_cache.layer.\(layer).k", shape: cacheShape)
            let vCache = try g.parameter("kv_cache.layer.\(layer).v", shape: cacheShape)
            try g.cacheWrite(k, kCache, cache.position)
            try g.cacheWrite(v, vCache, cache.position)
            attended = try g.cachedAttention(q, kCache, vCache, cache.position, numHeads: nh,
                                             numKVHeads: nkv, headDim: hd)
        } else if let window = config.attention.window(ofLayer: layer) {
            attended = try g.slidingWindowAttention(q, k, v, numHeads: nh, numKVHeads: nkv,
                                                    headDim: hd, windowSize: window)
        } else {
            attended = try g.causalAttention(q, k, v, numHeads: nh, numKVHeads: nkv, headDim: hd)
        }
        let wo = try g.parameter(prefix + ".self_attn.o_proj.weight",
                                 shape: [config.queryWidth, hidden])
        let projected = try g.matmul(attended, wo)
        x = try g.add(x, projected)

        let ln2 = try g.parameter(prefix + ".post_attention_layernorm.weight", shape: [hidden])
        h = try g.rmsNorm(x, ln2, eps: eps)
        let wGate = try g.parameter(prefix + ".mlp.gate_proj.weight", shape: [hidden, config.ffn])
        let wUp = try g.parameter(prefix + ".mlp.up_proj.weight", shape: [hidden, config.ffn])
        let wDown = try g.parameter(prefix + ".mlp.down_proj.weight", shape: [config.ffn, hidden])
        let gate = try g.matmul(h, wGate)
        let up = try g.matmul(h, wUp)
        let gated = try g.swiGLU(gate, up)
        let down = try g.matmul(gated, wDown)
        return try g.add(x, down)
    }

    /// The final RMS norm and the LM head: `matmulBT(x, embed)` when the embeddings are
    /// tied, else a new `lm_head.weight` and a matmul.
    private static func llamaHead(_ g: inout Graph, _ x: NodeID, embed: NodeID,
                                  _ config: LlamaConfig) throws -> NodeID
    {
        let norm = try g.parameter("model.norm.weight", shape: [config.hidden])
        let normed = try g.rmsNorm(x, norm, eps: config.rmsNormEps)
        if config.tiedEmbeddings {
            return try g.matmulBT(normed, embed)
        }
        let head = try g.parameter("lm_head.weight", shape: [config.hidden, config.vocab])
        return try g.matmul(normed, head)
    }
}
