/// The identifier of an operator in an ``OperatorTable``: the `u32` op id the native core
/// stores in every e-node.
public struct OperatorID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw op id.
    public let rawValue: UInt32

    /// Wraps a raw op id.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Orders by raw id (declaration order).
    public static func < (lhs: OperatorID, rhs: OperatorID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `op<raw>`.
    public var description: String { "op\(rawValue)" }
}

/// One argument position of an operator: a child e-class or a literal of a given kind.
public enum ArgumentKind: Hashable, Sendable {
    /// A child e-class.
    case child
    /// A literal of the given kind, stored in the e-node's payload.
    case literal(LiteralKind)
}

/// An operator (egglog: a constructor): a name and its arguments in order.
///
/// Children and literals may interleave, as in egglog's `(Conv Math i64 Math)`; the core
/// stores the children in order and the literals, packed, in the payload.
public struct Operator: Hashable, Sendable {
    /// The operator's name, unique in its table.
    public let name: String
    /// The arguments in the order they are written.
    public let arguments: [ArgumentKind]
    /// The number of child e-classes.
    public let arity: Int
    /// The kinds of the literal arguments, in order.
    public let literalKinds: [LiteralKind]

    /// Creates an operator description.
    public init(name: String, arguments: [ArgumentKind]) {
        self.name = name
        self.arguments = arguments
        var arity = 0
        var literals: [LiteralKind] = []
        for argument in arguments {
            switch argument {
            case .child: arity += 1
            case .literal(let kind): literals.append(kind)
            }
        }
        self.arity = arity
        self.literalKinds = literals
    }
}

/// An error in declaring operators or encoding their literals.
public enum OperatorTableError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An operator of this name was already declared with different arguments.
    case conflictingDeclaration(String)
    /// No operator of this name is declared.
    case unknownOperator(String)
    /// The literals given for an operator do not match its declaration.
    case literalMismatch(operator: String, expected: [LiteralKind], got: [LiteralKind])
    /// The table already holds 2^32 - 1 operators.
    case tooManyOperators

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .conflictingDeclaration(let name):
            return "operator '\(name)' is already declared with other arguments"
        case .unknownOperator(let name):
            return "unknown operator '\(name)'"
        case .literalMismatch(let name, let expected, let got):
            return "operator '\(name)' takes literals \(expected) but got \(got)"
        case .tooManyOperators:
            return "too many operators"
        }
    }
}

/// The signature of an e-graph language: operator names ↔ op ids, their arguments, and
/// the interning of string and tuple literals into 64-bit payloads.
///
/// An e-node's identity is `(op, payload, children)`. The payload is how the table packs
/// the node's literals:
/// - no literal: `0`;
/// - one `i64`: its bits; one `f64`: its bits (with `-0.0` → `0.0` and one NaN);
/// - one `String`: the string's interned id;
/// - two or more literals: the interned id of the whole tuple.
///
/// So `(Const 0)` and `(Const 0)` are the same e-node, and a payload variable binds the
/// whole payload, which the right-hand side can copy into a node of the same op.
///
/// ```swift
/// let table = OperatorTable()
/// let add = try table.declare("Add", arity: 2)
/// let const = try table.declare("Const", literals: [.int])
/// let payload = try table.encode([.int(-1)], for: const)
/// ```
public final class OperatorTable {
    private var operatorList: [Operator] = []
    private var idsByName: [String: OperatorID] = [:]
    private var strings: [String] = []
    private var stringIDs: [String: UInt64] = [:]
    private var tuples: [[Literal]] = []
    private var tupleIDs: [[Literal]: UInt64] = [:]
    /// Shared by copies whose operators are the same: replaced by each new declaration.
    private var operatorsToken = OperatorsToken()

    /// The identity of one list of operator declarations.
    private final class OperatorsToken {}

    /// Creates an empty table.
    public init() {}

    /// A new table with the same operators, strings and tuples; later declarations and
    /// interning in either table do not affect the other.
    ///
    /// - Complexity: O(1) (the storage is shared until one of the tables changes it).
    public func copy() -> OperatorTable {
        let table = OperatorTable()
        table.operatorList = operatorList
        table.idsByName = idsByName
        table.strings = strings
        table.stringIDs = stringIDs
        table.tuples = tuples
        table.tupleIDs = tupleIDs
        table.operatorsToken = operatorsToken
        return table
    }

    /// Whether `other` declares the same operators as this table: it is this table, or a
    /// copy of it (or this a copy of it) with no declaration added since. Operator ids,
    /// arities and argument kinds then agree, so a pattern checked against one is valid
    /// for the other.
    ///
    /// - Complexity: O(1).
    public func hasSameOperators(as other: OperatorTable) -> Bool {
        self === other || operatorsToken === other.operatorsToken
    }

    /// The number of declared operators.
    public var count: Int { operatorList.count }

    /// Every declared operator, in declaration order (index = raw op id).
    public var operators: [Operator] { operatorList }

    /// Declares an operator, or returns the id of an identical earlier declaration.
    ///
    /// - Throws: ``OperatorTableError/conflictingDeclaration(_:)`` when the name is taken by
    ///   an operator with other arguments.
    /// - Complexity: O(1) amortised.
    @discardableResult
    public func declare(_ name: String, arguments: [ArgumentKind]) throws(OperatorTableError) -> OperatorID {
        let op = Operator(name: name, arguments: arguments)
        if let existing = idsByName[name] {
            guard operatorList[Int(existing.rawValue)] == op else { throw .conflictingDeclaration(name) }
            return existing
        }
        guard operatorList.count < Int(UInt32.max) else { throw .tooManyOperators }
        let id = OperatorID(rawValue: UInt32(operatorList.count))
        operatorList.append(op)
        idsByName[name] = id
        operatorsToken = OperatorsToken()
        return id
    }

