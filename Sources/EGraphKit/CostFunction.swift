/// An e-node as a cost function sees it: operator, payload and child classes, read
/// straight from the e-graph's flat arrays (no allocation per node).
public struct ENodeView {
    /// The node's id (its class at birth).
    public let id: EClassID
    /// The node's operator.
    public let op: OperatorID
    /// The node's payload (packed literals; see ``OperatorTable``).
    public let payload: UInt64
    private let children: UnsafeBufferPointer<UInt32>

    init(id: UInt32, op: UInt32, payload: UInt64, children: UnsafeBufferPointer<UInt32>) {
        self.id = EClassID(id)
        self.op = OperatorID(rawValue: op)
        self.payload = payload
        self.children = children
    }

    /// The number of child classes.
    public var childCount: Int { children.count }

    /// The canonical class of child `index`.
    /// - Complexity: O(1).
    public func child(_ index: Int) -> EClassID { EClassID(children[index]) }
}

/// The cost of one e-node on its own, not counting its children.
///
/// Extractors add children's costs: the tree extractor adds each child's best cost (a
/// shared child counts as often as it is used), the DAG extractor counts each needed class
/// once. Costs must be finite and non-negative; `.infinity` marks a node that must never
/// be chosen.
public protocol CostFunction {
    /// The node's own cost.
    func cost(of node: ENodeView) -> Double
}

/// egglog's default cost: every e-node costs 1, and so does every literal it carries, so
/// a term's cost is its AST size. `(Add (Num 1) (Var "x"))` costs 5.
public struct ASTSize: CostFunction {
    private let literalCounts: [Double]

    /// AST size for a language whose operators (and their literals) `operators` declares;
    /// without a table, literals are not counted and every node costs 1.
    public init(operators: OperatorTable? = nil) {
        literalCounts = operators?.operators.map { Double($0.literalKinds.count) } ?? []
    }

    /// 1 plus the node's literal count.
    public func cost(of node: ENodeView) -> Double {
        let op = Int(node.op.rawValue)
        return 1 + (op < literalCounts.count ? literalCounts[op] : 0)
    }
}

/// A cost function given as a closure.
public struct ClosureCost: CostFunction {
    private let body: (ENodeView) -> Double

    /// Wraps `body`, which returns a node's own cost.
    public init(_ body: @escaping (ENodeView) -> Double) { self.body = body }

    /// Calls the closure.
    public func cost(of node: ENodeView) -> Double { body(node) }
}
