/// A parsed and checked egglog program, ready to run with ``EgglogInterpreter``.
///
/// Parsing reads the text (``EgglogParser``), then resolves every name and checks every
/// sort and arity, command by command in order, so that a program with an unknown
/// constructor or a wrong argument count fails before anything runs, with the place of
/// the mistake.
///
/// ```swift
/// let program = try EgglogProgram(parsing: """
///     (datatype Math (Num i64) (Add Math Math))
///     (let e (Add (Num 1) (Num 2)))
///     (extract e)
///     """)
/// ```
public struct EgglogProgram: Sendable {
    /// The commands as written.
    public let statements: [EgglogStatement]
    /// The datatypes and constructors the program declares.
    public let signature: EgglogSignature
    /// Names of the `let`-bound globals, in binding order.
    public let globalNames: [String]
    let globalSorts: [EgglogSort]
    let steps: [EgglogStep]

    /// Parses and checks `text`.
    ///
    /// - Throws: ``EgglogError`` naming the command and line:column of the first problem.
    /// - Complexity: O(n) in the size of the text.
    public init(parsing text: String) throws(EgglogError) {
        let statements = try EgglogParser.parse(text)
        var resolver = Resolver()
        var steps: [EgglogStep] = []
        steps.reserveCapacity(statements.count)
        for statement in statements {
            steps.append(try resolver.resolve(statement))
        }
        self.statements = statements
        self.signature = resolver.signature
        self.globalNames = resolver.globalNames
        self.globalSorts = resolver.globalSorts
        self.steps = steps
    }
}

/// Name and sort resolution for one program, command by command.
private struct Resolver {
    var signature = EgglogSignature()
    var globalNames: [String] = []
    var globalSorts: [EgglogSort] = []
    var globalIndex: [String: Int] = [:]

    /// Where a term appears: an action (globals allowed) or one side of a rule.
    enum Context {
        case action
        case lhs
        case rhs
    }

    /// Rule variables being collected.
    struct Variables {
        var names: [String] = []
        var sorts: [EgglogSort] = []
        var index: [String: Int] = [:]
        var firstUse: [SourceLocation] = []
    }

    mutating func resolve(_ statement: EgglogStatement) throws(EgglogError) -> EgglogStep {
        let keyword = statement.command.keyword
        let location = statement.location
        switch statement.command {
        case .datatype(let name, let constructors):
            try signature.declare(datatype: name, constructors: constructors, at: location)
            return .declare
        case .rewrite(let lhs, let rhs, let bidirectional):
            let source = "(\(keyword) \(egglogText(lhs)) \(egglogText(rhs)))"
            var forward = Variables()
            let (left, leftSort) = try term(lhs, expected: nil, context: .lhs, variables: &forward, command: keyword)
            guard case .apply = left else {
                throw EgglogError(.malformedCommand(command: keyword,
                                                    detail: "the left-hand side must be a constructor application"),
                                  at: lhs.location, command: keyword)
            }
            let (right, _) = try term(rhs, expected: leftSort, context: .rhs, variables: &forward, command: keyword)
            var rules = [EgglogRule(name: bidirectional ? source + "=>" : source, lhs: left, rhs: right,
                                    variableNames: forward.names, variableSorts: forward.sorts)]
            if bidirectional {
                var backward = Variables()
                let (reverseLeft, reverseSort) = try term(rhs, expected: nil, context: .lhs, variables: &backward,
                                                          command: keyword)
                guard case .apply = reverseLeft else {
                    throw EgglogError(.malformedCommand(command: keyword,
                                                        detail: "both sides of a birewrite must be constructor applications"),
                                      at: rhs.location, command: keyword)
                }
                let (reverseRight, _) = try term(lhs, expected: reverseSort, context: .rhs, variables: &backward,
                                                 command: keyword)
                rules.append(EgglogRule(name: source + "<=", lhs: reverseLeft, rhs: reverseRight,
                                        variableNames: backward.names, variableSorts: backward.sorts))
            }
            return .rules(rules)
        case .letBinding(let name, let expression):
            var none = Variables()
            let (value, sort) = try term(expression, expected: nil, context: .action, variables: &none, command: keyword)
            guard globalIndex[name] == nil, signature.constructor(named: name) == nil else {
                throw EgglogError(.duplicateName(name), at: location, command: keyword)
            }
            globalIndex[name] = globalNames.count
            globalNames.append(name)
            globalSorts.append(sort)
            return .bind(global: globalNames.count - 1, term: value)
        case .expression(let expression):
            if let head = expression.egglogList?.first?.egglogSymbol, signature.constructor(named: head) == nil {
                // Neither a supported command nor a declared constructor.
                throw EgglogError(.unknownCommand(head), at: location, command: head)
            }
            var none = Variables()
            let (value, _) = try term(expression, expected: nil, context: .action, variables: &none,
                                      command: expression.egglogList?.first?.egglogSymbol ?? keyword)
            return .add(value)
        case .union(let a, let b):
            var none = Variables()
            let (left, sort) = try term(a, expected: nil, context: .action, variables: &none, command: keyword)
            guard !sort.isPrimitive else {
                throw EgglogError(.sortMismatch(expected: "a datatype", found: signature.sortName(sort)),
                                  at: a.location, command: keyword)
            }
            let (right, _) = try term(b, expected: sort, context: .action, variables: &none, command: keyword)
            return .union(left, right)
        case .run(let n):
            return .run(n)
        case .check(let facts):
            var groups: [[EgglogTerm]] = []
            for fact in facts {
                var none = Variables()
                if case .list(let items, _) = fact, items.first?.egglogSymbol == "=" {
                    guard items.count >= 3 else {
                        throw EgglogError(.malformedCommand(command: keyword, detail: "`=` needs at least two terms"),
                                          at: fact.location, command: keyword)
                    }
                    var group: [EgglogTerm] = []
                    var sort: EgglogSort?
                    for item in items.dropFirst() {
                        let (value, s) = try term(item, expected: sort, context: .action, variables: &none,
                                                  command: keyword)
                        sort = s
                        group.append(value)
                    }
                    groups.append(group)
                } else {
                    let (value, _) = try term(fact, expected: nil, context: .action, variables: &none, command: keyword)
                    groups.append([value])
                }
            }
            let text = facts.map(egglogText).joined(separator: " ")
            return .check(groups: groups, text: text)
        case .extract(let expression):
            var none = Variables()
            let (value, sort) = try term(expression, expected: nil, context: .action, variables: &none,
                                         command: keyword)
            return .extract(value, sort: sort)
        case .printSize(let name):
            guard let name else { return .printSize(nil) }
            guard let index = signature.constructor(named: name) else {
                throw EgglogError(.unknownConstructor(name), at: location, command: keyword)
            }
            return .printSize(index)
        }
    }

