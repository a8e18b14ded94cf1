/// The arity and output-type rule of every op, shared by the builders and by
/// ``Graph/validate()``.

/// Why an op rejected its inputs; turned into a ``GraphError`` by the caller, which
/// knows the node.
struct RuleViolation: Error {
    var kind: GraphError.Kind
    var input: Int?
    var field: String?
    var message: String
}

extension Op {
    /// The allowed number of inputs, or `nil` when any number is allowed (``nop``).
    public var arity: ClosedRange<Int>? {
        switch self {
        case .nop: nil
        case .parameter, .input, .constant: 0...0
        case .rope, .ropeGrad: 1...2
        case .relu, .sigmoid, .tanh, .neg, .abs, .log, .recip, .silu, .gelu, .identity,
             .stopGradient, .swiGLUConcat, .sumAll, .meanAll, .sumRows, .softmax, .logSoftmax,
             .transpose, .maxPool2d, .globalAvgPool, .globalAvgPoolGrad, .splitA, .splitB,
             .upsample2x, .upsample2xGrad:
            1...1
        case .matMul, .matMulAT, .matMulBT, .add, .mul, .greater, .biasAdd, .swiGLU,
             .crossEntropyLoss, .bceLoss, .rmsNorm, .embedding, .scatterAdd, .swiGLUGradUp,
             .siluGrad, .swiGLUConcatGrad, .conv2d, .conv2dGradInput, .conv2dGradWeight,
             .groupNormGradWeightBias, .concat:
            2...2
        case .fusedMatMulAdd, .fusedMatMulATAdd, .fusedMatMulBTAdd, .fusedRmsNormMatMul,
             .rmsNormGradW, .rmsNormGradX, .layerNorm, .layerNormGradWB, .layerNormGradX,
             .causalAttention, .fullAttention, .slidingWindowAttention, .causalAttentionRoPE,
             .crossAttention, .multiHeadAttn, .swiGLUGradGate, .cacheWrite, .winogradConv2d,
             .groupNorm, .groupNormSilu, .groupNormGradInput:
            3...3
        case .multiHeadAttnGradQ, .multiHeadAttnGradK, .multiHeadAttnGradV, .cachedAttention:
            4...4
        }
    }

