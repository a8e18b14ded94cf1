import Testing
import TensorGraph

extension Graph {
    /// Adds a node with `build` and returns it.
    mutating func built(_ build: (inout Graph) throws -> NodeID) rethrows -> Node {
        let id = try build(&self)
        return self[id]
    }
}

/// Builders apply the ops' arity and shape rules and throw errors naming the op and
/// the offending input.
@Suite struct BuilderTests {
    /// Runs `body`, which must throw a ``GraphError``, and returns it.
    static func error(_ body: () throws -> Void) -> GraphError? {
        do {
            try body()
            return nil
        } catch {
            return error as? GraphError
        }
    }

    @Test func matmulFamilyShapes() throws {
        var g = Graph()
        let a = try g.input("a", shape: [4, 8])
        let b = try g.parameter("b", shape: [8, 16])
        let bt = try g.parameter("bt", shape: [16, 8])
        let at = try g.input("at", shape: [8, 4])
        #expect((try g.built { try $0.matmul(a, b) }).type == .f32([4, 16]))
        #expect((try g.built { try $0.matmulBT(a, bt) }).type == .f32([4, 16]))
        #expect((try g.built { try $0.matmulAT(at, b) }).type == .f32([4, 16]))
        let d = try g.input("d", shape: [4, 16])
        #expect((try g.built { try $0.fusedMatMulAdd(a, b, d) }).type == .f32([4, 16]))
        let w = try g.parameter("w", shape: [8])
        #expect((try g.built { try $0.fusedRmsNormMatMul(a, w, b, eps: 1e-6) }).op == .fusedRmsNormMatMul(eps: 1e-6))
    }

    @Test func matmulErrorNamesOpAndInput() throws {
        var g = Graph()
        let a = try g.input("a", shape: [4, 8])
        let b = try g.parameter("b", shape: [9, 16])
        let e = Self.error { _ = try g.matmul(a, b) }
        #expect(e?.kind == .inputType)
        #expect(e?.op == "MatMul")
        #expect(e?.input == 1)
        #expect(e?.inputNode == b)
        #expect(e?.node == nil)
        #expect(e?.description.contains("MatMul") == true)
        #expect(e?.description.contains("input 1 (node 1)") == true)
        #expect(g.count == 2, "a rejected node is not added")
    }

    @Test func rankIsChecked() throws {
        var g = Graph()
        let v = try g.input("v", shape: [8])
        let m = try g.input("m", shape: [8, 8])
        let e = Self.error { _ = try g.matmul(v, m) }
        #expect(e?.input == 0 && e?.op == "MatMul")
    }

    @Test func elementwiseNeedsEqualShapesAndDTypes() throws {
        var g = Graph()
        let a = try g.input("a", shape: [2, 3])
        let b = try g.input("b", shape: [3, 2])
        let c = try g.input("c", shape: [2, 3], dtype: .f16)
        #expect(Self.error { _ = try g.add(a, b) }?.input == 1)
        #expect(Self.error { _ = try g.mul(a, c) }?.op == "Mul")
        #expect((try g.built { try $0.greater(a, a) }).type == g[a].type)
        #expect((try g.built { try $0.relu(c) }).type == TensorType(.f16, [2, 3]))
    }

    @Test func biasAddAcceptsVectorOrRowBias() throws {
        var g = Graph()
        let x = try g.input("x", shape: [5, 7])
        let b1 = try g.parameter("b1", shape: [7])
        let b2 = try g.parameter("b2", shape: [1, 7])
        let bad = try g.parameter("bad", shape: [5])
        #expect((try g.built { try $0.biasAdd(x, b1) }).shape == [5, 7])
        #expect((try g.built { try $0.biasAdd(x, b2) }).shape == [5, 7])
        #expect(Self.error { _ = try g.biasAdd(x, bad) }?.input == 1)
    }

    @Test func reshapeKeepsTheElementCount() throws {
        var g = Graph()
        let x = try g.input("x", shape: [6, 4])
        #expect((try g.built { try $0.reshape(x, [24]) }).type == .f32([24]))
        let e = Self.error { _ = try g.reshape(x, [5, 5]) }
        #expect(e?.op == "Identity" && e?.input == 0)
    }

