import Testing
@testable import EGraphKit

/// Constant folding over the math language: the integer a class is known to equal.
struct ConstantValue: EClassAnalysis {
    let table: OperatorTable
    func make(operator op: OperatorID, payload: UInt64, children: [Int64?]) -> Int64? {
        switch table[op].name {
        case "Const": return Int64(bitPattern: payload)
        case "Add": if let a = children[0], let b = children[1] { return a &+ b }
        case "Mul": if let a = children[0], let b = children[1] { return a &* b }
        default: break
        }
        return nil
    }
    func merge(_ a: Int64?, _ b: Int64?) -> Int64? { a ?? b }
}

@Suite struct AnalysisTests {
    @Test func makeComputesFromChildren() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let sum = try graph.add(try Pattern(parsing: "(Add (Const 2) (Mul (Const 3) (Const 4)))"), table: table)
        let x = try graph.add(try Pattern(parsing: "(Var \"x\")"), table: table)
        let data = AnalysisData(ConstantValue(table: table), on: graph)
        #expect(data[sum] == 14)
        #expect(data[x] == nil)
    }

    @Test func mergeRunsOnUnion() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let x = try graph.add(try Pattern(parsing: "(Var \"x\")"), table: table)
        let sinX = try graph.add(try Pattern(parsing: "(Sin (Var \"x\"))"), table: table)
        let sum = try graph.add(try Pattern(parsing: "(Add (Const 1) (Const 2))"), table: table)
        let data = AnalysisData(ConstantValue(table: table), on: graph)
        #expect(data[x] == nil)
        // Inside a runner: the union comes from a rule, the merge from the core's log.
        let runner = try Runner(graph: graph, table: table,
                                rules: [try Rewrite("x-is-3", "(Var \"x\")", "(Add (Const 1) (Const 2))")],
                                iterationLimit: 1, nodeLimit: nil, timeLimit: nil)
        runner.track(data)
        _ = try runner.run()
        #expect(try graph.find(x) == graph.find(sum))
        #expect(data[x] == 3)
        #expect(data[sinX] == nil)
    }

    /// `(Mul x (Const 1))` has no value until `x = 3` makes it congruent to
    /// `(Mul (Const 3) (Const 1))`: the rebuild's congruent merge carries the value over.
    @Test func mergeRunsOnCongruence() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let unknown = try graph.add(try Pattern(parsing: "(Mul (Var \"x\") (Const 1))"), table: table)
        let known = try graph.add(try Pattern(parsing: "(Mul (Const 3) (Const 1))"), table: table)
        let data = AnalysisData(ConstantValue(table: table), on: graph)
        #expect(data[unknown] == nil && data[known] == 3)
        let runner = try Runner(graph: graph, table: table,
                                rules: [try Rewrite("x-is-3", "(Var \"x\")", "(Const 3)")],
                                iterationLimit: 1, nodeLimit: nil, timeLimit: nil)
        runner.track(data)
        _ = try runner.run()
        #expect(try graph.find(unknown) == graph.find(known))
        #expect(data[unknown] == 3)
    }

    @Test func absorbReplaysARebuildOutsideARunner() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let x = try graph.add(try Pattern(parsing: "(Var \"x\")"), table: table)
        let five = try graph.add(try Pattern(parsing: "(Const 5)"), table: table)
        let data = AnalysisData(ConstantValue(table: table), on: graph)
        try graph.union(x, five)
        data.absorb(try graph.rebuild())
        #expect(data[x] == 5)
    }
}

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
}
