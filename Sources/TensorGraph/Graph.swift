/// A tensor computation graph: nodes (each an ``Op`` with input ids and an output
/// ``TensorType``), an ordered list of outputs, and the parameters the runtime derives
/// from other parameters.
///
/// A node's ``NodeID`` is its index in ``nodes``. The last ``paramGradOutputs`` outputs
/// are parameter gradients appended by an autodiff (in Parameter node order); the rest
/// are user outputs, `outputs[0]` being the loss of a training graph.
///
/// Builders (``matmul(_:_:)``, ``rmsNorm(_:_:eps:)``, …) check the op's arity and shape
/// rules and throw a ``GraphError`` naming the op and the offending input.
/// ``addRawNode(op:inputs:type:)`` and ``replaceNode(_:op:inputs:type:)`` skip the checks
/// for the optimizer, which then calls ``validate()``.
///
/// ```swift
/// var g = Graph()
/// let x = try g.input("x", shape: [4, 784])
/// let w = try g.parameter("w1", shape: [784, 128])
/// let y = try g.matmul(x, w)
/// try g.setOutputs([y])
/// ```
///
/// ## API at a glance
///
/// ```text
/// Types
///   NodeID            32-bit node id = index in `graph.nodes` (`id.index`, `NodeID(5)`, literal `5`).
///   DType             .f32 .f16 .u32 .q4_0 .q8_0 (raw values are the JSON names).
///   TensorType        dtype + shape; `elementCount`, `byteSize` (q4_0: 20 B / 32 elems, q8_0: 36 B / 32).
///   Op                one case per op of the IR (`.matMul`, `.rmsNorm(eps:)`, `.rope(RoPEParameters)`,
///                     `.causalAttention(AttentionHeads)`, `.conv2d(Conv2dGeometry)`, `.nop`, …);
///                     `op.name` is the JSON name ("MatMul"), `op.arity`, `op.isNop`, `op.hasSideEffect`,
///                     `op.isLeaf`, `op.leafName`.
///   Node              id, op, inputs: [NodeID], type: TensorType.
///   DerivedParam      name, sources [(name, cols)], rows, transform (.horizontalConcat |
///                     .winograd3x3(outChannels:inChannels:)).
///   GraphError        typed error: kind, node, op, input (slot), inputNode, field, message.
///   GraphFormatError  typed reading error: kind, file, line, column, node, field, message, graphError.
///
/// Graph (a value type; builders are `mutating` and `throws`, returning the new NodeID)
///   nodes, count, graph[id], outputs, paramGradOutputs, userOutputs, gradientOutputs, derivedParams
///   setOutputs(_:paramGradOutputs:) throws, isOutput(_:), consumerCounts(), consumers()
///   addNode(_ op:, inputs:, type:) throws      — checked generic builder
///   addRawNode(op:inputs:type:)                — unchecked append, for the optimizer
///   replaceNode(_:op:inputs:type:), makeNop(_:), addDerivedParam(_:), parameterNode(named:)
///   leaves:       input(_:shape:dtype:), parameter(_:shape:dtype:), constant(fill:shape:dtype:),
///                 constant(data:shape:)
///   matmuls:      matmul, matmulAT, matmulBT, fusedMatMulAdd/ATAdd/BTAdd, fusedRmsNormMatMul(x,w,p,eps:)
///   elementwise:  add, mul, greater, biasAdd, relu, sigmoid, tanh, neg, abs, log, recip, silu, gelu,
///                 reshape(x, shape) (Identity), stopGradient, swiGLU, swiGLUConcat
///   reductions:   sumAll, meanAll, sumRows, softmax, logSoftmax, crossEntropyLoss, bceLoss, transpose
///   norms:        rmsNorm(x,w,eps:), rmsNormGradW/X(dy,x,w,eps:), layerNorm(x,w,b,eps:),
///                 layerNormGradWB/X(dy,x,w,eps:)
///   positions:    embedding(indices, table), scatterAdd(indices, src, vocabSize:),
///                 rope(x, theta:, posOffset:, headDim:, offset:), ropeGrad(same)
///   attention:    causalAttention/fullAttention/crossAttention/cachedAttention(..., numHeads:numKVHeads:headDim:),
///                 slidingWindowAttention(q,k,v, …, windowSize:), causalAttentionRoPE(q,k,v, …, ropeTheta:),
///                 multiHeadAttn(q,k,v, …, isCross:), multiHeadAttnGradQ/K/V(dO,q,k,v, fwdNode:, …, isCross:),
///                 cacheWrite(newKV, cache, pos)
///   grads:        swiGLUGradGate(dOut,gate,up), swiGLUGradUp(dOut,gate), siluGrad(dOut,x), swiGLUConcatGrad(dOut,x)
///   conv/pool:    conv2d/conv2dGradInput/conv2dGradWeight(_, _, Conv2dGeometry), winogradConv2d(x, wino, w, WinogradGeometry),
///                 maxPool2d(x, MaxPool2dGeometry), globalAvgPool(x, channels:spatial:), globalAvgPoolGrad,
///                 groupNorm/groupNormSilu(x,w,b, numGroups:eps:channels:spatial:), groupNormGradInput(dy,x,w,…),
///                 groupNormGradWeightBias(dy,x,…), concat(a,b, channelsA:channelsB:spatial:), splitA, splitB,
///                 upsample2x(x, channels:inH:inW:), upsample2xGrad
///   composites:   div(a,b) = Mul(a, Recip b); mseLoss(p,t); l1Loss(p,t)
///   whole graph:  validate() throws(GraphError), toposort() throws(GraphError) -> Graph, activeCount,
///                 reserveCapacity(_:), setDerivedParams(_:)
///   JSON:         Graph(json: [UInt8], file:, validate:), Graph(jsonString:), Graph(contentsOfFile:validate:)
///                   throw GraphFormatError (kind, file, line, column, node, field, message, graphError);
///                 jsonBytes(), jsonString(), write(toFile:) — one node per line, floats in shortest form
///   DOT:          dot(name:) -> String
/// ```
public struct Graph: Hashable, Sendable {
    /// The nodes; `nodes[i].id == NodeID(i)`.
    public private(set) var nodes: [Node] = []
    /// The output node ids, in order (user outputs first, then parameter gradients).
    public private(set) var outputs: [NodeID] = []
    /// How many trailing ``outputs`` are parameter gradients.
    public private(set) var paramGradOutputs: Int = 0
    /// Parameters that the runtime computes from other parameters.
    public private(set) var derivedParams: [DerivedParam] = []
    /// Raw values of ``outputs``, for O(1) ``isOutput(_:)``.
    private var outputSet: Set<UInt32> = []

