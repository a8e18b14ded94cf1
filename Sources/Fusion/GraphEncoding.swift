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
    /// (`a+b`, `w:winograd`), with their names, in node order (several nodes may share a
    /// name: the first one counts).
    let derivedLookingParameters: [(name: String, eclass: EClassID)]
    /// Nodes that must stay: outputs and side effects.
    let pinned: [Bool]
    /// Nodes that a live node reads (the others are sinks).
    let hasConsumer: [Bool]

    /// Adds every live node of `graph` to `egraph`, in the topological order of
    /// `structure` (as ``FusionError/checkStructure(of:)`` returns it).
    ///
    /// Nodes are read in place; each node's payload is interned by integer hashing
    /// (``PayloadInterner``), and the batch is written as flat arrays.
    ///
    /// - Complexity: O(n + total inputs) expected.
    init(_ graph: Graph, structure: GraphStructure, into egraph: EGraph, language: FusionLanguage) throws {
        let order = structure.order
        let nodeCount = graph.nodes.count
        // Read only at live nodes, which the loop below writes before any reads them.
        var entryOf: [Int32] = Array(unfilledCount: nodeCount)
        language.reserveCapacity(order.count)
        try egraph.reserveCapacity(nodes: order.count + order.count / 4,
                                   children: structure.inputCount + structure.inputCount / 2)
        // The batch: every element is written below.
        var ops: [UInt32] = Array(unfilledCount: order.count)
        var payloads: [UInt64] = Array(unfilledCount: order.count)
        var childOffsets: [UInt32] = Array(unfilledCount: order.count + 1)
        var children: [ENodeBatch.Child] = Array(unfilledCount: structure.inputCount)
        var hasConsumer = [Bool](repeating: false, count: nodeCount)
        var pinned = [Bool](repeating: false, count: nodeCount)
        for output in graph.outputs { pinned[output.index] = true }
        // Parameters whose names a derived weight could have (only those can be reused).
        var derivedLooking: [(index: Int, name: String)] = []
        let cacheWrite = language.cacheWrite
        let rope = language.rope, ropeOffset = language.ropeOffset
        let ropeGrad = language.ropeGrad, ropeGradOffset = language.ropeGradOffset
        graph.nodes.withUnsafeBufferPointer { nodes in
        entryOf.withUnsafeMutableBufferPointer { entryOf in
        hasConsumer.withUnsafeMutableBufferPointer { hasConsumer in
        ops.withUnsafeMutableBufferPointer { ops in
        payloads.withUnsafeMutableBufferPointer { payloads in
        childOffsets.withUnsafeMutableBufferPointer { childOffsets in
        children.withUnsafeMutableBufferPointer { children in
            language.withInterner { interner in
                interner.inputNodes = graph.nodes
                var next = 0
                childOffsets[0] = 0
                for (entry, index) in order.enumerated() {
                    let node = nodes.baseAddress! + index
                    let (payload, nodeOperator, derivedMarks) = interner.nodePayload(node, index: index)
                    var op = nodeOperator
                    let inputCount = node.pointee.inputs.count
                    if inputCount == 2 {
                        if op == rope { op = ropeOffset } else if op == ropeGrad { op = ropeGradOffset }
                    }
                    for k in 0..<inputCount {
                        let input = node.pointee.inputs[k].index
                        hasConsumer[input] = true
                        children[next + k] = .entry(Int(entryOf[input]))
                    }
                    next += inputCount
                    ops[entry] = op
                    payloads[entry] = payload
                    childOffsets[entry + 1] = UInt32(truncatingIfNeeded: next)
                    entryOf[index] = Int32(truncatingIfNeeded: entry)
                    if op == cacheWrite {
                        pinned[index] = true
                    } else if derivedMarks != .none, case .parameter(let name) = node.pointee.op,
                              PayloadInterner.isDerivedLooking(name, marks: derivedMarks) {
                        derivedLooking.append((index, name))
                    }
                }
            }
        }
        }
        }
        }
        }
        }
        }
        let batch = ENodeBatch(ops: ops, payloads: payloads, childOffsets: childOffsets, children: children)
        let classes = try egraph.add(batch)
        originalCount = egraph.totalNodeCount
        // `.max` marks the Nops: with none, every element is written below.
        var enodeOf = order.count == nodeCount ? [UInt32](unfilledCount: nodeCount)
                                               : [UInt32](repeating: .max, count: nodeCount)
        var homeNode = [Int32](repeating: -1, count: originalCount)
        classes.withUnsafeBufferPointer { classes in
        enodeOf.withUnsafeMutableBufferPointer { enodeOf in
        homeNode.withUnsafeMutableBufferPointer { homeNode in
            for (entry, index) in order.enumerated() {
                let e = classes[entry].rawValue
                enodeOf[index] = e
                let home = homeNode[Int(e)]
                if home < 0 || home > Int32(index) { homeNode[Int(e)] = Int32(truncatingIfNeeded: index) }
            }
        }
        }
        }
        self.derivedLookingParameters = derivedLooking.map { (name: $0.name, eclass: EClassID(enodeOf[$0.index])) }
        self.enodeOf = enodeOf
        self.homeNode = homeNode
        self.pinned = pinned
        self.hasConsumer = hasConsumer
    }

    /// Whether a parameter name could be a derived weight's (`a+b`, `w:winograd`).
    ///
    /// The UTF-8 bytes are read in place (by ``PayloadInterner/scan(_:)``).
    ///
    /// - Complexity: O(name length).
    static func isDerivedLooking(_ name: String) -> Bool {
        PayloadInterner.isDerivedLooking(name, marks: PayloadInterner.scan(name).marks)
    }
}

extension Array where Element: BitwiseCopyable {
    /// An array of `count` elements that are not filled first, for arrays whose elements
    /// are each written before anything reads them (no zero-filling pass over them).
    init(unfilledCount count: Int) {
        self.init(unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
