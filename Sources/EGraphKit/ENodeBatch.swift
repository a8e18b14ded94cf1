/// A list of e-nodes to add in one call (``EGraph/add(_:)-(ENodeBatch)``), in flat arrays.
///
/// A child is either an existing class or an earlier entry of the same batch, so a whole
/// term (children first) can be added in one crossing into the core:
///
/// ```swift
/// var batch = ENodeBatch()
/// let x = batch.append(op: 0, payload: 7)
/// let fx = batch.append(op: 1, children: [.entry(x)])
/// let ids = try graph.add(batch)   // ids[fx] is the class of f(x)
/// ```
public struct ENodeBatch: Sendable {
    /// A child of a batch entry.
    public struct Child: Hashable, Sendable, BitwiseCopyable {
        @usableFromInline let raw: UInt32

        /// An existing class of the graph.
        ///
        /// - Complexity: O(1).
        @inlinable public static func existing(_ id: EClassID) -> Child {
            // An id with the top bit set was never issued; keep it invalid, not a reference.
            Child(raw: id.rawValue >= 0x8000_0000 ? 0x7FFF_FFFF : id.rawValue)
        }

        /// The class produced by entry `index` of the same batch (an earlier entry).
        ///
        /// - Complexity: O(1).
        @inlinable public static func entry(_ index: Int) -> Child {
            precondition(index >= 0 && index < 0x7FFF_FFFF, "batch entry index out of range")
            return Child(raw: 0x8000_0000 | UInt32(index))
        }

        @usableFromInline init(raw: UInt32) { self.raw = raw }
    }

    @usableFromInline var ops: [UInt32] = []
    @usableFromInline var payloads: [UInt64] = []
    @usableFromInline var childOffsets: [UInt32] = [0]
    /// The children of all entries, in order (a `Child` is one `u32`, as the core reads it).
    @usableFromInline var children: [Child] = []

    /// An empty batch.
    ///
    /// - Complexity: O(1).
    public init() {}

    /// A batch from flat arrays: entry `i` has operator `ops[i]`, payload `payloads[i]` and
    /// the children `children[childOffsets[i] ..< childOffsets[i + 1]]`.
    ///
    /// ``EGraph/add(_:)-(ENodeBatch)`` checks the children and the offsets' order.
    ///
    /// - Precondition: `payloads.count == ops.count`, `childOffsets.count == ops.count + 1`,
    ///   `childOffsets.first == 0` and `childOffsets.last == children.count`.
    /// - Complexity: O(1) (the arrays are shared, not copied).
    public init(ops: [UInt32], payloads: [UInt64], childOffsets: [UInt32], children: [Child]) {
        precondition(payloads.count == ops.count && childOffsets.count == ops.count + 1,
                     "one payload per entry and one more offset than entries")
        precondition(childOffsets.first == 0 && Int(childOffsets[ops.count]) == children.count,
                     "child offsets start at 0 and end at the child count")
        self.ops = ops
        self.payloads = payloads
        self.childOffsets = childOffsets
        self.children = children
    }

    /// Number of entries.
    ///
    /// - Complexity: O(1).
    public var count: Int { ops.count }

    /// Whether the batch has no entries.
    ///
    /// - Complexity: O(1).
    public var isEmpty: Bool { ops.isEmpty }

    /// Reserves room for `entries` more entries with `children` more children in total.
    ///
    /// - Complexity: O(current size) when it reallocates.
    public mutating func reserveCapacity(entries: Int, children: Int) {
        ops.reserveCapacity(ops.count + entries)
        payloads.reserveCapacity(payloads.count + entries)
        childOffsets.reserveCapacity(childOffsets.count + entries)
        self.children.reserveCapacity(self.children.count + children)
    }

    /// Appends an entry and returns its index (use it with ``Child/entry(_:)``).
    ///
    /// - Complexity: Amortised O(children.count).
    @discardableResult
    public mutating func append(op: UInt32, payload: UInt64 = 0, children: [Child] = []) -> Int {
        self.children.append(contentsOf: children)
        return finishEntry(op: op, payload: payload)
    }

    /// Appends an entry whose children are all existing classes and returns its index.
    ///
    /// - Complexity: Amortised O(children.count).
    @discardableResult
    public mutating func append(_ node: ENode) -> Int {
        for c in node.children { self.children.append(Child.existing(c)) }
        return finishEntry(op: node.op, payload: node.payload)
    }

    /// Removes every entry, keeping the capacity.
    ///
    /// - Complexity: O(1) (O(count) for trivial element teardown).
    public mutating func removeAll() {
        ops.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
        childOffsets.removeAll(keepingCapacity: true)
        childOffsets.append(0)
        children.removeAll(keepingCapacity: true)
    }

    @inlinable @inline(__always)
    mutating func finishEntry(op: UInt32, payload: UInt64) -> Int {
        ops.append(op)
        payloads.append(payload)
        childOffsets.append(UInt32(truncatingIfNeeded: children.count))
        return ops.count - 1
    }
}
