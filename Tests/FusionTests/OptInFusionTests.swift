import Testing
import TensorGraph
@testable import Fusion

/// The opt-in fusions (G, H), the inference passes (E, F) and the e-graph's algebraic
/// simplifications, on small graphs, for both strategies.
@Suite struct OptInFusionTests {
    static let strategies: [OptimizationStrategy] = [.egraph, .patterns]

    static func normThenProjection() throws -> (Graph, NodeID) {
        var g = Graph()
        let x = try g.input("x", shape: [16, 64])
        let wn = try g.parameter("norm", shape: [64])
        let wp = try g.parameter("proj", shape: [64, 128])
        let out = try g.matmul(try g.rmsNorm(x, wn, eps: 1e-6), wp)
        try g.setOutputs([out])
        return (g, out)
    }

    @Test(arguments: strategies)
    func rmsNormMatMulOnlyWhenOptedIn(_ strategy: OptimizationStrategy) throws {
        let (g, out) = try Self.normThenProjection()
        let (plain, plainReport) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(plain[out].op == .matMul)
        #expect(plainReport.fusions.isEmpty)
        let (fused, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy, optIns: .rmsNormMatMul))
        #expect(fused[out].op == .fusedRmsNormMatMul(eps: 1e-6))
        #expect(fused[out].inputs == [0, 1, 2])
        #expect(fused[out].type == .f32([16, 128]))
        #expect(report.fusions == [AppliedFusion(.rmsNormMatMul, at: out)])
    }

    static func ropeAttention(offset: Int = 0, thetaK: Float = 10000) throws -> (Graph, NodeID) {
        var g = Graph()
        let q = try g.input("q", shape: [8, 32])
        let k = try g.input("k", shape: [8, 32])
        let v = try g.input("v", shape: [8, 32])
        let rq = try g.rope(q, theta: 10000, posOffset: offset, headDim: 16)
        let rk = try g.rope(k, theta: thetaK, posOffset: offset, headDim: 16)
        let out = try g.causalAttention(rq, rk, v, numHeads: 2, numKVHeads: 2, headDim: 16)
        try g.setOutputs([out])
        return (g, out)
    }

    @Test(arguments: strategies)
    func ropeIntoAttentionOnlyWhenOptedIn(_ strategy: OptimizationStrategy) throws {
        let (g, out) = try Self.ropeAttention()
        let (plain, _) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(plain[out].op == .causalAttention(AttentionHeads(numHeads: 2, numKVHeads: 2, headDim: 16)))
        let (fused, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy, optIns: .ropeAttention))
        #expect(fused[out].op == .causalAttentionRoPE(AttentionHeads(numHeads: 2, numKVHeads: 2, headDim: 16),
                                                      ropeTheta: 10000))
        #expect(fused[out].inputs == [0, 1, 2])
        #expect(fused.activeCount == 4)
        #expect(report.fusions == [AppliedFusion(.ropeAttention, at: out)])
    }

    @Test(arguments: strategies)
    func ropeWithOtherThetaOrOffsetStays(_ strategy: OptimizationStrategy) throws {
        for (g, out) in [try Self.ropeAttention(thetaK: 500), try Self.ropeAttention(offset: 3)] {
            let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy, optIns: .all))
            #expect(report.fusions.isEmpty)
            #expect(opt[out] == g[out])
        }
    }

    @Test(arguments: strategies)
    func groupNormSiluAndWinogradOnlyForInference(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [64 * 16 * 16])
        let w = try g.parameter("gn.w", shape: [64])
        let b = try g.parameter("gn.b", shape: [64])
        let act = try g.silu(try g.groupNorm(x, w, b, numGroups: 8, eps: 1e-5, channels: 64, spatial: 256))
        let kernel = try g.parameter("conv.w", shape: [64 * 64 * 9])
        let geometry = Conv2dGeometry(inChannels: 64, inH: 16, inW: 16, outChannels: 64, kernelH: 3, kernelW: 3,
                                      stride: 1, paddingH: 1, paddingW: 1)
        let conv = try g.conv2d(act, kernel, geometry)
        try g.setOutputs([conv])
        let (training, trainingReport) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(trainingReport.fusions.isEmpty)
        #expect(training == g)
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy, mode: .inference))
        #expect(report.fusions == [AppliedFusion(.groupNormSilu, at: act), AppliedFusion(.winograd, at: conv)])
        #expect(opt[act].op == .groupNormSilu(GroupNormParameters(numGroups: 8, eps: 1e-5, channels: 64, spatial: 256)))
        let transformed = NodeID(g.count)
        #expect(opt[conv].inputs == [act, transformed, kernel])
        #expect(opt[transformed].op == .parameter(name: "conv.w:winograd"))
        #expect(opt[transformed].type == .f32([16 * 64 * 64]))
        #expect(opt.derivedParams.map(\.name) == ["conv.w:winograd"])
    }

    @Test func doubleNegationAndTransposeCancel() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let n1 = try g.neg(x)
        let n2 = try g.neg(n1)
        let t1 = try g.transpose(n2)
        let t2 = try g.transpose(t1)
        let out = try g.relu(t2)
        try g.setOutputs([out])
        let (opt, report) = try Fusion.optimize(g)
        #expect(opt[out].inputs == [x])
        #expect(opt.activeCount == 2)
        #expect(Set(report.fusions.map(\.kind)) == [.doubleNegation, .doubleTranspose])
    }

    @Test func doubleNegationAtAnOutputIsKept() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let n2 = try g.neg(try g.neg(x))
        try g.setOutputs([n2])
        let (opt, _) = try Fusion.optimize(g)
        #expect(opt[n2].op == .neg)
        #expect(opt.outputs == [n2])
        try opt.validate()
    }
}