    /// Creates an empty graph.
    public init() {}

    /// The number of node slots (including `Nop`s).
    @inlinable public var count: Int { nodes.count }

    /// The number of non-`Nop` nodes.
    ///
    /// - Complexity: O(n).
    public var activeCount: Int { nodes.reduce(0) { $0 + ($1.isNop ? 0 : 1) } }

    /// The node with the given id.
    ///
    /// - Precondition: `id.index < count`.
    @inlinable public subscript(id: NodeID) -> Node { nodes[id.index] }

    /// Whether `id` names a node of this graph.
    @inlinable public func contains(_ id: NodeID) -> Bool { id.index < nodes.count }

    /// The user outputs: all outputs but the trailing parameter gradients.
    public var userOutputs: ArraySlice<NodeID> { outputs[..<(outputs.count - paramGradOutputs)] }

    /// The parameter-gradient outputs (the trailing ``paramGradOutputs`` outputs).
    public var gradientOutputs: ArraySlice<NodeID> { outputs[(outputs.count - paramGradOutputs)...] }

    /// Whether `id` is one of the graph's outputs.
    ///
    /// - Complexity: O(1).
    public func isOutput(_ id: NodeID) -> Bool { outputSet.contains(id.rawValue) }

    /// Sets the outputs and how many trailing ones are parameter gradients.
    ///
    /// - Throws: ``GraphError`` (`outputOutOfRange`, field `outputs`) when an id names no
    ///   node, (`paramGradOutputs`) when `paramGradOutputs` exceeds `outputs.count`.
    public mutating func setOutputs(_ outputs: [NodeID], paramGradOutputs: Int = 0) throws(GraphError) {
        for (i, id) in outputs.enumerated() where !contains(id) {
            throw GraphError(.outputOutOfRange, field: "outputs",
                             message: "outputs[\(i)] = \(id) is not a node (the graph has \(count))")
        }
        guard paramGradOutputs >= 0, paramGradOutputs <= outputs.count else {
            throw GraphError(.paramGradOutputs, field: "param_grad_outputs",
                             message: "param_grad_outputs \(paramGradOutputs) exceeds the \(outputs.count) outputs")
        }
        self.outputs = outputs
        self.paramGradOutputs = paramGradOutputs
        self.outputSet = Set(outputs.map(\.rawValue))
    }

    /// Reserves room for `n` nodes (before appending many).
    public mutating func reserveCapacity(_ n: Int) {
        nodes.reserveCapacity(n)
    }

    /// A graph made of already-read parts, checked by the caller (the JSON reader).
    init(uncheckedNodes nodes: [Node], outputs: [NodeID], paramGradOutputs: Int, derivedParams: [DerivedParam]) {
        self.nodes = nodes
        self.outputs = outputs
        self.paramGradOutputs = paramGradOutputs
        self.derivedParams = derivedParams
        self.outputSet = Set(outputs.map(\.rawValue))
    }

