import Testing
@testable import EGraphKit

@Suite struct PatternParsingTests {
    @Test func parsesVariablesLiteralsAndApplications() throws {
        let p = try Pattern(parsing: "(Add ?a (Mul b (Const -1)))")
        #expect(p == .apply("Add", [.variable("a"),
                                    .apply("Mul", [.variable("b"), .apply("Const", [.literal(.int(-1))])])]))
        #expect(p.variables == ["a", "b"])
        #expect(p.nodeCount == 3)
        #expect(p.description == "(Add ?a (Mul ?b (Const -1)))")
    }

    @Test func parsesFloatAndStringLiterals() throws {
        let p = try Pattern(parsing: "(F 1.5 \"x\\\"y\" -2e-3)")
        #expect(p == .apply("F", [.literal(.float(1.5)), .literal(.string("x\"y")), .literal(.float(-2e-3))]))
    }

    @Test func nonLinearVariableAppearsOnce() throws {
        let p = try Pattern(parsing: "(Sub a a)")
        #expect(p.variables == ["a"])
    }

    @Test func bareNullaryOperatorWithTable() throws {
        let table = OperatorTable()
        try table.declare("Nil")
        try table.declare("Cons", arity: 2)
        let p = try Pattern(parsing: "(Cons x Nil)", table: table)
        #expect(p == .apply("Cons", [.variable("x"), .apply("Nil", [])]))
    }

    @Test func errorsNameLineAndColumn() {
        #expect(throws: PatternError("unbalanced '(': missing ')'", at: SourceLocation(line: 1, column: 1))) {
            try Pattern(parsing: "(Add a b")
        }
        #expect(throws: PatternError("expected an operator name at the head of the list",
                                     at: SourceLocation(line: 2, column: 4))) {
            try Pattern(parsing: "(Add a\n  (1 b))")
        }
        #expect(throws: PatternError("empty list", at: SourceLocation(line: 1, column: 6))) {
            try Pattern(parsing: "(Add () b)")
        }
        #expect(throws: PatternError("unterminated string", at: SourceLocation(line: 1, column: 6))) {
            try Pattern(parsing: "(Var \"x)")
        }
        #expect(throws: PatternError("unexpected text after the expression", at: SourceLocation(line: 1, column: 11))) {
            try Pattern(parsing: "(Add a b) c")
        }
    }

    @Test func tableChecksOperatorsAndArity() throws {
        let table = OperatorTable()
        try table.declare("Add", arity: 2)
        #expect(throws: PatternError("unknown operator 'Mul'", at: SourceLocation(line: 1, column: 2))) {
            try Pattern(parsing: "(Mul a b)", table: table)
        }
        #expect(throws: PatternError("'Add' takes 2 argument(s), got 1", at: SourceLocation(line: 1, column: 1))) {
            try Pattern(parsing: "(Add a)", table: table)
        }
    }
}
