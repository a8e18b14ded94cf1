import TensorGraph

/// A kind of rewrite the optimizer performs, with the label the report and the
/// reference fixtures use for it.
///
/// The first ten are the fusions of SPEC §3 (passes A–H); their labels are exact
/// strings. The last three are the algebraic simplifications of the seed's e-graph rules
/// (SPEC §4), which only the ``OptimizationStrategy/egraph`` strategy applies.
public enum FusionKind: Int, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Pass A: `Add(MatMul(a, b), d)` → `FusedMatMulAdd(a, b, d)`.
    case matMulAdd
    /// Pass A: `Add(MatMulAT(a, b), d)` → `FusedMatMulATAdd(a, b, d)`.
    case matMulATAdd
    /// Pass A: `Add(MatMulBT(a, b), d)` → `FusedMatMulBTAdd(a, b, d)`.
    case matMulBTAdd
    /// Pass B: `Mul(x, Sigmoid(x))` → `Silu(x)`.
    case silu
    /// Pass C: `Mul(Silu(g), u)` → `SwiGLU(g, u)`.
    case swiGLU
    /// Pass D: `SwiGLU(MatMul(h, Wg), MatMul(h, Wu))` → `SwiGLUConcat(MatMul(h, Wg+Wu))`.
    case swiGLUConcat
    /// Pass G (opt-in): `MatMul(RmsNorm(x, w), p)` → `FusedRmsNormMatMul(x, w, p)`.
    case rmsNormMatMul
    /// Pass H (opt-in): `CausalAttention(RoPE q, RoPE k, v)` → `CausalAttentionRoPE`.
    case ropeAttention
    /// Pass E (inference): `Silu(GroupNorm(x, w, b))` → `GroupNormSilu(x, w, b)`.
    case groupNormSilu
    /// Pass F (inference): a 3×3 stride-1 `Conv2d` → `WinogradConv2d`.
    case winograd
    /// `Neg(Neg(x))` → `x` (e-graph only).
    case doubleNegation
    /// `Transpose(Transpose(x))` → `x` (e-graph only).
    case doubleTranspose
    /// `Relu(Relu(x))` → `Relu(x)` (e-graph only).
    case reluIdempotence

    /// The exact label, e.g. `MatMul+Add→FusedMatMulAdd`.
    public var label: String {
        switch self {
        case .matMulAdd: "MatMul+Add→FusedMatMulAdd"
        case .matMulATAdd: "MatMulAT+Add→FusedMatMulATAdd"
        case .matMulBTAdd: "MatMulBT+Add→FusedMatMulBTAdd"
        case .silu: "Mul+Sigmoid→Silu"
        case .swiGLU: "Silu+Mul→SwiGLU"
        case .swiGLUConcat: "SwiGLU(MatMul,MatMul)→SwiGLUConcat(MatMul)"
        case .rmsNormMatMul: "RmsNorm+MatMul→FusedRmsNormMatMul"
        case .ropeAttention: "CausalAttn(RoPE,RoPE)→CausalAttnRoPE"
        case .groupNormSilu: "GroupNorm+Silu→GroupNormSilu"
        case .winograd: "Conv2d(3x3)→WinogradConv2d"
        case .doubleNegation: "Neg(Neg)→x"
        case .doubleTranspose: "Transpose(Transpose)→x"
        case .reluIdempotence: "Relu(Relu)→Relu"
        }
    }

    /// The kind with this exact label, if any.
    public init?(label: String) {
        guard let kind = Self.allCases.first(where: { $0.label == label }) else { return nil }
        self = kind
    }

    /// The label.
    public var description: String { label }

    /// The position of the kind's pass in a round of the reference passes: A (all three
    /// matmul kinds) 0, B 1, C 2, D 3, the opt-ins G 4 and H 5, the inference passes E 6
    /// and F 7; the e-graph's simplifications come after.
    public var pass: Int {
        switch self {
        case .matMulAdd, .matMulATAdd, .matMulBTAdd: 0
        default: rawValue - 2
        }
    }

    /// Orders kinds by ``pass``, then by declaration.
    public static func < (lhs: FusionKind, rhs: FusionKind) -> Bool {
        (lhs.pass, lhs.rawValue) < (rhs.pass, rhs.rawValue)
    }
}

/// One applied rewrite: its kind and the node that was rewritten (the consumer, whose id
/// the fused op takes).
public struct AppliedFusion: Hashable, Sendable, CustomStringConvertible {
    /// What was fused.
    public var kind: FusionKind
    /// The rewritten node, in the optimized graph's numbering.
    public var node: NodeID

    /// Creates a record.
    public init(_ kind: FusionKind, at node: NodeID) {
        self.kind = kind
        self.node = node
    }

    /// The label, as in the report.
    public var label: String { kind.label }

    /// `label @node<id>`, as in the report's `Fusions:` line.
    public var description: String { "\(kind.label) @node\(node)" }
}
