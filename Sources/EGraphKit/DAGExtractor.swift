/// DAG-aware greedy extraction: picks one e-node per needed e-class so that the sum of
/// own costs over the needed classes, each counted once, is low.
///
/// It starts from the cheapest tree choice (see ``TreeExtractor``), or from the node
/// created first in each class (``Start/firstCreated``), and improves it: from
/// the roots down, it tries each other node of a needed class and keeps a switch only if
/// the exact change in DAG cost is negative, counting classes that become needed and
/// classes nothing needs any more. Ties keep the current choice, and the tree start breaks
/// ties by lower cost, then lower node id (the node created first), so the result is
/// deterministic. A producer still needed by another consumer therefore costs nothing
/// extra, which is what keeps a fusion from duplicating shared work.
///
/// It is greedy (a local optimum), not an exact DAG extraction, which is NP-hard.
///
/// ```swift
/// let extractor = try DAGExtractor(egraph, cost: ClosureCost { node in myCost(node) })
/// let result = try extractor.extract(roots: outputs)
/// for c in result.classes { … result.node(for: c) … }
/// ```
///
/// - Complexity: O((N + E) log N) for N e-nodes and E child edges, plus the local work of
///   each tried switch.
public struct DAGExtractor {
    /// Where the greedy improvement starts.
    public enum Start: Hashable, Sendable {
        /// The cheapest tree term of every class (ties: the node created first). Classes
        /// are visited in the order the tree solution settled them.
        case cheapestTree
        /// The node created first in every class: for an e-graph seeded with an input
        /// program, the program itself, whatever its tree costs. Classes are ranked by
        /// their first node's id (a node's children always have smaller ids, so this is a
        /// topological order). The first node of every needed class must have a finite
        /// cost.
        case firstCreated
    }

    let graph: ExtractionGraph
    let ownCost: [Double]
    let start: Start
    let startChoice: [UInt32]
    let rank: [UInt32]
    /// At most this many improvement passes over the needed classes.
    public var maxPasses = 4

    init(graph: ExtractionGraph, cost: some CostFunction, start: Start) throws(ExtractionError) {
        self.graph = graph
        self.ownCost = try graph.ownCosts(cost)
        self.start = start
        switch start {
        case .cheapestTree:
            let tree = TreeCostSolver(graph: graph, ownCost: ownCost)
            startChoice = tree.choice
            rank = tree.rank
        case .firstCreated:
            var first = graph.firstMembers()
            for c in first.indices where first[c] != ExtractionGraph.dead && !ownCost[Int(first[c])].isFinite {
                first[c] = ExtractionGraph.dead
            }
            startChoice = first
            rank = graph.firstMembers().map { $0 == ExtractionGraph.dead ? .max : $0 }
        }
    }

    /// Selects one node per class needed by `roots`.
    ///
    /// - Throws: ``ExtractionError/noFiniteTerm(_:)`` for a root with no finite term.
    public func extract(roots: [EClassID]) throws(ExtractionError) -> DAGExtraction {
        var canonicalRoots: [UInt32] = []
        for root in roots {
            let c = UInt32(graph.canonicalClass(of: root))
            guard startChoice[Int(c)] != ExtractionGraph.dead else { throw .noFiniteTerm(root) }
            canonicalRoots.append(c)
        }
        if start == .firstCreated {
            // Every class the start selection reaches needs a finite first node.
            var seen = [Bool](repeating: false, count: graph.classBound)
            var stack = canonicalRoots
            while let c = stack.popLast() {
                if seen[Int(c)] { continue }
                seen[Int(c)] = true
                let n = startChoice[Int(c)]
                guard n != ExtractionGraph.dead else { throw .noFiniteTerm(EClassID(c)) }
                for i in Int(graph.childStart[Int(n)])..<Int(graph.childStart[Int(n) + 1]) {
                    stack.append(graph.children[i])
                }
            }
        }
        let solver = DAGCostSolver(graph: graph, ownCost: ownCost, start: startChoice, rank: rank,
                                   roots: canonicalRoots, maxPasses: maxPasses)
        var needed: [UInt32] = []
        for c in 0..<graph.classBound where solver.references[c] > 0 { needed.append(UInt32(c)) }
        // Children rank below parents in the selection, so ascending rank is a
        // topological order (children first).
        needed.sort { rank[Int($0)] < rank[Int($1)] }
        return DAGExtraction(graph: graph, choice: solver.choice, needed: needed, roots: canonicalRoots,
                             totalCost: solver.totalCost, switches: solver.switches)
    }
}

/// The result of a ``DAGExtractor`` run.
public struct DAGExtraction {
    let graph: ExtractionGraph
    let choice: [UInt32]
    let needed: [UInt32]
    let isNeeded: [Bool]
    let rootClasses: [UInt32]
    /// The sum of own costs over the needed classes, each counted once.
    public let totalCost: Double
    /// How many choices the improvement passes changed from the tree start.
    public let switches: Int

    init(graph: ExtractionGraph, choice: [UInt32], needed: [UInt32], roots: [UInt32],
         totalCost: Double, switches: Int) {
        self.graph = graph
        self.choice = choice
        self.needed = needed
        var isNeeded = [Bool](repeating: false, count: graph.classBound)
        for c in needed { isNeeded[Int(c)] = true }
        self.isNeeded = isNeeded
        self.rootClasses = roots
        self.totalCost = totalCost
        self.switches = switches
    }

    /// The needed classes, children before parents.
    public var classes: [EClassID] { needed.map { EClassID($0) } }

    /// The chosen e-node of the class of `id`, or `nil` if the extraction does not need it.
    /// - Complexity: O(1).
    public func node(for id: EClassID) -> EClassID? {
        let c = graph.canonicalClass(of: id)
        return isNeeded[c] ? EClassID(choice[c]) : nil
    }

    /// The selection as one shared term, roots in the order asked.
    /// - Complexity: O(needed classes + their edges).
    public var term: ExtractedTerm { ExtractedTerm(graph: graph, choice: choice, roots: rootClasses) }
}
