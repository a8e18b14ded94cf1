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
        kernelCost(KernelClass.of(op), output: TypeFacts(output), inputCount: inputs.count) { TypeFacts(inputs[$0]) }
    }

    /// The total cost of a graph's live nodes.
    ///
    /// - Complexity: O(n + total inputs).
    public func cost(of graph: Graph) -> Double {
        // Nodes are read in place (no copy of each node and its arrays), in id order.
        graph.nodes.withUnsafeBufferPointer { nodes in
            var total = 0.0
            for index in nodes.indices where !nodes[index].isNop {
                let kernel = KernelClass.of(nodes[index].op)
                if kernel.isFree(self) { continue }
                nodes[index].inputs.withUnsafeBufferPointer { inputs in
                    total += kernelCost(kernel, output: TypeFacts(nodes[index].type), inputCount: inputs.count) {
                        TypeFacts(nodes[inputs[$0].index].type)
                    }
                }
            }
            return total
        }
    }

    /// The cost of one kernel, reading the facts of input slot `i` through `input(i)`
    /// (no allocation). Every cost the model gives is computed here, so the same kernel
    /// and types give the same bits whichever way they were found.
    @inline(__always)
    func kernelCost(_ kernel: KernelClass, output: TypeFacts, inputCount: Int,
                    input: (Int) -> TypeFacts) -> Double
    {
        switch self {
        case .flat:
            return kernel.flatCost
        case .roofline(let device):
            return Self.rooflineCost(kernel, output: output, inputCount: inputCount, input: input, device: device)
        }
    }

    /// Whether a kernel of this class costs nothing under this model.
    static func isFusedKernel(_ op: Op) -> Bool {
        switch op {
        case .fusedMatMulAdd, .fusedMatMulATAdd, .fusedMatMulBTAdd, .fusedRmsNormMatMul,
             .swiGLUConcat, .groupNormSilu, .winogradConv2d, .causalAttentionRoPE:
            true
        default:
            false
        }
    }

    /// The flat model's cost of `op`.
    static func flatCost(_ op: Op) -> Double {
        if op.isLeaf || op.isNop { return 0 }
        return isFusedKernel(op) ? 9 : 10
    }

    /// The roofline: `launch + max(FLOPs / peak, bytes / bandwidth)`, in microseconds.
    @inline(__always)
    static func rooflineCost(_ kernel: KernelClass, output: TypeFacts, inputCount: Int,
                             input: (Int) -> TypeFacts, device: DeviceProfile) -> Double
    {
        var bytes = output.bytes
        var flops = 0.0
        let rows = output.dim0, cols = output.dim1
        switch kernel.kind {
        case .free:
            return 0
        case .memory:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
        case .matMul:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            flops = 2 * rows * cols * input(0).dim1
        case .matMulAT:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            flops = 2 * rows * cols * input(0).dim0
        case .rmsNormMatMul:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            let k = input(0).dim1
            flops = 2 * rows * cols * k + 4 * rows * k
        case .embedding:
            // A lookup reads the selected rows of the table, not the whole table.
            bytes += input(0).bytes
            bytes += output.bytes
        case .cacheWrite:
            // Writes one row in place: reads the new row and the position.
            bytes = input(0).bytes * 2
            if inputCount > 2 { bytes += input(2).bytes }
        case .attention:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            flops = kernel.factor * rows * input(1).dim0 * kernel.heads
        case .slidingWindowAttention:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            flops = 4 * rows * min(input(1).dim0, kernel.extra) * kernel.heads
        case .attentionGrad:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            flops = 8 * input(1).dim0 * input(2).dim0 * kernel.heads
        case .cachedAttention:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            flops = 4 * input(1).dim0 * kernel.heads
        case .conv:
            for slot in 0..<inputCount { bytes += input(slot).bytes }
            flops = 2 * kernel.batch(input(0)) * kernel.heads * kernel.extra
        case .winograd:
            // Reads the input and the transformed weight; the original weight rides along
            // for the backward pass only. F(2×2, 3×3) needs 2.25× fewer multiplications.
            bytes += input(0).bytes
            if inputCount > 1 { bytes += input(1).bytes }
            flops = 2 * kernel.batch(input(0)) * kernel.heads * kernel.extra / 2.25
        }
        let seconds = device.launchOverhead
            + max(flops / device.peakFLOPS, bytes / device.memoryBandwidth)
        return seconds * 1e6
    }
}

/// What the cost model reads of a tensor type, computed once per type.
struct TypeFacts {
    /// The storage size in bytes.
    var bytes: Double
    /// The first dimension (1 if none).
    var dim0: Double
    /// The second dimension (1 if none).
    var dim1: Double
    /// The number of elements.
    var elements: Int

    /// The facts of `type`.
    ///
    /// - Complexity: O(rank).
    @inline(__always)
    init(_ type: TensorType) {
        let shape = type.shape
        var count = 1
        for d in shape { count *= d }
        elements = count
        bytes = Double(TensorType.byteSize(type.dtype, elements: count))
        dim0 = shape.isEmpty ? 1 : Double(shape[0])
        dim1 = shape.count > 1 ? Double(shape[1]) : 1
    }
}

