/// An op parameter's value, as the JSON format writes it.
enum ParameterValue: Hashable {
    case int(Int)
    case float(Float)
    case bool(Bool)
    case string(String)
    case floats([Float])
}

/// The parameters an op decodes from, keyed by their JSON names.
protocol ParameterSource {
    func int(_ key: String) throws(GraphFormatError) -> Int
    func float(_ key: String) throws(GraphFormatError) -> Float
    func bool(_ key: String) throws(GraphFormatError) -> Bool
    func string(_ key: String) throws(GraphFormatError) -> String
    /// `fill` or `data` of a `Constant`.
    func constant() throws(GraphFormatError) -> ConstantValue
}

/// The mapping between ``Op`` values and the format's op names and parameter fields.
enum OpCodec {
    /// The op's parameters in the order the format writes them.
    static func parameters(of op: Op) -> [(String, ParameterValue)] {
        switch op {
        case .parameter(let name), .input(let name):
            return [("name", .string(name))]
        case .constant(.fill(let value)):
            return [("fill", .float(value))]
        case .constant(.data(let values)):
            return [("data", .floats(values))]
        case .fusedRmsNormMatMul(let eps), .rmsNorm(let eps), .rmsNormGradW(let eps), .rmsNormGradX(let eps),
             .layerNorm(let eps), .layerNormGradWB(let eps), .layerNormGradX(let eps):
            return [("eps", .float(eps))]
        case .scatterAdd(let vocabSize):
            return [("vocab_size", .int(vocabSize))]
        case .rope(let p), .ropeGrad(let p):
            return [("theta", .float(p.theta)), ("pos_offset", .int(p.posOffset)), ("head_dim", .int(p.headDim))]
        case .causalAttention(let h), .fullAttention(let h), .crossAttention(let h), .cachedAttention(let h):
            return heads(h)
        case .slidingWindowAttention(let h, let window):
            return heads(h) + [("window_size", .int(window))]
        case .causalAttentionRoPE(let h, let theta):
            return heads(h) + [("rope_theta", .float(theta))]
        case .multiHeadAttn(let h, let isCross):
            return heads(h) + [("is_cross", .bool(isCross))]
        case .multiHeadAttnGradQ(let fwd, let h, let isCross), .multiHeadAttnGradK(let fwd, let h, let isCross),
             .multiHeadAttnGradV(let fwd, let h, let isCross):
            return [("fwd_node", .int(fwd.index))] + heads(h) + [("is_cross", .bool(isCross))]
        case .conv2d(let g), .conv2dGradInput(let g), .conv2dGradWeight(let g):
            return [("in_channels", .int(g.inChannels)), ("in_h", .int(g.inH)), ("in_w", .int(g.inW)),
                    ("out_channels", .int(g.outChannels)), ("kernel_h", .int(g.kernelH)),
                    ("kernel_w", .int(g.kernelW)), ("stride", .int(g.stride)), ("padding_h", .int(g.paddingH)),
                    ("padding_w", .int(g.paddingW))]
        case .winogradConv2d(let g):
            return [("in_channels", .int(g.inChannels)), ("in_h", .int(g.inH)), ("in_w", .int(g.inW)),
                    ("out_channels", .int(g.outChannels)), ("padding", .int(g.padding))]
        case .maxPool2d(let g):
            return [("channels", .int(g.channels)), ("in_h", .int(g.inH)), ("in_w", .int(g.inW)),
                    ("kernel_h", .int(g.kernelH)), ("kernel_w", .int(g.kernelW)), ("stride", .int(g.stride)),
                    ("padding", .int(g.padding))]
        case .globalAvgPool(let c, let spatial), .globalAvgPoolGrad(let c, let spatial):
            return [("channels", .int(c)), ("spatial", .int(spatial))]
        case .groupNorm(let p), .groupNormSilu(let p), .groupNormGradInput(let p), .groupNormGradWeightBias(let p):
            return [("num_groups", .int(p.numGroups)), ("eps", .float(p.eps)), ("channels", .int(p.channels)),
                    ("spatial", .int(p.spatial))]
        case .concat(let p), .splitA(let p), .splitB(let p):
            return [("channels_a", .int(p.channelsA)), ("channels_b", .int(p.channelsB)), ("spatial", .int(p.spatial))]
        case .upsample2x(let p), .upsample2xGrad(let p):
            return [("channels", .int(p.channels)), ("in_h", .int(p.inH)), ("in_w", .int(p.inW))]
        case .matMul, .matMulAT, .matMulBT, .fusedMatMulAdd, .fusedMatMulATAdd, .fusedMatMulBTAdd, .add, .mul,
             .greater, .biasAdd, .relu, .sigmoid, .tanh, .neg, .abs, .log, .recip, .silu, .gelu, .identity,
             .stopGradient, .swiGLU, .swiGLUConcat, .nop, .sumAll, .meanAll, .sumRows, .softmax, .logSoftmax,
             .crossEntropyLoss, .bceLoss, .transpose, .embedding, .swiGLUGradGate, .swiGLUGradUp, .siluGrad,
             .swiGLUConcatGrad, .cacheWrite:
            return []
        }
    }

