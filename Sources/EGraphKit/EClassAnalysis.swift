/// An e-class analysis: a value per e-class computed from its e-nodes, combined when
/// classes merge (egg's `Analysis`).
///
/// `make` gives the value of one e-node from the values of its child classes; `merge`
/// combines the values of two classes that became one (a join: commutative, associative,
/// idempotent, so that the order of unions does not matter). Values live in an
/// ``AnalysisData``, which a ``Runner`` keeps up to date: `make` for every new e-node
/// after an iteration's apply phase, and `merge` for every merge the core reports from
/// its unions and rebuild, in order.
///
/// Values do not propagate upward: when a class's value changes by a merge, its parents'
/// values are not recomputed.
public protocol EClassAnalysis {
    /// The value kept per e-class.
    associatedtype Value

    /// The value of an e-node, given its operator, payload and its children's values.
    func make(operator: OperatorID, payload: UInt64, children: [Value]) -> Value

    /// The value of the union of two classes with values `a` and `b`.
    func merge(_ a: Value, _ b: Value) -> Value
}
