internal import CEGraph

/// A left-hand side compiled for the core's matching VM, with the layout of its match rows.
///
/// A match row is `stride` 32-bit words: word 0 the root e-class, then one word per class
/// variable, then two words (low, high) per payload variable.
///
/// A class (immutable): a runner and each match batch share one, with no copy of its parts.
final class CompiledPattern {
    /// The VM program (see CEGraphMatch.h).
    let program: [UInt32]
    /// Words per match row.
    let stride: Int
    /// Class variables in first-occurrence order; variable i is at word 1 + i.
    let classVariables: [String]
    /// Payload variables (a multi-literal node's variables joined) in first-occurrence
    /// order; variable j is at word 1 + classVariables.count + 2j.
    let payloadVariables: [String]
    /// The literal kinds each payload variable binds.
    let payloadKinds: [String: [LiteralKind]]
    /// The root operator.
    let rootOperator: OperatorID
    /// The number of class variables (also of a numbered pattern, which has no names).
    let classCount: Int

    /// The operators the program's BIND instructions look for (root first, in program
    /// order; repeats possible), read from the program once when it is compiled.
    let boundOperators: [UInt32]

    /// The operators the BIND instructions of `program` look for, in program order.
    private static func boundOperators(in program: [UInt32]) -> [UInt32] {
        // Header: class count, payload count, stride, the output class registers (counted),
        // the output payload registers (counted); then the instructions.
        var pc = 4 + Int(program[3])
        pc += 1 + Int(program[pc])
        var ops: [UInt32] = []
        while pc < program.count {
            switch program[pc] {
            case UInt32(EG_OP_BIND):
                ops.append(program[pc + 2])
                pc += 8
            case UInt32(EG_OP_COMPARE): pc += 3
            default: pc = program.count
            }
        }
        return ops
    }

    /// The row word of a class variable.
    func classWord(_ name: String) -> Int? { classVariables.firstIndex(of: name).map { 1 + $0 } }

    /// The row word (low half) of a payload variable.
    func payloadWord(_ name: String) -> Int? {
        payloadVariables.firstIndex(of: name).map { 1 + classVariables.count + 2 * $0 }
    }

    /// Compiles `pattern` against `table`.
    ///
    /// - Throws: ``PatternError`` when the root is not an operator, an operator is unknown or
    ///   given the wrong number of arguments, a literal stands where a child is expected, a
    ///   variable is used both as a class and as a payload, or a node mixes literal values
    ///   and payload variables.
    init(_ pattern: Pattern, table: OperatorTable) throws(PatternError) {
        guard case .apply = pattern else {
            throw PatternError("the left-hand side \(pattern) must be an operator application")
        }
        var builder = Builder(table: table)
        try builder.compile(pattern)
        let header: [UInt32] = [UInt32(builder.nextRegister), UInt32(builder.payloadNames.count),
                                UInt32(1 + builder.classNames.count + 2 * builder.payloadNames.count),
                                UInt32(1 + builder.classNames.count), 0]
            + builder.classNames.map { UInt32(builder.classRegister[$0]!) }
            + [UInt32(builder.payloadNames.count)]
            + (0..<builder.payloadNames.count).map { UInt32($0) }
        program = header + builder.code + [UInt32(EG_OP_YIELD)]
        boundOperators = Self.boundOperators(in: program)
        stride = 1 + builder.classNames.count + 2 * builder.payloadNames.count
        classVariables = builder.classNames
        payloadVariables = builder.payloadNames
        payloadKinds = builder.payloadKinds
        rootOperator = builder.rootOperator!
        classCount = builder.classNames.count
    }

