internal import CEGraph

/// The values of an ``EClassAnalysis`` for every e-class of one e-graph.
///
/// Create it on a graph, hand it to a ``Runner`` (which keeps it in step), and read it from
/// a ``Rewrite/Condition`` by capturing it. Outside a runner, call ``sync()`` after adding
/// nodes (before unions), and pass what ``EGraph/rebuild()`` returns to ``absorb(_:)``.
public final class AnalysisData<Analysis: EClassAnalysis> {
    /// The analysis.
    public let analysis: Analysis
    /// The graph whose classes the values belong to.
    public let graph: EGraph
    private var values: [Analysis.Value?] = []
    private var madeThrough = 0

    /// Creates the store and computes the value of every node already in `graph`.
    public init(_ analysis: Analysis, on graph: EGraph) {
        self.analysis = analysis
        self.graph = graph
        sync()
    }

    /// The value of the class of `id`.
    ///
    /// - Precondition: `id` was issued by the graph and ``sync()`` ran since.
    /// - Complexity: O(find).
    public subscript(id: EClassID) -> Analysis.Value {
        // The class's value; while a runner applies an iteration, unions are made at once
        // but merged into the values only after the rebuild, so the root may not have one
        // yet: then the value recorded under `id` itself.
        let root = Int(eg_find(graph.handle, id.rawValue))
        if root < values.count, let value = values[root] { return value }
        guard Int(id.rawValue) < values.count, let value = values[Int(id.rawValue)] else {
            preconditionFailure("no analysis value for class \(id.rawValue): call sync() after adding nodes")
        }
        return value
    }

    /// Computes `make` for every node added since the last call, in id order, and merges
    /// it into its class's value (a node's children are older than the node, so their
    /// values exist).
    ///
    /// - Complexity: O(new nodes · arity).
    public func sync() {
        var view = eg_nodes_view()
        guard eg_nodes(graph.handle, &view) == EG_OK else { return }
        let total = Int(view.count)
        if total < madeThrough {
            // A rollback removed nodes (their ids will be issued again): forget them.
            values.removeLast(values.count - total)
            madeThrough = total
        }
        guard total > madeThrough else { return }
        values.reserveCapacity(total)
        while values.count < total { values.append(nil) }
        var childValues: [Analysis.Value] = []
        for n in madeThrough..<total {
            if view.dead_bits[n / 64] & (UInt64(1) << UInt64(n % 64)) != 0 { continue }
            childValues.removeAll(keepingCapacity: true)
            var complete = true
            for i in Int(view.child_offsets[n])..<Int(view.child_offsets[n + 1]) {
                let child = Int(view.children[i])
                if let value = valueOfClassContaining(child) { childValues.append(value) } else { complete = false }
            }
            guard complete else { continue }
            let made = analysis.make(operator: OperatorID(rawValue: view.ops[n]), payload: view.payloads[n],
                                     children: childValues)
            values[n] = values[n].map { analysis.merge($0, made) } ?? made
        }
        madeThrough = total
    }

    /// Replays the core's merge log: for each merge (absorbed, survivor) in order, the
    /// survivor's value becomes `merge(survivor, absorbed)`. Does not clear the log.
    ///
    /// - Complexity: O(merges).
    public func absorbMerges() {
        var pairs: UnsafePointer<UInt32>?
        var count: UInt32 = 0
        guard eg_merges(graph.handle, &pairs, &count) == EG_OK, let pairs, count > 0 else { return }
        for i in 0..<Int(count) {
            apply(absorbed: Int(pairs[2 * i]), survivor: Int(pairs[2 * i + 1]))
        }
    }

    /// Replays the merges of a rebuild (see ``absorbMerges()``).
    ///
    /// - Complexity: O(merges).
    public func absorb(_ summary: RebuildSummary) {
        for merge in summary.merges {
            apply(absorbed: Int(merge.absorbed.rawValue), survivor: Int(merge.survivor.rawValue))
        }
    }

    private func apply(absorbed: Int, survivor: Int) {
        guard absorbed < values.count, survivor < values.count else { return }
        switch (values[survivor], values[absorbed]) {
        case (let s?, let a?): values[survivor] = analysis.merge(s, a)
        case (nil, let a?): values[survivor] = a
        default: break
        }
    }

    /// The value stored under a child id: its own, or the value of the class it was merged
    /// into (following the union-find links without changing them).
    private func valueOfClassContaining(_ id: Int) -> Analysis.Value? {
        if id < values.count, let value = values[id] { return value }
        let root = Int(eg_find(graph.handle, UInt32(id)))
        return root < values.count ? values[root] : nil
    }
}
