/// One builder per op: each checks the op's arity and shape rules (through
/// ``Graph/addNode(_:inputs:type:)``) and throws a ``GraphError`` naming the op and the
/// offending input.
extension Graph {
    // MARK: Leaves

    /// Adds a graph input (activations, `u32` token ids, labels).
    ///
    /// - Throws: ``GraphError`` when the shape is empty or has a non-positive dimension.
    @discardableResult
    public mutating func input(_ name: String, shape: [Int], dtype: DType = .f32) throws(GraphError) -> NodeID {
        try addNode(.input(name: name), inputs: [], type: TensorType(dtype, shape))
    }

    /// Adds a trainable parameter.
    ///
    /// - Throws: ``GraphError`` when the shape is empty or has a non-positive dimension.
    @discardableResult
    public mutating func parameter(_ name: String, shape: [Int], dtype: DType = .f32) throws(GraphError) -> NodeID {
        try addNode(.parameter(name: name), inputs: [], type: TensorType(dtype, shape))
    }

    /// Adds a constant whose every element is `value`. Only the value is stored, so a
    /// fill of any size costs O(1) memory.
    @discardableResult
    public mutating func constant(fill value: Float, shape: [Int], dtype: DType = .f32) throws(GraphError) -> NodeID {
        try addNode(.constant(.fill(value)), inputs: [], type: TensorType(dtype, shape))
    }

    /// Adds an f32 constant with explicit row-major data.
    ///
    /// - Throws: ``GraphError`` (`constantData`, field `data`) when `data.count` differs
    ///   from the shape's element count.
    @discardableResult
    public mutating func constant(data: [Float], shape: [Int]) throws(GraphError) -> NodeID {
        try addNode(.constant(.data(data)), inputs: [], type: .f32(shape))
    }

    // MARK: Matrix products

    /// `a[M,K] · b[K,N]` → f32 `[M,N]`.
    @discardableResult
    public mutating func matmul(_ a: NodeID, _ b: NodeID) throws(GraphError) -> NodeID {
        try addNode(.matMul, inputs: [a, b])
    }

    /// `aᵀ · b` with `a[K,M]`, `b[K,N]` → f32 `[M,N]`.
    @discardableResult
    public mutating func matmulAT(_ a: NodeID, _ b: NodeID) throws(GraphError) -> NodeID {
        try addNode(.matMulAT, inputs: [a, b])
    }

    /// `a · bᵀ` with `a[M,K]`, `b[N,K]` → f32 `[M,N]`.
    @discardableResult
    public mutating func matmulBT(_ a: NodeID, _ b: NodeID) throws(GraphError) -> NodeID {
        try addNode(.matMulBT, inputs: [a, b])
    }

    /// `MatMul(a, b) + d` in one op.
    @discardableResult
    public mutating func fusedMatMulAdd(_ a: NodeID, _ b: NodeID, _ d: NodeID) throws(GraphError) -> NodeID {
        try addNode(.fusedMatMulAdd, inputs: [a, b, d])
    }

    /// `MatMulAT(a, b) + d` in one op.
    @discardableResult
    public mutating func fusedMatMulATAdd(_ a: NodeID, _ b: NodeID, _ d: NodeID) throws(GraphError) -> NodeID {
        try addNode(.fusedMatMulATAdd, inputs: [a, b, d])
    }

    /// `MatMulBT(a, b) + d` in one op.
    @discardableResult
    public mutating func fusedMatMulBTAdd(_ a: NodeID, _ b: NodeID, _ d: NodeID) throws(GraphError) -> NodeID {
        try addNode(.fusedMatMulBTAdd, inputs: [a, b, d])
    }

    /// `MatMul(RmsNorm(x, w), p)` in one op: `x[M,K]`, `w[K]`, `p[K,N]` → f32 `[M,N]`.
    @discardableResult
    public mutating func fusedRmsNormMatMul(_ x: NodeID, _ w: NodeID, _ p: NodeID, eps: Float) throws(GraphError) -> NodeID {
        try addNode(.fusedRmsNormMatMul(eps: eps), inputs: [x, w, p])
    }