    /// Compiles a numbered pattern (checked when it was made): class variable `k` at word
    /// `1 + k`, payload variable `j` at `1 + classes + 2j`; the variables have no names.
    init(_ term: OperatorPattern.Term, classes: Int, payloads: Int) throws(PatternError) {
        guard case .apply(let rootOp, _, _) = term else {
            throw PatternError("the left-hand side (a class variable) must be an operator application")
        }
        // The header's size is known before the code: the code is generated in place after
        // it, and the header's class registers are filled in afterwards.
        let headerSize = 5 + classes + 1 + payloads
        var builder = NumberedBuilder(classes: classes, headerSize: headerSize)
        try builder.node(term, input: nil)
        var program: [UInt32] = []
        swap(&program, &builder.code)
        program[0] = UInt32(builder.nextRegister)
        program[1] = UInt32(payloads)
        program[2] = UInt32(1 + classes + 2 * payloads)
        program[3] = UInt32(1 + classes)
        program[4] = 0
        for k in 0..<classes { program[5 + k] = UInt32(truncatingIfNeeded: builder.register(of: k)) }
        program[5 + classes] = UInt32(payloads)
        for j in 0..<payloads { program[6 + classes + j] = UInt32(j) }
        program.append(UInt32(EG_OP_YIELD))
        self.program = program
        boundOperators = Self.boundOperators(in: program)
        stride = 1 + classes + 2 * payloads
        classVariables = []
        payloadVariables = []
        payloadKinds = [:]
        rootOperator = rootOp
        classCount = classes
    }

    /// The code generator for numbered patterns (the same instructions, in the same order,
    /// as ``Builder`` emits for the named form).
    private struct NumberedBuilder {
        /// The header (zeros, filled in by the caller), then the instructions.
        var code: [UInt32]
        var nextRegister = 1
        /// Bit k: class variable k seen; its first register is in `registers`.
        var classSeen: UInt64 = 0
        /// The first register of class variables 0..<8 (one byte each; registers < 256),
        /// then of the rest.
        var firstRegisters: UInt64 = 0
        var moreRegisters: [Int] = []
        /// Bit j: payload variable j already bound.
        var payloadBound: UInt64 = 0

        init(classes: Int, headerSize: Int) {
            code = [UInt32](repeating: 0, count: headerSize)
            code.reserveCapacity(headerSize + 8 * 4 + 3 * 4 + 1)
            if classes > 8 { moreRegisters = [Int](repeating: -1, count: classes - 8) }
        }

        func register(of k: Int) -> Int {
            k < 8 ? Int((firstRegisters >> UInt64(8 * k)) & 0xFF) : moreRegisters[k - 8]
        }

        mutating func setRegister(of k: Int, _ r: Int) {
            classSeen |= 1 << UInt64(k)
            if k < 8 { firstRegisters |= UInt64(r) << UInt64(8 * k) } else { moreRegisters[k - 8] = r }
        }

        mutating func node(_ term: OperatorPattern.Term, input: Int?) throws(PatternError) {
            guard case .apply(let op, let payload, let children) = term else { return }
            var pmode = UInt32(EG_PAYLOAD_ANY), p0: UInt32 = 0, p1: UInt32 = 0
            switch payload {
            case .any: break
            case .variable(let j):
                let bit: UInt64 = 1 << UInt64(j)
                pmode = UInt32(payloadBound & bit != 0 ? EG_PAYLOAD_SAME : EG_PAYLOAD_BIND)
                payloadBound |= bit
                p0 = UInt32(j)
            case .value(let v):
                pmode = UInt32(EG_PAYLOAD_EQUAL)
                p0 = UInt32(truncatingIfNeeded: v)
                p1 = UInt32(truncatingIfNeeded: v >> 32)
            }
            let base = try appendBind(&code, nextRegister: &nextRegister, input: input, op: op.rawValue,
                                      arity: children.count, pmode: pmode, p0: p0, p1: p1)
            for i in children.indices {
                guard case .variable(let k) = children[i] else { continue }
                if classSeen & (1 << UInt64(k)) != 0 {
                    appendCompare(&code, register(of: k), base + i)
                } else {
                    setRegister(of: k, base + i)
                }
            }
            for i in children.indices {
                if case .apply = children[i] { try node(children[i], input: base + i) }
            }
        }
    }

    private struct Builder {
        let table: OperatorTable
        var code: [UInt32] = []
        var nextRegister = 1
        var classNames: [String] = []
        var classRegister: [String: Int] = [:]
        var payloadNames: [String] = []
        var payloadKinds: [String: [LiteralKind]] = [:]
        var rootOperator: OperatorID?

