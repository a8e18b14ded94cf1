import Logging

/// How ``Fusion/optimize(_:options:)`` chooses fusions.
public enum OptimizationStrategy: String, Hashable, Sendable, CaseIterable {
    /// Equality saturation: the graph is encoded into an e-graph, every fusion rule is
    /// applied to saturation, and a DAG-aware extraction under the cost model picks the
    /// cheapest program. The default.
    case egraph
    /// The reference pattern passes of SPEC §3, run to a fixpoint, exactly as the
    /// original implementation did (node ids, `Nop`s, appended nodes, labels, order).
    case patterns
}

/// What the optimized graph is for: inference enables fusions that only pay off (or are
/// only valid) when no gradient flows through the graph.
public enum OptimizationMode: String, Hashable, Sendable, CaseIterable {
    /// Training: the fusions of passes A–D (and the opt-ins).
    case training
    /// Inference: also GroupNorm+Silu (pass E) and Winograd 3×3 convolutions (pass F).
    case inference
}

/// Fusions that are off by default because they lost time on real GPUs.
public struct OptInFusions: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public let rawValue: UInt8

    /// Creates a set from raw bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Pass G: `MatMul(RmsNorm(x, w), p)` → `FusedRmsNormMatMul`.
    public static let rmsNormMatMul = OptInFusions(rawValue: 1 << 0)
    /// Pass H: `CausalAttention(RoPE q, RoPE k, v)` → `CausalAttentionRoPE`.
    public static let ropeAttention = OptInFusions(rawValue: 1 << 1)
    /// Every opt-in fusion.
    public static let all: OptInFusions = [.rmsNormMatMul, .ropeAttention]
}

/// Limits for the equality-saturation run of the ``OptimizationStrategy/egraph`` strategy.
///
/// The fusion rules terminate on their own (every rule either shrinks a term or creates
/// a fused node no rule matches again), so the defaults are safety nets, not a size
/// fallback: the e-graph runs at every graph size.
public struct SaturationLimits: Hashable, Sendable {
    /// Most iterations (search all rules, apply, rebuild) before stopping.
    public var maxIterations: Int
    /// Most canonical e-nodes; exceeding it stops the run (the partial iteration is undone).
    public var maxNodes: Int
    /// Most wall-clock seconds for the run.
    public var timeLimit: Double

    /// Creates limits.
    public init(maxIterations: Int = 64, maxNodes: Int = 100_000_000, timeLimit: Double = 60) {
        self.maxIterations = maxIterations
        self.maxNodes = maxNodes
        self.timeLimit = timeLimit
    }
}

/// Everything ``Fusion/optimize(_:options:)`` can be told.
///
/// ```swift
/// var options = OptimizeOptions()
/// options.mode = .inference
/// options.optIns = [.rmsNormMatMul]
/// let (optimized, report) = try Fusion.optimize(graph, options: options)
/// ```
public struct OptimizeOptions: Sendable {
    /// E-graph (default) or the reference pattern passes.
    public var strategy: OptimizationStrategy
    /// Training (default) or inference.
    public var mode: OptimizationMode
    /// Opt-in fusions (none by default).
    public var optIns: OptInFusions
    /// The cost model that extraction minimises and the report prints.
    public var costModel: CostModel
    /// Saturation limits (``OptimizationStrategy/egraph`` only).
    public var limits: SaturationLimits
    /// Where progress and decisions are logged (at `debug` and `trace`). The default
    /// discards everything: a library never configures logging.
    public var logger: Logger

    /// Creates options; every argument has the documented default.
    public init(strategy: OptimizationStrategy = .egraph, mode: OptimizationMode = .training,
                optIns: OptInFusions = [], costModel: CostModel = .roofline(),
                limits: SaturationLimits = SaturationLimits(),
                logger: Logger = Logger(label: "swift-egraph-fusion.optimize",
                                        factory: { _ in SwiftLogNoOpLogHandler() }))
    {
        self.strategy = strategy
        self.mode = mode
        self.optIns = optIns
        self.costModel = costModel
        self.limits = limits
        self.logger = logger
    }
}
