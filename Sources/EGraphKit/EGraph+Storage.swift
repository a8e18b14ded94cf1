internal import CEGraph

/// Read-only views of the core's node arrays, valid only inside
/// ``EGraph/withNodeStorage(_:)``.
///
/// Node `i`: ``ops``[i], ``payloads``[i], stored children
/// `children[childOffsets[i] ..< childOffsets[i + 1]]`. Node `i` is dead (congruent to
/// another) iff bit `i % 64` of `deadBits[i / 64]` is set.
public struct ENodeStorage {
    /// Operators, one per node.
    public let ops: UnsafeBufferPointer<UInt32>
    /// Payloads, one per node.
    public let payloads: UnsafeBufferPointer<UInt64>
    /// `count + 1` offsets into ``children``.
    public let childOffsets: UnsafeBufferPointer<UInt32>
    /// All children, node after node.
    public let children: UnsafeBufferPointer<UInt32>
    /// Dead-node bits, 64 nodes a word.
    public let deadBits: UnsafeBufferPointer<UInt64>
    /// Union-find links (a root links to itself).
    public let unionFindLinks: UnsafeBufferPointer<UInt32>

    /// Number of nodes (live and dead).
    ///
    /// - Complexity: O(1).
    public var count: Int { ops.count }

    /// Whether node `i` is live.
    ///
    /// - Complexity: O(1).
    @inlinable public func isLive(_ i: Int) -> Bool { (deadBits[i >> 6] >> UInt64(i & 63)) & 1 == 0 }

    /// The stored children of node `i`.
    ///
    /// - Complexity: O(1).
    @inlinable public func children(of i: Int) -> UnsafeBufferPointer<UInt32> {
        let b = Int(childOffsets[i]), e = Int(childOffsets[i + 1])
        return UnsafeBufferPointer(rebasing: children[b..<e])
    }
}

extension EGraph {
    /// Calls `body` with views of the core's node arrays (no copy). `body` must not mutate
    /// the graph or keep the views.
    ///
    /// - Complexity: O(1) plus `body`.
    public func withNodeStorage<R, E: Error>(_ body: (ENodeStorage) throws(E) -> R) throws(E) -> R {
        var v = eg_nodes_view()
        _ = eg_nodes(handle, &v)
        let n = Int(v.count)
        let edges = Int(v.child_offsets[n])
        let storage = ENodeStorage(
            ops: UnsafeBufferPointer(start: n > 0 ? v.ops : nil, count: n),
            payloads: UnsafeBufferPointer(start: n > 0 ? v.payloads : nil, count: n),
            childOffsets: UnsafeBufferPointer(start: v.child_offsets, count: n + 1),
            children: UnsafeBufferPointer(start: edges > 0 ? v.children : nil, count: edges),
            deadBits: UnsafeBufferPointer(start: n > 0 ? v.dead_bits : nil, count: (n + 63) / 64),
            unionFindLinks: UnsafeBufferPointer(start: n > 0 ? v.uf_links : nil, count: n))
        return try body(storage)
    }

    // MARK: Iteration stamps

    /// The current iteration: new nodes are stamped with it. Starts at 0; never decreases.
    ///
    /// - Complexity: O(1).
    public var iteration: UInt32 { eg_iteration(handle) }

    /// Sets the current iteration.
    ///
    /// - Throws: ``EGraphError/invalidArgument(_:)`` if `iteration` is below the current one.
    /// - Complexity: O(1).
    public func setIteration(_ iteration: UInt32) throws(EGraphError) {
        let status = eg_set_iteration(handle, iteration)
        if status != EG_OK {
            throw .invalidArgument("iteration \(iteration) is below the current \(self.iteration)")
        }
    }

    /// The iteration that created node `id`.
    ///
    /// - Throws: ``EGraphError/unknownID(_:)``.
    /// - Complexity: O(log iterations).
    public func iteration(of id: EClassID) throws(EGraphError) -> UInt32 {
        var it: UInt32 = 0
        let status = eg_node_iteration(handle, id.rawValue, &it)
        if status == EG_ERR_BAD_ID { throw .unknownID(id.rawValue) }
        return it
    }

    /// The smallest node id stamped with an iteration of at least `iteration`
    /// (``totalNodeCount`` when there is none): the nodes created since then are the ids
    /// from this one on.
    ///
    /// - Complexity: O(log iterations).
    public func firstNode(ofIteration iteration: UInt32) -> EClassID {
        EClassID(eg_iteration_first_node(handle, iteration))
    }

    // MARK: Checkpoint and rollback

    /// Remembers the graph's state so that ``rollback()`` can return to it (replacing an
    /// earlier checkpoint). While a checkpoint is active, finds do not compress paths.
    ///
    /// - Complexity: O(1).
    public func checkpoint() {
        _ = eg_checkpoint(handle)
    }

    /// Returns to the active checkpoint: removes the nodes added since and undoes the
    /// unions since (counts, classes, the pending worklist and the merge log return to
    /// their state at the checkpoint). The checkpoint stays active. ``rebuild()`` discards
    /// a checkpoint.
    ///
    /// - Throws: ``EGraphError/invalidState(_:)`` without an active checkpoint.
    /// - Complexity: O(work undone).
    public func rollback() throws(EGraphError) {
        let status = eg_rollback(handle)
        if status == EG_ERR_STATE { throw .invalidState("rollback without an active checkpoint") }
        if status != EG_OK { throw Self.error(status) }
    }

    /// Drops the active checkpoint, keeping everything done since.
    ///
    /// - Complexity: O(1).
    public func discardCheckpoint() { eg_discard_checkpoint(handle) }

    /// Whether a checkpoint is active.
    ///
    /// - Complexity: O(1).
    public var hasCheckpoint: Bool { eg_has_checkpoint(handle) }
}