        init(table: OperatorTable) { self.table = table }

        mutating func compile(_ root: Pattern) throws(PatternError) {
            try node(root, input: nil)
        }

        private mutating func node(_ pattern: Pattern, input: Int?) throws(PatternError) {
            guard case .apply(let name, let arguments) = pattern else { return }
            var children: [Pattern] = []
            let application = try PatternApplication(name, arguments, in: pattern, table: table) {
                (argument) throws(PatternError) in
                if case .literal(let literal) = argument {
                    throw PatternError("literal \(literal) where '\(name)' expects a child in \(pattern)")
                }
                children.append(argument)
            }
            let op = application.op
            if input == nil { rootOperator = op }
            let declared = application.declared
            var pmode = UInt32(EG_PAYLOAD_ANY)
            var p0: UInt32 = 0
            var p1: UInt32 = 0
            if let key = application.payloadKey {
                if classRegister[key] != nil {
                    throw PatternError("variable '\(key)' is used both as an e-class and as a literal")
                }
                if let index = payloadNames.firstIndex(of: key) {
                    guard payloadKinds[key] == declared.literalKinds else {
                        throw PatternError("payload variable '\(key)' is bound to literals of other kinds")
                    }
                    pmode = UInt32(EG_PAYLOAD_SAME)
                    p0 = UInt32(index)
                } else {
                    pmode = UInt32(EG_PAYLOAD_BIND)
                    p0 = UInt32(payloadNames.count)
                    payloadNames.append(key)
                    payloadKinds[key] = declared.literalKinds
                }
            } else if !declared.literalKinds.isEmpty {
                let payload = try application.encodedLiterals(table)
                pmode = UInt32(EG_PAYLOAD_EQUAL)
                p0 = UInt32(truncatingIfNeeded: payload)
                p1 = UInt32(truncatingIfNeeded: payload >> 32)
            }
            let base = try appendBind(&code, nextRegister: &nextRegister, input: input, op: op.rawValue,
                                      arity: children.count, pmode: pmode, p0: p0, p1: p1)
            for (i, child) in children.enumerated() {
                guard case .variable(let variable) = child else { continue }
                let register = base + i
                if payloadNames.contains(variable) {
                    throw PatternError("variable '\(variable)' is used both as a literal and as an e-class")
                }
                if let earlier = classRegister[variable] {
                    appendCompare(&code, earlier, register)
                } else {
                    classRegister[variable] = register
                    classNames.append(variable)
                }
            }
            for (i, child) in children.enumerated() {
                if case .apply = child { try node(child, input: base + i) }
            }
        }
    }
}

/// `EG_NONE` as a Swift constant (the macro's cast does not import).
let EG_NONE_U32: UInt32 = 0xFFFF_FFFF

/// Appends the matcher's node step (`BIND input op arity payload-mode p0 p1 base`) for a
/// node with `arity` children, whose classes go to registers `base..<base + arity`, taken
/// from `nextRegister`. Returns `base`.
///
/// - Throws: ``PatternError`` when the pattern needs more than 255 child registers.
private func appendBind(_ code: inout [UInt32], nextRegister: inout Int, input: Int?, op: UInt32, arity: Int,
                        pmode: UInt32, p0: UInt32, p1: UInt32) throws(PatternError) -> Int {
    let base = nextRegister
    nextRegister += arity
    guard nextRegister <= 256 else { throw PatternError("pattern too large (more than 255 child positions)") }
    code.append(UInt32(EG_OP_BIND))
    code.append(input.map(UInt32.init) ?? EG_NONE_U32)
    code.append(op)
    code.append(UInt32(arity))
    code.append(pmode)
    code.append(p0)
    code.append(p1)
    code.append(UInt32(base))
    return base
}

/// Appends the matcher's check that registers `first` and `second` hold the same class (a
/// class variable used twice).
private func appendCompare(_ code: inout [UInt32], _ first: Int, _ second: Int) {
    code.append(UInt32(EG_OP_COMPARE))
    code.append(UInt32(first))
    code.append(UInt32(second))
}