    @Test func reductionsLossesAndTranspose() throws {
        var g = Graph()
        let x = try g.input("x", shape: [3, 5])
        let y = try g.input("y", shape: [3, 5])
        #expect((try g.built { try $0.sumAll(x) }).type == .f32([1]))
        #expect((try g.built { try $0.meanAll(x) }).type == .f32([1]))
        #expect((try g.built { try $0.sumRows(x) }).shape == [5])
        #expect((try g.built { try $0.softmax(x) }).shape == [3, 5])
        #expect((try g.built { try $0.crossEntropyLoss(x, y) }).type == .f32([1]))
        #expect((try g.built { try $0.transpose(x) }).type == .f32([5, 3]))
        let wide = try g.input("wide", shape: [3, 10])
        #expect((try g.built { try $0.swiGLUConcat(wide) }).type == .f32([3, 5]))
        #expect(Self.error { _ = try g.crossEntropyLoss(x, wide) }?.input == 1)
    }

    @Test func normsCheckTheWeightLength() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let w = try g.parameter("w", shape: [8])
        let b = try g.parameter("b", shape: [8])
        let short = try g.parameter("short", shape: [4])
        #expect((try g.built { try $0.rmsNorm(x, w, eps: 1e-5) }).type == g[x].type)
        #expect((try g.built { try $0.layerNorm(x, w, b, eps: 1e-5) }).type == g[x].type)
        #expect((try g.built { try $0.rmsNormGradW(x, x, w, eps: 1e-5) }).shape == [8])
        #expect((try g.built { try $0.layerNormGradX(x, x, w, eps: 1e-5) }).shape == [4, 8])
        let e = Self.error { _ = try g.rmsNorm(x, short, eps: 1e-5) }
        #expect(e?.op == "RmsNorm" && e?.input == 1)
    }

    @Test func embeddingNeedsU32Indices() throws {
        var g = Graph()
        let ids = try g.input("ids", shape: [8], dtype: .u32)
        let floats = try g.input("floats", shape: [8])
        let table = try g.parameter("table", shape: [64, 32])
        #expect((try g.built { try $0.embedding(ids, table) }).type == .f32([8, 32]))
        #expect(Self.error { _ = try g.embedding(floats, table) }?.input == 0)
        let src = try g.input("src", shape: [8, 32])
        #expect((try g.built { try $0.scatterAdd(ids, src, vocabSize: 64) }).type == .f32([64, 32]))
    }

    @Test func ropeChecksHeadDim() throws {
        var g = Graph()
        let x = try g.input("x", shape: [8, 32])
        let pos = try g.input("pos", shape: [1], dtype: .u32)
        #expect((try g.built { try $0.rope(x, theta: 1e4, headDim: 16) }).type == g[x].type)
        #expect((try g.built { try $0.rope(x, theta: 1e4, headDim: 16, offset: pos) }).inputs == [x, pos])
        let odd = Self.error { _ = try g.rope(x, theta: 1e4, headDim: 5) }
        #expect(odd?.kind == .parameter && odd?.field == "head_dim" && odd?.op == "RoPE")
        let uneven = Self.error { _ = try g.rope(x, theta: 1e4, headDim: 12) }
        #expect(uneven?.input == 0)
        let badOffset = Self.error { _ = try g.rope(x, theta: 1e4, headDim: 16, offset: x) }
        #expect(badOffset?.input == 1)
    }

    @Test func attentionShapes() throws {
        var g = Graph()
        let q = try g.input("q", shape: [10, 9 * 4])
        let k = try g.input("k", shape: [10, 3 * 4])
        let v = try g.input("v", shape: [10, 3 * 4])
        let a = try g.causalAttention(q, k, v, numHeads: 9, numKVHeads: 3, headDim: 4)
        #expect(g[a].type == .f32([10, 36]))
        #expect(g[a].op == .causalAttention(AttentionHeads(numHeads: 9, numKVHeads: 3, headDim: 4)))
        let s = try g.slidingWindowAttention(q, k, v, numHeads: 9, numKVHeads: 3, headDim: 4, windowSize: 4)
        #expect(g[s].shape == [10, 36])
        let zero = Self.error {
            _ = try g.slidingWindowAttention(q, k, v, numHeads: 9, numKVHeads: 3, headDim: 4, windowSize: 0)
        }
        #expect(zero?.field == "window_size")
        let wrongK = Self.error { _ = try g.fullAttention(q, q, v, numHeads: 9, numKVHeads: 3, headDim: 4) }
        #expect(wrongK?.input == 1 && wrongK?.op == "FullAttention")
        // Cross attention lets k and v have their own length; self attention does not.
        let kvLong = try g.input("kv", shape: [16, 12])
        #expect((try g.built { try $0.crossAttention(q, kvLong, kvLong, numHeads: 9, numKVHeads: 3, headDim: 4) }).shape == [10, 36])
        #expect(Self.error { _ = try g.multiHeadAttn(q, kvLong, kvLong, numHeads: 9, numKVHeads: 3, headDim: 4,
                                                     isCross: false) }?.input == 1)
        let m = try g.multiHeadAttn(q, kvLong, kvLong, numHeads: 9, numKVHeads: 3, headDim: 4, isCross: true)
        let dk = try g.multiHeadAttnGradK(m, q, kvLong, kvLong, fwdNode: m, numHeads: 9, numKVHeads: 3, headDim: 4,
                                          isCross: true)
        #expect(g[dk].type == g[kvLong].type)
    }

    @Test func kvCacheOps() throws {
        var g = Graph()
        let newKV = try g.input("new", shape: [1, 12])
        let cache = try g.parameter("cache", shape: [128, 12])
        let pos = try g.input("pos", shape: [1], dtype: .u32)
        let write = try g.cacheWrite(newKV, cache, pos)
        #expect(g[write].type == g[cache].type)
        #expect(g[write].op.hasSideEffect)
        let q = try g.input("q", shape: [1, 36])
        #expect((try g.built { try $0.cachedAttention(q, cache, cache, pos, numHeads: 9, numKVHeads: 3, headDim: 4) }).shape == [1, 36])
    }

    @Test func convolutionGeometry() throws {
        var g = Graph()
        let geometry = Conv2dGeometry(inChannels: 3, inH: 224, inW: 224, outChannels: 64, kernelH: 7, kernelW: 7,
                                      stride: 2, paddingH: 3, paddingW: 3)
        let x = try g.input("x", shape: [2 * 3 * 224 * 224])
        let w = try g.parameter("w", shape: [64 * 3 * 7 * 7])
        let y = try g.conv2d(x, w, geometry)
        #expect(g[y].shape == [2 * 64 * 112 * 112])
        #expect((try g.built { try $0.conv2dGradInput(y, w, geometry) }).shape == [2 * 3 * 224 * 224])
        #expect((try g.built { try $0.conv2dGradWeight(y, x, geometry) }).shape == [64 * 3 * 7 * 7])
        let badWeight = try g.parameter("bad", shape: [10])
        #expect(Self.error { _ = try g.conv2d(x, badWeight, geometry) }?.input == 1)
        let pool = MaxPool2dGeometry(channels: 64, inH: 112, inW: 112, kernelH: 3, kernelW: 3, stride: 2, padding: 1)
        let p = try g.maxPool2d(y, pool)
        #expect(g[p].shape == [2 * 64 * 56 * 56])
        let gap = try g.globalAvgPool(p, channels: 64, spatial: 56 * 56)
        #expect(g[gap].type == .f32([2, 64]))
        #expect((try g.built { try $0.globalAvgPoolGrad(gap, channels: 64, spatial: 56 * 56) }).shape == [2 * 64 * 56 * 56])
        let wino = try g.parameter("w:winograd", shape: [16 * 64 * 64])
        let w3 = try g.parameter("w3", shape: [64 * 64 * 9])
        let wy = try g.winogradConv2d(p, wino, w3, WinogradGeometry(inChannels: 64, inH: 56, inW: 56, outChannels: 64,
                                                                    padding: 1))
        #expect(g[wy].shape == [2 * 64 * 56 * 56])
    }

    @Test func negativeParametersAreRejected() throws {
        var g = Graph()
        let x = try g.input("x", shape: [1 * 3 * 8 * 8])
        let w = try g.parameter("w", shape: [4 * 3 * 9])
        let conv = Conv2dGeometry(inChannels: 3, inH: 8, inW: 8, outChannels: 4, kernelH: 3, kernelW: 3,
                                  stride: 1, paddingH: -1, paddingW: 1)
        let e = Self.error { _ = try g.conv2d(x, w, conv) }
        #expect(e?.kind == .parameter && e?.field == "padding_h" && e?.op == "Conv2d")
        let m = try g.input("m", shape: [8, 32])
        #expect(Self.error { _ = try g.rope(m, theta: 1e4, posOffset: -2, headDim: 16) }?.field == "pos_offset")
    }

    @Test func groupNormConcatUpsample() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4 * 32 * 64])
        let w = try g.parameter("w", shape: [32])
        let b = try g.parameter("b", shape: [32])
        let n = try g.groupNorm(x, w, b, numGroups: 8, eps: 1e-5, channels: 32, spatial: 64)
        #expect(g[n].type == g[x].type)
        let bad = Self.error { _ = try g.groupNorm(x, w, b, numGroups: 5, eps: 1e-5, channels: 32, spatial: 64) }
        #expect(bad?.field == "num_groups")
        #expect((try g.built { try $0.groupNormGradWeightBias(x, x, numGroups: 8, eps: 1e-5, channels: 32, spatial: 64) }).shape == [64])
        let c = try g.concat(x, n, channelsA: 32, channelsB: 32, spatial: 64)
        #expect(g[c].shape == [4 * 64 * 64])
        #expect((try g.built { try $0.splitB(c, channelsA: 32, channelsB: 32, spatial: 64) }).shape == [4 * 32 * 64])
        let up = try g.upsample2x(x, channels: 32, inH: 8, inW: 8)
        #expect(g[up].shape == [4 * 32 * 16 * 16])
        #expect((try g.built { try $0.upsample2xGrad(up, channels: 32, inH: 8, inW: 8) }).shape == [4 * 32 * 64])
    }

    @Test func compositeBuilders() throws {
        var g = Graph()
        let p = try g.input("p", shape: [2, 2])
        let t = try g.input("t", shape: [2, 2])
        let q = try g.div(p, t)
        #expect(g[q].op == .mul && g[g[q].inputs[1]].op == .recip && g[g[q].inputs[1]].inputs == [t])
        let mse = try g.mseLoss(p, t)
        #expect(g[mse].op == .meanAll)
        let square = g[g[mse].inputs[0]]
        #expect(square.op == .mul && square.inputs[0] == square.inputs[1])
        let d = g[square.inputs[0]]
        #expect(d.op == .add && d.inputs[0] == p && g[d.inputs[1]].op == .neg && g[d.inputs[1]].inputs == [t])
        let l1 = try g.l1Loss(p, t)
        #expect(g[l1].op == .meanAll && g[g[l1].inputs[0]].op == .abs)
        #expect(g[l1].type == .f32([1]))
    }

    @Test func fillConstantsAreStoredLazily() throws {
        var g = Graph()
        let big = try g.constant(fill: 0, shape: [49152, 49152])
        #expect(g[big].op == .constant(.fill(0)))
        #expect(g[big].type.elementCount == 49152 * 49152)
        // The whole graph writes in a few hundred bytes: nothing was expanded.
        #expect(try g.jsonBytes().count < 400)
        let data = try g.constant(data: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(g[data].op == .constant(.data([1, 2, 3, 4, 5, 6])))
        let e = Self.error { _ = try g.constant(data: [1, 2], shape: [2, 3]) }
        #expect(e?.kind == .constantData && e?.field == "data")
    }

    @Test func leavesRejectEmptyShapes() {
        var g = Graph()
        #expect(Self.error { _ = try g.input("x", shape: []) }?.field == "shape")
        #expect(Self.error { _ = try g.parameter("w", shape: [3, 0]) }?.field == "shape")
    }

    @Test func unknownInputIDIsAnErrorNotACrash() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2])
        let e = Self.error { _ = try g.add(x, NodeID(7)) }
        #expect(e?.kind == .inputOutOfRange && e?.input == 1)
    }
}
