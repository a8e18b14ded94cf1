/// Extracts the cheapest term of each e-class, counting a shared child as often as it is
/// used (tree cost): with ``ASTSize`` this is egglog's default extraction.
///
/// The extractor snapshots the e-graph's flat arrays once and computes the best node of
/// every class in one priority-queue sweep (Knuth's generalisation of Dijkstra's
/// algorithm): no repeated passes over all classes until a fixpoint.
///
/// Ties: among nodes of equal total cost, the one created first (lower node id) wins;
/// exactly so when every own cost is positive.
///
/// Cycles: a class whose every node depends on itself gets no finite cost, and extracting
/// it is ``ExtractionError/noFiniteTerm(_:)``.
///
/// ```swift
/// let extractor = try TreeExtractor(egraph, cost: ASTSize(operators: table))
/// let cost = extractor.cost(of: root)            // nil if no finite term
/// let term = try extractor.term(of: root)
/// ```
public struct TreeExtractor {
    let graph: ExtractionGraph
    let solver: TreeCostSolver

    init(graph: ExtractionGraph, cost: some CostFunction) throws(ExtractionError) {
        self.graph = graph
        self.solver = TreeCostSolver(graph: graph, ownCost: try graph.ownCosts(cost))
    }

    /// The best tree cost of the class of `id`, or `nil` when it has no finite term.
    ///
    /// Tree costs of shared DAGs grow exponentially; they saturate at
    /// `Double.greatestFiniteMagnitude` instead of overflowing.
    /// - Complexity: O(1).
    public func cost(of id: EClassID) -> Double? {
        let c = graph.canonicalClass(of: id)
        let best = solver.best[c]
        return best.isFinite ? best : nil
    }

    /// The chosen e-node of the class of `id` (its id), or `nil` when it has no finite term.
    /// - Complexity: O(1).
    public func bestNode(of id: EClassID) -> EClassID? {
        let node = solver.choice[graph.canonicalClass(of: id)]
        return node == ExtractionGraph.dead ? nil : EClassID(node)
    }

    /// The cheapest term of the class of `root`, with each class appearing once (shared
    /// subterms are shared in the result).
    ///
    /// - Throws: ``ExtractionError/noFiniteTerm(_:)`` when the class has no finite term.
    /// - Complexity: O(size of the term as a DAG).
    public func term(of root: EClassID) throws(ExtractionError) -> ExtractedTerm {
        let c = UInt32(graph.canonicalClass(of: root))
        guard solver.choice[Int(c)] != ExtractionGraph.dead else { throw .noFiniteTerm(root) }
        return ExtractedTerm(graph: graph, choice: solver.choice, roots: [c])
    }
}
