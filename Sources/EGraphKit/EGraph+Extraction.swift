internal import CEGraph

extension ExtractionGraph {
    /// Snapshots `egraph`'s flat arrays through the core's raw view (no per-node calls).
    ///
    /// Classes are found by following the union-find links without mutating them; the
    /// children are canonicalised, so a snapshot taken before a rebuild is still
    /// consistent (though nodes congruent only through pending unions stay distinct).
    ///
    /// - Complexity: O(N + E) for N nodes ever added and E child slots.
    init(_ egraph: EGraph) {
        var view = eg_nodes_view()
        _ = eg_nodes(egraph.handle, &view)
        let count = Int(view.count)
        var canonical = [UInt32](repeating: 0, count: count)
        var nodeClass = [UInt32](repeating: 0, count: count)
        if count > 0, let links = view.uf_links, let deadBits = view.dead_bits {
            canonical.withUnsafeMutableBufferPointer { canonical in
                for i in 0..<count {
                    var x = UInt32(i)
                    while links[Int(x)] != x { x = links[Int(x)] }
                    canonical[i] = x
                }
            }
            for i in 0..<count {
                let dead = deadBits[i >> 6] & (UInt64(1) << UInt64(i & 63)) != 0
                nodeClass[i] = dead ? Self.dead : canonical[i]
            }
        }
        let childCount = count > 0 ? Int(view.child_offsets[count]) : 0
        var children = [UInt32](repeating: 0, count: childCount)
        if childCount > 0, let raw = view.children {
            canonical.withUnsafeBufferPointer { canonical in
                for i in 0..<childCount { children[i] = canonical[Int(raw[i])] }
            }
        }
        self.init(
            nodeClass: nodeClass,
            canonical: canonical,
            ops: count > 0 ? Array(UnsafeBufferPointer(start: view.ops, count: count)) : [],
            payloads: count > 0 ? Array(UnsafeBufferPointer(start: view.payloads, count: count)) : [],
            childStart: count > 0 ? Array(UnsafeBufferPointer(start: view.child_offsets, count: count + 1)) : [0],
            children: children,
            classBound: count)
    }
}

extension TreeExtractor {
    /// Computes the best tree term of every class of `egraph` under `cost`.
    ///
    /// Call after ``EGraph/rebuild()`` for results that respect every union.
    ///
    /// - Throws: ``ExtractionError/invalidCost(node:cost:)`` when `cost` returns a
    ///   negative or NaN value.
    /// - Complexity: O((N + E) log N) for N e-nodes and E child edges.
    public init(_ egraph: EGraph, cost: some CostFunction) throws(ExtractionError) {
        try self.init(graph: ExtractionGraph(egraph), cost: cost)
    }
}

extension DAGExtractor {
    /// Prepares DAG-aware extraction over `egraph` under `cost` (computes the start
    /// selection).
    ///
    /// Call after ``EGraph/rebuild()`` for results that respect every union.
    ///
    /// - Throws: ``ExtractionError/invalidCost(node:cost:)`` when `cost` returns a
    ///   negative or NaN value.
    /// - Complexity: O((N + E) log N) for N e-nodes and E child edges with the tree start,
    ///   O(N + E) with ``Start/firstCreated``.
    public init(_ egraph: EGraph, cost: some CostFunction, start: Start = .cheapestTree) throws(ExtractionError) {
        try self.init(graph: ExtractionGraph(egraph), cost: cost, start: start)
    }
}
