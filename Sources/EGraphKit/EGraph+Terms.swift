internal import CEGraph

/// An error in adding a term given as a ``Pattern``.
public enum TermError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The term has a variable, or does not fit the operator table.
    case invalid(PatternError)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .invalid(let error): return "invalid term: \(error)"
        }
    }
}

extension EGraph {
    /// Adds a ground term (a ``Pattern`` without variables) and returns its e-class.
    ///
    /// All its e-nodes go to the core in one batch.
    ///
    /// - Throws: ``TermError`` for a term with variables or one that does not fit `table`;
    ///   ``EGraphError`` from the core.
    /// - Complexity: O(term size).
    @discardableResult
    public func add(_ term: Pattern, table: OperatorTable) throws -> EClassID {
        var ops: [UInt32] = []
        var payloads: [UInt64] = []
        var offsets: [UInt32] = [0]
        var children: [UInt32] = []
        func flatten(_ p: Pattern) throws(PatternError) -> UInt32 {
            guard case .apply(let name, let arguments) = p else {
                throw PatternError("\(p) is not a term (an operator application)")
            }
            guard let op = table.id(named: name) else { throw PatternError("unknown operator '\(name)'") }
            let declared = table[op]
            guard declared.arguments.count == arguments.count else {
                throw PatternError("'\(name)' takes \(declared.arguments.count) argument(s), got \(arguments.count)")
            }
            var kids: [UInt32] = []
            var literals: [Literal] = []
            for (argument, kind) in zip(arguments, declared.arguments) {
                switch (kind, argument) {
                case (.child, _): kids.append(try flatten(argument))
                case (.literal, .literal(let literal)): literals.append(literal)
                case (.literal(let literalKind), _):
                    throw PatternError("'\(name)' expects a \(literalKind) literal, got \(argument)")
                }
            }
            let payload: UInt64
            do { payload = try table.encode(literals, for: op) } catch { throw PatternError(error.description) }
            ops.append(op.rawValue)
            payloads.append(payload)
            children += kids
            offsets.append(UInt32(children.count))
            return 0x8000_0000 | UInt32(ops.count - 1)
        }
        do { _ = try flatten(term) } catch { throw TermError.invalid(error) }
        var out = [UInt32](repeating: 0, count: ops.count)
        var failed: UInt32 = 0
        let status = eg_add_batch(handle, UInt32(ops.count), ops, payloads, offsets, children, &out, &failed)
        guard status == EG_OK else { throw EGraph.error(status, argument: "adding \(term)") }
        return EClassID(out[out.count - 1])
    }
}
