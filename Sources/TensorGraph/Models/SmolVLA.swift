/// The configuration of the SmolVLA action expert: a small decoder whose even layers
/// attend over the action tokens and whose odd layers cross-attend to the key/value
/// features of the vision-language model.
public struct SmolVLAConfig: Hashable, Sendable {
    /// Number of expert layers (even: self-attention, odd: cross-attention).
    public var layers: Int
    /// Width of the expert's residual stream.
    public var hidden: Int
    /// Number of query heads.
    public var heads: Int
    /// Number of key/value heads.
    public var kvHeads: Int
    /// Width of one head.
    public var headDim: Int
    /// Inner width of the SwiGLU feed-forward network.
    public var ffn: Int
    /// RMS norm epsilon.
    public var rmsNormEps: Float
    /// Width of an action vector (input and output of the expert).
    public var actionDim: Int
    /// Number of key/value positions the VLM provides per cross-attention layer.
    public var vlmSequenceLength: Int
    /// Width of the VLM's hidden state (the shape of the `vlm_hidden` input of the
    /// inference graph).
    public var vlmHidden: Int

    /// Creates a configuration.
    public init(layers: Int, hidden: Int, heads: Int, kvHeads: Int, headDim: Int, ffn: Int,
                rmsNormEps: Float = 1e-5, actionDim: Int, vlmSequenceLength: Int,
                vlmHidden: Int)
    {
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.ffn = ffn
        self.rmsNormEps = rmsNormEps
        self.actionDim = actionDim
        self.vlmSequenceLength = vlmSequenceLength
        self.vlmHidden = vlmHidden
    }

    /// Width of the query projection (`heads · headDim`).
    public var queryWidth: Int { heads * headDim }
    /// Width of the key and value projections, and of the VLM key/value features.
    public var kvWidth: Int { kvHeads * headDim }

    /// Nodes in the graph: 16 for the action and time projections, 22 per self-attention
    /// layer, 23 per cross-attention layer, 4 for the output projection; inference adds
    /// the unused `vlm_hidden` input, training the MSE loss (5 nodes).
    public func nodeCount(training: Bool) -> Int {
        let cross = layers / 2
        return 16 + (layers - cross) * 22 + cross * 23 + 4 + (training ? 5 : 1)
    }

    /// SmolVLA base: 16 layers (8 self, 8 cross), hidden 720, 15/5 heads of 64, FFN
    /// 2048, action dim 32, 16 VLM positions of a 960-wide VLM.
    public static let base = SmolVLAConfig(
        layers: 16, hidden: 720, heads: 15, kvHeads: 5, headDim: 64, ffn: 2048,
        rmsNormEps: 1e-5, actionDim: 32, vlmSequenceLength: 16, vlmHidden: 960)

    /// SmolVLA's small test configuration: 2 layers, hidden 64, 2/2 heads of 32, FFN 128,
    /// action dim 8, 8 VLM positions of a 64-wide VLM.
    public static let smallTest = SmolVLAConfig(
        layers: 2, hidden: 64, heads: 2, kvHeads: 2, headDim: 32, ffn: 128,
        rmsNormEps: 1e-5, actionDim: 8, vlmSequenceLength: 8, vlmHidden: 64)

    func validate(chunkLength: Int) throws {
        for (value, field) in [(layers, "layers"), (hidden, "hidden"), (heads, "heads"),
                               (kvHeads, "kvHeads"), (headDim, "headDim"), (ffn, "ffn"),
                               (actionDim, "actionDim"),
                               (vlmSequenceLength, "vlmSequenceLength"),
                               (vlmHidden, "vlmHidden"), (chunkLength, "chunkLength")]
        {
            try Models.requirePositive(value, field, model: "SmolVLA")
        }
    }
}

