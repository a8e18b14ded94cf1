/// A batch of matches of one rule, as handed to a ``Rewrite/Condition`` or
/// ``Rewrite/Applier``.
///
/// Each match binds the rule's variables: class variables to e-classes, payload
/// variables to literals. Class ids are canonical as of the search.
public struct MatchBatch {
    /// The e-graph being rewritten.
    public let graph: EGraph
    /// The operator table the rule was compiled against.
    public let table: OperatorTable
    /// Match rows (`stride` words each).
    @usableFromInline let rows: [UInt32]
    let pattern: CompiledPattern
    /// Words per match row.
    @usableFromInline let stride: Int
    /// The word of the first payload variable in a row.
    @usableFromInline let payloadBase: Int

    init(graph: EGraph, table: OperatorTable, rows: [UInt32], pattern: CompiledPattern) {
        self.graph = graph
        self.table = table
        self.rows = rows
        self.pattern = pattern
        stride = pattern.stride
        payloadBase = 1 + pattern.classCount
    }

    /// The number of matches.
    public var count: Int { rows.count / stride }

    /// The e-class the left-hand side matched in, for match `index`.
    @inlinable
    public func root(_ index: Int) -> EClassID {
        EClassID(rows[index * stride])
    }

    /// The e-class bound to class variable `variable` (named without `?`) in match `index`.
    ///
    /// - Precondition: the left-hand side binds `variable` to an e-class.
    public func eclass(_ variable: String, _ index: Int) -> EClassID {
        guard let word = pattern.classWord(variable) else {
            preconditionFailure("'\(variable)' is not a class variable of \(pattern.classVariables)")
        }
        return EClassID(rows[index * pattern.stride + word])
    }

    /// The e-class bound to class variable number `variable` of a numbered left-hand side
    /// (or the `variable`-th class variable of a named one, in first-occurrence order), in
    /// match `index`.
    ///
    /// - Precondition: `variable` is below the pattern's class variable count.
    @inlinable
    public func eclass(at variable: Int, _ index: Int) -> EClassID {
        EClassID(rows[index * stride + 1 + variable])
    }

    /// The raw 64-bit payload bound to payload variable number `variable` (numbered as
    /// ``eclass(at:_:)`` numbers class variables), in match `index`.
    @inlinable
    public func payload(at variable: Int, _ index: Int) -> UInt64 {
        let base = index * stride + payloadBase + 2 * variable
        return UInt64(rows[base]) | UInt64(rows[base + 1]) << 32
    }

    /// The raw 64-bit payload bound to payload variable `variable` in match `index`.
    ///
    /// - Precondition: the left-hand side binds `variable` to a literal.
    public func payload(_ variable: String, _ index: Int) -> UInt64 {
        guard let word = pattern.payloadWord(variable) else {
            preconditionFailure("'\(variable)' is not a payload variable of \(pattern.payloadVariables)")
        }
        let base = index * pattern.stride + word
        return UInt64(rows[base]) | UInt64(rows[base + 1]) << 32
    }

    /// The literal bound to payload variable `variable` in match `index`, decoded with the
    /// table (`nil` for a payload the table never interned).
    ///
    /// - Precondition: the left-hand side binds `variable` to exactly one literal.
    public func literal(_ variable: String, _ index: Int) -> Literal? {
        let raw = payload(variable, index)
        guard let kinds = pattern.payloadKinds[variable], kinds.count == 1 else {
            preconditionFailure("'\(variable)' does not bind a single literal")
        }
        switch kinds[0] {
        case .int: return .int(Int64(bitPattern: raw))
        case .float: return .float(Double(bitPattern: raw))
        case .string: return table.string(forID: raw).map(Literal.string)
        }
    }

    /// The literals bound by the payload variables `variables` of one node, in match
    /// `index`: for an operator with several literals, the pattern names one variable per
    /// literal (`(Conv ?stride ?pad ?x)`) and they bind together.
    ///
    /// - Precondition: the left-hand side binds exactly these variables, in this order, as
    ///   the literals of one node.
    public func literals(_ variables: [String], _ index: Int) -> [Literal]? {
        let key = variables.joined(separator: "\u{0}")
        guard let kinds = pattern.payloadKinds[key] else {
            preconditionFailure("\(variables) are not the literal variables of one node")
        }
        return table.decode(payload(key, index), kinds: kinds)
    }
}
