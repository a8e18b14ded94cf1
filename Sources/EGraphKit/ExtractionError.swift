/// Why an extraction failed.
public enum ExtractionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class has no finite term: every node in it depends on a cycle (or costs
    /// `.infinity`).
    case noFiniteTerm(EClassID)
    /// The cost function returned a negative or NaN cost for this node.
    case invalidCost(node: EClassID, cost: Double)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .noFiniteTerm(let c):
            return "e-class \(c.rawValue) has no finite term (every node in it is on a cycle)"
        case .invalidCost(let n, let cost):
            return "cost function gave e-node \(n.rawValue) the invalid cost \(cost)"
        }
    }
}
