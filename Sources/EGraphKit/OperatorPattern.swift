/// A pattern over operator ids with numbered variables: what a ``Pattern`` says with
/// names, for rule sets built by code.
///
/// Nothing is parsed or looked up by name, so building and compiling one costs a few small
/// allocations: a program that builds its rules on every run (because its operator table
/// is made per run) pays next to nothing for them.
///
/// - Class variables are numbered `0..<classVariableCount`; in a match row class variable
///   `k` is at word `1 + k` (read it with ``MatchBatch/eclass(at:_:)``).
/// - Payload variables are numbered `0..<payloadVariableCount` and bind a node's whole
///   64-bit payload (read with ``MatchBatch/payload(at:_:)``).
/// - Every number below a count must occur in the pattern.
///
/// ```swift
/// // (Add ?p (Mul ?q ?a ?b) ?c) with class variables a = 0, b = 1, c = 2 and payloads p = 0, q = 1
/// let lhs = try OperatorPattern(.apply(add, payload: .variable(0), [
///     .apply(mul, payload: .variable(1), [.variable(0), .variable(1)]), .variable(2)]), table: table)
/// ```
public struct OperatorPattern {
    /// How a node's payload is matched (left-hand side) or made (right-hand side).
    public enum Payload: Hashable, Sendable {
        /// Any payload (left-hand side only).
        case any
        /// Payload variable `n`: bound by its first occurrence, compared by later ones,
        /// copied on a right-hand side.
        case variable(Int)
        /// Exactly this payload.
        case value(UInt64)
    }

    /// One position of the pattern.
    public enum Term: Hashable, Sendable {
        /// Class variable `n` (stored inline: only applications are boxed).
        case variable(Int)
        /// An e-node of operator `op` with its children, as many as the operator declares.
        indirect case apply(OperatorID, payload: Payload, [Term])
    }

    /// The pattern.
    public let term: Term
    /// The table the operator ids belong to.
    public let table: OperatorTable
    /// The number of class variables.
    public let classVariableCount: Int
    /// The number of payload variables.
    public let payloadVariableCount: Int
    /// The matcher program of this pattern as a left-hand side (or why it cannot be one),
    /// compiled once: a runner reuses it, so a pattern kept across runs is compiled once.
    let compiled: Result<CompiledPattern, PatternError>

    /// Checks `term` against `table`.
    ///
    /// - Throws: ``PatternError`` for an operator the table never issued, a wrong number of
    ///   children, or variable numbers with gaps.
    /// - Complexity: O(size of the pattern).
    public init(_ term: Term, table: OperatorTable) throws(PatternError) {
        var check = Check(table: table)
        try check.visit(term)
        let classes = 64 - check.classSeen.leadingZeroBitCount, payloads = 64 - check.payloadSeen.leadingZeroBitCount
        guard check.classSeen.nonzeroBitCount == classes, check.payloadSeen.nonzeroBitCount == payloads else {
            throw PatternError("variable numbers must have no gaps")
        }
        self.term = term
        self.table = table
        classVariableCount = classes
        payloadVariableCount = payloads
        compiled = Result { () throws(PatternError) in try CompiledPattern(term, classes: classes, payloads: payloads) }
    }

    /// The walk that checks a term: operators and arities, and which variable numbers occur.
    private struct Check {
        let table: OperatorTable
        /// Bit k: class variable k occurs.
        var classSeen: UInt64 = 0
        /// Bit j: payload variable j occurs.
        var payloadSeen: UInt64 = 0

        init(table: OperatorTable) { self.table = table }

        mutating func visit(_ t: Term) throws(PatternError) {
            switch t {
            case .variable(let k):
                guard k >= 0, k < 64 else { throw PatternError("class variable \(k) out of range 0..<64") }
                classSeen |= 1 << UInt64(k)
            case .apply(let op, let payload, let children):
                guard let arity = table.arity(of: op) else {
                    throw PatternError("operator id \(op.rawValue) is not in the table")
                }
                guard children.count == arity else {
                    throw PatternError("'\(table[op].name)' takes \(arity) child(ren), got \(children.count)")
                }
                if case .variable(let j) = payload {
                    guard j >= 0, j < 64 else { throw PatternError("payload variable \(j) out of range 0..<64") }
                    payloadSeen |= 1 << UInt64(j)
                }
                for child in children { try visit(child) }
            }
        }
    }

