import Testing
import TensorGraph
@testable import Fusion

/// The roofline and flat cost models.
@Suite struct CostModelTests {
    let device = DeviceProfile(peakFLOPS: 1e12, memoryBandwidth: 1e9, launchOverhead: 1e-6)

    @Test func leavesIdentityAndNopAreFree() {
        let t = TensorType.f32([64, 64])
        let model = CostModel.roofline(device)
        #expect(model.cost(of: .parameter(name: "w"), inputs: [], output: t) == 0)
        #expect(model.cost(of: .input(name: "x"), inputs: [], output: t) == 0)
        #expect(model.cost(of: .constant(.fill(0)), inputs: [], output: t) == 0)
        #expect(model.cost(of: .identity, inputs: [t], output: .f32([4096])) == 0)
        #expect(model.cost(of: .nop, inputs: [t], output: t) == 0)
    }

    @Test func elementwiseIsLaunchPlusBytes() {
        let t = TensorType.f32([1000])
        // 3 × 4000 bytes at 1 GB/s = 12 µs, plus 1 µs launch.
        #expect(abs(CostModel.roofline(device).cost(of: .add, inputs: [t, t], output: t) - 13) < 1e-9)
        // f16 halves the bytes; q4_0 counts 20-byte blocks of 32.
        let h = TensorType(.f16, [1000])
        #expect(abs(CostModel.roofline(device).cost(of: .add, inputs: [h, h], output: h) - 7) < 1e-9)
        let q = TensorType(.q4_0, [64])
        #expect(abs(CostModel.roofline(device).cost(of: .relu, inputs: [q], output: q) - 1.08) < 1e-9)
    }

    @Test func matmulIsComputeBoundWhenLarge() {
        let a = TensorType.f32([1024, 1024])
        // 2·1024³ FLOPs at 1 TFLOP/s = 2147 µs, far above 12.6 MB at 1 TB/s = 12.6 µs.
        let model = CostModel.roofline(DeviceProfile(peakFLOPS: 1e12, memoryBandwidth: 1e12, launchOverhead: 0))
        let cost = model.cost(of: .matMul, inputs: [a, a], output: a)
        #expect(abs(cost - 2 * 1024 * 1024 * 1024 / 1e12 * 1e6) < 1e-6)
    }

    @Test func flatModel() {
        let t = TensorType.f32([4, 4])
        #expect(CostModel.flat.cost(of: .parameter(name: "w"), inputs: [], output: t) == 0)
        #expect(CostModel.flat.cost(of: .fusedMatMulAdd, inputs: [t, t, t], output: t) == 9)
        #expect(CostModel.flat.cost(of: .winogradConv2d(WinogradGeometry(inChannels: 1, inH: 1, inW: 1, outChannels: 1,
                                                                         padding: 1)), inputs: [], output: t) == 9)
        #expect(CostModel.flat.cost(of: .matMul, inputs: [t, t], output: t) == 10)
        #expect(CostModel.flat.cost(of: .identity, inputs: [t], output: t) == 10)
    }

    @Test func singleUseFusionsAlwaysLowerTheRooflineCost() throws {
        for (m, k, n) in [(1, 1, 1), (8, 8, 8), (512, 4, 512), (32, 576, 1536)] {
            let a = TensorType.f32([m, k]), b = TensorType.f32([k, n]), o = TensorType.f32([m, n])
            let model = CostModel.roofline()
            let separate = model.cost(of: .matMul, inputs: [a, b], output: o) + model.cost(of: .add, inputs: [o, o], output: o)
            let fused = model.cost(of: .fusedMatMulAdd, inputs: [a, b, o], output: o)
            #expect(fused < separate)
        }
    }

    @Test func graphCostSumsLiveNodes() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 4])
        let y = try g.relu(x)
        let z = try g.relu(y)
        try g.setOutputs([z])
        #expect(CostModel.flat.cost(of: g) == 20)
        g.makeNop(y)
        #expect(CostModel.flat.cost(of: g) == 10)
    }
}

/// The report's costs, which the e-graph strategy sums from its per-e-node costs, are what
/// ``CostModel/cost(of:)-(Graph)`` gives for the input and the optimized graph; its live
/// node count, counted while rebuilding, is the optimized graph's.
@Suite struct ReportCostTests {
    @Test(arguments: FixtureCases.stages)
    func egraphReportCostsAreTheGraphCosts(_ stage: FixtureCases.Stage) throws {
        let input = try FixtureCases.graph(stage.inputFile)
        for model in [CostModel.roofline(), .flat] {
            let (optimized, report) = try Fusion.optimize(input, options: OptimizeOptions(mode: stage.mode, costModel: model))
            // Bit for bit: the same kernels summed in the same order.
            #expect(report.costBefore == model.cost(of: input), "\(model)")
            #expect(report.costAfter == model.cost(of: optimized), "\(model)")
            #expect(report.nodesAfter == optimized.activeCount)
        }
    }
}