    private static func heads(_ h: AttentionHeads) -> [(String, ParameterValue)] {
        [("num_heads", .int(h.numHeads)), ("num_kv_heads", .int(h.numKVHeads)), ("head_dim", .int(h.headDim))]
    }

    /// Every op name of the format, in the order of the format's table.
    static let opNames: [String] = [
        "Parameter", "Input", "Constant", "MatMul", "MatMulAT", "MatMulBT", "FusedMatMulAdd", "FusedMatMulATAdd",
        "FusedMatMulBTAdd", "FusedRmsNormMatMul", "Add", "Mul", "Greater", "BiasAdd", "Relu", "Sigmoid", "Tanh",
        "Neg", "Abs", "Log", "Recip", "Silu", "Gelu", "Identity", "StopGradient", "SwiGLU", "SwiGLUConcat", "Nop",
        "SumAll", "MeanAll", "SumRows", "Softmax", "LogSoftmax", "CrossEntropyLoss", "BceLoss", "Transpose",
        "RmsNorm", "RmsNormGradW", "RmsNormGradX", "LayerNorm", "LayerNormGradWB", "LayerNormGradX", "Embedding",
        "SwiGLUGradGate", "SwiGLUGradUp", "SiluGrad", "SwiGLUConcatGrad", "CacheWrite", "ScatterAdd", "RoPE",
        "RoPEGrad", "CausalAttention", "FullAttention", "CrossAttention", "CachedAttention",
        "SlidingWindowAttention", "CausalAttentionRoPE", "MultiHeadAttn", "MultiHeadAttnGradQ",
        "MultiHeadAttnGradK", "MultiHeadAttnGradV", "Conv2d", "Conv2dGradInput", "Conv2dGradWeight",
        "WinogradConv2d", "MaxPool2d", "GlobalAvgPool", "GlobalAvgPoolGrad", "GroupNorm", "GroupNormSilu",
        "GroupNormGradInput", "GroupNormGradWeightBias", "Concat", "SplitA", "SplitB", "Upsample2x",
        "Upsample2xGrad",
    ]

