internal import CEGraph

/// An e-graph: e-nodes grouped into e-classes, closed under congruence after ``rebuild()``.
///
/// `EGraph` owns a graph of the native core (C). E-nodes are stored once, in append-only
/// arrays; a hashcons makes adding an existing node return its class; a union-find tracks
/// the classes. Unions are deferred: ``union(_:_:)`` merges two classes at once but leaves
/// congruence (`a = b` implies `f(a) = f(b)`) to ``rebuild()``, which an equality-saturation
/// loop calls once per iteration.
///
/// Errors are typed (``EGraphError``): an id the graph never issued is an error, never a
/// trap. The class is not thread-safe; use one graph from one task at a time.
///
/// ```swift
/// let g = EGraph()
/// let a = try g.add(ENode(op: 0, payload: 1))
/// let b = try g.add(ENode(op: 0, payload: 2))
/// let fa = try g.add(ENode(op: 1, children: [a]))
/// let fb = try g.add(ENode(op: 1, children: [b]))
/// try g.union(a, b)
/// try g.rebuild()
/// try g.find(fa) == g.find(fb)   // true
/// ```
public final class EGraph {
    let handle: OpaquePointer

    /// Creates an empty e-graph.
    ///
    /// - Complexity: O(1).
    public init() {
        var raw: OpaquePointer?
        let status = eg_create(&raw)
        guard status == EG_OK, let raw else {
            fatalError("EGraph: the native core could not allocate an empty graph")
        }
        handle = raw
    }

    deinit { eg_destroy(handle) }

    /// The allocator the native core uses: `"jemalloc"` (the package's `Jemalloc` trait,
    /// confirmed at run time) or `"system"`.
    ///
    /// - Complexity: O(1).
    public static var allocatorName: String { String(cString: eg_allocator_name()) }

    // MARK: Adding

    /// Adds `node` (children canonicalised first) or finds the existing equal node, and
    /// returns its canonical class. A new node is stamped with the current ``iteration``.
    ///
    /// - Throws: ``EGraphError/unknownID(_:)`` for a child the graph never issued,
    ///   ``EGraphError/invalidArgument(_:)`` for an operator of 2^24 or more.
    /// - Complexity: Amortised O(children.count).
    @discardableResult
    public func add(_ node: ENode) throws(EGraphError) -> EClassID {
        try add(op: node.op, payload: node.payload, children: node.children)
    }

