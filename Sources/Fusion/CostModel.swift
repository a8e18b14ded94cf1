import TensorGraph

/// The device numbers of the roofline cost model.
///
/// The defaults describe a mid-range GPU (about 20 TFLOP/s of f32 arithmetic, 450 GB/s of
/// memory bandwidth, 4 µs to launch a kernel).
public struct DeviceProfile: Hashable, Sendable {
    /// Arithmetic throughput in floating-point operations per second.
    public var peakFLOPS: Double
    /// Memory bandwidth in bytes per second.
    public var memoryBandwidth: Double
    /// Fixed cost of launching one kernel, in seconds.
    public var launchOverhead: Double

    /// Creates a profile; the defaults are a mid-range GPU.
    public init(peakFLOPS: Double = 20e12, memoryBandwidth: Double = 450e9,
                launchOverhead: Double = 4e-6)
    {
        self.peakFLOPS = peakFLOPS
        self.memoryBandwidth = memoryBandwidth
        self.launchOverhead = launchOverhead
    }
}

/// The estimated cost of running a graph: the sum over its kernels (live, non-leaf nodes).
///
/// - ``roofline(_:)``: per kernel, in microseconds, `launch + max(FLOPs / peak,
///   bytes / bandwidth)`, where bytes are the inputs read plus the output written at each
///   dtype's storage size (q4_0 and q8_0 by blocks), and FLOPs are counted for matrix
///   products, convolutions and attention (other kernels are memory-bound). Leaves,
///   `Identity` (a reshape) and `Nop` are free.
/// - ``flat``: the original implementation's model: leaves 0, fused ops 9, every other
///   op 10.
///
/// Extraction minimises the total over the kernels it selects, counting a shared node
/// once, so a fusion that would compute a shared producer a second time must pay for it.
///
/// The roofline model has that property for the matrix-product fusions at any realistic
/// shape: a fused kernel that recomputes a shared product pays its FLOPs again. The flat
/// model cannot see sizes, so it prefers a fused kernel (9) over an unfused consumer (10)
/// even when the producer stays: use it to reproduce the original ranking, not to decide
/// about shared producers.
public enum CostModel: Hashable, Sendable {
    /// The roofline estimate on the given device.
    case roofline(DeviceProfile = DeviceProfile())
    /// Leaves 0, fused ops 9, every other op 10.
    case flat

    /// The cost of one node with op `op`, input types `inputs` and output type `output`.
    ///
    /// - Complexity: O(inputs + rank).
    public func cost(of op: Op, inputs: [TensorType], output: TensorType) -> Double {
        kernelCost(op, output: output, inputCount: inputs.count) { inputs[$0] }
    }

    /// The total cost of a graph's live nodes.
    ///
    /// - Complexity: O(n + total inputs).
    public func cost(of graph: Graph) -> Double {
        // Nodes are read in place (no copy of each node and its arrays), in id order.
        graph.nodes.withUnsafeBufferPointer { nodes in
            var total = 0.0
            for index in nodes.indices where !nodes[index].isNop {
                nodes[index].inputs.withUnsafeBufferPointer { inputs in
                    total += kernelCost(nodes[index].op, output: nodes[index].type, inputCount: inputs.count) {
                        nodes[inputs[$0].index].type
                    }
                }
            }
            return total
        }
    }

    /// The cost of one node, reading input types through `inputType` (no allocation).
    @inlinable
    func kernelCost(_ op: Op, output: TensorType, inputCount: Int,
                    inputType: (Int) -> TensorType) -> Double
    {
        switch self {
        case .flat:
            return Self.flatCost(op)
        case .roofline(let device):
            return Self.rooflineCost(op, output: output, inputCount: inputCount,
                                     inputType: inputType, device: device)
        }
    }

    /// Whether the flat model counts `op` as a fused kernel (cost 9).
    static func isFusedKernel(_ op: Op) -> Bool {
        switch op {
        case .fusedMatMulAdd, .fusedMatMulATAdd, .fusedMatMulBTAdd, .fusedRmsNormMatMul,
             .swiGLUConcat, .groupNormSilu, .winogradConv2d, .causalAttentionRoPE:
            true
        default:
            false
        }
    }

    @usableFromInline
    static func flatCost(_ op: Op) -> Double {
        if op.isLeaf || op.isNop { return 0 }
        return isFusedKernel(op) ? 9 : 10
    }

