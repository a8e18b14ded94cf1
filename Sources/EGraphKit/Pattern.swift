/// A pattern over e-graph terms: an s-expression with variables.
///
/// - `.variable("x")` written `?x` (or, as in egglog rules, a bare identifier `x`) matches any
///   e-class where a child is expected, and binds the node's literal where a literal is
///   expected (a *payload variable*: bind it on the left, reuse it on the right).
/// - `.literal` matches a literal argument exactly (`0`, `-1`, `1.5`, `"x"`).
/// - `.apply(name, arguments)` matches an e-node of that operator; the arguments follow the
///   operator's declaration (children and literals in order).
///
/// A variable may occur more than once (a non-linear pattern): every occurrence must bind
/// the same e-class (or the same literal).
///
/// ```swift
/// let p = try Pattern(parsing: "(Add ?a (Const 0))")
/// let q: Pattern = .apply("Add", [.variable("a"), .apply("Const", [.literal(.int(0))])])
/// assert(p == q)
/// ```
public indirect enum Pattern: Hashable, Sendable, CustomStringConvertible {
    /// A variable, named without its `?`.
    case variable(String)
    /// A literal argument.
    case literal(Literal)
    /// An operator applied to its arguments, in declaration order.
    case apply(String, [Pattern])

    /// Parses the text form.
    ///
    /// `?x` and bare identifiers in argument position are variables, except that a bare
    /// identifier naming an operator of `table` that takes no arguments is that operator.
    ///
    /// - Throws: ``PatternError`` with the line and column of the problem.
    public init(parsing text: String, table: OperatorTable? = nil) throws(PatternError) {
        let expression: SExpression
        do {
            expression = try SExpression.parse(text)
        } catch {
            throw PatternError(error.message, at: error.location)
        }
        self = try Pattern(expression, table: table)
    }

    /// Converts an already-read s-expression (as the egglog front end does for rule bodies).
    ///
    /// - Throws: ``PatternError`` naming the place of a list without an operator, an empty
    ///   list, or a literal in operator position.
    public init(_ expression: SExpression, table: OperatorTable? = nil) throws(PatternError) {
        switch expression {
        case .int(let value, _): self = .literal(.int(value))
        case .float(let value, _): self = .literal(.float(value))
        case .string(let value, _): self = .literal(.string(value))
        case .symbol(let name, let location):
            if name.hasPrefix("?") {
                guard name.count > 1 else { throw PatternError("'?' without a variable name", at: location) }
                self = .variable(String(name.dropFirst()))
            } else if let table, let id = table.id(named: name), table[id].arguments.isEmpty {
                self = .apply(name, [])
            } else {
                self = .variable(name)
            }
        case .list(let items, let location):
            guard let head = items.first else { throw PatternError("empty list", at: location) }
            guard case .symbol(let name, let headLocation) = head, !name.hasPrefix("?") else {
                throw PatternError("expected an operator name at the head of the list", at: head.location)
            }
            if let table {
                guard let id = table.id(named: name) else {
                    throw PatternError("unknown operator '\(name)'", at: headLocation)
                }
                let expected = table[id].arguments.count
                guard items.count - 1 == expected else {
                    throw PatternError("'\(name)' takes \(expected) argument(s), got \(items.count - 1)", at: location)
                }
            }
            var arguments: [Pattern] = []
            arguments.reserveCapacity(items.count - 1)
            for item in items.dropFirst() { arguments.append(try Pattern(item, table: table)) }
            self = .apply(name, arguments)
        }
    }

    /// The distinct variables in first-occurrence order (left to right, depth first).
    public var variables: [String] {
        var seen = Set<String>()
        var order: [String] = []
        func visit(_ p: Pattern) {
            switch p {
            case .variable(let name): if seen.insert(name).inserted { order.append(name) }
            case .literal: break
            case .apply(_, let arguments): arguments.forEach(visit)
            }
        }
        visit(self)
        return order
    }

    /// The number of operator applications (the pattern's e-nodes).
    public var nodeCount: Int {
        switch self {
        case .variable, .literal: return 0
        case .apply(_, let arguments): return 1 + arguments.reduce(0) { $0 + $1.nodeCount }
        }
    }

    /// The text form, with `?` before every variable.
    public var description: String {
        switch self {
        case .variable(let name): return "?" + name
        case .literal(let literal): return literal.description
        case .apply(let name, let arguments):
            return "(" + ([name] + arguments.map(\.description)).joined(separator: " ") + ")"
        }
    }
}

/// A pattern that is not well formed, or does not fit its operator table.
public struct PatternError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in the pattern's text, when it came from text.
    public var location: SourceLocation?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    /// `line:column: message`, or the message alone.
    public var description: String {
        location.map { "\($0): \(message)" } ?? message
    }
}
