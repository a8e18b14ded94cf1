/// A violation of the graph's rules: wrong arity, a bad input shape or dtype, a bad op
/// parameter, a cycle, a bad output id.
///
/// The error names the place: the node (``node``; `nil` while a builder is still
/// checking a node it has not added), the op (``op``), the input slot (``input``) and
/// the field (``field``: a parameter name such as `"head_dim"`, or `"inputs"`,
/// `"shape"`, `"dtype"`, `"outputs"`, `"param_grad_outputs"`).
public struct GraphError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of rule was broken.
    public enum Kind: String, Hashable, Sendable {
        /// Wrong number of inputs for the op.
        case arity
        /// An input's shape or dtype does not fit the op.
        case inputType
        /// An op parameter is out of its domain (e.g. `head_dim` odd, `window_size` 0).
        case parameter
        /// A node's declared output type differs from what its op and inputs give.
        case outputType
        /// An input id does not name a node of the graph.
        case inputOutOfRange
        /// The graph has a cycle through this node.
        case cycle
        /// An output id does not name a node of the graph.
        case outputOutOfRange
        /// An output is a `Nop` (it cannot survive ``Graph/toposort()``).
        case outputIsNop
        /// `param_grad_outputs` exceeds the number of outputs.
        case paramGradOutputs
        /// A `Constant`'s data length differs from its element count, or a shape is invalid.
        case constantData
        /// A derived parameter is malformed.
        case derivedParam
    }

    /// What kind of rule was broken.
    public var kind: Kind
    /// The offending node, when the error is about one (`nil` for a node a builder
    /// rejected before adding it, and for graph-level fields).
    public var node: NodeID?
    /// The op's JSON name (`"MatMul"`), when the error is about a node.
    public var op: String?
    /// The offending input slot (0-based), when one input is at fault.
    public var input: Int?
    /// The node id in the offending input slot, when known.
    public var inputNode: NodeID?
    /// The offending field: a parameter's JSON name, `"inputs"`, `"shape"`, `"dtype"`,
    /// `"outputs"`, `"param_grad_outputs"` or `"derived_params"`.
    public var field: String?
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, node: NodeID? = nil, op: String? = nil, input: Int? = nil,
                inputNode: NodeID? = nil, field: String? = nil, message: String)
    {
        self.kind = kind
        self.node = node
        self.op = op
        self.input = input
        self.inputNode = inputNode
        self.field = field
        self.message = message
    }

    /// `node 12 (MatMul), input 1, field inputs: expected rank 2, got f32 [3]`.
    public var description: String {
        var parts: [String] = []
        if let node { parts.append("node \(node)" + (op.map { " (\($0))" } ?? "")) }
        else if let op { parts.append(op) }
        if let input { parts.append("input \(input)" + (inputNode.map { " (node \($0))" } ?? "")) }
        if let field { parts.append("field \(field)") }
        return parts.isEmpty ? message : parts.joined(separator: ", ") + ": " + message
    }
}
