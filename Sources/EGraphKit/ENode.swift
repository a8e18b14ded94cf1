/// An e-node: an operator applied to child e-classes, with a 64-bit payload.
///
/// The payload is part of the node's identity: two nodes are the same node exactly when
/// operator, payload and (canonical) children are equal. Use it for literals or for the id
/// of an interned parameter set.
public struct ENode: Hashable, Sendable {
    /// The operator, a small dense integer chosen by the user of the graph (below 2^24).
    public var op: UInt32
    /// The payload: a literal or an interned id; part of the node's identity.
    public var payload: UInt64
    /// The child e-classes, in order.
    public var children: [EClassID]

    /// Makes an e-node.
    ///
    /// - Complexity: O(1).
    public init(op: UInt32, payload: UInt64 = 0, children: [EClassID] = []) {
        self.op = op
        self.payload = payload
        self.children = children
    }
}

/// One merge of two e-classes: `absorbed` now belongs to `survivor`.
///
/// Replaying a sequence of merges in order tells an e-class analysis how to combine its
/// per-class data: `data[survivor] = merge(data[survivor], data[absorbed])`.
public struct EClassMerge: Hashable, Sendable {
    /// The class that stopped being canonical.
    public var absorbed: EClassID
    /// The canonical class it joined (canonical at the moment of the merge).
    public var survivor: EClassID

    /// Makes a merge record.
    ///
    /// - Complexity: O(1).
    public init(absorbed: EClassID, survivor: EClassID) {
        self.absorbed = absorbed
        self.survivor = survivor
    }
}

/// What ``EGraph/rebuild()`` did.
public struct RebuildSummary: Hashable, Sendable {
    /// How many merges the rebuild found by congruence (beyond the explicit unions).
    public var congruentMerges: Int
    /// Every merge since the previous rebuild, in order: the explicit unions, then those
    /// the rebuild made. Replay them to merge analysis data.
    public var merges: [EClassMerge]
}

/// Bytes the native core holds for one graph.
public struct EGraphMemoryStats: Hashable, Sendable {
    /// Bytes held now (every array and table at its allocated capacity).
    public var currentBytes: UInt64
    /// The most ever held at once since creation or ``EGraph/resetPeakMemory()``.
    public var peakBytes: UInt64
}
