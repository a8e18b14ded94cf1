/// The cheapest tree term of every e-class, for additive costs (a node's cost is its own
/// cost plus its children's), found in one sweep with a priority queue.
///
/// This is Knuth's generalisation of Dijkstra's algorithm to grammar problems
/// (D. E. Knuth, "A generalization of Dijkstra's algorithm", IPL 6(1), 1977): a node
/// becomes ready once every child class is settled; the cheapest ready node settles its
/// class. Each class settles once and each node is pushed at most once, so there are no
/// repeated passes over all classes. A class all of whose nodes depend on itself (a cycle
/// with no way out) never settles: its cost stays infinite. A node whose own cost is
/// `.infinity` is never chosen. Costs saturate at `Double.greatestFiniteMagnitude`:
/// beyond 2^53 sums lose precision, so nodes differing by less than the rounding tie and
/// go to the lower id.
///
/// Ties: among ready nodes of equal cost, the lower node id (created first) wins. With
/// strictly positive own costs every node of the minimal cost is ready when its class
/// settles, so the choice is the lowest-id node of minimal cost.
///
/// - Complexity: O((N + E) log N) for N live nodes and E child edges.
struct TreeCostSolver {
    /// Best cost per class (`.infinity` when no finite term exists).
    var best: [Double]
    /// The chosen node per class (`ExtractionGraph.dead` when none).
    var choice: [UInt32]
    /// The order in which classes settled (0 first); `UInt32.max` when never settled.
    /// A chosen node's children always settle before its class.
    var rank: [UInt32]

    init(graph: ExtractionGraph, ownCost: [Double]) {
        let classBound = graph.classBound
        var best = [Double](repeating: .infinity, count: classBound)
        var choice = [UInt32](repeating: ExtractionGraph.dead, count: classBound)
        var rank = [UInt32](repeating: .max, count: classBound)
        let parents = graph.parentsByClass()
        var pending = [UInt32](repeating: 0, count: graph.nodeCount)
        var heap = CostHeap(reservingCapacity: graph.nodeCount)
        graph.nodeClass.withUnsafeBufferPointer { nodeClass in
        graph.childStart.withUnsafeBufferPointer { childStart in
        graph.children.withUnsafeBufferPointer { children in
        ownCost.withUnsafeBufferPointer { own in
        parents.start.withUnsafeBufferPointer { parentStart in
        parents.nodes.withUnsafeBufferPointer { parentNodes in
        best.withUnsafeMutableBufferPointer { best in
        choice.withUnsafeMutableBufferPointer { choice in
        rank.withUnsafeMutableBufferPointer { rank in
        pending.withUnsafeMutableBufferPointer { pending in
            for n in 0..<nodeClass.count where nodeClass[n] != ExtractionGraph.dead {
                let count = childStart[n + 1] - childStart[n]
                pending[n] = count
                if count == 0, own[n].isFinite { heap.push(own[n], UInt32(n)) }
            }
            var settled: UInt32 = 0
            while let (cost, node) = heap.pop() {
                let c = Int(nodeClass[Int(node)])
                if rank[c] != .max { continue }
                rank[c] = settled
                settled += 1
                best[c] = cost
                choice[c] = node
                for p in Int(parentStart[c])..<Int(parentStart[c + 1]) {
                    let parent = Int(parentNodes[p])
                    pending[parent] -= 1
                    if pending[parent] == 0, rank[Int(nodeClass[parent])] == .max, own[parent].isFinite {
                        var total = own[parent]
                        for i in Int(childStart[parent])..<Int(childStart[parent + 1]) {
                            total += best[Int(children[i])]
                        }
                        // Tree costs grow exponentially with sharing (a residual chain
                        // doubles them per block); saturate rather than overflow to the
                        // infinity that means "no term".
                        heap.push(Swift.min(total, Double.greatestFiniteMagnitude), UInt32(parent))
                    }
                }
            }
        }}}}}}}}}}
        self.best = best
        self.choice = choice
        self.rank = rank
    }
}
