/// An operation of the tensor IR, with its parameters.
///
/// Every op of the tensor-graph format has one case; ``name`` gives its JSON name
/// (`MatMul`, `RmsNorm`, …). Input arity and the output-type rule of each op are checked
/// by ``Graph`` builders and by ``Graph/validate()``. Ops marked *(opt)* are created by
/// the optimizer, not by model builders; ``nop`` marks a dead node that a fusion left
/// behind (it keeps its old inputs and type).
///
/// Cases whose parameters take more than 16 bytes (attention heads, RoPE, convolution and
/// pooling geometry, group norm, concat and upsample parameters) are `indirect`: their
/// parameters live in a shared box, so an `Op` takes 17 bytes and a ``Node`` 56, half of
/// what inline parameters took. Copying, comparing and switching over ops and nodes is
/// correspondingly cheaper; building one of those ops allocates its box once.
public enum Op: Hashable, Sendable {
    // MARK: Leaves
    /// A trainable weight, known by name. No inputs.
    case parameter(name: String)
    /// A graph input (activations, token ids, labels), known by name. No inputs.
    case input(name: String)
    /// A constant tensor, stored as a fill value or as explicit data. No inputs.
    case constant(ConstantValue)

    // MARK: Matrix products
    /// `A[M,K] · B[K,N]` → f32 `[M,N]`.
    case matMul
    /// `Aᵀ · B` with `A[K,M]`, `B[K,N]` → f32 `[M,N]`.
    case matMulAT
    /// `A · Bᵀ` with `A[M,K]`, `B[N,K]` → f32 `[M,N]`.
    case matMulBT
    /// *(opt)* `MatMul(a, b) + d`, inputs `[a, b, d]`.
    case fusedMatMulAdd
    /// *(opt)* `MatMulAT(a, b) + d`, inputs `[a, b, d]`.
    case fusedMatMulATAdd
    /// *(opt)* `MatMulBT(a, b) + d`, inputs `[a, b, d]`.
    case fusedMatMulBTAdd
    /// *(opt)* `MatMul(RmsNorm(x, w), p)`, inputs `[x[M,K], w[K], p[K,N]]`.
    case fusedRmsNormMatMul(eps: Float)

    // MARK: Element-wise
    /// `a + b`, equal shapes.
    case add
    /// `a * b`, equal shapes.
    case mul
    /// `a > b ? 1 : 0`, equal shapes.
    case greater
    /// `a[M,N] + b[N]` (or `b[1,N]`) broadcast over rows.
    case biasAdd
    /// `max(x, 0)`.
    case relu
    /// Logistic sigmoid.
    case sigmoid
    /// Hyperbolic tangent.
    case tanh
    /// `-x`.
    case neg
    /// `|x|`.
    case abs
    /// Natural logarithm.
    case log
    /// `1 / x`.
    case recip
    /// `x · sigmoid(x)`.
    case silu
    /// GELU.
    case gelu
    /// A reshape: same elements, new shape (always f32).
    case identity
    /// Passes `x` through and blocks gradients.
    case stopGradient
    /// `silu(gate) * up`, inputs `[gate, up]`.
    case swiGLU
    /// SwiGLU on one `[M, 2N]` tensor: gate = first N columns, up = last N.
    case swiGLUConcat
    /// A dead node left by a fusion; it keeps its old inputs and type.
    case nop

    // MARK: Reductions and losses
    /// Sum of all elements → f32 `[1]`.
    case sumAll
    /// Mean of all elements → f32 `[1]`.
    case meanAll
    /// Column sums of `x[M,N]` → `[N]` (or `[1, N]` when declared so, as for the
    /// gradient of a `[1, N]` bias).
    case sumRows
    /// Softmax over the last dimension.
    case softmax
    /// Log-softmax over the last dimension.
    case logSoftmax
    /// Cross-entropy of `[logits, labels]` (equal shapes) → f32 `[1]`.
    case crossEntropyLoss
    /// Binary cross-entropy of `[pred, labels]` → f32 `[1]`.
    case bceLoss
    /// `x[R,C]ᵀ` → f32 `[C,R]`.
    case transpose

    // MARK: Normalization
    /// RMS norm of `x[M,K]` with weight `w[K]`.
    case rmsNorm(eps: Float)
    /// Gradient of RMS norm w.r.t. the weight, inputs `[dy, x, w]` → w's type.
    case rmsNormGradW(eps: Float)
    /// Gradient of RMS norm w.r.t. the input, inputs `[dy, x, w]` → x's type.
    case rmsNormGradX(eps: Float)
    /// Layer norm of `x[M,K]` with `w[K]`, `b[K]`.
    case layerNorm(eps: Float)
    /// Gradient of layer norm w.r.t. weight and bias, inputs `[dy, x, w]` → w's type.
    case layerNormGradWB(eps: Float)
    /// Gradient of layer norm w.r.t. the input, inputs `[dy, x, w]` → x's type.
    case layerNormGradX(eps: Float)

