import Testing
import TensorGraph

/// Writing: the layout of the format, and what was written reads back equal.
@Suite struct JSONWritingTests {
    @Test func layoutOfASmallGraph() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 3])
        let c = try g.constant(data: [0.5, -1, 1e-5, 3, 4, 100000], shape: [2, 3])
        let s = try g.add(x, c)
        try g.setOutputs([s])
        let text = try g.jsonString()
        #expect(text == """
            {
              "format": "tensor-graph",
              "version": 1,
              "nodes": [
                {"id": 0, "op": "Input", "name": "x", "dtype": "f32", "shape": [2, 3], "inputs": []},
                {"id": 1, "op": "Constant", "data": [0.5, -1.0, 1e-5, 3.0, 4.0, 100000.0], "dtype": "f32", "shape": [2, 3], "inputs": []},
                {"id": 2, "op": "Add", "dtype": "f32", "shape": [2, 3], "inputs": [0, 1]}
              ],
              "outputs": [2],
              "param_grad_outputs": 0,
              "derived_params": []
            }

            """)
        #expect(try Graph(jsonString: text) == g)
    }

    @Test func derivedParamsRoundTrip() throws {
        var g = Graph()
        let w = try g.parameter("w", shape: [64 * 64 * 9])
        let wide = try g.parameter("g+u", shape: [8, 32])
        try g.setOutputs([w, wide])
        g.addDerivedParam(DerivedParam(name: "g+u", sources: [.init(name: "g", cols: 16), .init(name: "u", cols: 16)],
                                       rows: 8, transform: .horizontalConcat))
        g.addDerivedParam(DerivedParam(name: "w:winograd", sources: [.init(name: "w", cols: 36864)], rows: 1,
                                       transform: .winograd3x3(outChannels: 64, inChannels: 64)))
        let text = try g.jsonString()
        #expect(text.contains(#"{"name": "g+u", "sources": [{"name": "g", "cols": 16}, {"name": "u", "cols": 16}], "rows": 8, "transform": {"kind": "horizontal_concat"}}"#))
        #expect(text.contains(#""transform": {"kind": "winograd3x3", "out_channels": 64, "in_channels": 64}}"#))
        let back = try Graph(jsonString: text)
        #expect(back == g)
        #expect(back.derivedParams == g.derivedParams)
    }

    @Test func everyOpRoundTrips() throws {
        // One node of each op with parameters, built raw (types are not checked on
        // reading with validate: false), so that every op's fields are written and read.
        let heads = AttentionHeads(numHeads: 2, numKVHeads: 1, headDim: 4)
        let conv = Conv2dGeometry(inChannels: 1, inH: 2, inW: 3, outChannels: 4, kernelH: 1, kernelW: 1,
                                  stride: 1, paddingH: 0, paddingW: 0)
        let gn = GroupNormParameters(numGroups: 2, eps: 1e-6, channels: 4, spatial: 9)
        let cc = ConcatParameters(channelsA: 1, channelsB: 2, spatial: 3)
        let ops: [Op] = [
            .parameter(name: "p"), .input(name: "in"), .constant(.fill(2.5)), .constant(.data([1, 2])),
            .matMul, .matMulAT, .matMulBT, .fusedMatMulAdd, .fusedMatMulATAdd, .fusedMatMulBTAdd,
            .fusedRmsNormMatMul(eps: 1e-6), .add, .mul, .greater, .biasAdd, .relu, .sigmoid, .tanh, .neg, .abs,
            .log, .recip, .silu, .gelu, .identity, .stopGradient, .swiGLU, .swiGLUConcat, .nop, .sumAll, .meanAll,
            .sumRows, .softmax, .logSoftmax, .crossEntropyLoss, .bceLoss, .transpose, .rmsNorm(eps: 1e-5),
            .rmsNormGradW(eps: 1e-5), .rmsNormGradX(eps: 1e-5), .layerNorm(eps: 1e-5), .layerNormGradWB(eps: 1e-5),
            .layerNormGradX(eps: 1e-5), .embedding, .scatterAdd(vocabSize: 7),
            .rope(RoPEParameters(theta: 1e4, posOffset: 3, headDim: 4)),
            .ropeGrad(RoPEParameters(theta: 5e5, posOffset: 0, headDim: 8)),
            .causalAttention(heads), .fullAttention(heads), .slidingWindowAttention(heads, windowSize: 16),
            .causalAttentionRoPE(heads, ropeTheta: 1e6), .crossAttention(heads), .multiHeadAttn(heads, isCross: true),
            .multiHeadAttnGradQ(fwdNode: 1, heads, isCross: false), .multiHeadAttnGradK(fwdNode: 2, heads, isCross: true),
            .multiHeadAttnGradV(fwdNode: 3, heads, isCross: false), .cacheWrite, .cachedAttention(heads),
            .swiGLUGradGate, .swiGLUGradUp, .siluGrad, .swiGLUConcatGrad, .conv2d(conv), .conv2dGradInput(conv),
            .conv2dGradWeight(conv),
            .winogradConv2d(WinogradGeometry(inChannels: 2, inH: 5, inW: 6, outChannels: 3, padding: 1)),
            .maxPool2d(MaxPool2dGeometry(channels: 2, inH: 4, inW: 4, kernelH: 2, kernelW: 2, stride: 2, padding: 0)),
            .globalAvgPool(channels: 3, spatial: 4), .globalAvgPoolGrad(channels: 3, spatial: 4), .groupNorm(gn),
            .groupNormSilu(gn), .groupNormGradInput(gn), .groupNormGradWeightBias(gn), .concat(cc), .splitA(cc),
            .splitB(cc), .upsample2x(UpsampleParameters(channels: 2, inH: 3, inW: 4)),
            .upsample2xGrad(UpsampleParameters(channels: 2, inH: 3, inW: 4)),
        ]
        var g = Graph()
        for op in ops {
            let arity = op.arity?.lowerBound ?? 1
            g.addRawNode(op: op, inputs: Array(repeating: NodeID(0), count: g.count == 0 ? 0 : arity),
                         type: .f32(op == .constant(.data([1, 2])) ? [2] : [3]))
        }
        try g.setOutputs([NodeID(g.count - 1)])
        let back = try Graph(jsonString: try g.jsonString(), validate: false)
        #expect(back == g)
        #expect(Set(ops.map(\.name)).count == ops.count - 1, "every op once (Constant twice)")
        #expect(try back.jsonBytes() == g.jsonBytes())
    }

    @Test func namesAreEscaped() throws {
        var g = Graph()
        let x = try g.input("line\nbreak \"quoted\" back\\slash tab\t bell\u{07} é", shape: [1])
        try g.setOutputs([x])
        let text = try g.jsonString()
        #expect(text.contains(#""name": "line\nbreak \"quoted\" back\\slash tab\t bell\u0007 é""#))
        #expect(try Graph(jsonString: text) == g)
    }

    @Test func nonFiniteFloatsAreAnErrorNamingTheNode() throws {
        var g = Graph()
        let c = try g.constant(fill: -.infinity, shape: [2])
        try g.setOutputs([c])
        do {
            _ = try g.jsonBytes()
            Issue.record("wrote -inf")
        } catch {
            #expect(error.node == c && error.field == "fill")
        }
    }

    @Test func emptyGraph() throws {
        let text = try Graph().jsonString()
        #expect(text.contains(#""nodes": [],"#))
        #expect(try Graph(jsonString: text) == Graph())
    }
}
