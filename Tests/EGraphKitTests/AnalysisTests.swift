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

    /// Values stay right through a rolled-back iteration: the ids the rollback freed are
    /// issued again to other nodes, which get their own values.
    @Test func valuesSurviveANodeLimitRollback() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        _ = try MathBenchmark.addSeeds(to: graph, table: table)
        let data = AnalysisData(ConstantValue(table: table), on: graph)
        let limited = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 20,
                                 nodeLimit: 1000, timeLimit: nil)
        limited.track(data)
        #expect(try limited.run().stopReason == .nodeLimit)
        // A term whose nodes take ids the rollback freed.
        let six = try graph.add(try Pattern(parsing: "(Add (Const 2) (Const 4))"), table: table)
        data.sync()
        #expect(data[six] == 6)
        let more = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 1,
                              nodeLimit: nil, timeLimit: nil)
        more.track(data)
        _ = try more.run()
        #expect(data[six] == 6)
        let two = try graph.add(try Pattern(parsing: "(Const 2)"), table: table)
        #expect(data[two] == 2)
    }
}