    // MARK: Embeddings and positions
    /// Row lookup: `[indices u32 [S], table[V,H]]` → f32 `[S,H]`.
    case embedding
    /// Adds rows of `src[S,H]` into a `[vocabSize, H]` zero matrix at `indices`.
    case scatterAdd(vocabSize: Int)
    /// Rotary position embedding of `x` (optionally with a dynamic u32 offset input).
    indirect case rope(RoPEParameters)
    /// Gradient of ``rope(_:)``.
    indirect case ropeGrad(RoPEParameters)

    // MARK: Attention
    /// Causal self-attention, inputs `[q, k, v]`.
    indirect case causalAttention(AttentionHeads)
    /// Non-causal self-attention, inputs `[q, k, v]`.
    indirect case fullAttention(AttentionHeads)
    /// Causal attention limited to the last `windowSize` positions (> 0).
    indirect case slidingWindowAttention(AttentionHeads, windowSize: Int)
    /// *(opt)* Causal attention with RoPE applied to raw q and k inside the kernel.
    indirect case causalAttentionRoPE(AttentionHeads, ropeTheta: Float)
    /// Attention of `q[Sq,…]` over `k, v[Skv,…]`.
    indirect case crossAttention(AttentionHeads)
    /// Training attention (self or cross), inputs `[q, k, v]`.
    indirect case multiHeadAttn(AttentionHeads, isCross: Bool)
    /// Gradient of ``multiHeadAttn(_:isCross:)`` w.r.t. q, inputs `[dO, q, k, v]`;
    /// `fwdNode` is the forward attention node.
    indirect case multiHeadAttnGradQ(fwdNode: NodeID, AttentionHeads, isCross: Bool)
    /// Gradient w.r.t. k, inputs `[dO, q, k, v]`.
    indirect case multiHeadAttnGradK(fwdNode: NodeID, AttentionHeads, isCross: Bool)
    /// Gradient w.r.t. v, inputs `[dO, q, k, v]`.
    indirect case multiHeadAttnGradV(fwdNode: NodeID, AttentionHeads, isCross: Bool)
    /// Writes `new_kv[1,D]` into row `pos` of `cache[T,D]`; a side effect, never removed.
    case cacheWrite
    /// One-query attention over a KV cache, inputs `[q[1,nh·hd], k_cache, v_cache, pos]`.
    indirect case cachedAttention(AttentionHeads)

    // MARK: Gated-unit gradients
    /// Gradient of SwiGLU w.r.t. gate, inputs `[dOut, gate, up]`.
    case swiGLUGradGate
    /// Gradient of SwiGLU w.r.t. up, inputs `[dOut, gate]`.
    case swiGLUGradUp
    /// Gradient of Silu, inputs `[dOut, x]`.
    case siluGrad
    /// Gradient of SwiGLUConcat, inputs `[dOut[M,N], x[M,2N]]`.
    case swiGLUConcatGrad

    // MARK: Convolution and pooling (flat NCHW tensors)
    /// 2-D convolution, inputs `[x, w[co·ci·kh·kw]]`.
    indirect case conv2d(Conv2dGeometry)
    /// Gradient of conv2d w.r.t. its input, inputs `[dy, w]`.
    indirect case conv2dGradInput(Conv2dGeometry)
    /// Gradient of conv2d w.r.t. its weight, inputs `[dy, x]`.
    indirect case conv2dGradWeight(Conv2dGeometry)
    /// *(opt)* 3×3 stride-1 convolution by Winograd F(2,3), inputs `[x, wino_w[16·co·ci], orig_w]`.
    indirect case winogradConv2d(WinogradGeometry)
    /// Max pooling.
    indirect case maxPool2d(MaxPool2dGeometry)
    /// Mean over the spatial positions: `[N·c·spatial]` → f32 `[N, c]`.
    case globalAvgPool(channels: Int, spatial: Int)
    /// Gradient of global average pooling: `[N, c]` → f32 `[N·c·spatial]`.
    case globalAvgPoolGrad(channels: Int, spatial: Int)
    /// Group norm, inputs `[x, w[c], b[c]]`.
    indirect case groupNorm(GroupNormParameters)
    /// *(opt)* `Silu(GroupNorm(x, w, b))`.
    indirect case groupNormSilu(GroupNormParameters)
    /// Gradient of group norm w.r.t. the input, inputs `[dy, x, w]`.
    indirect case groupNormGradInput(GroupNormParameters)
    /// Gradient of group norm w.r.t. weight and bias, inputs `[dy, x]` → `[2c]`.
    indirect case groupNormGradWeightBias(GroupNormParameters)
    /// Channel concat of `a[N·ca·spatial]` and `b[N·cb·spatial]`.
    indirect case concat(ConcatParameters)
    /// The first `channelsA` channels of a concat.
    indirect case splitA(ConcatParameters)
    /// The last `channelsB` channels of a concat.
    indirect case splitB(ConcatParameters)
    /// Nearest-neighbour 2× upsampling: `[N·c·h·w]` → `[N·c·2h·2w]`.
    indirect case upsample2x(UpsampleParameters)
    /// Gradient of 2× upsampling: `[N·c·2h·2w]` → `[N·c·h·w]`.
    indirect case upsample2xGrad(UpsampleParameters)
}

