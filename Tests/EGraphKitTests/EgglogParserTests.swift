import Testing
@testable import EGraphKit

@Suite("egglog front end: parsing and checking")
struct EgglogParserTests {
    private let header = "(datatype Math (Num i64) (Var String) (F f64) (Add Math Math) (Neg Math) (Z))\n"

    private func error(_ text: String) -> EgglogError? {
        do {
            _ = try EgglogProgram(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    @Test("every supported command parses into its command")
    func everyCommand() throws {
        let text = header + """
            ; a comment
            (rewrite (Add a b) (Add b a))
            (birewrite (Neg (Neg ?x)) (Add ?x (Z)))
            (let e (Add (Num 1) (Var "x")))
            (Neg (F 1.5))
            (union e (Num 2))
            (run 3)
            (check (= e (Num 2)))
            (extract e)
            (print-size)
            (print-size Add)
            """
        let program = try EgglogProgram(parsing: text)
        #expect(program.statements.map(\.command.keyword) == [
            "datatype", "rewrite", "birewrite", "let", "expression", "union", "run", "check",
            "extract", "print-size", "print-size",
        ])
        #expect(program.statements.map(\.location.line) == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        #expect(program.signature.constructors.map(\.name) == ["Num", "Var", "F", "Add", "Neg", "Z"])
        #expect(program.signature.constructors[3].childCount == 2)
        #expect(program.globalNames == ["e"])
        guard case .rules(let rules) = program.steps[2] else {
            Issue.record("birewrite did not become rules")
            return
        }
        #expect(rules.count == 2)
        #expect(rules[0].variableNames == ["?x"])
        guard case .run(let n) = program.steps[6] else {
            Issue.record("run did not parse")
            return
        }
        #expect(n == 3)
    }

    @Test("unbalanced parentheses name the place")
    func unbalanced() {
        let open = error(header + "(let e (Num 1)\n")
        #expect(open?.location == SourceLocation(line: 2, column: 1))
        if case .syntax = open?.kind {} else { Issue.record("expected a syntax error, got \(String(describing: open))") }
        let close = error(header + "(run 1))")
        #expect(close?.location == SourceLocation(line: 2, column: 8))
    }

    @Test("an unknown command is named with its line and column")
    func unknownCommand() {
        let e = error(header + "(run 1)\n  (rule ((Num x)) ((Num 2)))")
        #expect(e?.kind == .unknownCommand("rule"))
        #expect(e?.location == SourceLocation(line: 3, column: 3))
        #expect(e?.description.hasPrefix("3:3:") == true)
        #expect(e?.message(file: "p.egg").hasPrefix("p.egg:3:3:") == true)
        // A head that is neither a command nor a constructor is an unknown command too.
        let other = error(header + "(run 1)\n(frobnicate 1)")
        #expect(other?.kind == .unknownCommand("frobnicate"))
        #expect(other?.location == SourceLocation(line: 3, column: 1))
    }

    @Test("an unknown constructor is named where it is written")
    func unknownConstructor() {
        let e = error(header + "(let e (Add (Num 1) (Mull (Num 2))))")
        #expect(e?.kind == .unknownConstructor("Mull"))
        #expect(e?.location == SourceLocation(line: 2, column: 22))
        #expect(e?.command == "let")
    }

    @Test("a wrong number of arguments is an arity error at the application")
    func arity() {
        let e = error(header + "(rewrite (Add a) a)")
        #expect(e?.kind == .arityMismatch(constructor: "Add", expected: 2, found: 1))
        #expect(e?.location == SourceLocation(line: 2, column: 10))
        #expect(e?.command == "rewrite")
    }

    @Test("a literal of the wrong sort is rejected (an integer is not an f64)")
    func sorts() {
        let e = error(header + "(F 3)")
        if case .sortMismatch(let expected, _) = e?.kind {
            #expect(expected == "f64")
        } else {
            Issue.record("expected a sort mismatch, got \(String(describing: e))")
        }
        #expect(e?.location == SourceLocation(line: 2, column: 4))
    }

    @Test("a right-hand side variable the left does not bind is unbound")
    func unboundVariable() {
        let e = error(header + "(rewrite (Neg a) (Add a b))")
        #expect(e?.kind == .unboundName("b"))
        #expect(e?.location == SourceLocation(line: 2, column: 25))
        // A birewrite must bind every variable in both directions.
        let back = error(header + "(birewrite (Add a b) (Neg a))")
        #expect(back?.kind == .unboundName("b"))
    }

    @Test("actions cannot use names nothing bound; names cannot be bound twice")
    func unboundGlobal() {
        #expect(error(header + "(extract nope)")?.kind == .unboundName("nope"))
        #expect(error(header + "(let e (Z))\n(let e (Z))")?.kind == .duplicateName("e"))
        #expect(error("(datatype T (A))\n(datatype U (A))")?.kind == .duplicateName("A"))
        #expect(error("(datatype T (A Foo))")?.kind == .unknownSort("Foo"))
    }

    @Test("malformed commands are errors naming the command")
    func malformed() {
        let run = error(header + "(run)")
        #expect(run?.command == "run")
        #expect(run?.location == SourceLocation(line: 2, column: 1))
        let option = error(header + "(rewrite (Neg a) a :ruleset r)")
        #expect(option?.command == "rewrite")
        #expect(option?.location == SourceLocation(line: 2, column: 20))
        #expect(error(header + "(extract (Z) 3)")?.command == "extract")
        #expect(error(header + "42")?.kind == .notACommand("42"))
    }

    @Test("nesting is bounded: the deepest accepted list reads, one level more is a positioned error")
    func nestingBound() throws {
        let limit = SExpression.maximumNesting
        let deepest = String(repeating: "(", count: limit) + String(repeating: ")", count: limit)
        var expression = try SExpression.parse(deepest)
        var levels = 0
        while case .list(let items, _) = expression {
            levels += 1
            guard let inner = items.first else { break }
            expression = inner
        }
        #expect(levels == limit)

        // A term nested 100,000 levels in a program: rejected at the list that opens the
        // level past the limit, not a stack overflow.
        let neg = "(Neg "
        let deep = header + "(let e " + String(repeating: neg, count: 100_000) + "(Z)"
            + String(repeating: ")", count: 100_001)
        let failure = error(deep)
        if case .syntax = failure?.kind {} else { Issue.record("expected a syntax error, got \(String(describing: failure))") }
        // `(let` is level 1; the Neg that opens level limit + 1 is the limit-th one.
        #expect(failure?.location == SourceLocation(line: 2, column: 8 + neg.count * (limit - 1)))
    }
}