    /// Resolves one expression, checking it has sort `expected` when given.
    func term(_ expression: SExpression, expected: EgglogSort?, context: Context,
              variables: inout Variables, command: String) throws(EgglogError) -> (EgglogTerm, EgglogSort) {
        func check(_ sort: EgglogSort) throws(EgglogError) {
            if let expected, expected != sort {
                throw EgglogError(.sortMismatch(expected: signature.sortName(expected),
                                                found: signature.sortName(sort) + " `\(egglogText(expression))`"),
                                  at: expression.location, command: command)
            }
        }
        switch expression {
        case .int(let value, _):
            try check(.i64)
            return (.integer(value), .i64)
        case .float(let value, _):
            try check(.f64)
            return (.float(value), .f64)
        case .string(let value, _):
            try check(.string)
            return (.string(value), .string)
        case .symbol(let name, let location):
            if let global = globalIndex[name] {
                guard context == .action else {
                    throw EgglogError(.malformedCommand(command: command,
                                                        detail: "rules cannot refer to the global `\(name)`"),
                                      at: location, command: command)
                }
                try check(globalSorts[global])
                return (.global(global), globalSorts[global])
            }
            guard context != .action else {
                throw EgglogError(.unboundName(name), at: location, command: command)
            }
            if let index = variables.index[name] {
                try check(variables.sorts[index])
                return (.variable(index), variables.sorts[index])
            }
            guard context == .lhs else {
                throw EgglogError(.unboundName(name), at: location, command: command)
            }
            guard let expected else {
                throw EgglogError(.malformedCommand(command: command,
                                                    detail: "cannot infer the sort of variable `\(name)`"),
                                  at: location, command: command)
            }
            variables.index[name] = variables.names.count
            variables.names.append(name)
            variables.sorts.append(expected)
            variables.firstUse.append(location)
            return (.variable(variables.names.count - 1), expected)
        case .list(let items, let location):
            guard let head = items.first, let name = head.egglogSymbol else {
                throw EgglogError(.malformedCommand(command: command, detail: "expected a constructor application, found `\(egglogText(expression))`"),
                                  at: location, command: command)
            }
            guard let index = signature.constructor(named: name) else {
                throw EgglogError(.unknownConstructor(name), at: head.location, command: command)
            }
            let constructor = signature.constructors[index]
            try check(.datatype(constructor.datatype))
            guard items.count - 1 == constructor.arguments.count else {
                throw EgglogError(.arityMismatch(constructor: name, expected: constructor.arguments.count,
                                                 found: items.count - 1),
                                  at: location, command: command)
            }
            var arguments: [EgglogTerm] = []
            arguments.reserveCapacity(constructor.arguments.count)
            for (item, sort) in zip(items.dropFirst(), constructor.arguments) {
                let (argument, _) = try term(item, expected: sort, context: context, variables: &variables,
                                             command: command)
                arguments.append(argument)
            }
            return (.apply(constructor: index, arguments: arguments), .datatype(constructor.datatype))
        }
    }
}
