/// A graph file that cannot be read: malformed JSON, a wrong format or version, an
/// unknown op, a missing or mistyped field, an id that is not its index, or a graph
/// that breaks the op IR's rules (input or output id out of range, wrong arity, a
/// cycle, `param_grad_outputs` too large, bad `Constant` data, a shape mismatch).
///
/// The error names the place: ``file`` (when reading a file), ``line`` and ``column``
/// (1-based, of the offending value, or of the node's object), the node id (``node``)
/// and the field (``field``, e.g. `"inputs"`, `"head_dim"`, `"outputs"`).
public struct GraphFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Hashable, Sendable {
        /// The file could not be read.
        case unreadable
        /// The text is not valid JSON (or is truncated).
        case malformedJSON
        /// `format` is not `"tensor-graph"` or `version` is not 1.
        case unsupportedFormat
        /// `op` names no known op.
        case unknownOp
        /// A required field is missing.
        case missingField
        /// A field has the wrong JSON type or an impossible value.
        case mistypedField
        /// A node's `id` differs from its index in `nodes`.
        case idMismatch
        /// The graph breaks a rule of the op IR; ``graphError`` says which.
        case invalidGraph
    }

    /// What went wrong.
    public var kind: Kind
    /// The file path, when reading a file.
    public var file: String?
    /// 1-based line of the offending text.
    public var line: Int
    /// 1-based column (in bytes) of the offending text.
    public var column: Int
    /// The node id (its index in `nodes`) the error is about, if any.
    public var node: Int?
    /// The offending field, if any.
    public var field: String?
    /// A human-readable explanation.
    public var message: String
    /// For ``Kind/invalidGraph``: the rule that was broken.
    public var graphError: GraphError?

    /// Creates an error.
    public init(_ kind: Kind, file: String? = nil, line: Int, column: Int, node: Int? = nil,
                field: String? = nil, message: String, graphError: GraphError? = nil)
    {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.node = node
        self.field = field
        self.message = message
        self.graphError = graphError
    }

    /// `graph.json:12:5: node 7, field "inputs": input id 99 is out of range`.
    public var description: String {
        var text = "\(file ?? "<json>"):\(line):\(column): "
        if let node { text += "node \(node)" + (field.map { ", field \"\($0)\"" } ?? "") + ": " }
        else if let field { text += "field \"\(field)\": " }
        return text + message
    }
}
