import Testing
@testable import EGraphKit

@Suite struct OperatorTableTests {
    @Test func declaresAndLooksUp() throws {
        let table = OperatorTable()
        let add = try table.declare("Add", arity: 2)
        let const = try table.declare("Const", literals: [.int])
        #expect(add.rawValue == 0 && const.rawValue == 1)
        #expect(table.id(named: "Const") == const)
        #expect(table[add].arity == 2 && table[const].literalKinds == [.int])
        #expect(try table.declare("Add", arity: 2) == add)
        #expect(throws: OperatorTableError.conflictingDeclaration("Add")) { try table.declare("Add", arity: 3) }
    }

    @Test func encodesAndDecodesPayloads() throws {
        let table = OperatorTable()
        let const = try table.declare("Const", literals: [.int])
        let float = try table.declare("F", literals: [.float])
        let v = try table.declare("Var", literals: [.string])
        let pair = try table.declare("P", arguments: [.literal(.int), .child, .literal(.string)])
        #expect(try table.encode([.int(-1)], for: const) == UInt64(bitPattern: -1))
        let negativeZero = try table.encode([.float(-0.0)], for: float)
        #expect(try table.encode([.float(0.0)], for: float) == negativeZero)
        let x = try table.encode([.string("x")], for: v)
        #expect(try table.encode([.string("y")], for: v) != x)
        #expect(try table.encode([.string("x")], for: v) == x)
        #expect(table.decode(x, for: v) == [.string("x")])
        let t = try table.encode([.int(3), .string("a")], for: pair)
        #expect(try table.encode([.int(3), .string("a")], for: pair) == t)
        #expect(try table.encode([.int(4), .string("a")], for: pair) != t)
        #expect(table.decode(t, for: pair) == [.int(3), .string("a")])
        #expect(table.format(pair, payload: t, children: ["c"]) == "(P 3 c \"a\")")
        #expect(throws: OperatorTableError.literalMismatch(operator: "Const", expected: [.int], got: [.string])) {
            try table.encode([.string("x")], for: const)
        }
    }
}
