import Testing
import TensorGraph
@testable import Fusion

/// SPEC §2: outputs survive and are never fused away, shared producers are not folded,
/// side effects and unused leaves stay, no Parameter appears in a graph with gradient
/// outputs — on both strategies.
@Suite struct OutputProtectionTests {
    static let strategies: [OptimizationStrategy] = [.egraph, .patterns]

    @Test(arguments: strategies)
    func outputMatmulIsNotFusedAway(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [16, 64])
        let w = try g.parameter("w", shape: [64, 64])
        let d = try g.input("d", shape: [16, 64])
        let mm = try g.matmul(x, w)
        let sum = try g.add(mm, d)
        try g.setOutputs([sum, mm])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt.outputs == [sum, mm])
        #expect(opt[mm].op == .matMul)
        #expect(opt[sum].op == .add)
        #expect(report.fusions.isEmpty)
    }

    @Test(arguments: strategies)
    func sharedMatmulIsNotFolded(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [16, 64])
        let w = try g.parameter("w", shape: [64, 64])
        let d = try g.input("d", shape: [16, 64])
        let mm = try g.matmul(x, w)
        let sum = try g.add(mm, d)
        let other = try g.relu(mm)
        try g.setOutputs([sum, other])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[sum].op == .add)
        #expect(opt[mm].op == .matMul)
        #expect(report.fusions.isEmpty)
    }

    /// A shared matmul with a small inner dimension is cheaper to recompute than to read
    /// under the roofline model; the extraction still refuses to fold it (SPEC §2.2).
    @Test func sharedOuterProductIsNotFolded() throws {
        var g = Graph()
        let x = try g.input("x", shape: [512, 4])
        let w = try g.parameter("w", shape: [4, 512])
        let d = try g.input("d", shape: [512, 512])
        let mm = try g.matmul(x, w)
        let sum = try g.add(mm, d)
        let other = try g.relu(mm)
        try g.setOutputs([sum, other])
        for model in [CostModel.roofline(), .flat] {
            let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(costModel: model))
            #expect(opt[sum].op == .add)
            #expect(report.fusions.isEmpty)
        }
    }

    @Test(arguments: strategies)
    func addOfOneMatmulTwiceIsNotFused(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [16, 64])
        let w = try g.parameter("w", shape: [64, 64])
        let mm = try g.matmul(x, w)
        let sum = try g.add(mm, mm)
        try g.setOutputs([sum])
        for model in [CostModel.roofline(), .flat] {
            let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy, costModel: model))
            #expect(opt[sum].op == .add)
            #expect(opt[sum].inputs == [mm, mm])
            #expect(opt[mm].op == .matMul)
            #expect(report.fusions.isEmpty)
        }
    }

    @Test(arguments: strategies)
    func mulOfOneSiluTwiceIsNotFused(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [16, 64])
        let s = try g.silu(x)
        let product = try g.mul(s, s)
        try g.setOutputs([product])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[product].op == .mul)
        #expect(opt[product].inputs == [s, s])
        #expect(opt[s].op == .silu)
        #expect(report.fusions.isEmpty)
    }

    @Test(arguments: strategies)
    func mulOfOneSigmoidTwiceIsNotFused(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [16, 64])
        let s = try g.sigmoid(x)
        let product = try g.mul(s, s)
        try g.setOutputs([product])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[product].op == .mul)
        #expect(report.fusions.isEmpty)
    }

    @Test(arguments: strategies)
    func sideEffectsAndUnusedLeavesStay(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let newKV = try g.input("new_kv", shape: [1, 32])
        let cache = try g.parameter("cache", shape: [16, 32])
        let pos = try g.input("pos", shape: [1], dtype: .u32)
        let write = try g.cacheWrite(newKV, cache, pos)
        let unused = try g.parameter("unused", shape: [4])
        let x = try g.input("x", shape: [2, 32])
        let y = try g.relu(x)
        try g.setOutputs([y])
        let (opt, _) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[write].op == .cacheWrite)
        #expect(opt[write].inputs == [newKV, cache, pos])
        #expect(opt[unused].op == .parameter(name: "unused"))
    }

    @Test(arguments: strategies)
    func noParameterInGraphsWithGradients(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let h = try g.input("h", shape: [8, 16])
        let wg = try g.parameter("wg", shape: [16, 32])
        let wu = try g.parameter("wu", shape: [16, 32])
        let out = try g.swiGLU(try g.matmul(h, wg), try g.matmul(h, wu))
        let gradG = try g.constant(fill: 0, shape: [1])
        let gradU = try g.constant(fill: 0, shape: [1])
        try g.setOutputs([out, gradG, gradU], paramGradOutputs: 2)
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(report.fusions.isEmpty)
        #expect(opt.count == g.count)
        #expect(opt.derivedParams.isEmpty)
    }

    @Test(arguments: strategies)
    func malformedGraphIsAnErrorNamingTheNode(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 2])
        let y = try g.relu(x)
        g.makeNop(x)
        try g.setOutputs([y])
        #expect(throws: FusionError.self) { try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy)) }
        do {
            _ = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        } catch {
            #expect(error.kind == .inputIsNop)
            #expect(error.node == y)
        }
        var h = Graph()
        let a = try h.input("a", shape: [2])
        let b = try h.relu(a)
        h.makeNop(b)
        try h.setOutputs([b])
        do {
            _ = try Fusion.optimize(h, options: OptimizeOptions(strategy: strategy))
            Issue.record("a Nop output must be rejected")
        } catch {
            #expect(error.kind == .outputIsNop)
            #expect(error.node == b)
        }
    }
}