    /// The same pattern with names: operators by their table names, class variable `k` as
    /// `?c<k>`, payload variable `j` as `?p<j>` (its payload stands in the operator's
    /// literal positions when it has exactly one; a payload value likewise).
    public var pattern: Pattern {
        func convert(_ t: Term) -> Pattern {
            switch t {
            case .variable(let k): return .variable("c\(k)")
            case .apply(let op, let payload, let children):
                let declared = table[op]
                var rest = children[...]
                var arguments: [Pattern] = []
                for argument in declared.arguments {
                    switch argument {
                    case .child: arguments.append(convert(rest.removeFirst()))
                    case .literal(let kind):
                        switch payload {
                        case .variable(let j): arguments.append(.variable("p\(j)"))
                        case .value(let v):
                            switch kind {
                            case .int: arguments.append(.literal(.int(Int64(bitPattern: v))))
                            case .float: arguments.append(.literal(.float(Double(bitPattern: v))))
                            case .string: arguments.append(.literal(.string(table.string(forID: v) ?? "#\(v)")))
                            }
                        case .any: arguments.append(.variable("_"))
                        }
                    }
                }
                return .apply(declared.name, arguments)
            }
        }
        return convert(term)
    }
}

extension OperatorPattern {
    /// A numbered right-hand side and its probe terms, compiled once against the
    /// variables of a left-hand side (``OperatorPattern/rightHandSide(_:probes:)``).
    ///
    /// A rule made per run from a right-hand side kept across runs
    /// (``Rewrite/init(_:_:_:mapping:through:created:)``) is then not compiled again by
    /// each runner. Immutable; a class, so that rules made from it share it (no copy).
    public final class RightHandSide {
        /// The term instantiated for each match.
        public let term: Term
        /// The probe terms, looked up for each match whose right-hand side root node is new.
        public let probes: [Term]
        /// The variable counts and the operators of the left-hand side it was compiled for.
        let classVariableCount: Int
        let payloadVariableCount: Int
        let table: OperatorTable
        /// The program and the probes for the core (or why they cannot be compiled; the
        /// probes are compiled first, as a runner compiling the terms does).
        let compiled: Result<(rhs: CompiledRightHandSide, probes: [UInt32]), PatternError>

        init(term: Term, probes: [Term], classVariableCount: Int, payloadVariableCount: Int, table: OperatorTable,
             compiled: Result<(rhs: CompiledRightHandSide, probes: [UInt32]), PatternError>) {
            self.term = term
            self.probes = probes
            self.classVariableCount = classVariableCount
            self.payloadVariableCount = payloadVariableCount
            self.table = table
            self.compiled = compiled
        }

        /// Whether this was compiled for a left-hand side with these variable counts over
        /// the operators of `table` (the compiled form depends on nothing else).
        func fits(classes: Int, payloads: Int, table: OperatorTable) -> Bool {
            classVariableCount == classes && payloadVariableCount == payloads && self.table.hasSameOperators(as: table)
        }
    }

    /// `term`, over this pattern's variables, as a right-hand side with `probes` (see
    /// ``Rewrite/init(_:_:_:mapping:through:probes:created:)``), compiled now and once.
    ///
    /// Nothing is thrown here: a term that does not fit is reported, as a ``PatternError``,
    /// by the runner that compiles a rule made with it, as for a term given directly.
    ///
    /// - Complexity: O(size of the terms).
    public func rightHandSide(_ term: Term, probes: [Term] = []) -> RightHandSide {
        let payloads = payloadVariableCount, table = table
        let compiled = self.compiled.flatMap { lhs in
            Result { () throws(PatternError) in
                let probes = try CompiledRightHandSide.probes(probes, lhs: lhs, payloadCount: payloads, table: table)
                return (rhs: try CompiledRightHandSide(term, lhs: lhs, payloadCount: payloads, table: table),
                        probes: probes)
            }
        }
        return RightHandSide(term: term, probes: probes, classVariableCount: classVariableCount,
                             payloadVariableCount: payloads, table: table, compiled: compiled)
    }
}
