import EGraphKit
import TensorGraph

/// The input graph as e-nodes: one e-node per live node, added in one batch in
/// topological order, so that e-node ids follow that order.
struct GraphEncoding {
    /// The e-node each node became (`.max` for `Nop`s). Identical nodes share one e-node.
    let enodeOf: [UInt32]
    /// The lowest node id that became each e-node (ids below ``originalCount``).
    let homeNode: [Int32]
    /// E-node ids below this were added for the input graph.
    let originalCount: Int
    /// The `Parameter` classes of the input graph whose names a derived weight could have
    /// (`a+b`, `w:winograd`), by name.
    let parameterClasses: [String: EClassID]
    /// Nodes that must stay: outputs and side effects.
    let pinned: [Bool]
    /// Nodes with no live consumer.
    let isSink: [Bool]

    /// Adds every live node of `graph` to `egraph`, in `order` (the live nodes in a
    /// topological order, as ``FusionError/checkStructure(of:)`` returns them).
    ///
    /// Nodes are read in place; each node's payload is interned by integer hashing
    /// (``PayloadInterner``) and its children go straight into the batch's flat arrays.
    ///
    /// - Complexity: O(n + total inputs) expected.
    init(_ graph: Graph, order: [Int], into egraph: EGraph, language: FusionLanguage) throws {
        let nodeCount = graph.nodes.count
        var entryOf = [Int32](repeating: -1, count: nodeCount)
        language.reserveCapacity(order.count)
        try egraph.reserveCapacity(nodes: order.count + order.count / 4, children: order.count * 3)
        var batch = ENodeBatch()
        batch.reserveCapacity(entries: order.count, children: order.count * 2)
        var hasConsumer = [Bool](repeating: false, count: nodeCount)
        var pinned = [Bool](repeating: false, count: nodeCount)
        for output in graph.outputs { pinned[output.index] = true }
        // Parameters whose names a derived weight could have (only those can be reused).
        var derivedLooking: [(index: Int, name: String)] = []
        let parameter = language.parameter, cacheWrite = language.cacheWrite
        let rope = language.rope, ropeOffset = language.ropeOffset
        let ropeGrad = language.ropeGrad, ropeGradOffset = language.ropeGradOffset
        graph.nodes.withUnsafeBufferPointer { nodes in
            entryOf.withUnsafeMutableBufferPointer { entryOf in
                hasConsumer.withUnsafeMutableBufferPointer { hasConsumer in
                    language.withInterner { interner in
                        for index in order {
                            let node = nodes.baseAddress! + index
                            let (payload, nodeOperator) = interner.nodePayload(node)
                            var op = nodeOperator
                            let entry = node.pointee.inputs.withUnsafeBufferPointer { inputs in
                                if inputs.count == 2 {
                                    if op == rope { op = ropeOffset } else if op == ropeGrad { op = ropeGradOffset }
                                }
                                return batch.append(op: op, payload: payload, childCount: inputs.count) { k in
                                    let input = inputs[k].index
                                    hasConsumer[input] = true
                                    return .entry(Int(entryOf[input]))
                                }
                            }
                            entryOf[index] = Int32(truncatingIfNeeded: entry)
                            if op == cacheWrite {
                                pinned[index] = true
                            } else if op == parameter, case .parameter(let name) = node.pointee.op,
                                      Self.isDerivedLooking(name) {
                                derivedLooking.append((index, name))
                            }
                        }
                    }
                }
            }
        }
        let classes = try egraph.add(batch)
        originalCount = egraph.totalNodeCount
        var enodeOf = [UInt32](repeating: .max, count: nodeCount)
        var homeNode = [Int32](repeating: -1, count: originalCount)
        var isSink = [Bool](repeating: false, count: nodeCount)
        for (entry, index) in order.enumerated() {
            let e = classes[entry].rawValue
            enodeOf[index] = e
            if homeNode[Int(e)] < 0 || homeNode[Int(e)] > Int32(index) { homeNode[Int(e)] = Int32(index) }
            isSink[index] = !hasConsumer[index]
        }
        var parameters: [String: EClassID] = [:]
        parameters.reserveCapacity(derivedLooking.count)
        for (index, name) in derivedLooking where parameters[name] == nil {
            parameters[name] = EClassID(enodeOf[index])
        }
        self.enodeOf = enodeOf
        self.homeNode = homeNode
        self.parameterClasses = parameters
        self.pinned = pinned
        self.isSink = isSink
    }

    /// Whether a parameter name could be a derived weight's (`a+b`, `w:winograd`).
    ///
    /// The UTF-8 bytes are read in place, eight at a time for the `+`.
    ///
    /// - Complexity: O(name length).
    static func isDerivedLooking(_ name: String) -> Bool {
        let found = name.utf8.withContiguousStorageIfAvailable { derivedMarks(UnsafeRawBufferPointer($0)) }
            ?? Array(name.utf8).withUnsafeBytes { derivedMarks($0) }
        switch found {
        case .plus: return true
        // The bytes are necessary, and almost always sufficient: confirm on characters.
        case .suffixBytes: return name.hasSuffix(":winograd")
        case .none: return false
        }
    }

    /// What the bytes of a name say about a derived weight's marks.
    private enum DerivedMarks { case plus, suffixBytes, none }

    /// A `+` anywhere, else the bytes of `:winograd` at the end, else nothing.
    private static func derivedMarks(_ bytes: UnsafeRawBufferPointer) -> DerivedMarks {
        let plus = UInt8(ascii: "+")
        var offset = 0
        // A word holds a `+` byte when `word ^ 0x2B2B…` has a zero byte.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while offset + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ (ones &* UInt64(plus))
            if (word &- ones) & ~word & highs != 0 { return .plus }
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] == plus { return .plus }
            offset += 1
        }
        let suffix: StaticString = ":winograd"
        let length = suffix.utf8CodeUnitCount
        guard bytes.count >= length else { return .none }
        let start = bytes.count - length
        for k in 0..<length where bytes[start + k] != suffix.utf8Start[k] { return .none }
        return .suffixBytes
    }

    /// The extraction roots: the classes of outputs, side effects and nodes nobody
    /// consumes (dead code is kept, as the reference keeps it), and the child classes of a
    /// pinned node whose class another node represents (it is then kept as it was).
    func roots(_ storage: ENodeStorage, homes home: [Int32], canonical: [UInt32]) -> [UInt32] {
        var roots: [UInt32] = []
        for index in enodeOf.indices where enodeOf[index] != .max {
            let e = Int(enodeOf[index])
            guard pinned[index] || isSink[index] else { continue }
            roots.append(UInt32(e))
            if pinned[index], home[Int(canonical[e])] != Int32(index) {
                roots.append(contentsOf: storage.children(of: e))
            }
        }
        return roots
    }

    /// The lowest node id whose e-node is in each canonical class (-1: none).
    func homes(canonical: [UInt32]) -> [Int32] {
        var home = [Int32](repeating: -1, count: canonical.count)
        for e in 0..<originalCount where homeNode[e] >= 0 {
            let c = Int(canonical[e])
            if home[c] < 0 || home[c] > homeNode[e] { home[c] = homeNode[e] }
        }
        return home
    }

}