extension Models {
    /// Builds the SmolVLA action expert over a chunk of `chunkLength` action steps.
    ///
    /// Inputs: `noisy_actions [chunk, actionDim]`, `timestep [1, 2·hidden]` (a sinusoidal
    /// encoding), `vlm_kv_layer_i [vlmSeq, kvWidth]` for every odd layer `i`; inference
    /// also declares `vlm_hidden [vlmSeq, vlmHidden]` (unused, as in the reference),
    /// training adds `target_actions [chunk, actionDim]`. Output: the predicted actions,
    /// or for training their MSE against the target.
    ///
    /// Inference uses `CausalAttention` and `CrossAttention`; training uses
    /// `MultiHeadAttn` (with `isCross` on the odd layers).
    ///
    /// - Complexity: O(`config.layers`).
    public static func smolVLA(_ config: SmolVLAConfig, chunkLength: Int,
                               training: Bool = false) throws -> Graph
    {
        try config.validate(chunkLength: chunkLength)
        let hidden = config.hidden
        let eps = config.rmsNormEps
        let (nh, nkv, hd) = (config.heads, config.kvHeads, config.headDim)
        var g = Graph()

        let actions = try g.input("noisy_actions", shape: [chunkLength, config.actionDim])
        let timestep = try g.input("timestep", shape: [1, 2 * hidden])
        let inW = try g.parameter("model.action_in_proj.weight", shape: [config.actionDim, hidden])
        let inB = try g.parameter("model.action_in_proj.bias", shape: [hidden])
        var x = try g.matmul(actions, inW)
        x = try g.biasAdd(x, inB)

        let timeInW = try g.parameter("model.action_time_mlp_in.weight", shape: [2 * hidden, hidden])
        let timeInB = try g.parameter("model.action_time_mlp_in.bias", shape: [hidden])
        let timeOutW = try g.parameter("model.action_time_mlp_out.weight", shape: [hidden, hidden])
        let timeOutB = try g.parameter("model.action_time_mlp_out.bias", shape: [hidden])
        var t = try g.matmul(timestep, timeInW)
        t = try g.biasAdd(t, timeInB)
        t = try g.silu(t)
        t = try g.matmul(t, timeOutW)
        t = try g.biasAdd(t, timeOutB)
        // The [1, hidden] time embedding is broadcast over the action rows.
        x = try g.biasAdd(x, t)
        if !training {
            try g.input("vlm_hidden", shape: [config.vlmSequenceLength, config.vlmHidden])
        }

        for layer in 0..<config.layers {
            let prefix = "model.vlm_with_expert.lm_expert.layers.\(layer)"
            let ln1 = try g.parameter(prefix + ".input_layernorm.weight", shape: [hidden])
            var h = try g.rmsNorm(x, ln1, eps: eps)
            let attended: NodeID
            if layer % 2 == 1 {
                let wq = try g.parameter(prefix + ".self_attn.q_proj.weight",
                                         shape: [hidden, config.queryWidth])
                let q = try g.matmul(h, wq)
                // The reference declares the VLM features before the k/v weights when
                // training and after them for inference; both orders are kept.
                let featureShape = [config.vlmSequenceLength, config.kvWidth]
                let kvShape = [config.kvWidth, config.kvWidth]
                let features, wk, wv: NodeID
                if training {
                    features = try g.input("vlm_kv_layer_\(layer)", shape: featureShape)
                    wk = try g.parameter(prefix + ".self_attn.k_proj.weight", shape: kvShape)
                    wv = try g.parameter(prefix + ".self_attn.v_proj.weight", shape: kvShape)
                } else {
                    wk = try g.parameter(prefix + ".self_attn.k_proj.weight", shape: kvShape)
                    wv = try g.parameter(prefix + ".self_attn.v_proj.weight", shape: kvShape)
                    features = try g.input("vlm_kv_layer_\(layer)", shape: featureShape)
                }
                let k = try g.matmul(features, wk)
                let v = try g.matmul(features, wv)
                attended = training
                    ? try g.multiHeadAttn(q, k, v, numHeads: nh, numKVHeads: nkv, headDim: hd, isCross: true)
                    : try g.crossAttention(q, k, v, numHeads: nh, numKVHeads: nkv, headDim: hd)
            } else {
                let wq = try g.parameter(prefix + ".self_attn.q_proj.weight",
                                         shape: [hidden, config.queryWidth])
                let wk = try g.parameter(prefix + ".self_attn.k_proj.weight", shape: [hidden, config.kvWidth])
                let wv = try g.parameter(prefix + ".self_attn.v_proj.weight", shape: [hidden, config.kvWidth])
                let q = try g.matmul(h, wq)
                let k = try g.matmul(h, wk)
                let v = try g.matmul(h, wv)
                attended = training
                    ? try g.multiHeadAttn(q, k, v, numHeads: nh, numKVHeads: nkv, headDim: hd, isCross: false)
                    : try g.causalAttention(q, k, v, numHeads: nh, numKVHeads: nkv, headDim: hd)
            }
            let wo = try g.parameter(prefix + ".self_attn.o_proj.weight", shape: [config.queryWidth, hidden])
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
            x = try g.add(x, down)
        }

        let outW = try g.parameter("model.action_out_proj.weight", shape: [hidden, config.actionDim])
        let outB = try g.parameter("model.action_out_proj.bias", shape: [config.actionDim])
        var out = try g.matmul(x, outW)
        out = try g.biasAdd(out, outB)
        if training {
            let target = try g.input("target_actions", shape: [chunkLength, config.actionDim])
            out = try g.mseLoss(out, target)
        }
        try g.setOutputs([out])
        return g
    }
}