    /// The output type this op gives for `inputs`, or the violation it finds.
    ///
    /// `declared` is the node's declared type: leaves (`Parameter`, `Input`,
    /// `Constant`) take it as is, `Identity` takes its shape (with the same element
    /// count as the input), and ``nop`` returns it unchecked. Other ops ignore it.
    func outputType(for inputs: [TensorType], declared: TensorType?) throws(RuleViolation)
        -> TensorType
    {
        if let arity, !arity.contains(inputs.count) {
            let expected = arity.count == 1 ? "\(arity.lowerBound)" : "\(arity.lowerBound) or \(arity.upperBound)"
            throw RuleViolation(kind: .arity, input: nil, field: "inputs",
                                message: "expected \(expected) inputs, got \(inputs.count)")
        }
        for (slot, type) in inputs.enumerated() where !Rules.isWithinLimits(type) {
            throw RuleViolation(kind: .inputType, input: slot, field: "inputs",
                                message: "input \(type) has a dimension or element count that is not positive and below 2^48")
        }
        let rules = Rules(inputs: inputs)
        switch self {
        case .nop:
            return try Rules.leaf(declared)
        case .parameter, .input:
            return try Rules.leaf(declared)
        case .constant(let value):
            let type = try Rules.leaf(declared)
            if case .data(let data) = value, data.count != type.elementCount {
                throw RuleViolation(kind: .constantData, field: "data",
                                    message: "data has \(data.count) values, shape \(type.shape) has \(type.elementCount) elements")
            }
            return type

        case .matMul:
            let (m, k) = try rules.matrix(0), (k2, n) = try rules.matrix(1)
            try rules.require(k == k2, 1, "inner dimensions differ: A is [\(m), \(k)], B is [\(k2), \(n)]")
            return .f32([m, n])
        case .matMulAT:
            let (k, m) = try rules.matrix(0), (k2, n) = try rules.matrix(1)
            try rules.require(k == k2, 1, "row counts differ: A is [\(k), \(m)], B is [\(k2), \(n)]")
            return .f32([m, n])
        case .matMulBT:
            let (m, k) = try rules.matrix(0), (n, k2) = try rules.matrix(1)
            try rules.require(k == k2, 1, "column counts differ: A is [\(m), \(k)], B is [\(n), \(k2)]")
            return .f32([m, n])
        case .fusedMatMulAdd, .fusedMatMulATAdd, .fusedMatMulBTAdd:
            let kind: Op = switch self {
            case .fusedMatMulAdd: .matMul
            case .fusedMatMulATAdd: .matMulAT
            default: .matMulBT
            }
            let product = try kind.outputType(for: Array(inputs[0..<2]), declared: nil)
            try rules.require(inputs[2].shape == product.shape, 2,
                              "addend \(inputs[2]) does not match the product's shape \(product.shape)")
            return .f32(product.shape)
        case .fusedRmsNormMatMul:
            let (m, k) = try rules.matrix(0)
            try rules.vector(1, length: k)
            let (k2, n) = try rules.matrix(2)
            try rules.require(k == k2, 2, "inner dimensions differ: x is [\(m), \(k)], p is [\(k2), \(n)]")
            return .f32([m, n])

        case .add, .mul, .greater, .swiGLU:
            try rules.sameShape(1, as: 0)
            try rules.sameDType(1, as: 0)
            return inputs[0]
        case .biasAdd:
            let (_, n) = try rules.matrix(0)
            let b = inputs[1].shape
            try rules.require(b == [n] || b == [1, n], 1, "bias \(inputs[1]) must be [\(n)] or [1, \(n)]")
            return inputs[0]
        case .relu, .sigmoid, .tanh, .neg, .abs, .log, .recip, .silu, .gelu, .stopGradient,
             .softmax, .logSoftmax:
            return inputs[0]
        case .identity:
            let type = try Rules.leaf(declared)
            try rules.require(type.elementCount == inputs[0].elementCount, 0,
                              "reshape to \(type.shape) (\(type.elementCount) elements) from \(inputs[0]) (\(inputs[0].elementCount) elements)")
            return .f32(type.shape)
        case .swiGLUConcat:
            let (m, n2) = try rules.matrix(0)
            try rules.require(n2 % 2 == 0, 0, "width \(n2) is odd")
            return .f32([m, n2 / 2])
        case .sumAll, .meanAll:
            return .f32([1])
        case .sumRows:
            // The gradient of a `[1, N]` bias is declared `[1, N]`: both layouts are
            // the same N column sums.
            let (_, n) = try rules.matrix(0)
            if declared?.shape == [1, n] { return TensorType(inputs[0].dtype, [1, n]) }
            return TensorType(inputs[0].dtype, [n])
        case .crossEntropyLoss, .bceLoss:
            try rules.sameShape(1, as: 0)
            return .f32([1])
        case .transpose:
            let (r, c) = try rules.matrix(0)
            return .f32([c, r])

        case .rmsNorm:
            let (_, k) = try rules.matrix(0)
            try rules.vector(1, length: k)
            return inputs[0]
        case .layerNorm:
            let (_, k) = try rules.matrix(0)
            try rules.vector(1, length: k)
            try rules.vector(2, length: k)
            return inputs[0]
        case .rmsNormGradW, .rmsNormGradX, .layerNormGradWB, .layerNormGradX:
            let (_, k) = try rules.matrix(1)
            try rules.sameShape(0, as: 1)
            try rules.vector(2, length: k)
            switch self {
            case .rmsNormGradW, .layerNormGradWB: return inputs[2]
            default: return inputs[1]
            }

        case .embedding:
            try rules.dtype(0, .u32)
            try rules.rank(0, 1)
            let (_, h) = try rules.matrix(1)
            return .f32([inputs[0].shape[0], h])
        case .scatterAdd(let vocabSize):
            try rules.positive(vocabSize, "vocab_size")
            let (s, h) = try rules.matrix(1)
            try rules.require(inputs[0].elementCount == s, 0,
                              "\(inputs[0].elementCount) indices for \(s) source rows")
            return .f32([vocabSize, h])
        case .rope(let p), .ropeGrad(let p):
            try rules.positive(p.headDim, "head_dim")
            try rules.nonNegative(p.posOffset, "pos_offset")
            if p.headDim % 2 != 0 {
                throw RuleViolation(kind: .parameter, field: "head_dim", message: "head_dim \(p.headDim) is odd")
            }
            let (_, width) = try rules.matrix(0)
            try rules.require(width % p.headDim == 0, 0, "width \(width) is not a multiple of head_dim \(p.headDim)")
            if inputs.count == 2 { try rules.dtype(1, .u32) }
            return inputs[0]

        case .causalAttention(let h), .fullAttention(let h), .causalAttentionRoPE(let h, _):
            return try rules.attention(h, cross: false)
        case .slidingWindowAttention(let h, let window):
            try rules.positive(window, "window_size")
            return try rules.attention(h, cross: false)
        case .crossAttention(let h):
            return try rules.attention(h, cross: true)
        case .multiHeadAttn(let h, let isCross):
            return try rules.attention(h, cross: isCross)
        case .multiHeadAttnGradQ(_, let h, let isCross), .multiHeadAttnGradK(_, let h, let isCross),
             .multiHeadAttnGradV(_, let h, let isCross):
            let q = try rules.attention(h, cross: isCross, first: 1)
            try rules.require(inputs[0].shape == q.shape, 0, "dO \(inputs[0]) must be \(q.shape)")
            switch self {
            case .multiHeadAttnGradQ: return inputs[1]
            case .multiHeadAttnGradK: return inputs[2]
            default: return inputs[3]
            }
        case .cacheWrite:
            let (one, d) = try rules.matrix(0)
            try rules.require(one == 1, 0, "new_kv \(inputs[0]) must have one row")
            let (_, d2) = try rules.matrix(1)
            try rules.require(d == d2, 1, "cache width \(d2) differs from new_kv width \(d)")
            try rules.dtype(2, .u32)
            return inputs[1]
        case .cachedAttention(let h):
            try rules.heads(h)
            try rules.require(inputs[0].shape == [1, h.queryWidth], 0, "q \(inputs[0]) must be [1, \(h.queryWidth)]")
            let (t, kw) = try rules.matrix(1)
            try rules.require(kw == h.kvWidth, 1, "k_cache width \(kw) must be num_kv_heads·head_dim = \(h.kvWidth)")
            try rules.require(inputs[2].shape == [t, kw], 2, "v_cache \(inputs[2]) must be [\(t), \(kw)]")
            try rules.dtype(3, .u32)
            return .f32([1, h.queryWidth])

        case .swiGLUGradGate:
            try rules.sameShape(0, as: 1)
            try rules.sameShape(2, as: 1)
            return inputs[1]
        case .swiGLUGradUp, .siluGrad:
            try rules.sameShape(0, as: 1)
            return inputs[1]
        case .swiGLUConcatGrad:
            let (m, n) = try rules.matrix(0)
            try rules.require(inputs[1].shape == [m, 2 * n], 1, "x \(inputs[1]) must be [\(m), \(2 * n)]")
            return inputs[1]

        case .conv2d(let g):
            let n = try rules.conv(g, inputSlot: 0, perSample: try Rules.product(g.inChannels, g.inH, g.inW), what: "ci·h·w")
            try rules.count(1, try Rules.product(g.outChannels, g.inChannels, g.kernelH, g.kernelW), "co·ci·kh·kw")
            return .f32([try Rules.product(n, g.outChannels, g.outH, g.outW)])
        case .conv2dGradInput(let g):
            let n = try rules.conv(g, inputSlot: 0, perSample: try Rules.product(g.outChannels, g.outH, g.outW), what: "co·oH·oW")
            try rules.count(1, try Rules.product(g.outChannels, g.inChannels, g.kernelH, g.kernelW), "co·ci·kh·kw")
            return .f32([try Rules.product(n, g.inChannels, g.inH, g.inW)])
        case .conv2dGradWeight(let g):
            let n = try rules.conv(g, inputSlot: 0, perSample: try Rules.product(g.outChannels, g.outH, g.outW), what: "co·oH·oW")
            try rules.count(1, try Rules.product(n, g.inChannels, g.inH, g.inW), "N·ci·h·w")
            return .f32([try Rules.product(g.outChannels, g.inChannels, g.kernelH, g.kernelW)])
        case .winogradConv2d(let w):
            try rules.nonNegative(w.padding, "padding")
            let g = w.conv2d
            let n = try rules.conv(g, inputSlot: 0, perSample: try Rules.product(g.inChannels, g.inH, g.inW), what: "ci·h·w")
            try rules.count(1, try Rules.product(16, g.outChannels, g.inChannels), "16·co·ci")
            try rules.count(2, try Rules.product(g.outChannels, g.inChannels, 9), "co·ci·3·3")
            return .f32([try Rules.product(n, g.outChannels, g.outH, g.outW)])
        case .maxPool2d(let g):
            for (value, name) in [(g.channels, "channels"), (g.inH, "in_h"), (g.inW, "in_w"),
                                  (g.kernelH, "kernel_h"), (g.kernelW, "kernel_w"), (g.stride, "stride")] {
                try rules.positive(value, name)
            }
            try rules.nonNegative(g.padding, "padding")
            try rules.require(g.outH > 0 && g.outW > 0, nil, "the window is larger than the padded input")
            let n = try rules.samples(0, try Rules.product(g.channels, g.inH, g.inW), "c·h·w")
            return TensorType(inputs[0].dtype, [try Rules.product(n, g.channels, g.outH, g.outW)])
        case .globalAvgPool(let c, let spatial):
            try rules.positive(c, "channels")
            try rules.positive(spatial, "spatial")
            let n = try rules.samples(0, c * spatial, "c·spatial")
            return .f32([n, c])
        case .globalAvgPoolGrad(let c, let spatial):
            try rules.positive(c, "channels")
            try rules.positive(spatial, "spatial")
            let n = try rules.samples(0, c, "c")
            return .f32([try Rules.product(n, c, spatial)])
        case .groupNorm(let p), .groupNormSilu(let p):
            try rules.groupNorm(p)
            _ = try rules.samples(0, p.channels * p.spatial, "c·spatial")
            try rules.vector(1, length: p.channels)
            try rules.vector(2, length: p.channels)
            return inputs[0]
        case .groupNormGradInput(let p):
            try rules.groupNorm(p)
            let n = try rules.samples(1, p.channels * p.spatial, "c·spatial")
            try rules.count(0, inputs[1].elementCount, "x's element count")
            try rules.vector(2, length: p.channels)
            return .f32([try Rules.product(n, p.channels, p.spatial)])
        case .groupNormGradWeightBias(let p):
            try rules.groupNorm(p)
            _ = try rules.samples(1, p.channels * p.spatial, "c·spatial")
            try rules.count(0, inputs[1].elementCount, "x's element count")
            return .f32([2 * p.channels])
        case .concat(let p):
            try rules.concat(p)
            let n = try rules.samples(0, p.channelsA * p.spatial, "ca·spatial")
            try rules.count(1, try Rules.product(n, p.channelsB, p.spatial), "N·cb·spatial")
            return .f32([try Rules.product(n, p.channelsA + p.channelsB, p.spatial)])
        case .splitA(let p), .splitB(let p):
            try rules.concat(p)
            let n = try rules.samples(0, (p.channelsA + p.channelsB) * p.spatial, "(ca+cb)·spatial")
            if case .splitA = self { return .f32([try Rules.product(n, p.channelsA, p.spatial)]) }
            return .f32([try Rules.product(n, p.channelsB, p.spatial)])
        case .upsample2x(let p), .upsample2xGrad(let p):
            try rules.positive(p.channels, "channels")
            try rules.positive(p.inH, "in_h")
            try rules.positive(p.inW, "in_w")
            let low = try Rules.product(p.channels, p.inH, p.inW)
            if case .upsample2x = self {
                let n = try rules.samples(0, low, "c·h·w")
                return .f32([try Rules.product(n, 4, low)])
            }
            let n = try rules.samples(0, try Rules.product(4, low), "c·2h·2w")
            return .f32([n * low])
        }
    }
}

