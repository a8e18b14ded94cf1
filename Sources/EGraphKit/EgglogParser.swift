/// Turns egglog program text into ``EgglogStatement``s.
///
/// The parser checks each command's shape (keyword and argument count); names and sorts
/// are resolved later by ``EgglogProgram``. Anything outside the supported subset is an
/// ``EgglogError`` naming the command and its line:column.
///
/// - Complexity: O(n) in the length of the text.
public enum EgglogParser {
    /// Parses `text` into statements.
    ///
    /// - Throws: ``EgglogError`` at the first malformed or unsupported command.
    public static func parse(_ text: String) throws(EgglogError) -> [EgglogStatement] {
        let forms: [SExpression]
        do {
            forms = try SExpression.parseAll(text)
        } catch {
            throw EgglogError(.syntax(error.message), at: error.location)
        }
        return try forms.map { (form) throws(EgglogError) in try statement(form) }
    }

    static func statement(_ form: SExpression) throws(EgglogError) -> EgglogStatement {
        guard case .list(let items, let location) = form else {
            throw EgglogError(.notACommand(egglogText(form)), at: form.location)
        }
        guard let head = items.first else {
            throw EgglogError(.notACommand("()"), at: location)
        }
        guard let keyword = head.egglogSymbol else {
            throw EgglogError(.notACommand(egglogText(head)), at: head.location)
        }
        let args = Array(items.dropFirst())
        func expect(_ count: Int, _ what: String) throws(EgglogError) {
            guard args.count == count else {
                throw EgglogError(.malformedCommand(command: keyword,
                                                    detail: "expected \(what), found \(args.count) argument\(args.count == 1 ? "" : "s")"),
                                  at: location, command: keyword)
            }
        }
        let command: EgglogCommand
        switch keyword {
        case "datatype":
            command = try datatype(args, location: location)
        case "rewrite", "birewrite":
            if args.count > 2, let option = args[2].egglogSymbol, option.hasPrefix(":") {
                throw EgglogError(.malformedCommand(command: keyword, detail: "option `\(option)` is not supported"),
                                  at: args[2].location, command: keyword)
            }
            try expect(2, "a left-hand side and a right-hand side")
            command = .rewrite(lhs: args[0], rhs: args[1], bidirectional: keyword == "birewrite")
        case "let":
            try expect(2, "a name and an expression")
            guard let name = args[0].egglogSymbol else {
                throw EgglogError(.malformedCommand(command: keyword, detail: "`\(egglogText(args[0]))` is not a name"),
                                  at: args[0].location, command: keyword)
            }
            command = .letBinding(name: name, expression: args[1])
        case "union":
            try expect(2, "two expressions")
            command = .union(args[0], args[1])
        case "run":
            guard args.count == 1, case .int(let n, _) = args[0], n >= 0, n <= Int64(Int32.max) else {
                throw EgglogError(.malformedCommand(command: keyword,
                                                    detail: "only `(run N)` with a non-negative iteration count is supported"),
                                  at: location, command: keyword)
            }
            command = .run(iterations: Int(n))
        case "check":
            guard !args.isEmpty else {
                throw EgglogError(.malformedCommand(command: keyword, detail: "expected at least one fact"),
                                  at: location, command: keyword)
            }
            command = .check(args)
        case "extract":
            try expect(1, "one expression (extracting variants is not supported)")
            command = .extract(args[0])
        case "print-size":
            if args.isEmpty {
                command = .printSize(nil)
            } else if args.count == 1, let name = args[0].egglogSymbol {
                command = .printSize(name)
            } else {
                throw EgglogError(.malformedCommand(command: keyword, detail: "expected at most one constructor name"),
                                  at: location, command: keyword)
            }
        default:
            if Self.knownUnsupported.contains(keyword) {
                throw EgglogError(.unknownCommand(keyword), at: location, command: keyword)
            }
            // Anything else in head position is a constructor application: a top-level
            // expression. Whether the constructor exists is checked when names resolve.
            if keyword.first.map({ $0 == ":" || $0 == "=" }) == true {
                throw EgglogError(.unknownCommand(keyword), at: location, command: keyword)
            }
            command = .expression(form)
        }
        return EgglogStatement(command: command, location: location)
    }

    /// egglog commands outside the supported subset: named as unknown commands rather
    /// than taken for constructor applications.
    static let knownUnsupported: Set<String> = [
        "sort", "function", "constructor", "relation", "rule", "ruleset", "run-schedule",
        "set", "delete", "subsume", "simplify", "query-extract", "push", "pop", "include",
        "input", "output", "fail", "print-function", "print-stats", "print-table", "datatype*",
        "set-option", "calc", "unstable-combined-ruleset", "extract-variants", "saturate",
        "repeat", "seq", "panic", "prove", "define", "declare",
    ]

    static func datatype(_ args: [SExpression], location: SourceLocation) throws(EgglogError) -> EgglogCommand {
        guard let name = args.first?.egglogSymbol else {
            throw EgglogError(.malformedCommand(command: "datatype", detail: "expected a sort name"),
                              at: args.first?.location ?? location, command: "datatype")
        }
        var constructors: [EgglogConstructorDeclaration] = []
        for variant in args.dropFirst() {
            guard case .list(let parts, let variantLocation) = variant,
                  let ctorName = parts.first?.egglogSymbol else {
                throw EgglogError(.malformedCommand(command: "datatype",
                                                    detail: "expected a constructor `(Name Sort…)`, found `\(egglogText(variant))`"),
                                  at: variant.location, command: "datatype")
            }
            var sorts: [String] = []
            var locations: [SourceLocation] = []
            for part in parts.dropFirst() {
                guard let sort = part.egglogSymbol, !sort.hasPrefix(":") else {
                    throw EgglogError(.malformedCommand(command: "datatype",
                                                        detail: "expected a sort name in `\(ctorName)`, found `\(egglogText(part))`"),
                                      at: part.location, command: "datatype")
                }
                sorts.append(sort)
                locations.append(part.location)
            }
            constructors.append(EgglogConstructorDeclaration(
                name: ctorName, argumentSorts: sorts, location: variantLocation, argumentLocations: locations))
        }
        return .datatype(name: name, constructors: constructors)
    }
}

/// An s-expression written back as egglog text (strings re-quoted, floats as egglog
/// prints them).
func egglogText(_ expression: SExpression) -> String {
    switch expression {
    case .symbol(let s, _): return s
    case .int(let i, _): return String(i)
    case .float(let d, _): return EgglogFormat.float(d)
    case .string(let s, _): return EgglogFormat.string(s)
    case .list(let items, _): return "(" + items.map(egglogText).joined(separator: " ") + ")"
    }
}

extension SExpression {
    /// The symbol's name, or `nil` when this is not a symbol.
    var egglogSymbol: String? {
        if case .symbol(let s, _) = self { return s }
        return nil
    }

    /// The list's elements, or `nil` when this is not a list.
    var egglogList: [SExpression]? {
        if case .list(let items, _) = self { return items }
        return nil
    }
}
