internal import CEGraph

/// A right-hand side compiled for `eg_apply`: the nodes to add per match, in post-order,
/// with identical subterms shared.
struct CompiledRightHandSide {
    /// The program (see CEGraphMatch.h).
    let program: [UInt32]

    /// Compiles `pattern` against the variables bound by `lhs`.
    ///
    /// - Throws: ``PatternError`` for a variable the left-hand side does not bind, a literal
    ///   where a child is expected, or a payload variable reused with other literal kinds.
    init(_ pattern: Pattern, lhs: CompiledPattern, table: OperatorTable) throws(PatternError) {
        var nodes: [UInt32] = []
        var count: UInt32 = 0
        var shared: [Pattern: UInt32] = [:]

        func source(_ p: Pattern) throws(PatternError) -> UInt32 {
            switch p {
            case .variable(let name):
                guard let word = lhs.classWord(name) else {
                    if lhs.payloadWord(name) != nil {
                        throw PatternError("payload variable '\(name)' used as an e-class in \(pattern)")
                    }
                    throw PatternError("variable '\(name)' is not bound by the left-hand side")
                }
                return UInt32(word)
            case .literal(let literal):
                throw PatternError("literal \(literal) where an e-class is expected in \(pattern)")
            case .apply(let name, let arguments):
                if let index = shared[p] { return EG_RHS_NODE_BIT | index }
                var children: [UInt32] = []
                let application = try PatternApplication(name, arguments, in: pattern, table: table) {
                    (argument) throws(PatternError) in children.append(try source(argument))
                }
                let op = application.op
                let declared = application.declared
                var pmode = UInt32(EG_PAYLOAD_EQUAL)
                var p0: UInt32 = 0
                var p1: UInt32 = 0
                if let key = application.payloadKey {
                    guard let word = lhs.payloadWord(key) else {
                        throw PatternError("payload variable '\(key)' is not bound by the left-hand side")
                    }
                    guard lhs.payloadKinds[key] == declared.literalKinds else {
                        throw PatternError("payload variable '\(key)' holds \(lhs.payloadKinds[key] ?? []) but '\(name)' takes \(declared.literalKinds)")
                    }
                    pmode = UInt32(EG_PAYLOAD_BIND)
                    p0 = UInt32(word)
                } else {
                    let payload = try application.encodedLiterals(table)
                    p0 = UInt32(truncatingIfNeeded: payload)
                    p1 = UInt32(truncatingIfNeeded: payload >> 32)
                }
                nodes += [op.rawValue, UInt32(children.count), pmode, p0, p1] + children
                let index = count
                count += 1
                shared[p] = index
                return EG_RHS_NODE_BIT | index
            }
        }

        let root = try source(pattern)
        program = [count, root] + nodes
    }

    /// Compiles a numbered right-hand side against a numbered left-hand side's row layout
    /// (class variable `k` at word `1 + k`, payload variable `j` at `1 + classes + 2j`).
    ///
    /// - Throws: ``PatternError`` for a variable the left-hand side does not bind, an
    ///   operator the table never issued, a wrong number of children, or `.any` as a payload.
    init(_ term: OperatorPattern.Term, lhs: CompiledPattern, payloadCount: Int, table: OperatorTable)
        throws(PatternError)
    {
        var builder = NumberedBuilder(classCount: lhs.classCount, payloadCount: payloadCount, table: table,
                                      headerSize: 2)
        let root = try builder.source(term)
        var program: [UInt32] = []
        swap(&program, &builder.nodes)
        program[0] = builder.count
        program[1] = root
        self.program = program
    }

    /// Compiles probe terms for `eg_apply_probed`: `[n]`, then per probe its operator,
    /// arity, payload mode and words, and its children's match words.
    ///
    /// - Throws: ``PatternError`` for a probe that is not one operator over variables of
    ///   the left-hand side, or one that does not fit the table.
    static func probes(_ terms: [OperatorPattern.Term], lhs: CompiledPattern, payloadCount: Int,
                       table: OperatorTable) throws(PatternError) -> [UInt32] {
        var builder = NumberedBuilder(classCount: lhs.classCount, payloadCount: payloadCount, table: table,
                                      headerSize: 1)
        for term in terms {
            guard case .apply(_, _, let children) = term,
                  children.allSatisfy({ if case .variable = $0 { true } else { false } }) else {
                throw PatternError("a probe is one operator applied to class variables")
            }
            _ = try builder.source(term)
        }
        var program: [UInt32] = []
        swap(&program, &builder.nodes)
        program[0] = builder.count
        return program
    }

    /// The node list of a numbered right-hand side, in post-order.
    private struct NumberedBuilder {
        let classCount: Int
        let payloadCount: Int
        let table: OperatorTable
        var nodes: [UInt32] = []
        var count: UInt32 = 0

        /// `headerSize` zero words come first (the caller fills them in).
        init(classCount: Int, payloadCount: Int, table: OperatorTable, headerSize: Int) {
            self.classCount = classCount
            self.payloadCount = payloadCount
            self.table = table
            nodes.reserveCapacity(headerSize + 24)
            for _ in 0..<headerSize { nodes.append(0) }
        }

        /// Appends the nodes of `t` and returns its source word.
        mutating func source(_ t: OperatorPattern.Term) throws(PatternError) -> UInt32 {
            switch t {
            case .variable(let k):
                guard k >= 0, k < classCount else {
                    throw PatternError("class variable \(k) is not bound by the left-hand side")
                }
                return UInt32(1 + k)
            case .apply(let op, let payload, let children):
                guard let arity = table.arity(of: op) else {
                    throw PatternError("operator id \(op.rawValue) is not in the table")
                }
                guard children.count == arity else {
                    throw PatternError("'\(table[op].name)' takes \(arity) child(ren), got \(children.count)")
                }
                // Nested nodes are emitted first (post-order); children that are all
                // variables (the usual case) need no list of their words.
                let flat = children.allSatisfy { if case .variable = $0 { true } else { false } }
                var words: [UInt32] = []
                if !flat {
                    words.reserveCapacity(children.count)
                    for child in children { words.append(try source(child)) }
                }
                var pmode = UInt32(EG_PAYLOAD_EQUAL), p0: UInt32 = 0, p1: UInt32 = 0
                switch payload {
                case .any: throw PatternError("a right-hand side node needs a payload (a variable or a value)")
                case .variable(let j):
                    guard j >= 0, j < payloadCount else {
                        throw PatternError("payload variable \(j) is not bound by the left-hand side")
                    }
                    pmode = UInt32(EG_PAYLOAD_BIND)
                    p0 = UInt32(1 + classCount + 2 * j)
                case .value(let v):
                    p0 = UInt32(truncatingIfNeeded: v)
                    p1 = UInt32(truncatingIfNeeded: v >> 32)
                }
                nodes.append(op.rawValue)
                nodes.append(UInt32(children.count))
                nodes.append(pmode)
                nodes.append(p0)
                nodes.append(p1)
                if flat {
                    for child in children { nodes.append(try source(child)) }
                } else {
                    nodes += words
                }
                let index = count
                count += 1
                return EG_RHS_NODE_BIT | index
            }
        }
    }
}

/// The bit `EG_RHS_NODE` sets (the macro's cast does not import).
let EG_RHS_NODE_BIT: UInt32 = 0x8000_0000