    /// The op named `name` with its parameters from `p`, or `nil` for an unknown name.
    static func decode(_ name: String, _ p: some ParameterSource) throws(GraphFormatError) -> Op? {
        func heads() throws(GraphFormatError) -> AttentionHeads {
            AttentionHeads(numHeads: try p.int("num_heads"), numKVHeads: try p.int("num_kv_heads"),
                           headDim: try p.int("head_dim"))
        }
        func conv() throws(GraphFormatError) -> Conv2dGeometry {
            Conv2dGeometry(inChannels: try p.int("in_channels"), inH: try p.int("in_h"), inW: try p.int("in_w"),
                           outChannels: try p.int("out_channels"), kernelH: try p.int("kernel_h"),
                           kernelW: try p.int("kernel_w"), stride: try p.int("stride"),
                           paddingH: try p.int("padding_h"), paddingW: try p.int("padding_w"))
        }
        func rope() throws(GraphFormatError) -> RoPEParameters {
            RoPEParameters(theta: try p.float("theta"), posOffset: try p.int("pos_offset"),
                           headDim: try p.int("head_dim"))
        }
        func groupNorm() throws(GraphFormatError) -> GroupNormParameters {
            GroupNormParameters(numGroups: try p.int("num_groups"), eps: try p.float("eps"),
                                channels: try p.int("channels"), spatial: try p.int("spatial"))
        }
        func concat() throws(GraphFormatError) -> ConcatParameters {
            ConcatParameters(channelsA: try p.int("channels_a"), channelsB: try p.int("channels_b"),
                             spatial: try p.int("spatial"))
        }
        func upsample() throws(GraphFormatError) -> UpsampleParameters {
            UpsampleParameters(channels: try p.int("channels"), inH: try p.int("in_h"), inW: try p.int("in_w"))
        }
        func fwdNode() throws(GraphFormatError) -> NodeID {
            let value = try p.int("fwd_node")
            guard value <= Int(UInt32.max) else { return NodeID(rawValue: .max) }
            return NodeID(value)
        }
        switch name {
        case "Parameter": return .parameter(name: try p.string("name"))
        case "Input": return .input(name: try p.string("name"))
        case "Constant": return .constant(try p.constant())
        case "MatMul": return .matMul
        case "MatMulAT": return .matMulAT
        case "MatMulBT": return .matMulBT
        case "FusedMatMulAdd": return .fusedMatMulAdd
        case "FusedMatMulATAdd": return .fusedMatMulATAdd
        case "FusedMatMulBTAdd": return .fusedMatMulBTAdd
        case "FusedRmsNormMatMul": return .fusedRmsNormMatMul(eps: try p.float("eps"))
        case "Add": return .add
        case "Mul": return .mul
        case "Greater": return .greater
        case "BiasAdd": return .biasAdd
        case "Relu": return .relu
        case "Sigmoid": return .sigmoid
        case "Tanh": return .tanh
        case "Neg": return .neg
        case "Abs": return .abs
        case "Log": return .log
        case "Recip": return .recip
        case "Silu": return .silu
        case "Gelu": return .gelu
        case "Identity": return .identity
        case "StopGradient": return .stopGradient
        case "SwiGLU": return .swiGLU
        case "SwiGLUConcat": return .swiGLUConcat
        case "Nop": return .nop
        case "SumAll": return .sumAll
        case "MeanAll": return .meanAll
        case "SumRows": return .sumRows
        case "Softmax": return .softmax
        case "LogSoftmax": return .logSoftmax
        case "CrossEntropyLoss": return .crossEntropyLoss
        case "BceLoss": return .bceLoss
        case "Transpose": return .transpose
        case "RmsNorm": return .rmsNorm(eps: try p.float("eps"))
        case "RmsNormGradW": return .rmsNormGradW(eps: try p.float("eps"))
        case "RmsNormGradX": return .rmsNormGradX(eps: try p.float("eps"))
        case "LayerNorm": return .layerNorm(eps: try p.float("eps"))
        case "LayerNormGradWB": return .layerNormGradWB(eps: try p.float("eps"))
        case "LayerNormGradX": return .layerNormGradX(eps: try p.float("eps"))
        case "Embedding": return .embedding
        case "SwiGLUGradGate": return .swiGLUGradGate
        case "SwiGLUGradUp": return .swiGLUGradUp
        case "SiluGrad": return .siluGrad
        case "SwiGLUConcatGrad": return .swiGLUConcatGrad
        case "CacheWrite": return .cacheWrite
        case "ScatterAdd": return .scatterAdd(vocabSize: try p.int("vocab_size"))
        case "RoPE": return .rope(try rope())
        case "RoPEGrad": return .ropeGrad(try rope())
        case "CausalAttention": return .causalAttention(try heads())
        case "FullAttention": return .fullAttention(try heads())
        case "CrossAttention": return .crossAttention(try heads())
        case "CachedAttention": return .cachedAttention(try heads())
        case "SlidingWindowAttention":
            return .slidingWindowAttention(try heads(), windowSize: try p.int("window_size"))
        case "CausalAttentionRoPE":
            return .causalAttentionRoPE(try heads(), ropeTheta: try p.float("rope_theta"))
        case "MultiHeadAttn": return .multiHeadAttn(try heads(), isCross: try p.bool("is_cross"))
        case "MultiHeadAttnGradQ":
            return .multiHeadAttnGradQ(fwdNode: try fwdNode(), try heads(), isCross: try p.bool("is_cross"))
        case "MultiHeadAttnGradK":
            return .multiHeadAttnGradK(fwdNode: try fwdNode(), try heads(), isCross: try p.bool("is_cross"))
        case "MultiHeadAttnGradV":
            return .multiHeadAttnGradV(fwdNode: try fwdNode(), try heads(), isCross: try p.bool("is_cross"))
        case "Conv2d": return .conv2d(try conv())
        case "Conv2dGradInput": return .conv2dGradInput(try conv())
        case "Conv2dGradWeight": return .conv2dGradWeight(try conv())
        case "WinogradConv2d":
            return .winogradConv2d(WinogradGeometry(inChannels: try p.int("in_channels"), inH: try p.int("in_h"),
                                                    inW: try p.int("in_w"), outChannels: try p.int("out_channels"),
                                                    padding: try p.int("padding")))
        case "MaxPool2d":
            return .maxPool2d(MaxPool2dGeometry(channels: try p.int("channels"), inH: try p.int("in_h"),
                                                inW: try p.int("in_w"), kernelH: try p.int("kernel_h"),
                                                kernelW: try p.int("kernel_w"), stride: try p.int("stride"),
                                                padding: try p.int("padding")))
        case "GlobalAvgPool": return .globalAvgPool(channels: try p.int("channels"), spatial: try p.int("spatial"))
        case "GlobalAvgPoolGrad":
            return .globalAvgPoolGrad(channels: try p.int("channels"), spatial: try p.int("spatial"))
        case "GroupNorm": return .groupNorm(try groupNorm())
        case "GroupNormSilu": return .groupNormSilu(try groupNorm())
        case "GroupNormGradInput": return .groupNormGradInput(try groupNorm())
        case "GroupNormGradWeightBias": return .groupNormGradWeightBias(try groupNorm())
        case "Concat": return .concat(try concat())
        case "SplitA": return .splitA(try concat())
        case "SplitB": return .splitB(try concat())
        case "Upsample2x": return .upsample2x(try upsample())
        case "Upsample2xGrad": return .upsample2xGrad(try upsample())
        default: return nil
        }
    }
}
