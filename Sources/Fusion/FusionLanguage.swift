import EGraphKit
import TensorGraph

/// The e-graph language of tensor ops: one operator per op of the IR, and the interning
/// of each node's op parameters and output type into the e-node's payload.
///
/// An e-node's identity is `(operator, payload, children)`. The payload is the interned
/// id of the node's full op value (its parameters: eps, theta, head counts, conv
/// geometry, a `Parameter`'s or `Input`'s name) together with its output type (dtype and
/// shape), so two nodes are the same e-node only if they compute the same thing at the
/// same type. `Constant` and `CacheWrite` nodes are keyed by their node id instead: a
/// constant is its own value (as in the original encoding) and a side effect is never
/// merged with another.
///
/// Two operators have no op of their own: `ConcatWeight(wg, wu)` and
/// `WinogradWeight(w)` are derived-parameter e-nodes (a weight the runtime computes from
/// other weights); their payload is the `Parameter` they become.
final class FusionLanguage {
    /// One interned payload: plain integers (no copy of an op or a type, nothing to
    /// release). Its op is ``FusionLanguage/op(_:)``.
    struct Payload {
        /// Where the op is: an input node's index (the node the payload was interned
        /// from), or `-(k + 1)` for the `k`-th op made by a rule.
        var source: Int32
        /// The interned id of the output type (``FusionLanguage/types``).
        var typeID: UInt32
        /// The operator of a node with this payload (the one-input form for RoPE).
        var operatorID: UInt32
    }

    /// The operator table (patterns are compiled against it).
    let table: OperatorTable
    /// The interned payloads and types.
    private var interner = PayloadInterner()
    /// Interned payloads, indexed by payload.
    var payloads: [Payload] { interner.payloads }
    /// Interned output types, indexed by type id.
    var types: [TensorType] { interner.types }
    private let operatorIDs: [String: UInt32]

    /// The operator of a derived concatenated weight `ConcatWeight(wg, wu)`.
    var concatWeight: UInt32 { IDs.concatWeight }
    /// The operator of a derived Winograd weight `WinogradWeight(w)`.
    var winogradWeight: UInt32 { IDs.winogradWeight }
    /// The `Parameter` operator.
    var parameter: UInt32 { IDs.parameter }
    /// The `CacheWrite` operator.
    var cacheWrite: UInt32 { IDs.cacheWrite }
    /// The one-input and two-input RoPE operators.
    var rope: UInt32 { IDs.rope }
    var ropeOffset: UInt32 { IDs.ropeOffset }
    var ropeGrad: UInt32 { IDs.ropeGrad }
    var ropeGradOffset: UInt32 { IDs.ropeGradOffset }

    /// Declares every operator.
    ///
    /// - Complexity: O(1): the table is a copy of one built once per process.
    init() {
        table = Self.prototypeTable.copy()
        operatorIDs = Self.declaredIDs
    }

    /// The ids of the operators the optimizer names, looked up once per process (every
    /// language declares the same operators in the same order).
    enum IDs {
        static let concatWeight = id("ConcatWeight"), winogradWeight = id("WinogradWeight")
        static let parameter = id("Parameter"), input = id("Input"), constant = id("Constant")
        static let cacheWrite = id("CacheWrite")
        static let rope = id("RoPE"), ropeOffset = id("RoPE+offset")
        static let ropeGrad = id("RoPEGrad"), ropeGradOffset = id("RoPEGrad+offset")
        static let neg = id("Neg"), transpose = id("Transpose"), relu = id("Relu")

        private static func id(_ name: String) -> UInt32 { FusionLanguage.declaredIDs[name]! }
    }

    /// The table of every operator, built once; languages take copies of it. It is never
    /// changed after its initialisation (copying only reads it).
    nonisolated(unsafe) static let prototypeTable: OperatorTable = {
        let table = OperatorTable()
        for (index, declaration) in declarations.enumerated() {
            // Every operator carries one literal, the payload (an i64 holding the id).
            let id = try! table.declare(declaration.name, arguments: declaration.arguments)
            precondition(Int(id.rawValue) == index, "operator ids follow the declaration order")
        }
        return table
    }()

    /// Every operator's name and arguments (the payload literal, then its children), in
    /// id order.
    private static let declarations: [(name: String, arguments: [ArgumentKind])] = {
        var names = opNames
        names.append(contentsOf: ["RoPE+offset", "RoPEGrad+offset", "ConcatWeight", "WinogradWeight"])
        return names.map { name in
            (name, [ArgumentKind.literal(.int)] + Array(repeating: ArgumentKind.child, count: arity(ofOperatorNamed: name)))
        }
    }()

    /// The operator id of each name (its index in ``declarations``).
    static let declaredIDs: [String: UInt32] = {
        var ids: [String: UInt32] = [:]
        for (index, declaration) in declarations.enumerated() { ids[declaration.name] = UInt32(index) }
        return ids
    }()

    /// The operator id named `name`.
    func operatorID(_ name: String) -> UInt32 { operatorIDs[name]! }

    /// Runs `body` on the interning tables (the encoder's fast path: one exclusive access
    /// for a whole graph instead of one per node).
    func withInterner<R>(_ body: (inout PayloadInterner) throws -> R) rethrows -> R {
        try body(&interner)
    }

