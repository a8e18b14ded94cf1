import Testing
@testable import EGraphKit

/// A hand-made snapshot: node `i` lives in class `classes[i]` with child classes
/// `children[i]`.
private func snapshot(classes: [UInt32], children: [[UInt32]]) -> ExtractionGraph {
    var start: [UInt32] = [0]
    var flat: [UInt32] = []
    for list in children {
        flat += list
        start.append(UInt32(flat.count))
    }
    let bound = Int((classes.max() ?? 0) + 1)
    return ExtractionGraph(nodeClass: classes, canonical: classes,
                           ops: [UInt32](repeating: 0, count: classes.count),
                           payloads: [UInt64](repeating: 0, count: classes.count),
                           childStart: start, children: flat, classBound: bound)
}

@Suite("Tree and DAG cost solvers on hand-made snapshots")
struct CostSolverTests {
    @Test("tree costs: each class takes its cheapest node; a parent adds its children's costs")
    func treeCosts() {
        // class 0: a; class 1: b; class 2: f(0, 1) | g(0); class 3: h(2, 2)
        let graph = snapshot(classes: [0, 1, 2, 2, 3], children: [[], [], [0, 1], [0], [2, 2]])
        let tree = TreeCostSolver(graph: graph, ownCost: [1, 1, 1, 1, 1])
        #expect(tree.best == [1, 1, 2, 5])
        #expect(tree.choice == [0, 1, 3, 4])
        // Children settle before their parents.
        #expect(tree.rank[0] < tree.rank[2] && tree.rank[2] < tree.rank[3])
    }

    @Test("a class whose only nodes are cyclic gets no finite cost; an exit breaks the cycle")
    func cycles() {
        // class 0: f(0) only; class 1: g(1) | a; class 2: h(0)
        let graph = snapshot(classes: [0, 1, 1, 2], children: [[0], [1], [], [0]])
        let tree = TreeCostSolver(graph: graph, ownCost: [1, 1, 1, 1])
        #expect(tree.best[0] == .infinity)
        #expect(tree.choice[0] == ExtractionGraph.dead)
        #expect(tree.best[1] == 1)
        #expect(tree.choice[1] == 2)
        #expect(tree.best[2] == .infinity)
    }

    @Test("ties go to the node created first, even when it becomes ready later")
    func ties() {
        // class 0: a (id 0); class 1: b (id 1); class 2: x(1) (id 2) | y(0) (id 3).
        // y is ready first (class 0 settles first), but x has the lower id.
        let graph = snapshot(classes: [0, 1, 2, 2], children: [[], [], [1], [0]])
        let tree = TreeCostSolver(graph: graph, ownCost: [1, 1, 1, 1])
        #expect(tree.best[2] == 2)
        #expect(tree.choice[2] == 2)
    }

    /// class 0 a, 1 b, 2 mm(a, b), 3 d, 4 add(2, 3) | fused(0, 1, 3), 5 other(2), 6 out(4, 5)
    private let fusionGraph = snapshot(
        classes: [0, 1, 2, 3, 4, 4, 5, 6],
        children: [[], [], [0, 1], [], [2, 3], [0, 1, 3], [2], [4, 5]])
    private let fusionCosts: [Double] = [0, 0, 10, 0, 3, 11, 1, 0]

    @Test("DAG: a producer still needed elsewhere is not fused away (each class counted once)")
    func sharedProducerStays() {
        let tree = TreeCostSolver(graph: fusionGraph, ownCost: fusionCosts)
        // As a tree, fused (11) beats add (3 + 10).
        #expect(tree.choice[4] == 5)
        let dag = DAGCostSolver(graph: fusionGraph, ownCost: fusionCosts, tree: tree, roots: [6])
        // As a DAG, mm is paid once for `other` anyway, so add costs 3 more and fused 11.
        #expect(dag.choice[4] == 4)
        #expect(dag.totalCost == 14)  // out 0 + add 3 + mm 10 + other 1 + leaves 0
        #expect(dag.references[2] == 2)
    }

    @Test("DAG: without the second consumer the fused node wins")
    func unsharedProducerFuses() {
        let tree = TreeCostSolver(graph: fusionGraph, ownCost: fusionCosts)
        let dag = DAGCostSolver(graph: fusionGraph, ownCost: fusionCosts, tree: tree, roots: [4])
        #expect(dag.choice[4] == 5)
        #expect(dag.totalCost == 11)
        #expect(dag.references[2] == 0)
        #expect(dag.switches == 0)
    }

    @Test("DAG: an equal-cost alternative never replaces the current choice")
    func dagTiesKeepCurrent() {
        // class 0 a; class 1: p(0) (id 1) | q(0) (id 2), same cost; root 2 = r(1)
        let graph = snapshot(classes: [0, 1, 1, 2], children: [[], [0], [0], [1]])
        let costs: [Double] = [1, 2, 2, 1]
        let tree = TreeCostSolver(graph: graph, ownCost: costs)
        let dag = DAGCostSolver(graph: graph, ownCost: costs, tree: tree, roots: [2])
        #expect(dag.choice[1] == 1)
        #expect(dag.switches == 0)
        #expect(dag.totalCost == 4)
    }
}