    /// Declares an operator whose literals (if any) come first, then `arity` children.
    ///
    /// - Throws: ``OperatorTableError/conflictingDeclaration(_:)``.
    @discardableResult
    public func declare(_ name: String, arity: Int = 0, literals: [LiteralKind] = []) throws(OperatorTableError) -> OperatorID {
        precondition(arity >= 0, "negative arity")
        return try declare(name, arguments: literals.map { .literal($0) } + Array(repeating: .child, count: arity))
    }

    /// The id of the operator with this name, if declared.
    /// - Complexity: O(1).
    public func id(named name: String) -> OperatorID? { idsByName[name] }

    /// The operator with this id. Traps on an id this table never issued.
    /// - Complexity: O(1).
    public subscript(id: OperatorID) -> Operator {
        precondition(Int(id.rawValue) < operatorList.count, "operator id \(id.rawValue) was never issued")
        return operatorList[Int(id.rawValue)]
    }

    /// The number of children of operator `id` (without copying its description), or
    /// `nil` for an id this table never issued.
    /// - Complexity: O(1).
    public func arity(of id: OperatorID) -> Int? {
        Int(id.rawValue) < operatorList.count ? operatorList[Int(id.rawValue)].arity : nil
    }

    /// The interned id of a string (a new id the first time a string is seen).
    /// - Complexity: O(length) amortised.
    public func intern(_ string: String) -> UInt64 {
        if let id = stringIDs[string] { return id }
        let id = UInt64(strings.count)
        strings.append(string)
        stringIDs[string] = id
        return id
    }

    /// The string an id was interned from, or `nil` for an id never issued.
    public func string(forID id: UInt64) -> String? {
        id < UInt64(strings.count) ? strings[Int(id)] : nil
    }

    /// Packs an operator's literals into the payload the core stores.
    ///
    /// - Throws: ``OperatorTableError/literalMismatch(operator:expected:got:)`` when the
    ///   literals' kinds differ from the operator's declaration.
    /// - Complexity: O(1) amortised for one literal; O(count) for a tuple.
    public func encode(_ literals: [Literal], for op: OperatorID) throws(OperatorTableError) -> UInt64 {
        let declared = self[op]
        guard literals.map(\.kind) == declared.literalKinds else {
            throw .literalMismatch(operator: declared.name, expected: declared.literalKinds,
                                   got: literals.map(\.kind))
        }
        switch literals.count {
        case 0: return 0
        case 1: return encodeSingle(literals[0])
        default:
            let normalized = literals.map(Self.normalize)
            if let id = tupleIDs[normalized] { return id }
            let id = UInt64(tuples.count)
            tuples.append(normalized)
            tupleIDs[normalized] = id
            return id
        }
    }

    /// Unpacks a payload into the operator's literals; `nil` when the payload names a string
    /// or tuple this table never interned.
    public func decode(_ payload: UInt64, for op: OperatorID) -> [Literal]? {
        decode(payload, kinds: self[op].literalKinds)
    }

    /// Unpacks a payload holding literals of `kinds` (as an operator with those literal
    /// kinds packs them); `nil` for a string or tuple this table never interned.
    public func decode(_ payload: UInt64, kinds: [LiteralKind]) -> [Literal]? {
        switch kinds.count {
        case 0: return []
        case 1:
            switch kinds[0] {
            case .int: return [.int(Int64(bitPattern: payload))]
            case .float: return [.float(Double(bitPattern: payload))]
            case .string: return string(forID: payload).map { [.string($0)] }
            }
        default:
            guard payload < UInt64(tuples.count) else { return nil }
            let tuple = tuples[Int(payload)]
            return tuple.map(\.kind) == kinds ? tuple : nil
        }
    }

    /// The s-expression head and literals of a node, `(Const 0)` style, with `children`
    /// printed in their argument positions.
    public func format(_ op: OperatorID, payload: UInt64, children: [String]) -> String {
        format(op, payload: payload, children: children, literal: \.description)
    }

    /// ``format(_:payload:children:)`` with each literal printed by `literal`.
    func format(_ op: OperatorID, payload: UInt64, children: [String],
                literal: (Literal) -> String) -> String {
        let declared = self[op]
        if declared.arguments.isEmpty { return "(\(declared.name))" }
        let literals = decode(payload, for: op) ?? []
        var parts = [declared.name]
        var nextChild = 0
        var nextLiteral = 0
        for argument in declared.arguments {
            switch argument {
            case .child:
                parts.append(nextChild < children.count ? children[nextChild] : "?")
                nextChild += 1
            case .literal:
                parts.append(nextLiteral < literals.count ? literal(literals[nextLiteral]) : "?")
                nextLiteral += 1
            }
        }
        return "(" + parts.joined(separator: " ") + ")"
    }

    private func encodeSingle(_ literal: Literal) -> UInt64 {
        switch Self.normalize(literal) {
        case .int(let value): return UInt64(bitPattern: value)
        case .float(let value): return value.bitPattern
        case .string(let value): return intern(value)
        }
    }

    private static func normalize(_ literal: Literal) -> Literal {
        guard case .float(let value) = literal else { return literal }
        if value.isNaN { return .float(Double.nan) }
        if value == 0 { return .float(0) }
        return literal
    }
}