    /// This graph with `nodes` in place of its nodes (outputs, their gradient split and the
    /// derived parameters kept), unchecked: for the optimizer, which writes a whole node
    /// array once instead of copying this one and then rewriting nodes in it. Call
    /// ``validate()`` to check.
    ///
    /// - Precondition: `nodes[i].id == NodeID(i)`, and every output names a node.
    /// - Complexity: O(1) (the other arrays are shared).
    package func replacingNodes(_ nodes: [Node]) -> Graph {
        var graph = self
        graph.nodes = nodes
        return graph
    }

    /// Records a derived parameter (the caller also adds its `Parameter` node).
    public mutating func addDerivedParam(_ param: DerivedParam) {
        derivedParams.append(param)
    }

    /// Replaces the list of derived parameters.
    public mutating func setDerivedParams(_ params: [DerivedParam]) {
        derivedParams = params
    }

    /// Appends a node without checking its inputs' shapes or its type: for the
    /// optimizer, which knows the type of what it builds. Call ``validate()`` to check.
    ///
    /// - Precondition: every input names an existing node.
    /// - Complexity: amortized O(inputs).
    @discardableResult
    public mutating func addRawNode(op: Op, inputs: [NodeID], type: TensorType) -> NodeID {
        precondition(inputs.allSatisfy { $0.index < nodes.count }, "addRawNode: input out of range")
        let id = NodeID(nodes.count)
        nodes.append(Node(id: id, op: op, inputs: inputs, type: type))
        return id
    }

    /// Overwrites a node's op, inputs and type in place (its id stays), without checks:
    /// the way a fusion writes the fused op into the consumer. Inputs may point forward.
    ///
    /// - Precondition: `id` and every input name existing nodes.
    public mutating func replaceNode(_ id: NodeID, op: Op, inputs: [NodeID], type: TensorType) {
        precondition(contains(id) && inputs.allSatisfy { $0.index < nodes.count },
                     "replaceNode: id out of range")
        nodes[id.index] = Node(id: id, op: op, inputs: inputs, type: type)
    }

    /// Turns a node into a `Nop`, keeping its old inputs and type (a fused-away producer).
    ///
    /// - Precondition: `id` names an existing node.
    public mutating func makeNop(_ id: NodeID) {
        nodes[id.index].op = .nop
    }

    /// The first `Parameter` node with the given name, if any.
    ///
    /// - Complexity: O(n).
    public func parameterNode(named name: String) -> NodeID? {
        nodes.first { if case .parameter(name) = $0.op { true } else { false } }?.id
    }

    /// For each node, how many distinct live (non-`Nop`) nodes use it as an input.
    ///
    /// A consumer that uses a node in two slots (`Mul(x, x)`) counts once; `Nop`
    /// consumers do not count. Outputs are not consumers (see ``isOutput(_:)``).
    ///
    /// - Complexity: O(n + total inputs).
    public func consumerCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: nodes.count)
        for node in nodes where !node.isNop {
            for (slot, input) in node.inputs.enumerated()
            where !node.inputs[..<slot].contains(input) {
                counts[input.index] += 1
            }
        }
        return counts
    }

    /// For each node, the distinct live (non-`Nop`) nodes that use it, in id order.
    ///
    /// - Complexity: O(n + total inputs).
    public func consumers() -> [[NodeID]] {
        var lists = [[NodeID]](repeating: [], count: nodes.count)
        for node in nodes where !node.isNop {
            for (slot, input) in node.inputs.enumerated()
            where !node.inputs[..<slot].contains(input) {
                lists[input.index].append(node.id)
            }
        }
        return lists
    }

    /// Appends a node after checking its op's arity and shape rules; the output type
    /// follows from the op and inputs (leaves and `Identity` take `type`'s shape).
    ///
    /// - Throws: ``GraphError`` naming the op, the offending input slot and its node.
    /// - Complexity: amortized O(inputs · rank).
    @discardableResult
    public mutating func addNode(_ op: Op, inputs: [NodeID], type: TensorType? = nil) throws(GraphError) -> NodeID {
        let outputType = try checkedType(of: op, inputs: inputs, declared: type, node: nil)
        let id = NodeID(nodes.count)
        nodes.append(Node(id: id, op: op, inputs: inputs, type: outputType))
        return id
    }

    /// The output type `op` gives for `inputs`, or a ``GraphError`` about `node`.
    func checkedType(of op: Op, inputs: [NodeID], declared: TensorType?, node: NodeID?) throws(GraphError)
        -> TensorType
    {
        var types: [TensorType] = []
        types.reserveCapacity(inputs.count)
        for (slot, input) in inputs.enumerated() {
            guard contains(input) else {
                throw GraphError(.inputOutOfRange, node: node, op: op.name, input: slot, inputNode: input,
                                 field: "inputs", message: "input id \(input) is not a node (the graph has \(count))")
            }
            types.append(nodes[input.index].type)
        }
        do {
            return try op.outputType(for: types, declared: declared)
        } catch {
            throw GraphError(error.kind, node: node, op: op.name, input: error.input,
                             inputNode: error.input.map { inputs[$0] }, field: error.field,
                             message: error.message)
        }
    }
}
