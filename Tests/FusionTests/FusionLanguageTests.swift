import EGraphKit
import Testing
import TensorGraph
@testable import Fusion

/// The language's payload interning: operator ids, payload identity, and ids in
/// first-seen order.
@Suite struct FusionLanguageTests {
    static let heads = AttentionHeads(numHeads: 4, numKVHeads: 2, headDim: 8)
    static let rope = RoPEParameters(theta: 10000, headDim: 8)
    static let conv = Conv2dGeometry(inChannels: 2, inH: 4, inW: 4, outChannels: 3, kernelH: 3, kernelW: 3,
                                     paddingH: 1, paddingW: 1)
    static let groupNorm = GroupNormParameters(numGroups: 2, eps: 1e-5, channels: 4, spatial: 16)
    static let concat = ConcatParameters(channelsA: 2, channelsB: 3, spatial: 16)
    static let upsample = UpsampleParameters(channels: 2, inH: 4, inW: 4)

    /// One op of every case but `Nop`.
    static let everyOp: [Op] = [
        .parameter(name: "w"), .input(name: "x"), .constant(.fill(1)),
        .matMul, .matMulAT, .matMulBT, .fusedMatMulAdd, .fusedMatMulATAdd, .fusedMatMulBTAdd,
        .fusedRmsNormMatMul(eps: 1e-5), .add, .mul, .greater, .biasAdd, .relu, .sigmoid, .tanh, .neg,
        .abs, .log, .recip, .silu, .gelu, .identity, .stopGradient, .swiGLU, .swiGLUConcat,
        .sumAll, .meanAll, .sumRows, .softmax, .logSoftmax, .crossEntropyLoss, .bceLoss, .transpose,
        .rmsNorm(eps: 1e-5), .rmsNormGradW(eps: 1e-5), .rmsNormGradX(eps: 1e-5), .layerNorm(eps: 1e-5),
        .layerNormGradWB(eps: 1e-5), .layerNormGradX(eps: 1e-5), .embedding, .scatterAdd(vocabSize: 7),
        .rope(rope), .ropeGrad(rope), .causalAttention(heads), .fullAttention(heads),
        .slidingWindowAttention(heads, windowSize: 4), .causalAttentionRoPE(heads, ropeTheta: 10000),
        .crossAttention(heads), .multiHeadAttn(heads, isCross: false),
        .multiHeadAttnGradQ(fwdNode: 3, heads, isCross: false), .multiHeadAttnGradK(fwdNode: 3, heads, isCross: false),
        .multiHeadAttnGradV(fwdNode: 3, heads, isCross: false), .cacheWrite, .cachedAttention(heads),
        .swiGLUGradGate, .swiGLUGradUp, .siluGrad, .swiGLUConcatGrad,
        .conv2d(conv), .conv2dGradInput(conv), .conv2dGradWeight(conv),
        .winogradConv2d(WinogradGeometry(inChannels: 2, inH: 4, inW: 4, outChannels: 3, padding: 1)),
        .maxPool2d(MaxPool2dGeometry(channels: 2, inH: 4, inW: 4, kernelH: 2, kernelW: 2, stride: 2, padding: 0)),
        .globalAvgPool(channels: 2, spatial: 16), .globalAvgPoolGrad(channels: 2, spatial: 16),
        .groupNorm(groupNorm), .groupNormSilu(groupNorm), .groupNormGradInput(groupNorm),
        .groupNormGradWeightBias(groupNorm), .concat(concat), .splitA(concat), .splitB(concat),
        .upsample2x(upsample), .upsample2xGrad(upsample),
    ]

