import Testing
@testable import EGraphKit

/// Conditional rewrites, custom appliers, payload variables and bidirectional rules.
@Suite struct ConditionalRewriteTests {
    @Test func conditionSeesAnalysisData() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let zeroTimes = try graph.add(try Pattern(parsing: "(Mul (Add (Const 1) (Const -1)) (Var \"x\"))"), table: table)
        let twoTimes = try graph.add(try Pattern(parsing: "(Mul (Const 2) (Var \"y\"))"), table: table)
        let zero = try graph.add(try Pattern(parsing: "(Const 0)"), table: table)
        let data = AnalysisData(ConstantValue(table: table), on: graph)
        var batches = 0
        let rule = try Rewrite("mul-by-zero", "(Mul a b)", "(Const 0)") { batch in
            batches += 1
            return (0..<batch.count).map { data[batch.eclass("a", $0)] == 0 }
        }
        let runner = try Runner(graph: graph, table: table, rules: [rule], nodeLimit: nil, timeLimit: nil)
        runner.track(data)
        let report = try runner.run()
        #expect(report.stopReason == .saturated)
        #expect(try graph.find(zeroTimes) == graph.find(zero))
        #expect(try graph.find(twoTimes) != graph.find(zero))
        #expect(report.rules[0].applications == report.iterations.count)
        #expect(batches == report.iterations.count)
    }

    @Test func customApplierAddsNodesAndReturnsUnions() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let sum = try graph.add(try Pattern(parsing: "(Add (Const 40) (Const 2))"), table: table)
        let const = table.id(named: "Const")!
        let fold = Rewrite("fold-add", try Pattern(parsing: "(Add (Const n) (Const m))")) { batch in
            try (0..<batch.count).map { i in
                guard case .int(let n)? = batch.literal("n", i), case .int(let m)? = batch.literal("m", i) else {
                    return (batch.root(i), batch.root(i))
                }
                let folded = try batch.graph.add(op: const.rawValue, payload: UInt64(bitPattern: n + m))
                return (batch.root(i), folded)
            }
        }
        let report = try Runner(graph: graph, table: table, rules: [fold], nodeLimit: nil, timeLimit: nil).run()
        #expect(report.stopReason == .saturated)
        let answer = try graph.add(try Pattern(parsing: "(Const 42)"), table: table)
        #expect(try graph.find(sum) == graph.find(answer))
        try graph.checkInvariants()
    }

    /// A custom applier reads a node's several literals and builds a node with derived
    /// literals (as the fusion optimizer does for concatenated weights).
    @Test func applierReadsMultiLiteralPayloads() throws {
        let table = OperatorTable()
        let leaf = try table.declare("Leaf", literals: [.string])
        let scaled = try table.declare("Scaled", arguments: [.literal(.int), .literal(.string), .child])
        let graph = EGraph()
        let term = try graph.add(try Pattern(parsing: "(Scaled 3 \"w\" (Leaf \"a\"))"), table: table)
        var seen: [[Literal]] = []
        let rule = Rewrite("derive", try Pattern(parsing: "(Scaled k name x)")) { batch in
            try (0..<batch.count).map { i in
                let literals = batch.literals(["k", "name"], i)!
                seen.append(literals)
                guard case .int(let k) = literals[0], case .string(let name) = literals[1] else { fatalError() }
                let derived = try batch.graph.add(op: leaf.rawValue,
                                                  payload: try batch.table.encode([.string("\(name)x\(k)")], for: leaf))
                return (batch.root(i), derived)
            }
        }
        _ = try Runner(graph: graph, table: table, rules: [rule], iterationLimit: 1, nodeLimit: nil, timeLimit: nil).run()
        #expect(seen == [[.int(3), .string("w")]])
        let expected = try graph.add(try Pattern(parsing: "(Leaf \"wx3\")"), table: table)
        #expect(try graph.find(term) == graph.find(expected))
        _ = scaled
    }

    @Test func payloadVariableIsCopiedToTheRightHandSide() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let sinConst = try graph.add(try Pattern(parsing: "(Sin (Const 7))"), table: table)
        let rule = try Rewrite("swap", "(Sin (Const n))", "(Cos (Const n))")
        _ = try Runner(graph: graph, table: table, rules: [rule], nodeLimit: nil, timeLimit: nil).run()
        let cos7 = try graph.add(try Pattern(parsing: "(Cos (Const 7))"), table: table)
        #expect(try graph.find(sinConst) == graph.find(cos7))
    }

    @Test func bidirectionalRulesGoBothWays() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let a = try graph.add(try Pattern(parsing: "(Sin (Var \"a\"))"), table: table)
        let b = try graph.add(try Pattern(parsing: "(Cos (Var \"b\"))"), table: table)
        let rules = try Rewrite.bidirectional("sin-cos", "(Sin x)", "(Cos x)")
        #expect(rules.map(\.name) == ["sin-cos", "sin-cos-rev"])
        _ = try Runner(graph: graph, table: table, rules: rules, nodeLimit: nil, timeLimit: nil).run()
        let cosA = try graph.add(try Pattern(parsing: "(Cos (Var \"a\"))"), table: table)
        let sinB = try graph.add(try Pattern(parsing: "(Sin (Var \"b\"))"), table: table)
        #expect(try graph.find(a) == graph.find(cosA))
        #expect(try graph.find(b) == graph.find(sinB))
    }

    struct Refused: Error {}

    /// An applier that throws mid-iteration: the error reaches the caller and, with a node
    /// limit set, the partial iteration is rolled back.
    @Test func throwingApplierRollsBackThePartialIteration() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        _ = try MathBenchmark.addSeeds(to: graph, table: table)
        let before = graph.nodeCount
        let failing = Rewrite("fails", try Pattern(parsing: "(Diff x y)")) { _ in throw Refused() }
        let rules = MathBenchmark.rules() + [failing]
        let runner = try Runner(graph: graph, table: table, rules: rules, nodeLimit: 100_000, timeLimit: nil)
        #expect(throws: Refused.self) { try runner.run() }
        #expect(graph.nodeCount == before)
        try graph.checkInvariants()
    }
}
