/// A read-only, flat snapshot of an e-graph for extraction: live e-nodes with their
/// canonical class and canonical child classes, in compressed-row form.
///
/// Extraction reads only these arrays, so it never calls into the core per e-node.
/// A node that is no longer canonical (absorbed by congruence) has class `.max` and is
/// ignored.
struct ExtractionGraph: Sendable {
    /// Marks a node that extraction must ignore.
    static let dead = UInt32.max

    /// Canonical class of each node, or `dead`.
    var nodeClass: [UInt32]
    /// Canonical class of every id the graph issued, live or dead.
    var canonical: [UInt32]
    /// Operator of each node.
    var ops: [UInt32]
    /// Payload of each node.
    var payloads: [UInt64]
    /// `childStart[n]..<childStart[n + 1]` indexes `children` for node `n`.
    var childStart: [UInt32]
    /// Canonical child classes of every node, concatenated.
    var children: [UInt32]
    /// One past the largest class id.
    var classBound: Int

    var nodeCount: Int { nodeClass.count }

    /// The canonical class of `id` at snapshot time. An id the graph never issued is a
    /// programmer error and traps.
    func canonicalClass(of id: EClassID) -> Int {
        precondition(Int(id.rawValue) < canonical.count, "e-class id \(id.rawValue) was never issued by this e-graph")
        return Int(canonical[Int(id.rawValue)])
    }

    /// Own cost of every live node under `cost` (`.infinity` for dead nodes).
    ///
    /// - Throws: ``ExtractionError/invalidCost(node:cost:)`` for a negative or NaN cost.
    /// - Complexity: O(N) calls of `cost`.
    func ownCosts(_ cost: some CostFunction) throws(ExtractionError) -> [Double] {
        var result = [Double](repeating: .infinity, count: nodeCount)
        var failure: ExtractionError?
        children.withUnsafeBufferPointer { children in
            for n in 0..<nodeCount where nodeClass[n] != Self.dead {
                let slice = UnsafeBufferPointer(rebasing: children[Int(childStart[n])..<Int(childStart[n + 1])])
                let c = cost.cost(of: ENodeView(id: UInt32(n), op: ops[n], payload: payloads[n], children: slice))
                if c.isNaN || c < 0 {
                    failure = .invalidCost(node: EClassID(UInt32(n)), cost: c)
                    return
                }
                result[n] = c
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Live nodes per class (ascending node id), built on demand by ``membersByClass()``.
    func membersByClass() -> (start: [UInt32], nodes: [UInt32]) {
        var start = [UInt32](repeating: 0, count: classBound + 1)
        for c in nodeClass where c != Self.dead { start[Int(c) + 1] += 1 }
        for i in 0..<classBound { start[i + 1] += start[i] }
        var fill = start
        var nodes = [UInt32](repeating: 0, count: Int(start[classBound]))
        for (n, c) in nodeClass.enumerated() where c != Self.dead {
            nodes[Int(fill[Int(c)])] = UInt32(n)
            fill[Int(c)] += 1
        }
        return (start, nodes)
    }

    /// For each class, the live nodes that use it as a child, once per occurrence.
    func parentsByClass() -> (start: [UInt32], nodes: [UInt32]) {
        var start = [UInt32](repeating: 0, count: classBound + 1)
        for n in 0..<nodeCount where nodeClass[n] != Self.dead {
            for i in Int(childStart[n])..<Int(childStart[n + 1]) { start[Int(children[i]) + 1] += 1 }
        }
        for i in 0..<classBound { start[i + 1] += start[i] }
        var fill = start
        var nodes = [UInt32](repeating: 0, count: Int(start[classBound]))
        for n in 0..<nodeCount where nodeClass[n] != Self.dead {
            for i in Int(childStart[n])..<Int(childStart[n + 1]) {
                let c = Int(children[i])
                nodes[Int(fill[c])] = UInt32(n)
                fill[c] += 1
            }
        }
        return (start, nodes)
    }
}