    @Test func everyOpHasTheOperatorOfItsName() {
        let language = FusionLanguage()
        var names: Set<String> = []
        for op in Self.everyOp {
            #expect(language.operatorID(for: op, inputCount: 1) == language.operatorID(op.name), "\(op.name)")
            names.insert(op.name)
        }
        // Every declared operator but the two-input RoPE forms and the derived weights.
        let declared = Set(language.table.operators.map(\.name))
            .subtracting(["RoPE+offset", "RoPEGrad+offset", "ConcatWeight", "WinogradWeight"])
        #expect(names == declared)
        #expect(language.operatorID(for: .rope(Self.rope), inputCount: 2) == language.ropeOffset)
        #expect(language.operatorID(for: .ropeGrad(Self.rope), inputCount: 2) == language.ropeGradOffset)
    }

    @Test func payloadIdentityIsOpValueAndType() {
        let language = FusionLanguage()
        let f32 = TensorType.f32([4, 8])
        var ids: [UInt64] = []
        for op in Self.everyOp {
            let id = language.payload(op, f32)
            #expect(language.payload(op, f32) == id, "\(op.name) at the same type")
            #expect(language.payload(op, .f32([8, 4])) != id, "\(op.name) at another shape")
            #expect(language.payload(op, TensorType(.f16, [4, 8])) != id, "\(op.name) at another dtype")
            #expect(language.op(id) == op)
            #expect(language[id].operatorID == language.operatorID(op.name))
            #expect(language.types[Int(language[id].typeID)] == f32)
            ids.append(id)
        }
        #expect(Set(ids).count == Self.everyOp.count, "distinct ops have distinct payloads")
        // Parameters take part: the same case with other parameters is another payload.
        #expect(language.payload(.rmsNorm(eps: 1e-6), f32) != language.payload(.rmsNorm(eps: 1e-5), f32))
        #expect(language.payload(.parameter(name: "w2"), f32) != language.payload(.parameter(name: "w"), f32))
        #expect(language.payload(.input(name: "w"), f32) != language.payload(.parameter(name: "w"), f32))
        #expect(language.payload(.multiHeadAttnGradQ(fwdNode: 4, Self.heads, isCross: false), f32)
                != language.payload(.multiHeadAttnGradQ(fwdNode: 3, Self.heads, isCross: false), f32))
        // -0.0 and 0.0 compare equal, so they are one payload.
        #expect(language.payload(.rmsNorm(eps: -0.0), f32) == language.payload(.rmsNorm(eps: 0.0), f32))
    }

    @Test func packedAndHashedParametersKeepOpEquality() {
        let language = FusionLanguage()
        let f32 = TensorType.f32([4, 8])
        // NaN never equals itself, so NaN parameters never share a payload.
        #expect(language.payload(.rmsNorm(eps: .nan), f32) != language.payload(.rmsNorm(eps: .nan), f32))
        // Parameters too large to pack are hashed, and still compared as ops.
        let far = RoPEParameters(theta: 10000, posOffset: 1 << 20, headDim: 8)
        let farther = RoPEParameters(theta: 10000, posOffset: (1 << 20) + 1, headDim: 8)
        #expect(language.payload(.rope(far), f32) == language.payload(.rope(far), f32))
        #expect(language.payload(.rope(far), f32) != language.payload(.rope(farther), f32))
        #expect(language.payload(.rope(far), f32) != language.payload(.rope(Self.rope), f32))
        let wide = AttentionHeads(numHeads: 1 << 22, numKVHeads: 1, headDim: 8)
        #expect(language.payload(.causalAttention(wide), f32) == language.payload(.causalAttention(wide), f32))
        #expect(language.payload(.causalAttention(wide), f32) != language.payload(.causalAttention(Self.heads), f32))
        // Shapes of rank above 3 are compared in full.
        #expect(language.typeID(.f32([2, 3, 4, 5])) == language.typeID(.f32([2, 3, 4, 5])))
        #expect(language.typeID(.f32([2, 3, 4, 5])) != language.typeID(.f32([2, 3, 4, 6])))
        #expect(language.typeID(.f32([2, 3, 4])) != language.typeID(.f32([2, 3, 4, 0])))
    }

    @Test func encodingSharesIdenticalNodesOnly() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 32])
        let sameX = try g.input("x", shape: [2, 32])
        let otherTypeX = try g.input("x", shape: [2, 16])
        let w = try g.parameter("w", shape: [2, 32])
        let reluA = try g.relu(x)
        let reluB = try g.relu(sameX)
        let c0 = try g.constant(fill: 0, shape: [2, 32])
        let c1 = try g.constant(fill: 0, shape: [2, 32])
        let newKV = try g.input("new_kv", shape: [1, 32])
        let cache = try g.parameter("cache", shape: [16, 32])
        let pos = try g.input("pos", shape: [1], dtype: .u32)
        let writeA = try g.cacheWrite(newKV, cache, pos)
        let writeB = try g.cacheWrite(newKV, cache, pos)
        let sum = try g.add(reluA, w)
        try g.setOutputs([sum])
        let structure = try FusionError.checkStructure(of: g)
        #expect(structure.order == Array(0..<g.count))
        #expect(structure.inputCount == g.nodes.reduce(0) { $0 + $1.inputs.count })
        let egraph = EGraph()
        let encoding = try GraphEncoding(g, structure: structure, into: egraph, language: FusionLanguage())
        let e = encoding.enodeOf
        #expect(e[x.index] == e[sameX.index], "leaves by name and type")
        #expect(e[x.index] != e[otherTypeX.index])
        #expect(e[reluA.index] == e[reluB.index], "same op of the same class")
        #expect(e[c0.index] != e[c1.index], "each constant is its own")
        #expect(e[writeA.index] != e[writeB.index], "each side effect is its own")
        #expect(encoding.homeNode[Int(e[x.index])] == Int32(x.index))
        #expect(encoding.pinned[writeA.index] && encoding.pinned[writeB.index] && encoding.pinned[sum.index])
        #expect(!encoding.pinned[reluA.index])
        #expect(!encoding.hasConsumer[sum.index] && !encoding.hasConsumer[reluB.index] && encoding.hasConsumer[reluA.index], "sinks")
        #expect(encoding.originalCount == g.count - 2, "x and relu(x) shared")
    }

    @Test func derivedParameterClassesByName() throws {
        var g = Graph()
        let h = try g.input("h", shape: [8, 16])
        let plain = try g.parameter("wg", shape: [16, 32])
        let concat = try g.parameter("wg+wu", shape: [16, 64])
        let winograd = try g.parameter("c:winograd", shape: [16])
        // A later parameter of the same name (another type): the first one names the class.
        let sameName = try g.parameter("wg+wu", shape: [16, 32])
        let out = try g.matmul(h, plain)
        try g.setOutputs([out, concat, winograd, sameName])
        let egraph = EGraph(), language = FusionLanguage()
        let encoding = try GraphEncoding(g, structure: try FusionError.checkStructure(of: g), into: egraph,
                                         language: language)
        #expect(encoding.enodeOf[sameName.index] != encoding.enodeOf[concat.index])
        #expect(encoding.derivedLookingParameters.map(\.name) == ["wg+wu", "c:winograd", "wg+wu"])
        let context = FusionRuleContext(graph: egraph, language: language,
                                        facts: ClassFactsTable(graph: egraph, language: language),
                                        parameters: encoding.derivedLookingParameters, mayCreateParameters: false)
        #expect(context.parameterClass(named: "wg+wu") == EClassID(encoding.enodeOf[concat.index]))
        #expect(context.parameterClass(named: "c:winograd") == EClassID(encoding.enodeOf[winograd.index]))
        #expect(context.parameterClass(named: "wg") == nil, "not a derived weight's name")
        #expect(context.canProvideParameter(named: "wg+wu") && !context.canProvideParameter(named: "a+b"))
    }

    @Test func derivedLookingNames() {
        for name in ["a+b", "+", "model.layers.0.mlp.gate_proj.weight+model.layers.0.mlp.up_proj.weight",
                     "abcdefg+", "abcdefgh+", "w:winograd", "conv1.weight:winograd"] {
            #expect(GraphEncoding.isDerivedLooking(name), "\(name)")
        }
        for name in ["", "w", "model.layers.0.mlp.gate_proj.weight", "w:winogra", "winograd", "w:winograd.x",
                     "w:Winograd", "abcdefghijklmnop"] {
            #expect(!GraphEncoding.isDerivedLooking(name), "\(name)")
        }
    }

    @Test func idsFollowFirstSeenOrderAcrossGrowth() {
        let language = FusionLanguage()
        // Enough distinct names and shapes to grow both tables several times.
        for round in 0..<2 {
            for i in 0..<3000 {
                let id = language.payload(.parameter(name: "layer.\(i).weight"), .f32([i + 1, 3]))
                #expect(id == UInt64(i), "round \(round)")
                #expect(language.typeID(.f32([i + 1, 3])) == UInt32(i))
            }
        }
        #expect(language.payloads.count == 3000)
        #expect(language.types.count == 3000)
    }
}

