/// DAG-aware greedy selection: one node per needed class, where the cost of a selection is
/// the sum of the own costs of the classes it needs, each class counted once.
///
/// It starts from the cheapest tree choice of every class (``TreeCostSolver``), then
/// improves it greedily. It keeps, for every class, how many selected nodes (plus roots)
/// refer to it. Visiting the needed classes from the roots down (descending settle rank),
/// it tries each other node of the class and computes the exact change in total cost of
/// switching to it: the own-cost difference, plus the classes that become needed, minus
/// the classes nothing needs any more. A switch is kept only if it lowers the total
/// strictly; otherwise it is undone. Ties therefore keep the current choice, which comes
/// from the tree solution (lower cost, then lower node id). Passes repeat until one makes
/// no switch (at most `maxPasses`).
///
/// This is how sharing enters: a producer still needed by another consumer costs nothing
/// extra, so fusing it into one consumer is only chosen if the fused node is cheaper than
/// the unfused consumer alone.
///
/// Acyclicity: a node is a candidate for class `c` only if all its children settled
/// before `c` in the tree solution, so every selected node's children rank below it and
/// the selection is a DAG.
///
/// - Complexity: O((N + E) log N) for the tree start plus, per pass, O(N) and the size of
///   the parts of the selection that each tried switch adds or releases (local in
///   practice: a rewrite changes a few classes).
struct DAGCostSolver {
    /// The selected node per class; meaningful where `references[c] > 0`.
    var choice: [UInt32]
    /// How many selected nodes and roots refer to each class (0: not needed).
    var references: [UInt32]
    /// Sum of own costs over the needed classes.
    var totalCost: Double
    /// Switches made by the improvement passes.
    var switches: Int

    /// Solves for `roots`, which must all have a finite tree cost in `tree`.
    init(graph: ExtractionGraph, ownCost: [Double], tree: TreeCostSolver, roots: [UInt32],
         maxPasses: Int = 4) {
        self.init(graph: graph, ownCost: ownCost, start: tree.choice, rank: tree.rank, roots: roots,
                  maxPasses: maxPasses)
    }

    /// Solves for `roots` from the selection `start`, where every chosen node's children
    /// rank strictly below its class (so the selection is a DAG) and every class reachable
    /// from the roots has a choice.
    init(graph: ExtractionGraph, ownCost: [Double], start: [UInt32], rank: [UInt32], roots: [UInt32],
         maxPasses: Int = 4) {
        var state = State(graph: graph, ownCost: ownCost, choice: start)
        for root in roots { state.total += state.acquire(Int(root)) }
        state.log.removeAll(keepingCapacity: true)
        let members = graph.membersByClass()
        // Classes with a real alternative, in descending rank (roots first).
        var candidates: [UInt32] = []
        for c in 0..<graph.classBound where rank[c] != .max
            && members.start[c + 1] - members.start[c] > 1 {
            candidates.append(UInt32(c))
        }
        candidates.sort { rank[Int($0)] > rank[Int($1)] }
        var switches = 0
        var pass = 0
        while pass < maxPasses {
            pass += 1
            var switched = false
            for c32 in candidates {
                let c = Int(c32)
                guard state.references[c] > 0 else { continue }
                for m in Int(members.start[c])..<Int(members.start[c + 1]) {
                    let node = Int(members.nodes[m])
                    let current = Int(state.choice[c])
                    if node == current || !ownCost[node].isFinite { continue }
                    var admissible = true
                    for i in Int(graph.childStart[node])..<Int(graph.childStart[node + 1]) {
                        if rank[Int(graph.children[i])] >= rank[c] { admissible = false; break }
                    }
                    guard admissible else { continue }
                    if state.trySwitch(class: c, to: node) {
                        switches += 1
                        switched = true
                    }
                }
            }
            if !switched { break }
        }
        choice = state.choice
        references = state.references
        totalCost = state.total
        self.switches = switches
    }

    /// The mutable selection with reference counts and an undo log.
    private struct State {
        let graph: ExtractionGraph
        let ownCost: [Double]
        var choice: [UInt32]
        var references: [UInt32]
        var total: Double = 0
        /// Classes whose count changed during a trial, with the direction (+1 / -1).
        var log: [(class: UInt32, delta: Int8)] = []
        private var stack: [UInt32] = []

        init(graph: ExtractionGraph, ownCost: [Double], choice: [UInt32]) {
            self.graph = graph
            self.ownCost = ownCost
            self.choice = choice
            self.references = [UInt32](repeating: 0, count: graph.classBound)
        }

        /// Adds a reference to `c`; a class that becomes needed adds its node's cost and
        /// references its children. Returns the cost added.
        @discardableResult
        mutating func acquire(_ c: Int) -> Double {
            var added = 0.0
            stack.append(UInt32(c))
            while let top = stack.popLast() {
                let k = Int(top)
                references[k] += 1
                log.append((top, 1))
                guard references[k] == 1 else { continue }
                let n = Int(choice[k])
                added += ownCost[n]
                for i in Int(graph.childStart[n])..<Int(graph.childStart[n + 1]) {
                    stack.append(graph.children[i])
                }
            }
            return added
        }

        /// Drops a reference to `c`; a class nothing needs any more gives back its cost and
        /// releases its children. Returns the cost freed.
        mutating func release(_ c: Int) -> Double {
            var freed = 0.0
            stack.append(UInt32(c))
            while let top = stack.popLast() {
                let k = Int(top)
                references[k] -= 1
                log.append((top, -1))
                guard references[k] == 0 else { continue }
                let n = Int(choice[k])
                freed += ownCost[n]
                for i in Int(graph.childStart[n])..<Int(graph.childStart[n + 1]) {
                    stack.append(graph.children[i])
                }
            }
            return freed
        }

        /// Switches class `c` to `node` if that lowers the total cost; otherwise leaves
        /// everything as it was.
        mutating func trySwitch(class c: Int, to node: Int) -> Bool {
            let current = Int(choice[c])
            log.removeAll(keepingCapacity: true)
            var added = 0.0
            var freed = 0.0
            // Acquire first, so that classes both nodes share are never released and
            // re-acquired.
            for i in Int(graph.childStart[node])..<Int(graph.childStart[node + 1]) {
                added += acquire(Int(graph.children[i]))
            }
            for i in Int(graph.childStart[current])..<Int(graph.childStart[current + 1]) {
                freed += release(Int(graph.children[i]))
            }
            let delta = ownCost[node] - ownCost[current] + added - freed
            let scale = ownCost[node] + ownCost[current] + added + freed
            if delta < 0, -delta > scale * 1e-12 {
                choice[c] = UInt32(node)
                total += delta
                return true
            }
            for entry in log.reversed() {
                let k = Int(entry.class)
                if entry.delta > 0 { references[k] -= 1 } else { references[k] += 1 }
            }
            return false
        }
    }
}