/// The op-dependent part of a kernel's cost: what the roofline computes for it and the
/// op's parameters it needs, and the flat model's cost. Computed once per op value.
struct KernelClass {
    /// How the roofline counts bytes and FLOPs.
    enum Kind: UInt8 {
        /// Leaves, `Identity`, `Nop`: no kernel.
        case free
        /// Reads every input, writes the output, no FLOPs counted.
        case memory
        /// `2·rows·cols·A[0,1]` FLOPs.
        case matMul
        /// `2·rows·cols·A[0,0]` FLOPs.
        case matMulAT
        /// A matmul plus `4·rows·K` for the norm.
        case rmsNormMatMul
        /// Reads the index tensor and writes (reads) the selected rows.
        case embedding
        /// Reads the new row twice over, and the position.
        case cacheWrite
        /// `factor·rows·keys·heads` FLOPs.
        case attention
        /// `4·rows·min(keys, window)·heads` FLOPs.
        case slidingWindowAttention
        /// `8·queries·keys·heads` FLOPs.
        case attentionGrad
        /// `4·keys·heads` FLOPs.
        case cachedAttention
        /// `2·batch·outputs·taps` FLOPs.
        case conv
        /// A convolution with 2.25× fewer multiplications, reading two inputs.
        case winograd
    }

    /// The roofline's treatment.
    var kind: Kind
    /// The flat model's cost (leaves and `Nop` 0, fused ops 9, other ops 10).
    var flatCost: Double
    /// `2` or `4` for attention.
    var factor: Double = 0
    /// Heads × head width for attention; output elements per sample for convolutions.
    var heads: Double = 0
    /// The window of sliding-window attention; multiply-adds per output for convolutions.
    var extra: Double = 0
    /// The elements per sample of a convolution's first input (0: batch 1).
    var perSample: Int = 0

    /// A free kernel under both models (a leaf).
    static let leaf = KernelClass(kind: .free, flatCost: 0)

    private init(kind: Kind, flatCost: Double) {
        self.kind = kind
        self.flatCost = flatCost
    }

    /// The class of `op` (a function, so that `op` is borrowed, not copied).
    ///
    /// - Complexity: O(1).
    static func of(_ op: Op) -> KernelClass {
        switch op {
        case .parameter, .input, .constant, .nop: return leaf
        default: break
        }
        var k = KernelClass(kind: .memory, flatCost: CostModel.isFusedKernel(op) ? 9 : 10)
        func heads(_ h: AttentionHeads) -> Double { Double(h.numHeads * h.headDim) }
        switch op {
        case .identity:
            k.kind = .free
        case .matMul, .matMulBT, .fusedMatMulAdd, .fusedMatMulBTAdd:
            k.kind = .matMul
        case .matMulAT, .fusedMatMulATAdd:
            k.kind = .matMulAT
        case .fusedRmsNormMatMul:
            k.kind = .rmsNormMatMul
        case .embedding:
            k.kind = .embedding
        case .cacheWrite:
            k.kind = .cacheWrite
        case .causalAttention(let h), .causalAttentionRoPE(let h, _):
            k.kind = .attention
            k.factor = 2
            k.heads = heads(h)
        case .fullAttention(let h), .crossAttention(let h), .multiHeadAttn(let h, _):
            k.kind = .attention
            k.factor = 4
            k.heads = heads(h)
        case .slidingWindowAttention(let h, let window):
            k.kind = .slidingWindowAttention
            k.heads = heads(h)
            k.extra = Double(window)
        case .multiHeadAttnGradQ(_, let h, _), .multiHeadAttnGradK(_, let h, _),
             .multiHeadAttnGradV(_, let h, _):
            k.kind = .attentionGrad
            k.heads = heads(h)
        case .cachedAttention(let h):
            k.kind = .cachedAttention
            k.heads = heads(h)
        case .conv2d(let g):
            k.kind = .conv
            k.perSample = g.inChannels * g.inH * g.inW
            k.heads = Double(g.outChannels * g.outH * g.outW)
            k.extra = Double(g.inChannels * g.kernelH * g.kernelW)
        case .conv2dGradInput(let g), .conv2dGradWeight(let g):
            k.kind = .conv
            k.perSample = g.outChannels * g.outH * g.outW
            k.heads = Double(g.outChannels * g.outH * g.outW)
            k.extra = Double(g.inChannels * g.kernelH * g.kernelW)
        case .winogradConv2d(let w):
            k.kind = .winograd
            let g = w.conv2d
            k.perSample = g.inChannels * g.inH * g.inW
            k.heads = Double(g.outChannels * g.outH * g.outW)
            k.extra = Double(g.inChannels * 9)
        default:
            break
        }
        return k
    }

    /// Whether the kernel costs nothing under `model`.
    @inline(__always)
    func isFree(_ model: CostModel) -> Bool {
        if case .flat = model { return flatCost == 0 }
        return kind == .free
    }

    /// The batch size of a convolution, from the flat tensor it reads first.
    @inline(__always)
    func batch(_ first: TypeFacts) -> Double {
        perSample > 0 ? max(1, Double(first.elements / perSample)) : 1
    }
}
