/// Topological ordering with `Nop` removal.
extension Graph {
    /// A new graph with the live nodes in topological order, `Nop`s dropped and ids
    /// renumbered densely from 0.
    ///
    /// Kahn's algorithm with a FIFO queue seeded with the zero-in-degree nodes in id
    /// order, so the result is deterministic; a node joins the queue when its last
    /// input has been placed. Inputs, outputs and `fwd_node` references are remapped;
    /// `param_grad_outputs` and derived parameters carry over.
    ///
    /// - Throws: ``GraphError`` when an output is a `Nop` (`outputIsNop`, field
    ///   `outputs`), when a live node uses a `Nop` as input or names one as `fwd_node`,
    ///   when an id is out of range, or when the graph has a cycle.
    /// - Complexity: O(n + total inputs).
    public func toposort() throws(GraphError) -> Graph {
        for node in nodes {
            for (slot, input) in node.inputs.enumerated() where !contains(input) {
                throw GraphError(.inputOutOfRange, node: node.id, op: node.op.name, input: slot, inputNode: input,
                                 field: "inputs", message: "input id \(input) is not a node (the graph has \(count))")
            }
        }
        try validateOutputs()
        for (i, id) in outputs.enumerated() where self[id].isNop {
            throw GraphError(.outputIsNop, node: id, op: "Nop", field: "outputs",
                             message: "outputs[\(i)] = \(id) is a Nop, which toposort drops")
        }

        let users = CompressedAdjacency(graph: self)
        var pending = nodes.map { $0.inputs.count }
        var queue: [Int] = []
        queue.reserveCapacity(nodes.count)
        for i in pending.indices where pending[i] == 0 { queue.append(i) }
        var head = 0
        while head < queue.count {
            let i = queue[head]
            head += 1
            for user in users.users(of: i) {
                pending[user] -= 1
                if pending[user] == 0 { queue.append(user) }
            }
        }
        if queue.count < nodes.count {
            let node = firstNodeOnCycle() ?? NodeID(pending.firstIndex { $0 > 0 }!)
            throw GraphError(.cycle, node: node, op: self[node].op.name, field: "inputs",
                             message: "node \(node) depends on itself through its inputs")
        }

        var newID = [UInt32](repeating: .max, count: nodes.count)
        var next: UInt32 = 0
        for i in queue where !nodes[i].isNop {
            newID[i] = next
            next += 1
        }
        func remap(_ id: NodeID, of node: Node, slot: Int?, field: String) throws(GraphError) -> NodeID {
            let mapped = newID[id.index]
            if mapped == .max {
                throw GraphError(slot == nil ? .parameter : .inputType, node: node.id, op: node.op.name,
                                 input: slot, inputNode: slot == nil ? nil : id, field: field,
                                 message: "refers to node \(id), a Nop that toposort drops")
            }
            return NodeID(rawValue: mapped)
        }

        var result = Graph()
        result.reserveCapacity(Int(next))
        for i in queue where !nodes[i].isNop {
            let node = nodes[i]
            var inputs: [NodeID] = []
            inputs.reserveCapacity(node.inputs.count)
            for (slot, input) in node.inputs.enumerated() {
                inputs.append(try remap(input, of: node, slot: slot, field: "inputs"))
            }
            var op = node.op
            switch op {
            case .multiHeadAttnGradQ(let fwd, let heads, let isCross):
                op = .multiHeadAttnGradQ(fwdNode: try remap(fwd, of: node, slot: nil, field: "fwd_node"),
                                         heads, isCross: isCross)
            case .multiHeadAttnGradK(let fwd, let heads, let isCross):
                op = .multiHeadAttnGradK(fwdNode: try remap(fwd, of: node, slot: nil, field: "fwd_node"),
                                         heads, isCross: isCross)
            case .multiHeadAttnGradV(let fwd, let heads, let isCross):
                op = .multiHeadAttnGradV(fwdNode: try remap(fwd, of: node, slot: nil, field: "fwd_node"),
                                         heads, isCross: isCross)
            default:
                break
            }
            result.addRawNode(op: op, inputs: inputs, type: node.type)
        }
        try result.setOutputs(outputs.map { NodeID(rawValue: newID[$0.index]) },
                              paramGradOutputs: paramGradOutputs)
        result.setDerivedParams(derivedParams)
        return result
    }
}
