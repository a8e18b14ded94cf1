internal import CEGraph

/// The partition of live e-nodes into canonical classes, in flat arrays.
///
/// Class `k` is `classIDs[k]` (ascending); its live nodes are
/// `nodes[offsets[k] ..< offsets[k + 1]]` (ascending).
public struct EClassIndex: Sendable {
    /// Canonical class ids, ascending.
    public var classIDs: [EClassID]
    /// `classIDs.count + 1` offsets into ``nodes``.
    public var offsets: [Int]
    /// Live node ids grouped by class.
    public var nodes: [EClassID]

    /// The live nodes of class `k` (the k-th class, not a class id).
    ///
    /// - Complexity: O(1).
    public func nodes(ofClassAt k: Int) -> ArraySlice<EClassID> {
        nodes[offsets[k]..<offsets[k + 1]]
    }
}

extension EGraph {
    /// The canonical class ids, ascending.
    ///
    /// - Complexity: O(total nodes).
    public var classIDs: [EClassID] {
        let n = classCount
        if n == 0 { return [] }
        return [EClassID](unsafeUninitializedCapacity: n) { buf, initialized in
            var count: UInt32 = 0
            _ = buf.withMemoryRebound(to: UInt32.self) {
                eg_class_ids(handle, $0.baseAddress, UInt32($0.count), &count)
            }
            initialized = Int(count)
        }
    }

    /// Calls `body` with every canonical class id in ascending order.
    ///
    /// The graph must not be mutated from `body`.
    ///
    /// - Complexity: O(total nodes) plus the calls.
    public func forEachClass<E: Error>(_ body: (EClassID) throws(E) -> Void) throws(E) {
        var c = eg_next_class(handle, 0)
        while c != EG_NONE_ID {
            try body(EClassID(c))
            c = eg_next_class(handle, c + 1)
        }
    }

    /// The live e-nodes of the class of `id` (node ids, ascending).
    ///
    /// - Throws: ``EGraphError/unknownID(_:)``.
    /// - Complexity: O(k log k) for a class of k nodes (ever merged into it).
    public func members(of id: EClassID) throws(EGraphError) -> [EClassID] {
        try fetchList(id) { eg_class_members(handle, id.rawValue, $0, $1, $2) }
    }

    /// The distinct live e-nodes with a child in the class of `id` (ascending).
    ///
    /// - Throws: ``EGraphError/unknownID(_:)``.
    /// - Complexity: O(nodes + children): the core keeps no parent lists (they would cost
    ///   4 bytes per child slot) and scans.
    public func parents(of id: EClassID) throws(EGraphError) -> [EClassID] {
        try fetchList(id) { eg_class_parents(handle, id.rawValue, $0, $1, $2) }
    }

    /// The e-node with id `id` (its stored children: canonical as of the last rebuild).
    ///
    /// - Throws: ``EGraphError/unknownID(_:)``.
    /// - Complexity: O(arity).
    public func node(_ id: EClassID) throws(EGraphError) -> ENode {
        var op: UInt32 = 0
        var payload: UInt64 = 0
        var children: UnsafePointer<UInt32>?
        var arity: UInt32 = 0
        let status = eg_node(handle, id.rawValue, &op, &payload, &children, &arity)
        if status == EG_ERR_BAD_ID { throw .unknownID(id.rawValue) }
        if status != EG_OK { throw Self.error(status) }
        let kids = (0..<Int(arity)).map { EClassID(children![$0]) }
        return ENode(op: op, payload: payload, children: kids)
    }

    /// Whether e-node `id` is live (not found congruent to an earlier one).
    ///
    /// - Throws: ``EGraphError/unknownID(_:)``.
    /// - Complexity: O(1).
    public func isLive(_ id: EClassID) throws(EGraphError) -> Bool {
        var live = false
        let status = eg_node_is_live(handle, id.rawValue, &live)
        if status == EG_ERR_BAD_ID { throw .unknownID(id.rawValue) }
        return live
    }

    /// The whole partition of live nodes into classes, in one call into the core.
    ///
    /// - Complexity: O(total nodes).
    public func classIndex() throws(EGraphError) -> EClassIndex {
        let classes = classCount, live = nodeCount
        var ids = [UInt32](repeating: 0, count: classes)
        var offsets = [UInt32](repeating: 0, count: classes + 1)
        var nodes = [UInt32](repeating: 0, count: live)
        let status = ids.withUnsafeMutableBufferPointer { i in
            offsets.withUnsafeMutableBufferPointer { o in
                nodes.withUnsafeMutableBufferPointer { n in
                    eg_class_index(handle, i.baseAddress, UInt32(i.count), o.baseAddress,
                                   UInt32(o.count), n.baseAddress, UInt32(n.count))
                }
            }
        }
        if status != EG_OK { throw Self.error(status) }
        return EClassIndex(classIDs: ids.map(EClassID.init), offsets: offsets.map { Int($0) },
                           nodes: nodes.map(EClassID.init))
    }

    /// Calls `body` with the live nodes of operator `op` (ascending ids), read in place
    /// from the core's operator index. The buffer is valid only inside `body`, which must
    /// not mutate the graph.
    ///
    /// - Complexity: O(1) plus `body`.
    public func withNodes<R, E: Error>(
        ofOperator op: UInt32, _ body: (UnsafeBufferPointer<UInt32>) throws(E) -> R
    ) throws(E) -> R {
        var ptr: UnsafePointer<UInt32>?
        var count: UInt32 = 0
        _ = eg_op_nodes(handle, op, &ptr, &count)
        return try body(UnsafeBufferPointer(start: count > 0 ? ptr : nil, count: Int(count)))
    }

    /// The live nodes of operator `op`, ascending.
    ///
    /// - Complexity: O(result).
    public func nodes(ofOperator op: UInt32) -> [EClassID] {
        withNodes(ofOperator: op) { $0.map(EClassID.init) }
    }

    /// One more than the largest operator ever added.
    ///
    /// - Complexity: O(1).
    public var operatorBound: UInt32 { eg_op_bound(handle) }

    private func fetchList(
        _ id: EClassID,
        _ call: (UnsafeMutablePointer<UInt32>?, UInt32, UnsafeMutablePointer<UInt32>) -> eg_status
    ) throws(EGraphError) -> [EClassID] {
        var count: UInt32 = 0
        var status = call(nil, 0, &count)
        if status == EG_ERR_BAD_ID { throw .unknownID(id.rawValue) }
        if status == EG_OK { return [] }
        if status != EG_ERR_BUFFER_TOO_SMALL { throw Self.error(status) }
        var out = [UInt32](repeating: 0, count: Int(count))
        status = out.withUnsafeMutableBufferPointer { call($0.baseAddress, UInt32($0.count), &count) }
        if status != EG_OK { throw Self.error(status) }
        return out.map(EClassID.init)
    }
}
