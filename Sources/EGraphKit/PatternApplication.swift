/// One operator application inside a pattern, checked against the operator's declaration:
/// the operator, and its literal-position arguments split into literal values and payload
/// variables. Shared by the left-hand-side and right-hand-side compilers.
struct PatternApplication {
    /// The applied operator.
    let op: OperatorID
    /// Its declaration.
    let declared: Operator
    /// The literal values given in literal positions, in order.
    private(set) var literals: [Literal] = []
    /// The payload variables (a multi-literal node's variables joined by NUL), or `nil` when
    /// the literal positions hold values.
    let payloadKey: String?

    /// Resolves `name` in `table`, checks the argument count, and walks `arguments` in order,
    /// handing each child-position argument to `child` as it is reached.
    ///
    /// - Throws: ``PatternError`` for an unknown operator, a wrong argument count, a literal of
    ///   the wrong kind or a non-literal term in a literal position, a node that mixes literal
    ///   values and payload variables, or whatever `child` throws.
    init(_ name: String, _ arguments: [Pattern], in pattern: Pattern, table: OperatorTable,
         child: (Pattern) throws(PatternError) -> Void) throws(PatternError) {
        guard let op = table.id(named: name) else { throw PatternError("unknown operator '\(name)'") }
        let declared = table[op]
        guard arguments.count == declared.arguments.count else {
            throw PatternError("'\(name)' takes \(declared.arguments.count) argument(s), got \(arguments.count) in \(pattern)")
        }
        self.op = op
        self.declared = declared
        var payloadVars: [String] = []
        for (argument, kind) in zip(arguments, declared.arguments) {
            switch kind {
            case .child: try child(argument)
            case .literal(let literalKind):
                switch argument {
                case .literal(let literal):
                    guard literal.kind == literalKind else {
                        throw PatternError("'\(name)' expects \(literalKind), got \(literal) in \(pattern)")
                    }
                    literals.append(literal)
                case .variable(let variable): payloadVars.append(variable)
                case .apply:
                    throw PatternError("'\(name)' expects a \(literalKind) literal, got \(argument)")
                }
            }
        }
        if payloadVars.isEmpty {
            payloadKey = nil
        } else {
            guard literals.isEmpty else {
                throw PatternError("'\(name)' mixes literal values and payload variables in \(pattern)")
            }
            payloadKey = payloadVars.joined(separator: "\u{0}")
        }
    }

    /// The literal values packed into the core's 64-bit payload.
    ///
    /// - Throws: ``PatternError`` carrying the table's description of the failure.
    func encodedLiterals(_ table: OperatorTable) throws(PatternError) -> UInt64 {
        do { return try table.encode(literals, for: op) } catch {
            throw PatternError(error.description)
        }
    }
}