/// The optimizer's structure check: the order it returns and the errors it names.
@Suite struct StructureCheckTests {
    @Test func forwardReferencesGiveATopologicalOrder() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 2])
        let a = try g.relu(x)
        let b = try g.neg(x)
        let dead = try g.tanh(x)
        g.makeNop(dead)
        // a reads b, which comes after it: the order puts b first.
        g.replaceNode(a, op: .relu, inputs: [b], type: .f32([2, 2]))
        try g.setOutputs([a])
        let structure = try FusionError.checkStructure(of: g)
        #expect(structure.order == [x.index, b.index, a.index])
        #expect(structure.inputCount == 2)
    }

    @Test func nopInputsBeforeAndAfterTheirNode() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 2])
        let a = try g.relu(x)
        let b = try g.neg(x)
        g.makeNop(b)
        // A forward reference to a Nop.
        g.replaceNode(a, op: .relu, inputs: [b], type: .f32([2, 2]))
        try g.setOutputs([a])
        #expect(throws: FusionError(.inputIsNop, node: a, message: "input 0 is node \(b), a Nop")) {
            try FusionError.checkStructure(of: g)
        }
        var h = Graph()
        let y = try h.input("y", shape: [2, 2])
        let c = try h.relu(y)
        h.makeNop(y)
        try h.setOutputs([c])
        #expect(throws: FusionError(.inputIsNop, node: c, message: "input 0 is node \(y), a Nop")) {
            try FusionError.checkStructure(of: h)
        }
    }

    @Test func kahnOrderWithForwardReferencesNopsAndACycle() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 2])      // 0
        let a = try g.relu(x)                        // 1, will read d (forward)
        let b = try g.neg(x)                         // 2
        let dead = try g.tanh(x)                     // 3, a Nop
        let d = try g.abs(b)                         // 4
        let e = try g.add(a, b)                      // 5
        g.replaceNode(a, op: .relu, inputs: [d], type: .f32([2, 2]))
        g.makeNop(dead)
        try g.setOutputs([e])
        // FIFO from the sources in id order: x; then b; then d; then a; then e.
        #expect(EgglogEncoding.topologicalOrder(g) == [x.index, b.index, d.index, a.index, e.index])
        // A cycle a -> d -> a: its nodes come last, in id order.
        g.replaceNode(d, op: .add, inputs: [b, a], type: .f32([2, 2]))
        #expect(EgglogEncoding.topologicalOrder(g) == [x.index, b.index, a.index, d.index, e.index])
    }

    @Test func cyclesAreNamed() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 2])
        let a = try g.relu(x)
        let b = try g.neg(a)
        g.replaceNode(a, op: .relu, inputs: [b], type: .f32([2, 2]))
        try g.setOutputs([b])
        #expect(throws: FusionError.self) { try FusionError.checkStructure(of: g) }
        do {
            try FusionError.checkStructure(of: g)
        } catch {
            #expect(error.kind == .cycle)
        }
    }
}