    @usableFromInline
    static func rooflineCost(_ op: Op, output: TensorType, inputCount: Int,
                             inputType: (Int) -> TensorType, device: DeviceProfile) -> Double
    {
        switch op {
        case .parameter, .input, .constant, .identity, .nop:
            return 0
        default:
            break
        }
        var bytes = Double(output.byteSize)
        var flops = 0.0
        func read(_ slot: Int) { bytes += Double(inputType(slot).byteSize) }
        func dim(_ slot: Int, _ axis: Int) -> Double {
            let shape = inputType(slot).shape
            return axis < shape.count ? Double(shape[axis]) : 1
        }
        let rows = Double(output.shape.first ?? 1)
        let cols = Double(output.shape.count > 1 ? output.shape[1] : 1)
        switch op {
        case .matMul, .matMulBT, .fusedMatMulAdd, .fusedMatMulBTAdd:
            for slot in 0..<inputCount { read(slot) }
            flops = 2 * rows * cols * dim(0, 1)
        case .matMulAT, .fusedMatMulATAdd:
            for slot in 0..<inputCount { read(slot) }
            flops = 2 * rows * cols * dim(0, 0)
        case .fusedRmsNormMatMul:
            for slot in 0..<inputCount { read(slot) }
            flops = 2 * rows * cols * dim(0, 1) + 4 * rows * dim(0, 1)
        case .embedding:
            // A lookup reads the selected rows of the table, not the whole table.
            read(0)
            bytes += Double(output.byteSize)
        case .cacheWrite:
            // Writes one row in place: reads the new row and the position.
            bytes = Double(inputType(0).byteSize) * 2
            if inputCount > 2 { read(2) }
        case .causalAttention(let h), .causalAttentionRoPE(let h, _):
            for slot in 0..<inputCount { read(slot) }
            flops = 2 * rows * dim(1, 0) * Double(h.numHeads * h.headDim)
        case .fullAttention(let h), .crossAttention(let h), .multiHeadAttn(let h, _):
            for slot in 0..<inputCount { read(slot) }
            flops = 4 * rows * dim(1, 0) * Double(h.numHeads * h.headDim)
        case .slidingWindowAttention(let h, let window):
            for slot in 0..<inputCount { read(slot) }
            flops = 4 * rows * min(dim(1, 0), Double(window)) * Double(h.numHeads * h.headDim)
        case .multiHeadAttnGradQ(_, let h, _), .multiHeadAttnGradK(_, let h, _),
             .multiHeadAttnGradV(_, let h, _):
            for slot in 0..<inputCount { read(slot) }
            flops = 8 * dim(1, 0) * dim(2, 0) * Double(h.numHeads * h.headDim)
        case .cachedAttention(let h):
            for slot in 0..<inputCount { read(slot) }
            flops = 4 * dim(1, 0) * Double(h.numHeads * h.headDim)
        case .conv2d(let g), .conv2dGradInput(let g), .conv2dGradWeight(let g):
            for slot in 0..<inputCount { read(slot) }
            flops = 2 * convBatch(g, inputType(0), op: op) * Double(g.outChannels * g.outH * g.outW)
                * Double(g.inChannels * g.kernelH * g.kernelW)
        case .winogradConv2d(let w):
            // Reads the input and the transformed weight; the original weight rides along
            // for the backward pass only. F(2×2, 3×3) needs 2.25× fewer multiplications.
            read(0)
            if inputCount > 1 { read(1) }
            let g = w.conv2d
            flops = 2 * convBatch(g, inputType(0), op: .conv2d(g))
                * Double(g.outChannels * g.outH * g.outW) * Double(g.inChannels * 9) / 2.25
        default:
            for slot in 0..<inputCount { read(slot) }
        }
        let seconds = device.launchOverhead
            + max(flops / device.peakFLOPS, bytes / device.memoryBandwidth)
        return seconds * 1e6
    }

    /// The batch size of a convolution, from the flat tensor it reads first.
    private static func convBatch(_ g: Conv2dGeometry, _ first: TensorType, op: Op) -> Double {
        let perSample: Int
        switch op {
        case .conv2dGradInput: perSample = g.outChannels * g.outH * g.outW
        case .conv2dGradWeight: perSample = g.outChannels * g.outH * g.outW
        default: perSample = g.inChannels * g.inH * g.inW
        }
        return perSample > 0 ? max(1, Double(first.elementCount / perSample)) : 1
    }
}
