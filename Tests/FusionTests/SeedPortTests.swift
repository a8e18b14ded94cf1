import Logging
import EGraphKit
import Testing
import TensorGraph
@testable import Fusion

/// The original implementation's tests, ported. Each runs on both strategies where it
/// is about optimize's result; the egglog tests run the program on the native engine.
@Suite struct SeedPortTests {
    static let strategies: [OptimizationStrategy] = [.egraph, .patterns]

    /// Runs an egglog program on the package's own egglog front end.
    static func runEgglog(_ text: String) throws -> EgglogRunResult {
        let program = try EgglogProgram(parsing: text)
        return try EgglogInterpreter(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            .run(program) { _ in }
    }

    @Test(arguments: strategies)
    func noFusionCooperativeMatrix(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 784])
        let w = try g.parameter("w", shape: [784, 128])
        let mm = try g.matmul(x, w)
        let h = try g.relu(mm)
        try g.setOutputs([h])
        let (opt, _) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[opt.outputs[0]].op == .relu)
    }

    @Test(arguments: strategies)
    func optimizeReport(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 784])
        let w1 = try g.parameter("w1", shape: [784, 128])
        let h1 = try g.relu(try g.matmul(x, w1))
        let w2 = try g.parameter("w2", shape: [128, 10])
        let h2 = try g.relu(try g.matmul(h1, w2))
        try g.setOutputs([h2])
        let (_, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(report.fusions.isEmpty)
        #expect(report.description.contains("Optimization Report"))
    }

    @Test func egglogRoundtrip() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 10])
        let w = try g.parameter("w", shape: [10, 5])
        try g.setOutputs([try g.matmul(x, w)])
        let program = Fusion.dumpEgglogProgram(g)
        #expect(program.contains("(MatMul"))
        #expect(program.contains("(Input \"x\")"))
        _ = try Self.runEgglog(program)
    }

    @Test func egglogExtractReturnsFused() throws {
        let result = try Self.runEgglog("""
            (datatype Op
              (MatMul Op Op) (MatMulBT Op Op) (Add Op Op)
              (FusedMatMulAdd Op Op Op) (FusedMatMulBTAdd Op Op Op)
              (Input String) (Parameter String))
            (rewrite (Add (MatMul ?a ?b) ?d) (FusedMatMulAdd ?a ?b ?d))
            (rewrite (Add (MatMulBT ?a ?b) ?d) (FusedMatMulBTAdd ?a ?b ?d))
            (rewrite (Add ?x ?y) (Add ?y ?x))
            (let n0 (Input "x"))
            (let n1 (Parameter "w"))
            (let n2 (MatMul n0 n1))
            (let n3 (Input "bias"))
            (let n4 (Add n2 n3))
            (run 10)
            (extract n4)
            """)
        #expect(result.extracted.count == 1)
        #expect(result.extracted.first?.term.hasPrefix("(FusedMatMulAdd") == true)
    }

    @Test(arguments: strategies)
    func optimizePreservesGraph(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let a = try g.input("a", shape: [4, 8])
        let b = try g.input("b", shape: [4, 8])
        let neg = try g.neg(try g.add(a, b))
        try g.setOutputs([neg])
        let (opt, _) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt.count == g.count)
        #expect(opt[opt.outputs[0]].op == .neg)
    }

    @Test func dumpEgglogProgram() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let w = try g.parameter("w", shape: [8, 4])
        let y = try g.matmul(x, w)
        _ = try g.relu(y)
        try g.setOutputs([y])
        let program = Fusion.dumpEgglogProgram(g)
        #expect(program.contains("(datatype Op"))
        #expect(program.contains("(extract n2)"))
    }

    @Test func egglogAllOps() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let w = try g.parameter("w", shape: [8, 8])
        _ = try g.constant(data: [Float](repeating: 0, count: 32), shape: [4, 8])
        let mm = try g.matmul(x, w)
        _ = try g.add(mm, mm)
        _ = try g.mul(mm, mm)
        let b = try g.parameter("b", shape: [8])
        _ = try g.biasAdd(mm, b)
        _ = try g.relu(mm)
        _ = try g.sigmoid(mm)
        _ = try g.neg(mm)
        _ = try g.transpose(mm)
        _ = try g.softmax(mm)
        _ = try g.logSoftmax(mm)
        let sa = try g.sumAll(mm)
        _ = try g.meanAll(mm)
        _ = try g.greater(mm, mm)
        _ = try g.crossEntropyLoss(mm, mm)
        try g.setOutputs([sa])
        _ = try Self.runEgglog(Fusion.dumpEgglogProgram(g))
    }

    @Test(arguments: strategies)
    func matmulStaysAsMatmul(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [2, 1024])
        let w = try g.parameter("w", shape: [1024, 64])
        try g.setOutputs([try g.matmul(x, w)])
        let (opt, _) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[opt.outputs[0]].op == .matMul)
    }

    /// The original timed egglog on chains of 10…350 matmul+add pairs; here the e-graph
    /// strategy fuses every pair of such a chain at each size (timing belongs to the bench).
    @Test(arguments: [10, 50, 100, 200, 350])
    func chainScalability(_ n: Int) throws {
        var g = Graph()
        var x = try g.input("x", shape: [8, 8])
        let w = try g.parameter("w", shape: [8, 8])
        for i in 1..<n {
            let mm: NodeID
            switch i % 3 {
            case 0: mm = try g.matmulAT(x, w)
            case 1: mm = try g.matmulBT(x, w)
            default: mm = try g.matmul(x, w)
            }
            x = try g.add(mm, x)
        }
        try g.setOutputs([x])
        let (opt, report) = try Fusion.optimize(g)
        #expect(report.fusions.count == n - 1)
        #expect(opt.activeCount == g.count - (n - 1))
        #expect(report.stopReason == .saturated)
    }

    @Test(arguments: strategies)
    func discoversMatmulAddFusion(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let w = try g.parameter("w", shape: [8, 4])
        let b = try g.input("bias", shape: [4, 4])
        let out = try g.add(try g.matmul(x, w), b)
        try g.setOutputs([out])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[opt.outputs[0]].op == .fusedMatMulAdd)
        #expect(opt[opt.outputs[0]].inputs == [x, w, b])
        #expect(report.fusions == [AppliedFusion(.matMulAdd, at: out)])
    }

    @Test(arguments: strategies)
    func swiGLUConcatFusion(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let h = try g.input("h", shape: [50, 720])
        let wGate = try g.parameter("w_gate", shape: [720, 2048])
        let wUp = try g.parameter("w_up", shape: [720, 2048])
        let out = try g.swiGLU(try g.matmul(h, wGate), try g.matmul(h, wUp))
        try g.setOutputs([out])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        let node = opt[opt.outputs[0]]
        #expect(node.op == .swiGLUConcat)
        #expect(report.fusions.map(\.kind) == [.swiGLUConcat])
        let wide = opt[node.inputs[0]]
        #expect(wide.op == .matMul)
        #expect(wide.shape == [50, 4096])
        #expect(opt[wide.inputs[1]].op == .parameter(name: "w_gate+w_up"))
        #expect(opt[wide.inputs[1]].shape == [720, 4096])
        #expect(opt.derivedParams == [DerivedParam(name: "w_gate+w_up",
                                                   sources: [.init(name: "w_gate", cols: 2048), .init(name: "w_up", cols: 2048)],
                                                   rows: 720, transform: .horizontalConcat)])
    }

    @Test func egglogEncodesBackwardOps() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let w = try g.parameter("w", shape: [4, 8])
        let at = g.addRawNode(op: .matMulAT, inputs: [x, x], type: .f32([8, 8]))
        let bt = g.addRawNode(op: .matMulBT, inputs: [x, w], type: .f32([4, 4]))
        try g.setOutputs([at, bt])
        let program = Fusion.dumpEgglogProgram(g)
        #expect(program.contains("(MatMulAT n0 n0)"))
        #expect(program.contains("(MatMulBT n0 n1)"))
        _ = try Self.runEgglog(program)
    }

    @Test(arguments: strategies)
    func discoversBackwardBTAddFusion(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let grad = try g.input("grad", shape: [4, 8])
        let w = try g.parameter("w", shape: [4, 8])
        let prev = try g.input("prev_grad", shape: [4, 4])
        let bt = g.addRawNode(op: .matMulBT, inputs: [grad, w], type: .f32([4, 4]))
        let out = try g.add(bt, prev)
        try g.setOutputs([out])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[opt.outputs[0]].op == .fusedMatMulBTAdd)
        #expect(report.fusions.map(\.label) == ["MatMulBT+Add→FusedMatMulBTAdd"])
    }

    @Test(arguments: strategies)
    func siluFusion(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let out = try g.mul(x, try g.sigmoid(x))
        try g.setOutputs([out])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[out].op == .silu)
        #expect(opt[out].inputs == [x])
        #expect(report.fusions == [AppliedFusion(.silu, at: out)])
    }

    @Test(arguments: strategies)
    func swiGLUFromDecomposed(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let gate = try g.input("gate", shape: [4, 8])
        let up = try g.input("up", shape: [4, 8])
        let silu = try g.mul(gate, try g.sigmoid(gate))
        let out = try g.mul(silu, up)
        try g.setOutputs([out])
        let (opt, report) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt[out].op == .swiGLU)
        #expect(opt[out].inputs == [gate, up])
        #expect(opt.activeCount == 3)
        #expect(report.fusions.map(\.kind).contains(.swiGLU))
    }

    @Test(arguments: strategies)
    func poolOpsRoundtrip(_ strategy: OptimizationStrategy) throws {
        var g = Graph()
        let x = try g.input("x", shape: [1 * 64 * 8 * 8])
        let pool = try g.maxPool2d(x, MaxPool2dGeometry(channels: 64, inH: 8, inW: 8, kernelH: 2, kernelW: 2,
                                                        stride: 2, padding: 0))
        let gap = try g.globalAvgPool(pool, channels: 64, spatial: 16)
        try g.setOutputs([gap])
        let (opt, _) = try Fusion.optimize(g, options: OptimizeOptions(strategy: strategy))
        #expect(opt.nodes.contains { if case .maxPool2d = $0.op { true } else { false } })
        #expect(opt.nodes.contains { if case .globalAvgPool = $0.op { true } else { false } })
    }
}