    /// The operator of a node with `op` and `inputCount` inputs.
    func operatorID(for op: Op, inputCount: Int) -> UInt32 {
        let id = PayloadInterner.key(op).operator
        if inputCount == 2 {
            if id == rope { return ropeOffset }
            if id == ropeGrad { return ropeGradOffset }
        }
        return id
    }

    /// Makes room for about `count` payloads.
    func reserveCapacity(_ count: Int) {
        interner.reserveCapacity(count)
    }

    /// The interned id of a type.
    ///
    /// - Complexity: O(rank) expected.
    func typeID(_ type: TensorType) -> UInt32 {
        interner.typeID(type)
    }

    /// The payload of `op` at `type` (the same id for the same op value and type; a new id
    /// every time for `Constant` and `CacheWrite`).
    ///
    /// - Complexity: O(size of op and type) expected.
    func payload(_ op: Op, _ type: TensorType) -> UInt64 {
        interner.payload(op, type)
    }

    /// Whether `op` is keyed by node id rather than by value.
    static func isUnique(_ op: Op) -> Bool {
        switch op {
        case .constant, .cacheWrite: true
        default: false
        }
    }

    /// The payload entry of `payload`.
    @inline(__always)
    subscript(payload: UInt64) -> Payload { interner.payloads[Int(payload)] }

    /// The op of `payload`.
    func op(_ payload: UInt64) -> Op { interner.op(Int(payload)) }

    /// The output type of `payload`.
    func type(_ payload: UInt64) -> TensorType { interner.types[Int(interner.payloads[Int(payload)].typeID)] }

    /// Runs `body` with the ops of the payloads: `ops(payload)` reads an op in place.
    func withOps<R>(_ body: ((Int) -> Op) throws -> R) rethrows -> R {
        try interner.withOps(body)
    }

    /// The number of children of each operator.
    private static func arity(ofOperatorNamed name: String) -> Int {
        switch name {
        case "RoPE+offset", "RoPEGrad+offset", "ConcatWeight": 2
        case "WinogradWeight": 1
        case "RoPE", "RoPEGrad": 1
        default: opArity[name] ?? 0
        }
    }

    /// Every op name of the IR but `Nop`, with its input count.
    private static let opArity: [String: Int] = {
        var result: [String: Int] = [:]
        for (name, arity) in opTable { result[name] = arity }
        return result
    }()

    /// Op names in a fixed order (operator ids follow it).
    private static let opNames: [String] = opTable.map(\.0)

    private static let opTable: [(String, Int)] = [
        ("Parameter", 0), ("Input", 0), ("Constant", 0),
        ("MatMul", 2), ("MatMulAT", 2), ("MatMulBT", 2),
        ("FusedMatMulAdd", 3), ("FusedMatMulATAdd", 3), ("FusedMatMulBTAdd", 3), ("FusedRmsNormMatMul", 3),
        ("Add", 2), ("Mul", 2), ("Greater", 2), ("BiasAdd", 2),
        ("Relu", 1), ("Sigmoid", 1), ("Tanh", 1), ("Neg", 1), ("Abs", 1), ("Log", 1), ("Recip", 1),
        ("Silu", 1), ("Gelu", 1), ("Identity", 1), ("StopGradient", 1), ("SwiGLU", 2), ("SwiGLUConcat", 1),
        ("SumAll", 1), ("MeanAll", 1), ("SumRows", 1), ("Softmax", 1), ("LogSoftmax", 1),
        ("CrossEntropyLoss", 2), ("BceLoss", 2), ("Transpose", 1),
        ("RmsNorm", 2), ("RmsNormGradW", 3), ("RmsNormGradX", 3),
        ("LayerNorm", 3), ("LayerNormGradWB", 3), ("LayerNormGradX", 3),
        ("Embedding", 2), ("ScatterAdd", 2), ("RoPE", 1), ("RoPEGrad", 1),
        ("CausalAttention", 3), ("FullAttention", 3), ("SlidingWindowAttention", 3),
        ("CausalAttentionRoPE", 3), ("CrossAttention", 3), ("MultiHeadAttn", 3),
        ("MultiHeadAttnGradQ", 4), ("MultiHeadAttnGradK", 4), ("MultiHeadAttnGradV", 4),
        ("CacheWrite", 3), ("CachedAttention", 4),
        ("SwiGLUGradGate", 3), ("SwiGLUGradUp", 2), ("SiluGrad", 2), ("SwiGLUConcatGrad", 2),
        ("Conv2d", 2), ("Conv2dGradInput", 2), ("Conv2dGradWeight", 2), ("WinogradConv2d", 3),
        ("MaxPool2d", 1), ("GlobalAvgPool", 1), ("GlobalAvgPoolGrad", 1),
        ("GroupNorm", 3), ("GroupNormSilu", 3), ("GroupNormGradInput", 3), ("GroupNormGradWeightBias", 2),
        ("Concat", 2), ("SplitA", 1), ("SplitB", 1), ("Upsample2x", 1), ("Upsample2xGrad", 1),
    ]
}