/// Small checks over an op's input types, each throwing a ``RuleViolation`` that names
/// the input slot.
struct Rules {
    let inputs: [TensorType]

    /// The largest integer parameter (2^31 − 1): products of two stay far from overflow.
    static let parameterLimit = Int(Int32.max)
    /// The largest element count (and dimension) of a tensor: 2^48.
    static let elementLimit = 1 << 48

    /// Whether every dimension is positive and the element count at most 2^48.
    static func isWithinLimits(_ type: TensorType) -> Bool {
        var count = 1
        for dim in type.shape {
            guard dim > 0, dim <= elementLimit else { return false }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= elementLimit else { return false }
            count = product
        }
        return !type.shape.isEmpty
    }

    /// The product of sizes, or a violation when it exceeds 2^48 (bad parameters).
    static func product(_ factors: Int...) throws(RuleViolation) -> Int {
        var result = 1
        for factor in factors {
            let (product, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow, product <= elementLimit else {
                throw RuleViolation(kind: .parameter, message: "sizes \(factors) multiply beyond 2^48 elements")
            }
            result = product
        }
        return result
    }

    static func leaf(_ declared: TensorType?) throws(RuleViolation) -> TensorType {
        guard let declared else {
            throw RuleViolation(kind: .outputType, field: "shape", message: "the op needs a declared type")
        }
        guard isWithinLimits(declared) else {
            throw RuleViolation(kind: .outputType, field: "shape",
                                message: "shape \(declared.shape) must be non-empty with positive dimensions and at most 2^48 elements")
        }
        return declared
    }

    func require(_ condition: Bool, _ slot: Int?, _ message: @autoclosure () -> String) throws(RuleViolation) {
        if !condition {
            throw RuleViolation(kind: slot == nil ? .parameter : .inputType, input: slot,
                                field: slot == nil ? nil : "inputs", message: message())
        }
    }

    func positive(_ value: Int, _ field: String) throws(RuleViolation) {
        if value <= 0 || value > Self.parameterLimit {
            throw RuleViolation(kind: .parameter, field: field,
                                message: "\(field) must be positive and below 2^31, got \(value)")
        }
    }

    func nonNegative(_ value: Int, _ field: String) throws(RuleViolation) {
        if value < 0 || value > Self.parameterLimit {
            throw RuleViolation(kind: .parameter, field: field,
                                message: "\(field) must be between 0 and 2^31, got \(value)")
        }
    }

    func rank(_ slot: Int, _ rank: Int) throws(RuleViolation) {
        try require(inputs[slot].rank == rank, slot, "expected rank \(rank), got \(inputs[slot])")
    }

    func matrix(_ slot: Int) throws(RuleViolation) -> (Int, Int) {
        try rank(slot, 2)
        return (inputs[slot].shape[0], inputs[slot].shape[1])
    }

    func vector(_ slot: Int, length: Int) throws(RuleViolation) {
        try require(inputs[slot].shape == [length], slot, "expected [\(length)], got \(inputs[slot])")
    }

    func count(_ slot: Int, _ expected: Int, _ what: String) throws(RuleViolation) {
        try require(inputs[slot].elementCount == expected, slot,
                    "expected \(expected) elements (\(what)), got \(inputs[slot])")
    }

    /// The batch size N of a flat tensor holding N samples of `perSample` elements.
    func samples(_ slot: Int, _ perSample: Int, _ what: String) throws(RuleViolation) -> Int {
        let count = inputs[slot].elementCount
        try require(perSample > 0 && count % perSample == 0 && count > 0, slot,
                    "\(inputs[slot]) is not a whole number of samples of \(what) = \(perSample) elements")
        return count / perSample
    }

    func sameShape(_ slot: Int, as other: Int) throws(RuleViolation) {
        try require(inputs[slot].shape == inputs[other].shape, slot,
                    "shape \(inputs[slot].shape) differs from input \(other)'s \(inputs[other].shape)")
    }

    func sameDType(_ slot: Int, as other: Int) throws(RuleViolation) {
        try require(inputs[slot].dtype == inputs[other].dtype, slot,
                    "dtype \(inputs[slot].dtype) differs from input \(other)'s \(inputs[other].dtype)")
    }

    func dtype(_ slot: Int, _ dtype: DType) throws(RuleViolation) {
        try require(inputs[slot].dtype == dtype, slot, "expected dtype \(dtype), got \(inputs[slot])")
    }

    func heads(_ h: AttentionHeads) throws(RuleViolation) {
        try positive(h.numHeads, "num_heads")
        try positive(h.numKVHeads, "num_kv_heads")
        try positive(h.headDim, "head_dim")
    }

    /// q `[Sq, nh·hd]`, k and v `[Skv, nkv·hd]` (Skv = Sq unless `cross`), at slots
    /// `first`, `first+1`, `first+2`; returns f32 `[Sq, nh·hd]`.
    func attention(_ h: AttentionHeads, cross: Bool, first: Int = 0) throws(RuleViolation) -> TensorType {
        try heads(h)
        let (sq, qw) = try matrix(first)
        try require(qw == h.queryWidth, first, "q width \(qw) must be num_heads·head_dim = \(h.queryWidth)")
        let (skv, kw) = try matrix(first + 1)
        try require(kw == h.kvWidth, first + 1, "k width \(kw) must be num_kv_heads·head_dim = \(h.kvWidth)")
        if !cross {
            try require(skv == sq, first + 1, "k has \(skv) rows, q has \(sq)")
        }
        try require(inputs[first + 2].shape == [skv, kw], first + 2, "v \(inputs[first + 2]) must be [\(skv), \(kw)]")
        return .f32([sq, h.queryWidth])
    }

    func conv(_ g: Conv2dGeometry, inputSlot: Int, perSample: Int, what: String) throws(RuleViolation) -> Int {
        for (value, name) in [(g.inChannels, "in_channels"), (g.inH, "in_h"), (g.inW, "in_w"),
                              (g.outChannels, "out_channels"), (g.kernelH, "kernel_h"),
                              (g.kernelW, "kernel_w"), (g.stride, "stride")] {
            try positive(value, name)
        }
        try nonNegative(g.paddingH, "padding_h")
        try nonNegative(g.paddingW, "padding_w")
        if g.inH + 2 * g.paddingH < g.kernelH || g.inW + 2 * g.paddingW < g.kernelW {
            throw RuleViolation(kind: .parameter, field: "kernel_h",
                                message: "the kernel is larger than the padded input")
        }
        return try samples(inputSlot, perSample, what)
    }

    func groupNorm(_ p: GroupNormParameters) throws(RuleViolation) {
        try positive(p.numGroups, "num_groups")
        try positive(p.channels, "channels")
        try positive(p.spatial, "spatial")
        if p.channels % p.numGroups != 0 {
            throw RuleViolation(kind: .parameter, field: "num_groups",
                                message: "channels \(p.channels) is not a multiple of num_groups \(p.numGroups)")
        }
    }

    func concat(_ p: ConcatParameters) throws(RuleViolation) {
        try positive(p.channelsA, "channels_a")
        try positive(p.channelsB, "channels_b")
        try positive(p.spatial, "spatial")
    }
}
