/// Whole-graph checks: arity, shapes, dtypes, parameters, input and output ids, cycles.
extension Graph {
    /// Checks every rule of the op IR and throws the first violation, in this order:
    /// per node in id order, input ids in range, arity, the op's shape/dtype/parameter
    /// rules and the declared output type (`Nop`s only have their input ids checked);
    /// then the outputs and `param_grad_outputs`; then acyclicity; then derived params.
    ///
    /// - Throws: ``GraphError`` naming the node, the op, the input slot and the field.
    /// - Complexity: O(n + total inputs) (times the rank for shape checks).
    public func validate() throws(GraphError) {
        for node in nodes {
            try validateNode(node)
        }
        try validateOutputs()
        if let node = firstNodeOnCycle() {
            throw GraphError(.cycle, node: node, op: self[node].op.name, field: "inputs",
                             message: "node \(node) depends on itself through its inputs")
        }
        try validateDerivedParams()
    }

    /// Checks one node: input ids, arity, shape rules, declared type, `fwd_node`.
    func validateNode(_ node: Node) throws(GraphError) {
        if node.isNop {
            for (slot, input) in node.inputs.enumerated() where !contains(input) {
                throw GraphError(.inputOutOfRange, node: node.id, op: "Nop", input: slot, inputNode: input,
                                 field: "inputs", message: "input id \(input) is not a node (the graph has \(count))")
            }
            if !Rules.isWithinLimits(node.type) {
                throw GraphError(.outputType, node: node.id, op: "Nop", field: "shape",
                                 message: "shape \(node.type.shape) must be non-empty with positive dimensions and at most 2^48 elements")
            }
            return
        }
        let expected = try checkedType(of: node.op, inputs: node.inputs, declared: node.type, node: node.id)
        if expected.dtype != node.type.dtype {
            throw GraphError(.outputType, node: node.id, op: node.op.name, field: "dtype",
                             message: "declared \(node.type), the op gives \(expected)")
        }
        if expected.shape != node.type.shape {
            throw GraphError(.outputType, node: node.id, op: node.op.name, field: "shape",
                             message: "declared \(node.type), the op gives \(expected)")
        }
        switch node.op {
        case .multiHeadAttnGradQ(let fwd, _, _), .multiHeadAttnGradK(let fwd, _, _),
             .multiHeadAttnGradV(let fwd, _, _):
            if !contains(fwd) {
                throw GraphError(.parameter, node: node.id, op: node.op.name, field: "fwd_node",
                                 message: "fwd_node \(fwd) is not a node (the graph has \(count))")
            }
        default:
            break
        }
    }

    /// Checks output ids and `param_grad_outputs`.
    func validateOutputs() throws(GraphError) {
        for (i, id) in outputs.enumerated() where !contains(id) {
            throw GraphError(.outputOutOfRange, field: "outputs",
                             message: "outputs[\(i)] = \(id) is not a node (the graph has \(count))")
        }
        if paramGradOutputs > outputs.count {
            throw GraphError(.paramGradOutputs, field: "param_grad_outputs",
                             message: "param_grad_outputs \(paramGradOutputs) exceeds the \(outputs.count) outputs")
        }
    }

    /// Checks that every derived parameter has sources with positive sizes.
    func validateDerivedParams() throws(GraphError) {
        for (i, param) in derivedParams.enumerated() {
            if param.sources.isEmpty || param.rows <= 0 || param.sources.contains(where: { $0.cols <= 0 }) {
                throw GraphError(.derivedParam, field: "derived_params",
                                 message: "derived_params[\(i)] (\(param.name)) needs sources with positive rows and cols")
            }
        }
    }

    /// A node on a cycle (the smallest id of the first cycle found), or `nil` when the
    /// graph is acyclic. Input ids must be in range.
    ///
    /// - Complexity: O(n + total inputs).
    func firstNodeOnCycle() -> NodeID? {
        // Kahn's algorithm over all slots; what it cannot reach is on or behind a cycle.
        var remaining = nodes.map { $0.inputs.count }
        do {
            let users = CompressedAdjacency(graph: self)
            var stack: [Int] = []
            for i in remaining.indices where remaining[i] == 0 { stack.append(i) }
            var done = 0
            while let i = stack.popLast() {
                done += 1
                for user in users.users(of: i) {
                    remaining[user] -= 1
                    if remaining[user] == 0 { stack.append(user) }
                }
            }
            if done == nodes.count { return nil }
        }
        // Walk inputs that are still pending from the first pending node; the walk
        // must revisit a node, and the nodes from that revisit on form a cycle.
        guard var current = remaining.firstIndex(where: { $0 > 0 }) else { return nil }
        var seenAt = [Int: Int]()
        var path: [Int] = []
        while seenAt[current] == nil {
            seenAt[current] = path.count
            path.append(current)
            guard let next = nodes[current].inputs.first(where: { remaining[$0.index] > 0 }) else { return nil }
            current = next.index
        }
        return NodeID(path[seenAt[current]!...].min()!)
    }
}

/// The consumers of every node as one flat array (a consumer appears once per input
/// slot), built in two passes without per-node arrays.
struct CompressedAdjacency {
    private var offsets: [Int]
    private var targets: [Int]

    init(graph: Graph) {
        var offsets = [Int](repeating: 0, count: graph.count + 1)
        for node in graph.nodes {
            for input in node.inputs { offsets[input.index + 1] += 1 }
        }
        for i in 0..<graph.count { offsets[i + 1] += offsets[i] }
        var fill = offsets
        var targets = [Int](repeating: 0, count: offsets[graph.count])
        for node in graph.nodes {
            for input in node.inputs {
                targets[fill[input.index]] = node.id.index
                fill[input.index] += 1
            }
        }
        self.offsets = offsets
        self.targets = targets
    }

    /// The consumers of node `i`, in id order, once per input slot.
    func users(of i: Int) -> ArraySlice<Int> { targets[offsets[i]..<offsets[i + 1]] }
}
