/// A literal value carried by an e-node: an integer, a float or a string.
///
/// Literals are the non-child arguments of an operator, such as the `0` in `(Const 0)` or
/// the `"x"` in `(Var "x")`. An ``OperatorTable`` packs an e-node's literals into the
/// 64-bit payload the native core stores (see ``OperatorTable/encode(_:for:)``).
public enum Literal: Hashable, Sendable, CustomStringConvertible {
    /// A signed 64-bit integer (egglog's `i64`).
    case int(Int64)
    /// A 64-bit float (egglog's `f64`). `-0.0` and `0.0` are the same literal, and every NaN
    /// is the same literal, so that payload identity agrees with numeric identity.
    case float(Double)
    /// A string (egglog's `String`), interned to a 64-bit id in the payload.
    case string(String)

    /// The kind of this literal.
    public var kind: LiteralKind {
        switch self {
        case .int: return .int
        case .float: return .float
        case .string: return .string
        }
    }

    /// The literal as egglog writes it: `42`, `1.5`, `"x"`.
    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .float(let value):
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value < 0 ? "-inf" : "inf" }
            let text = String(value)
            return text.contains(".") || text.contains("e") ? text : text + ".0"
        case .string(let value):
            var escaped = "\""
            for character in value {
                switch character {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\t": escaped += "\\t"
                default: escaped.append(character)
                }
            }
            return escaped + "\""
        }
    }
}

/// The type of a literal argument of an operator.
public enum LiteralKind: Hashable, Sendable, CustomStringConvertible {
    /// egglog's `i64`.
    case int
    /// egglog's `f64`.
    case float
    /// egglog's `String`.
    case string

    /// The egglog sort name: `i64`, `f64` or `String`.
    public var description: String {
        switch self {
        case .int: return "i64"
        case .float: return "f64"
        case .string: return "String"
        }
    }
}