    /// Adds the e-node (op, payload, children); see ``add(_:)-(ENode)``.
    ///
    /// - Complexity: Amortised O(children.count).
    @discardableResult
    public func add(op: UInt32, payload: UInt64 = 0, children: [EClassID] = [])
        throws(EGraphError) -> EClassID
    {
        var out: UInt32 = 0
        let status = children.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: UInt32.self) { ids in
                eg_add(handle, op, payload, ids.baseAddress, UInt32(ids.count), &out)
            }
        }
        if status != EG_OK {
            if status == EG_ERR_BAD_ID, let bad = firstUnknown(children) {
                throw .unknownID(bad.rawValue)
            }
            throw Self.error(status, argument: "operator \(op)")
        }
        return EClassID(out)
    }

    /// Adds the e-node (op, payload, children) with its children read in place (no array
    /// to build); see ``add(_:)-(ENode)``.
    ///
    /// - Complexity: Amortised O(children.count).
    @discardableResult
    public func add(op: UInt32, payload: UInt64, children: UnsafeBufferPointer<EClassID>)
        throws(EGraphError) -> EClassID
    {
        var out: UInt32 = 0
        let status = children.withMemoryRebound(to: UInt32.self) { ids in
            eg_add(handle, op, payload, ids.baseAddress, UInt32(ids.count), &out)
        }
        if status != EG_OK {
            if status == EG_ERR_BAD_ID, let bad = children.first(where: { !isIssued($0) }) {
                throw .unknownID(bad.rawValue)
            }
            throw Self.error(status, argument: "operator \(op)")
        }
        return EClassID(out)
    }

    /// The class of the e-node (op, payload, children), its children read in place; see
    /// ``lookup(_:)``.
    public func lookup(op: UInt32, payload: UInt64, children: UnsafeBufferPointer<EClassID>)
        throws(EGraphError) -> EClassID?
    {
        var out: UInt32 = 0
        let status = children.withMemoryRebound(to: UInt32.self) { ids in
            eg_lookup(handle, op, payload, ids.baseAddress, UInt32(ids.count), &out)
        }
        if status == EG_ERR_NOT_FOUND { return nil }
        if status == EG_ERR_BAD_ID, let bad = children.first(where: { !isIssued($0) }) {
            throw .unknownID(bad.rawValue)
        }
        if status != EG_OK { throw Self.error(status) }
        return EClassID(out)
    }

    /// Adds every entry of `batch` in one call into the core and returns, for each entry,
    /// its canonical class (as of right after that entry was added).
    ///
    /// All ids and references are validated first: on an invalid entry nothing is added.
    ///
    /// - Throws: ``EGraphError/invalidBatchEntry(index:reason:)``; on
    ///   ``EGraphError/outOfMemory`` the entries before the failing one were added.
    /// - Complexity: O(total children) amortised.
    public func add(_ batch: ENodeBatch) throws(EGraphError) -> [EClassID] {
        let count = batch.count
        if count == 0 { return [] }
        var failed: UInt32 = 0
        var status = EG_OK
        // An EClassID is laid out as the one u32 the core writes: the ids are written in place.
        let ids = [EClassID](unsafeUninitializedCapacity: count) { classes, initialized in
          classes.withMemoryRebound(to: UInt32.self) { out in
            status = batch.ops.withUnsafeBufferPointer { ops in
                batch.payloads.withUnsafeBufferPointer { payloads in
                    batch.childOffsets.withUnsafeBufferPointer { offsets in
                        batch.children.withUnsafeBufferPointer { children in
                            // A `Child` is laid out as the one `u32` the core reads.
                            children.withMemoryRebound(to: UInt32.self) { children in
                                eg_add_batch(handle, UInt32(count), ops.baseAddress,
                                             payloads.baseAddress, offsets.baseAddress,
                                             children.baseAddress, out.baseAddress, &failed)
                            }
                        }
                    }
                }
            }
            // On failure the ids are discarded; zero-fill so the array is initialised.
            if status != EG_OK { for i in 0..<count { out[i] = 0 } }
          }
          initialized = count
        }
        switch status {
        case EG_OK: return ids
        case EG_ERR_BAD_ID:
            throw .invalidBatchEntry(index: Int(failed),
                                     reason: "a child is an unknown id or a later entry")
        case EG_ERR_BAD_ARGUMENT:
            throw .invalidBatchEntry(index: Int(failed),
                                     reason: "operator out of range or malformed offsets")
        default: throw Self.error(status)
        }
    }

    /// The canonical class of `node` if the graph holds it, without adding it.
    ///
    /// Before a rebuild, a node equal only through pending unions may be missed.
    ///
    /// - Complexity: O(children.count) expected.
    public func lookup(_ node: ENode) throws(EGraphError) -> EClassID? {
        var out: UInt32 = 0
        let status = node.children.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: UInt32.self) { ids in
                eg_lookup(handle, node.op, node.payload, ids.baseAddress, UInt32(ids.count), &out)
            }
        }
        if status == EG_ERR_NOT_FOUND { return nil }
        if status == EG_ERR_BAD_ID, let bad = firstUnknown(node.children) {
            throw .unknownID(bad.rawValue)
        }
        if status != EG_OK { throw Self.error(status) }
        return EClassID(out)
    }

    /// Pre-sizes storage for `nodes` e-nodes with `children` children in total.
    ///
    /// - Complexity: O(current size) when it reallocates.
    public func reserveCapacity(nodes: Int, children: Int) throws(EGraphError) {
        guard nodes >= 0, children >= 0, nodes <= Int(UInt32.max) else {
            throw .invalidArgument("capacity \(nodes) nodes, \(children) children")
        }
        let status = eg_reserve(handle, UInt32(nodes), UInt64(children))
        if status != EG_OK { throw Self.error(status) }
    }

    // MARK: Union-find

    /// The canonical class of `id`.
    ///
    /// - Throws: ``EGraphError/unknownID(_:)`` for an id the graph never issued.
    /// - Complexity: Amortised nearly O(1) (path halving).
    public func find(_ id: EClassID) throws(EGraphError) -> EClassID {
        let root = eg_find(handle, id.rawValue)
        if root == EG_NONE_ID { throw .unknownID(id.rawValue) }
        return EClassID(root)
    }

    /// The canonical class of each id, in one call into the core.
    ///
    /// - Throws: ``EGraphError/unknownID(_:)`` naming the first unknown id (nothing found).
    /// - Complexity: O(ids.count) amortised.
    public func find(_ ids: [EClassID]) throws(EGraphError) -> [EClassID] {
        if ids.isEmpty { return [] }
        var failed: UInt32 = 0
        var status = EG_OK
        let out = [EClassID](unsafeUninitializedCapacity: ids.count) { out, initialized in
            status = ids.withUnsafeBufferPointer { inBuf in
                inBuf.withMemoryRebound(to: UInt32.self) { input in
                    out.withMemoryRebound(to: UInt32.self) { output in
                        eg_find_batch(handle, input.baseAddress, UInt32(input.count),
                                      output.baseAddress, &failed)
                    }
                }
            }
            if status != EG_OK { for i in 0..<ids.count { out[i] = EClassID(0) } }
            initialized = ids.count
        }
        if status == EG_ERR_BAD_ID { throw .unknownID(ids[Int(failed)].rawValue) }
        if status != EG_OK { throw Self.error(status) }
        return out
    }

    /// Merges the classes of `a` and `b`: ``find(_:)-(EClassID)`` sees the merge at once; congruence
    /// is restored by the next ``rebuild()``. The class with the smaller id (the older one,
    /// which more nodes point at) survives. Returns whether two distinct classes were merged.
    ///
    /// - Throws: ``EGraphError/unknownID(_:)``.
    /// - Complexity: O(1) plus two finds.
    @discardableResult
    public func union(_ a: EClassID, _ b: EClassID) throws(EGraphError) -> Bool {
        var merged = false
        let status = eg_union(handle, a.rawValue, b.rawValue, nil, &merged)
        if status == EG_ERR_BAD_ID { throw .unknownID(unknown(a, b).rawValue) }
        if status != EG_OK { throw Self.error(status) }
        return merged
    }

    /// Performs the unions of `pairs` in order, in one call into the core, and returns how
    /// many merged two distinct classes. All ids are validated first.
    ///
    /// - Throws: ``EGraphError/invalidBatchEntry(index:reason:)`` naming the first pair with
    ///   an unknown id (nothing merged).
    /// - Complexity: O(pairs.count) amortised.
    @discardableResult
    public func union(pairs: [(EClassID, EClassID)]) throws(EGraphError) -> Int {
        if pairs.isEmpty { return 0 }
        var flat = [UInt32]()
        flat.reserveCapacity(pairs.count * 2)
        for (a, b) in pairs {
            flat.append(a.rawValue)
            flat.append(b.rawValue)
        }
        var merged: UInt32 = 0
        var failed: UInt32 = 0
        let status = flat.withUnsafeBufferPointer {
            eg_union_batch(handle, $0.baseAddress, UInt32(pairs.count), &merged, &failed)
        }
        if status == EG_ERR_BAD_ID {
            throw .invalidBatchEntry(index: Int(failed), reason: "unknown id in pair")
        }
        if status != EG_OK { throw Self.error(status) }
        return Int(merged)
    }

    // MARK: Rebuild

    /// Restores congruence closure after unions and returns what it merged.
    ///
    /// The returned ``RebuildSummary/merges`` hold every merge since the previous rebuild
    /// (explicit unions first, then congruences), in order; the core's merge log is then
    /// emptied. Discards an active checkpoint.
    ///
    /// - Complexity: O(nodes + children) per scan, reading the node arrays in order, plus
    ///   hashcons work for each re-canonicalised node; one or two scans usually suffice,
    ///   and a graph without unions since the last rebuild is not scanned.
    @discardableResult
    public func rebuild() throws(EGraphError) -> RebuildSummary {
        var congruent: UInt32 = 0
        let status = eg_rebuild(handle, &congruent)
        if status != EG_OK { throw Self.error(status) }
        let merges = pendingMerges
        eg_clear_merges(handle)
        return RebuildSummary(congruentMerges: Int(congruent), merges: merges)
    }

    /// The merges made since the last rebuild (explicit unions so far), in order.
    ///
    /// - Complexity: O(merges).
    public var pendingMerges: [EClassMerge] {
        var pairs: UnsafePointer<UInt32>?
        var count: UInt32 = 0
        _ = eg_merges(handle, &pairs, &count)
        guard let pairs, count > 0 else { return [] }
        return (0..<Int(count)).map {
            EClassMerge(absorbed: EClassID(pairs[2 * $0]), survivor: EClassID(pairs[2 * $0 + 1]))
        }
    }

    /// Number of merges since the last rebuild (0: the graph is congruence-closed).
    ///
    /// - Complexity: O(1).
    public var pendingUnionCount: Int { Int(eg_pending_count(handle)) }

    // MARK: Counts

    /// Live e-nodes: added nodes minus those found congruent to another. After a rebuild,
    /// the exact number of canonical e-nodes.
    ///
    /// - Complexity: O(1).
    public var nodeCount: Int { Int(eg_node_count(handle)) }

    /// Every e-node ever added, live or not (the next new id).
    ///
    /// - Complexity: O(1).
    public var totalNodeCount: Int { Int(eg_total_node_count(handle)) }

    /// Canonical e-classes, exact at any time.
    ///
    /// - Complexity: O(1).
    public var classCount: Int { Int(eg_class_count(handle)) }

    // MARK: Checking and memory

    /// Runs the core's full invariant check: hashcons, union-find, member lists,
    /// counts, the operator index, and (when no unions are pending) congruence closure.
    ///
    /// - Throws: ``EGraphError/invariantViolated(_:)`` with the core's message.
    /// - Complexity: O(nodes + children).
    public func checkInvariants() throws(EGraphError) {
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer {
            eg_check(handle, $0.baseAddress, $0.count)
        }
        if status == EG_OK { return }
        if status == EG_ERR_INVARIANT {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw .invariantViolated(text)
        }
        throw Self.error(status)
    }

    /// Bytes the core holds for this graph now and at peak.
    ///
    /// - Complexity: O(1).
    public var memoryStats: EGraphMemoryStats {
        var stats = eg_memory_stats(current_bytes: 0, peak_bytes: 0)
        _ = eg_memory(handle, &stats)
        return EGraphMemoryStats(currentBytes: stats.current_bytes, peakBytes: stats.peak_bytes)
    }

    /// Sets the peak of ``memoryStats`` to the current value, to measure a phase.
    ///
    /// - Complexity: O(1).
    public func resetPeakMemory() { eg_reset_peak_memory(handle) }

    // MARK: Helpers

    func isIssued(_ id: EClassID) -> Bool { id.rawValue < eg_total_node_count(handle) }

    private func firstUnknown(_ ids: [EClassID]) -> EClassID? { ids.first { !isIssued($0) } }

    private func unknown(_ a: EClassID, _ b: EClassID) -> EClassID { isIssued(a) ? b : a }

    static func error(_ status: eg_status, argument: String = "") -> EGraphError {
        switch status {
        case EG_ERR_OUT_OF_MEMORY: .outOfMemory
        case EG_ERR_CAPACITY: .capacityExceeded
        case EG_ERR_BAD_ARGUMENT:
            .invalidArgument(argument.isEmpty ? "rejected by the core" : argument)
        case EG_ERR_STATE: .invalidState(String(cString: eg_status_name(status)))
        case EG_ERR_INVARIANT: .invariantViolated("")
        default: .invalidState(String(cString: eg_status_name(status)))
        }
    }
}

/// `EG_NONE` (a macro the importer cannot see as a constant of the right type).
let EG_NONE_ID: UInt32 = 0xFFFF_FFFF
