/// One node of a ``Graph``: an op, its input node ids and its output tensor type.
public struct Node: Hashable, Sendable {
    /// The node's id (its index in ``Graph/nodes``).
    public var id: NodeID
    /// The operation, with its parameters.
    public var op: Op
    /// Input node ids, in the op's order. They may point forward in an optimized graph
    /// that appended nodes, but the graph is acyclic.
    public var inputs: [NodeID]
    /// The output tensor type.
    public var type: TensorType

    /// Creates a node.
    public init(id: NodeID, op: Op, inputs: [NodeID], type: TensorType) {
        self.id = id
        self.op = op
        self.inputs = inputs
        self.type = type
    }

    /// The output shape (shorthand for `type.shape`).
    @inlinable public var shape: [Int] { type.shape }
    /// The output dtype (shorthand for `type.dtype`).
    @inlinable public var dtype: DType { type.dtype }
    /// Whether the node is a dead `Nop`.
    @inlinable public var isNop: Bool { op.isNop }
}