    // MARK: Element-wise

    /// `a + b` (equal shapes and dtypes).
    @discardableResult
    public mutating func add(_ a: NodeID, _ b: NodeID) throws(GraphError) -> NodeID {
        try addNode(.add, inputs: [a, b])
    }

    /// `a * b` (equal shapes and dtypes).
    @discardableResult
    public mutating func mul(_ a: NodeID, _ b: NodeID) throws(GraphError) -> NodeID {
        try addNode(.mul, inputs: [a, b])
    }

    /// `a > b` as 1/0 (equal shapes and dtypes).
    @discardableResult
    public mutating func greater(_ a: NodeID, _ b: NodeID) throws(GraphError) -> NodeID {
        try addNode(.greater, inputs: [a, b])
    }

    /// `a[M,N] + bias` with bias `[N]` or `[1,N]`, broadcast over rows.
    @discardableResult
    public mutating func biasAdd(_ a: NodeID, _ bias: NodeID) throws(GraphError) -> NodeID {
        try addNode(.biasAdd, inputs: [a, bias])
    }

    /// `max(x, 0)`.
    @discardableResult
    public mutating func relu(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.relu, inputs: [x]) }
    /// Logistic sigmoid.
    @discardableResult
    public mutating func sigmoid(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.sigmoid, inputs: [x]) }
    /// Hyperbolic tangent.
    @discardableResult
    public mutating func tanh(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.tanh, inputs: [x]) }
    /// `-x`.
    @discardableResult
    public mutating func neg(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.neg, inputs: [x]) }
    /// `|x|`.
    @discardableResult
    public mutating func abs(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.abs, inputs: [x]) }
    /// Natural logarithm.
    @discardableResult
    public mutating func log(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.log, inputs: [x]) }
    /// `1 / x`.
    @discardableResult
    public mutating func recip(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.recip, inputs: [x]) }
    /// `x · sigmoid(x)`.
    @discardableResult
    public mutating func silu(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.silu, inputs: [x]) }
    /// GELU.
    @discardableResult
    public mutating func gelu(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.gelu, inputs: [x]) }
    /// Passes `x` through, blocking gradients.
    @discardableResult
    public mutating func stopGradient(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.stopGradient, inputs: [x]) }

    /// Reshapes `x` (an `Identity` node): f32 with `shape`, same element count.
    @discardableResult
    public mutating func reshape(_ x: NodeID, _ shape: [Int]) throws(GraphError) -> NodeID {
        try addNode(.identity, inputs: [x], type: .f32(shape))
    }

    /// `silu(gate) * up` (equal shapes).
    @discardableResult
    public mutating func swiGLU(_ gate: NodeID, _ up: NodeID) throws(GraphError) -> NodeID {
        try addNode(.swiGLU, inputs: [gate, up])
    }

    /// SwiGLU of one `[M, 2N]` tensor (gate = first N columns, up = last N) → f32 `[M,N]`.
    @discardableResult
    public mutating func swiGLUConcat(_ x: NodeID) throws(GraphError) -> NodeID {
        try addNode(.swiGLUConcat, inputs: [x])
    }

    // MARK: Reductions and losses

    /// Sum of all elements → f32 `[1]`.
    @discardableResult
    public mutating func sumAll(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.sumAll, inputs: [x]) }
    /// Mean of all elements → f32 `[1]`.
    @discardableResult
    public mutating func meanAll(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.meanAll, inputs: [x]) }
    /// Column sums of `x[M,N]` → `[N]`.
    @discardableResult
    public mutating func sumRows(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.sumRows, inputs: [x]) }
    /// Softmax over the last dimension.
    @discardableResult
    public mutating func softmax(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.softmax, inputs: [x]) }
    /// Log-softmax over the last dimension.
    @discardableResult
    public mutating func logSoftmax(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.logSoftmax, inputs: [x]) }
    /// `x[R,C]ᵀ` → f32 `[C,R]`.
    @discardableResult
    public mutating func transpose(_ x: NodeID) throws(GraphError) -> NodeID { try addNode(.transpose, inputs: [x]) }

    /// Cross-entropy of logits against labels (equal shapes) → f32 `[1]`.
    @discardableResult
    public mutating func crossEntropyLoss(_ logits: NodeID, _ labels: NodeID) throws(GraphError) -> NodeID {
        try addNode(.crossEntropyLoss, inputs: [logits, labels])
    }

    /// Binary cross-entropy of predictions against labels (equal shapes) → f32 `[1]`.
    @discardableResult
    public mutating func bceLoss(_ pred: NodeID, _ labels: NodeID) throws(GraphError) -> NodeID {
        try addNode(.bceLoss, inputs: [pred, labels])
    }

    // MARK: Normalization

    /// RMS norm of `x[M,K]` with weight `w[K]`.
    @discardableResult
    public mutating func rmsNorm(_ x: NodeID, _ w: NodeID, eps: Float) throws(GraphError) -> NodeID {
        try addNode(.rmsNorm(eps: eps), inputs: [x, w])
    }

    /// Gradient of RMS norm w.r.t. its weight → w's type.
    @discardableResult
    public mutating func rmsNormGradW(_ dy: NodeID, _ x: NodeID, _ w: NodeID, eps: Float) throws(GraphError) -> NodeID {
        try addNode(.rmsNormGradW(eps: eps), inputs: [dy, x, w])
    }

    /// Gradient of RMS norm w.r.t. its input → x's type.
    @discardableResult
    public mutating func rmsNormGradX(_ dy: NodeID, _ x: NodeID, _ w: NodeID, eps: Float) throws(GraphError) -> NodeID {
        try addNode(.rmsNormGradX(eps: eps), inputs: [dy, x, w])
    }

    /// Layer norm of `x[M,K]` with weight `w[K]` and bias `b[K]`.
    @discardableResult
    public mutating func layerNorm(_ x: NodeID, _ w: NodeID, _ b: NodeID, eps: Float) throws(GraphError) -> NodeID {
        try addNode(.layerNorm(eps: eps), inputs: [x, w, b])
    }

    /// Gradient of layer norm w.r.t. weight and bias → w's type.
    @discardableResult
    public mutating func layerNormGradWB(_ dy: NodeID, _ x: NodeID, _ w: NodeID, eps: Float) throws(GraphError) -> NodeID {
        try addNode(.layerNormGradWB(eps: eps), inputs: [dy, x, w])
    }

    /// Gradient of layer norm w.r.t. its input → x's type.
    @discardableResult
    public mutating func layerNormGradX(_ dy: NodeID, _ x: NodeID, _ w: NodeID, eps: Float) throws(GraphError) -> NodeID {
        try addNode(.layerNormGradX(eps: eps), inputs: [dy, x, w])
    }

    // MARK: Embeddings and positions

    /// Row lookup: `indices` (u32 `[S]`) into `table[V,H]` → f32 `[S,H]`.
    @discardableResult
    public mutating func embedding(_ indices: NodeID, _ table: NodeID) throws(GraphError) -> NodeID {
        try addNode(.embedding, inputs: [indices, table])
    }

    /// Adds the rows of `src[S,H]` at `indices` into a zero `[vocabSize, H]` matrix.
    @discardableResult
    public mutating func scatterAdd(_ indices: NodeID, _ src: NodeID, vocabSize: Int) throws(GraphError) -> NodeID {
        try addNode(.scatterAdd(vocabSize: vocabSize), inputs: [indices, src])
    }

    /// Rotary position embedding of a 2-D `x` (width a multiple of the even `headDim`).
    /// With `offset` (a u32 node), positions start at its runtime value instead of
    /// `posOffset`.
    @discardableResult
    public mutating func rope(_ x: NodeID, theta: Float, posOffset: Int = 0, headDim: Int,
                              offset: NodeID? = nil) throws(GraphError) -> NodeID
    {
        try addNode(.rope(RoPEParameters(theta: theta, posOffset: posOffset, headDim: headDim)),
                    inputs: offset.map { [x, $0] } ?? [x])
    }

    /// Gradient of ``rope(_:theta:posOffset:headDim:offset:)``.
    @discardableResult
    public mutating func ropeGrad(_ dy: NodeID, theta: Float, posOffset: Int = 0, headDim: Int,
                                  offset: NodeID? = nil) throws(GraphError) -> NodeID
    {
        try addNode(.ropeGrad(RoPEParameters(theta: theta, posOffset: posOffset, headDim: headDim)),
                    inputs: offset.map { [dy, $0] } ?? [dy])
    }

    // MARK: Attention

    /// Causal self-attention: `q[S, nh·hd]`, `k, v[S, nkv·hd]` → f32 `[S, nh·hd]`.
    @discardableResult
    public mutating func causalAttention(_ q: NodeID, _ k: NodeID, _ v: NodeID, numHeads: Int,
                                         numKVHeads: Int, headDim: Int) throws(GraphError) -> NodeID
    {
        try addNode(.causalAttention(AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads, headDim: headDim)),
                    inputs: [q, k, v])
    }

    /// Non-causal self-attention (shapes as ``causalAttention(_:_:_:numHeads:numKVHeads:headDim:)``).
    @discardableResult
    public mutating func fullAttention(_ q: NodeID, _ k: NodeID, _ v: NodeID, numHeads: Int,
                                       numKVHeads: Int, headDim: Int) throws(GraphError) -> NodeID
    {
        try addNode(.fullAttention(AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads, headDim: headDim)),
                    inputs: [q, k, v])
    }

    /// Causal attention over the last `windowSize` (> 0) positions.
    @discardableResult
    public mutating func slidingWindowAttention(_ q: NodeID, _ k: NodeID, _ v: NodeID, numHeads: Int,
                                                numKVHeads: Int, headDim: Int,
                                                windowSize: Int) throws(GraphError) -> NodeID
    {
        try addNode(.slidingWindowAttention(AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads,
                                                           headDim: headDim), windowSize: windowSize),
                    inputs: [q, k, v])
    }

    /// Causal attention that applies RoPE (frequency base `ropeTheta`) to raw q and k.
    @discardableResult
    public mutating func causalAttentionRoPE(_ qRaw: NodeID, _ kRaw: NodeID, _ v: NodeID, numHeads: Int,
                                             numKVHeads: Int, headDim: Int,
                                             ropeTheta: Float) throws(GraphError) -> NodeID
    {
        try addNode(.causalAttentionRoPE(AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads,
                                                        headDim: headDim), ropeTheta: ropeTheta),
                    inputs: [qRaw, kRaw, v])
    }

    /// Attention of `q[Sq, nh·hd]` over `k, v[Skv, nkv·hd]` → f32 `[Sq, nh·hd]`.
    @discardableResult
    public mutating func crossAttention(_ q: NodeID, _ k: NodeID, _ v: NodeID, numHeads: Int,
                                        numKVHeads: Int, headDim: Int) throws(GraphError) -> NodeID
    {
        try addNode(.crossAttention(AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads, headDim: headDim)),
                    inputs: [q, k, v])
    }

    /// Training attention, self (`isCross == false`, equal sequence lengths) or cross.
    @discardableResult
    public mutating func multiHeadAttn(_ q: NodeID, _ k: NodeID, _ v: NodeID, numHeads: Int,
                                       numKVHeads: Int, headDim: Int, isCross: Bool) throws(GraphError) -> NodeID
    {
        try addNode(.multiHeadAttn(AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads, headDim: headDim),
                                   isCross: isCross),
                    inputs: [q, k, v])
    }

    /// Gradient of a ``multiHeadAttn(_:_:_:numHeads:numKVHeads:headDim:isCross:)`` node
    /// (`fwdNode`) w.r.t. q → q's type.
    @discardableResult
    public mutating func multiHeadAttnGradQ(_ dO: NodeID, _ q: NodeID, _ k: NodeID, _ v: NodeID, fwdNode: NodeID,
                                            numHeads: Int, numKVHeads: Int, headDim: Int,
                                            isCross: Bool) throws(GraphError) -> NodeID
    {
        try addNode(.multiHeadAttnGradQ(fwdNode: fwdNode, AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads,
                                                                         headDim: headDim), isCross: isCross),
                    inputs: [dO, q, k, v])
    }

    /// Gradient of an attention node w.r.t. k → k's type.
    @discardableResult
    public mutating func multiHeadAttnGradK(_ dO: NodeID, _ q: NodeID, _ k: NodeID, _ v: NodeID, fwdNode: NodeID,
                                            numHeads: Int, numKVHeads: Int, headDim: Int,
                                            isCross: Bool) throws(GraphError) -> NodeID
    {
        try addNode(.multiHeadAttnGradK(fwdNode: fwdNode, AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads,
                                                                         headDim: headDim), isCross: isCross),
                    inputs: [dO, q, k, v])
    }

    /// Gradient of an attention node w.r.t. v → v's type.
    @discardableResult
    public mutating func multiHeadAttnGradV(_ dO: NodeID, _ q: NodeID, _ k: NodeID, _ v: NodeID, fwdNode: NodeID,
                                            numHeads: Int, numKVHeads: Int, headDim: Int,
                                            isCross: Bool) throws(GraphError) -> NodeID
    {
        try addNode(.multiHeadAttnGradV(fwdNode: fwdNode, AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads,
                                                                         headDim: headDim), isCross: isCross),
                    inputs: [dO, q, k, v])
    }

    /// Writes `newKV[1,D]` into row `pos` (u32) of `cache[T,D]` → cache's type. A side
    /// effect: the optimizer never removes it.
    @discardableResult
    public mutating func cacheWrite(_ newKV: NodeID, _ cache: NodeID, _ pos: NodeID) throws(GraphError) -> NodeID {
        try addNode(.cacheWrite, inputs: [newKV, cache, pos])
    }

    /// One-query attention over a KV cache: `q[1, nh·hd]`, caches `[T, nkv·hd]`, u32 `pos`.
    @discardableResult
    public mutating func cachedAttention(_ q: NodeID, _ kCache: NodeID, _ vCache: NodeID, _ pos: NodeID,
                                         numHeads: Int, numKVHeads: Int, headDim: Int) throws(GraphError) -> NodeID
    {
        try addNode(.cachedAttention(AttentionHeads(numHeads: numHeads, numKVHeads: numKVHeads, headDim: headDim)),
                    inputs: [q, kCache, vCache, pos])
    }

    // MARK: Gated-unit gradients

    /// Gradient of SwiGLU w.r.t. the gate → gate's type.
    @discardableResult
    public mutating func swiGLUGradGate(_ dOut: NodeID, _ gate: NodeID, _ up: NodeID) throws(GraphError) -> NodeID {
        try addNode(.swiGLUGradGate, inputs: [dOut, gate, up])
    }

    /// Gradient of SwiGLU w.r.t. up → gate's type.
    @discardableResult
    public mutating func swiGLUGradUp(_ dOut: NodeID, _ gate: NodeID) throws(GraphError) -> NodeID {
        try addNode(.swiGLUGradUp, inputs: [dOut, gate])
    }

    /// Gradient of Silu → x's type.
    @discardableResult
    public mutating func siluGrad(_ dOut: NodeID, _ x: NodeID) throws(GraphError) -> NodeID {
        try addNode(.siluGrad, inputs: [dOut, x])
    }

    /// Gradient of SwiGLUConcat: `dOut[M,N]`, `x[M,2N]` → x's type.
    @discardableResult
    public mutating func swiGLUConcatGrad(_ dOut: NodeID, _ x: NodeID) throws(GraphError) -> NodeID {
        try addNode(.swiGLUConcatGrad, inputs: [dOut, x])
    }

    // MARK: Convolution and pooling

    /// 2-D convolution of a flat NCHW `x` with `w[co·ci·kh·kw]` → `[N·co·oH·oW]`.
    @discardableResult
    public mutating func conv2d(_ x: NodeID, _ w: NodeID, _ geometry: Conv2dGeometry) throws(GraphError) -> NodeID {
        try addNode(.conv2d(geometry), inputs: [x, w])
    }

    /// Gradient of conv2d w.r.t. its input: `[dy, w]` → `[N·ci·h·w]`.
    @discardableResult
    public mutating func conv2dGradInput(_ dy: NodeID, _ w: NodeID, _ geometry: Conv2dGeometry) throws(GraphError) -> NodeID {
        try addNode(.conv2dGradInput(geometry), inputs: [dy, w])
    }

    /// Gradient of conv2d w.r.t. its weight: `[dy, x]` → `[co·ci·kh·kw]`.
    @discardableResult
    public mutating func conv2dGradWeight(_ dy: NodeID, _ x: NodeID, _ geometry: Conv2dGeometry) throws(GraphError) -> NodeID {
        try addNode(.conv2dGradWeight(geometry), inputs: [dy, x])
    }

    /// Winograd 3×3 convolution: `[x, wino_w[16·co·ci], orig_w]` → the Conv2d's type.
    @discardableResult
    public mutating func winogradConv2d(_ x: NodeID, _ winogradWeight: NodeID, _ weight: NodeID,
                                        _ geometry: WinogradGeometry) throws(GraphError) -> NodeID
    {
        try addNode(.winogradConv2d(geometry), inputs: [x, winogradWeight, weight])
    }

    /// Max pooling of a flat NCHW `x` → `[N·c·oH·oW]`.
    @discardableResult
    public mutating func maxPool2d(_ x: NodeID, _ geometry: MaxPool2dGeometry) throws(GraphError) -> NodeID {
        try addNode(.maxPool2d(geometry), inputs: [x])
    }

    /// Spatial mean: `[N·c·spatial]` → f32 `[N, c]`.
    @discardableResult
    public mutating func globalAvgPool(_ x: NodeID, channels: Int, spatial: Int) throws(GraphError) -> NodeID {
        try addNode(.globalAvgPool(channels: channels, spatial: spatial), inputs: [x])
    }

    /// Gradient of global average pooling: `[N, c]` → f32 `[N·c·spatial]`.
    @discardableResult
    public mutating func globalAvgPoolGrad(_ dy: NodeID, channels: Int, spatial: Int) throws(GraphError) -> NodeID {
        try addNode(.globalAvgPoolGrad(channels: channels, spatial: spatial), inputs: [dy])
    }

    /// Group norm of a flat NCHW `x` with `w[c]`, `b[c]` → x's type.
    @discardableResult
    public mutating func groupNorm(_ x: NodeID, _ w: NodeID, _ b: NodeID, numGroups: Int, eps: Float,
                                   channels: Int, spatial: Int) throws(GraphError) -> NodeID
    {
        try addNode(.groupNorm(GroupNormParameters(numGroups: numGroups, eps: eps, channels: channels, spatial: spatial)),
                    inputs: [x, w, b])
    }

    /// `Silu(GroupNorm(x, w, b))` in one op.
    @discardableResult
    public mutating func groupNormSilu(_ x: NodeID, _ w: NodeID, _ b: NodeID, numGroups: Int, eps: Float,
                                       channels: Int, spatial: Int) throws(GraphError) -> NodeID
    {
        try addNode(.groupNormSilu(GroupNormParameters(numGroups: numGroups, eps: eps, channels: channels,
                                                       spatial: spatial)),
                    inputs: [x, w, b])
    }

    /// Gradient of group norm w.r.t. its input: `[dy, x, w]` → `[N·c·spatial]`.
    @discardableResult
    public mutating func groupNormGradInput(_ dy: NodeID, _ x: NodeID, _ w: NodeID, numGroups: Int, eps: Float,
                                            channels: Int, spatial: Int) throws(GraphError) -> NodeID
    {
        try addNode(.groupNormGradInput(GroupNormParameters(numGroups: numGroups, eps: eps, channels: channels,
                                                            spatial: spatial)),
                    inputs: [dy, x, w])
    }

    /// Gradient of group norm w.r.t. weight and bias: `[dy, x]` → `[2c]`.
    @discardableResult
    public mutating func groupNormGradWeightBias(_ dy: NodeID, _ x: NodeID, numGroups: Int, eps: Float,
                                                 channels: Int, spatial: Int) throws(GraphError) -> NodeID
    {
        try addNode(.groupNormGradWeightBias(GroupNormParameters(numGroups: numGroups, eps: eps, channels: channels,
                                                                 spatial: spatial)),
                    inputs: [dy, x])
    }

    /// Channel concat: `a[N·ca·spatial]`, `b[N·cb·spatial]` → `[N·(ca+cb)·spatial]`.
    @discardableResult
    public mutating func concat(_ a: NodeID, _ b: NodeID, channelsA: Int, channelsB: Int,
                                spatial: Int) throws(GraphError) -> NodeID
    {
        try addNode(.concat(ConcatParameters(channelsA: channelsA, channelsB: channelsB, spatial: spatial)),
                    inputs: [a, b])
    }

    /// The first `channelsA` channels of a concat → `[N·ca·spatial]`.
    @discardableResult
    public mutating func splitA(_ x: NodeID, channelsA: Int, channelsB: Int, spatial: Int) throws(GraphError) -> NodeID {
        try addNode(.splitA(ConcatParameters(channelsA: channelsA, channelsB: channelsB, spatial: spatial)), inputs: [x])
    }

    /// The last `channelsB` channels of a concat → `[N·cb·spatial]`.
    @discardableResult
    public mutating func splitB(_ x: NodeID, channelsA: Int, channelsB: Int, spatial: Int) throws(GraphError) -> NodeID {
        try addNode(.splitB(ConcatParameters(channelsA: channelsA, channelsB: channelsB, spatial: spatial)), inputs: [x])
    }

    /// Nearest-neighbour 2× upsampling: `[N·c·h·w]` → `[N·c·2h·2w]`.
    @discardableResult
    public mutating func upsample2x(_ x: NodeID, channels: Int, inH: Int, inW: Int) throws(GraphError) -> NodeID {
        try addNode(.upsample2x(UpsampleParameters(channels: channels, inH: inH, inW: inW)), inputs: [x])
    }

    /// Gradient of 2× upsampling: `[N·c·2h·2w]` → `[N·c·h·w]`.
    @discardableResult
    public mutating func upsample2xGrad(_ dy: NodeID, channels: Int, inH: Int, inW: Int) throws(GraphError) -> NodeID {
        try addNode(.upsample2xGrad(UpsampleParameters(channels: channels, inH: inH, inW: inW)), inputs: [dy])
    }

    // MARK: Composites

    /// `a / b` as `Mul(a, Recip(b))`.
    @discardableResult
    public mutating func div(_ a: NodeID, _ b: NodeID) throws(GraphError) -> NodeID {
        let inverse = try recip(b)
        return try mul(a, inverse)
    }

    /// Mean squared error: `MeanAll(Mul(d, d))` with `d = Add(prediction, Neg(target))`.
    @discardableResult
    public mutating func mseLoss(_ prediction: NodeID, _ target: NodeID) throws(GraphError) -> NodeID {
        let negated = try neg(target)
        let d = try add(prediction, negated)
        let squared = try mul(d, d)
        return try meanAll(squared)
    }

    /// Mean absolute error: `MeanAll(Abs(Add(prediction, Neg(target))))`.
    @discardableResult
    public mutating func l1Loss(_ prediction: NodeID, _ target: NodeID) throws(GraphError) -> NodeID {
        let negated = try neg(target)
        let d = try add(prediction, negated)
        let magnitude = try abs(d)
        return try meanAll(magnitude)
    }
}