extension Op {
    /// The op's name in the JSON format (`"MatMul"`, `"RoPE"`, `"Nop"`, …).
    public var name: String {
        switch self {
        case .parameter: "Parameter"
        case .input: "Input"
        case .constant: "Constant"
        case .matMul: "MatMul"
        case .matMulAT: "MatMulAT"
        case .matMulBT: "MatMulBT"
        case .fusedMatMulAdd: "FusedMatMulAdd"
        case .fusedMatMulATAdd: "FusedMatMulATAdd"
        case .fusedMatMulBTAdd: "FusedMatMulBTAdd"
        case .fusedRmsNormMatMul: "FusedRmsNormMatMul"
        case .add: "Add"
        case .mul: "Mul"
        case .greater: "Greater"
        case .biasAdd: "BiasAdd"
        case .relu: "Relu"
        case .sigmoid: "Sigmoid"
        case .tanh: "Tanh"
        case .neg: "Neg"
        case .abs: "Abs"
        case .log: "Log"
        case .recip: "Recip"
        case .silu: "Silu"
        case .gelu: "Gelu"
        case .identity: "Identity"
        case .stopGradient: "StopGradient"
        case .swiGLU: "SwiGLU"
        case .swiGLUConcat: "SwiGLUConcat"
        case .nop: "Nop"
        case .sumAll: "SumAll"
        case .meanAll: "MeanAll"
        case .sumRows: "SumRows"
        case .softmax: "Softmax"
        case .logSoftmax: "LogSoftmax"
        case .crossEntropyLoss: "CrossEntropyLoss"
        case .bceLoss: "BceLoss"
        case .transpose: "Transpose"
        case .rmsNorm: "RmsNorm"
        case .rmsNormGradW: "RmsNormGradW"
        case .rmsNormGradX: "RmsNormGradX"
        case .layerNorm: "LayerNorm"
        case .layerNormGradWB: "LayerNormGradWB"
        case .layerNormGradX: "LayerNormGradX"
        case .embedding: "Embedding"
        case .scatterAdd: "ScatterAdd"
        case .rope: "RoPE"
        case .ropeGrad: "RoPEGrad"
        case .causalAttention: "CausalAttention"
        case .fullAttention: "FullAttention"
        case .slidingWindowAttention: "SlidingWindowAttention"
        case .causalAttentionRoPE: "CausalAttentionRoPE"
        case .crossAttention: "CrossAttention"
        case .multiHeadAttn: "MultiHeadAttn"
        case .multiHeadAttnGradQ: "MultiHeadAttnGradQ"
        case .multiHeadAttnGradK: "MultiHeadAttnGradK"
        case .multiHeadAttnGradV: "MultiHeadAttnGradV"
        case .cacheWrite: "CacheWrite"
        case .cachedAttention: "CachedAttention"
        case .swiGLUGradGate: "SwiGLUGradGate"
        case .swiGLUGradUp: "SwiGLUGradUp"
        case .siluGrad: "SiluGrad"
        case .swiGLUConcatGrad: "SwiGLUConcatGrad"
        case .conv2d: "Conv2d"
        case .conv2dGradInput: "Conv2dGradInput"
        case .conv2dGradWeight: "Conv2dGradWeight"
        case .winogradConv2d: "WinogradConv2d"
        case .maxPool2d: "MaxPool2d"
        case .globalAvgPool: "GlobalAvgPool"
        case .globalAvgPoolGrad: "GlobalAvgPoolGrad"
        case .groupNorm: "GroupNorm"
        case .groupNormSilu: "GroupNormSilu"
        case .groupNormGradInput: "GroupNormGradInput"
        case .groupNormGradWeightBias: "GroupNormGradWeightBias"
        case .concat: "Concat"
        case .splitA: "SplitA"
        case .splitB: "SplitB"
        case .upsample2x: "Upsample2x"
        case .upsample2xGrad: "Upsample2xGrad"
        }
    }

    /// Whether this is ``nop`` (a dead node).
    @inlinable public var isNop: Bool { if case .nop = self { true } else { false } }

    /// Whether the op has a side effect (``cacheWrite``): such a node is never removed.
    @inlinable public var hasSideEffect: Bool { if case .cacheWrite = self { true } else { false } }

    /// Whether this is a leaf (``parameter(name:)``, ``input(name:)`` or ``constant(_:)``).
    @inlinable public var isLeaf: Bool {
        switch self {
        case .parameter, .input, .constant: true
        default: false
        }
    }

    /// The name of a ``parameter(name:)`` or ``input(name:)``, else `nil`.
    @inlinable public var leafName: String? {
        switch self {
        case .parameter(let name), .input(let name): name
        default: nil
        }
    }
}
