import TensorGraph

/// A graph the optimizer cannot work on, naming the offending node.
public struct FusionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: String, Hashable, Sendable {
        /// An input id names no node.
        case inputOutOfRange
        /// A live node reads a `Nop`.
        case inputIsNop
        /// The graph has a cycle through the node.
        case cycle
        /// An output id names no node.
        case outputOutOfRange
        /// An output is a `Nop`.
        case outputIsNop
        /// A node has the wrong number of inputs for its op.
        case arity
        /// The e-graph engine failed (out of memory, or an internal inconsistency).
        case engine
    }

    /// What is wrong.
    public var kind: Kind
    /// The offending node (for outputs: the output's node id, when in range).
    public var node: NodeID?
    /// An explanation.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, node: NodeID?, message: String) {
        self.kind = kind
        self.node = node
        self.message = message
    }

    /// `node 12: …`.
    public var description: String {
        (node.map { "node \($0): " } ?? "") + message
    }

    /// Checks what the optimizer relies on: ids in range, arities, no live node reading a
    /// `Nop`, outputs live, no cycle.
    ///
    /// - Returns: The live nodes in a topological order and their input count.
    /// - Complexity: O(n + total inputs).
    @discardableResult
    static func checkStructure(of graph: Graph) throws(FusionError) -> GraphStructure {
        let nodes = graph.nodes
        var ordered = true
        // The live nodes' ids, written in place (the count is cut to the live ones after).
        var live = [Int](unfilledCount: nodes.count)
        var liveCount = 0
        var inputCount = 0
        // Which nodes are Nops, filled in id order: an input that precedes its node is
        // checked here (a small array in cache) instead of in its node.
        var isNop = [Bool](repeating: false, count: nodes.count)
        // Nodes are read in place (no copy of each node and its arrays).
        try nodes.withUnsafeBufferPointer { (nodes) throws(FusionError) in
          try isNop.withUnsafeMutableBufferPointer { (isNop) throws(FusionError) in
          try live.withUnsafeMutableBufferPointer { (live) throws(FusionError) in
            for index in nodes.indices {
                // Only a `Nop` has no arity: one switch on the op tells both.
                guard let arity = nodes[index].op.arity else {
                    isNop[index] = true
                    continue
                }
                live[liveCount] = index
                liveCount += 1
                let id = nodes[index].id
                let count = nodes[index].inputs.count
                if !arity.contains(count) {
                    throw FusionError(.arity, node: id,
                                      message: "\(nodes[index].op.name) takes \(arity.lowerBound)…\(arity.upperBound) inputs, got \(count)")
                }
                inputCount += count
                try nodes[index].inputs.withUnsafeBufferPointer { (inputs) throws(FusionError) in
                    for (slot, input) in inputs.enumerated() {
                        guard input.index < nodes.count else {
                            throw FusionError(.inputOutOfRange, node: id,
                                              message: "input \(slot) is \(input), but the graph has \(nodes.count) nodes")
                        }
                        if input.index < index ? isNop[input.index] : nodes[input.index].isNop {
                            throw FusionError(.inputIsNop, node: id,
                                              message: "input \(slot) is node \(input), a Nop")
                        }
                        if input.index >= id.index { ordered = false }
                    }
                }
            }
          }
          }
        }
        live.removeLast(live.count - liveCount)
        for (position, output) in graph.outputs.enumerated() {
            guard output.index < nodes.count else {
                throw FusionError(.outputOutOfRange, node: nil,
                                  message: "outputs[\(position)] is \(output), but the graph has \(nodes.count) nodes")
            }
            if nodes[output.index].isNop {
                throw FusionError(.outputIsNop, node: output, message: "outputs[\(position)] is a Nop")
            }
        }
        if ordered { return GraphStructure(order: live, inputCount: inputCount) }
        let order = EgglogEncoding.topologicalOrder(graph)
        var position = [Int](repeating: -1, count: nodes.count)
        for (i, index) in order.enumerated() { position[index] = i }
        for index in order {
            for input in nodes[index].inputs where position[input.index] >= position[index] {
                throw FusionError(.cycle, node: nodes[index].id, message: "the node is on a cycle")
            }
        }
        return GraphStructure(order: order, inputCount: inputCount)
    }
}

/// What ``FusionError/checkStructure(of:)`` found in a well-formed graph.
struct GraphStructure {
    /// The live nodes in a topological order: `EgglogEncoding.topologicalOrder`'s (id
    /// order when every input precedes its node).
    let order: [Int]
    /// The number of inputs of the live nodes, in total.
    let inputCount: Int
}
