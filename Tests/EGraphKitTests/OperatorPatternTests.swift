import Testing
@testable import EGraphKit

/// Rules over operator ids with numbered variables (``OperatorPattern``).
@Suite struct OperatorPatternTests {
    typealias Term = OperatorPattern.Term

    func mathGraph() throws -> (EGraph, OperatorTable) {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        _ = try MathBenchmark.addSeeds(to: graph, table: table)
        return (graph, table)
    }

    func op(_ table: OperatorTable, _ name: String) -> OperatorID { table.id(named: name)! }

    @Test func numberedRulesRewriteAsTheirNamedForms() throws {
        let named = try [
            Rewrite("comm-add", "(Add a b)", "(Add b a)"),
            Rewrite("assoc-mul", "(Mul a (Mul b c))", "(Mul (Mul a b) c)"),
            Rewrite("zero-add", "(Add a (Const 0))", "a"),
        ]
        let (g1, t1) = try mathGraph()
        let seeded = g1.nodeCount
        let r1 = try Runner(graph: g1, table: t1, rules: named, iterationLimit: 4, nodeLimit: nil, timeLimit: nil).run()

        let (g2, t2) = try mathGraph()
        let add = op(t2, "Add"), mul = op(t2, "Mul"), const = op(t2, "Const")
        let zero = try t2.encode([.int(0)], for: const)
        let numbered = [
            Rewrite("comm-add", try OperatorPattern(.apply(add, payload: .any, [.variable(0), .variable(1)]), table: t2),
                    .apply(add, payload: .value(0), [.variable(1), .variable(0)])),
            Rewrite("assoc-mul",
                    try OperatorPattern(.apply(mul, payload: .any, [.variable(0), .apply(mul, payload: .any,
                                                                                         [.variable(1), .variable(2)])]),
                                        table: t2),
                    .apply(mul, payload: .value(0), [.apply(mul, payload: .value(0), [.variable(0), .variable(1)]),
                                                     .variable(2)])),
            Rewrite("zero-add",
                    try OperatorPattern(.apply(add, payload: .any, [.variable(0), .apply(const, payload: .value(zero), [])]),
                                        table: t2),
                    .variable(0)),
        ]
        let r2 = try Runner(graph: g2, table: t2, rules: numbered, iterationLimit: 4, nodeLimit: nil, timeLimit: nil).run()
        #expect(r2.iterations.map(\.enodes) == r1.iterations.map(\.enodes))
        #expect(r2.iterations.map(\.eclasses) == r1.iterations.map(\.eclasses))
        #expect(r2.rules.map(\.matches) == r1.rules.map(\.matches))
        #expect(r1.iterations.last!.enodes > seeded)
        try g2.checkInvariants()
    }

    @Test func customApplierReadsNumberedVariables() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let sum = try graph.add(try Pattern(parsing: "(Add (Const 40) (Const 2))"), table: table)
        let add = op(table, "Add"), const = op(table, "Const")
        // (Add (Const ?p0) (Const ?p1))
        let lhs = try OperatorPattern(.apply(add, payload: .any, [.apply(const, payload: .variable(0), []),
                                                                   .apply(const, payload: .variable(1), [])]),
                                      table: table)
        #expect(lhs.payloadVariableCount == 2 && lhs.classVariableCount == 0)
        let fold = Rewrite("fold-add", lhs) { batch in
            try (0..<batch.count).map { i in
                let n = Int64(bitPattern: batch.payload(at: 0, i)), m = Int64(bitPattern: batch.payload(at: 1, i))
                return (batch.root(i), try batch.graph.add(op: const.rawValue, payload: UInt64(bitPattern: n + m)))
            }
        }
        let report = try Runner(graph: graph, table: table, rules: [fold], nodeLimit: nil, timeLimit: nil).run()
        #expect(report.stopReason == .saturated)
        let answer = try graph.add(try Pattern(parsing: "(Const 42)"), table: table)
        #expect(try graph.find(sum) == graph.find(answer))
    }

    @Test func repeatedVariablesMustBindTheSameClass() throws {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let same = try graph.add(try Pattern(parsing: "(Mul (Var \"x\") (Var \"x\"))"), table: table)
        _ = try graph.add(try Pattern(parsing: "(Mul (Var \"x\") (Var \"y\"))"), table: table)
        let mul = op(table, "Mul")
        let lhs = try OperatorPattern(.apply(mul, payload: .any, [.variable(0), .variable(0)]), table: table)
        let matches = try lhs.pattern.matches(in: graph, table: table)
        #expect(matches.map(\.root) == [same])
        #expect(lhs.pattern.description == "(Mul ?c0 ?c0)")
    }

    @Test func badPatternsAreRejected() throws {
        let table = MathBenchmark.makeTable()
        let add = op(table, "Add")
        #expect(throws: PatternError.self) {
            try OperatorPattern(.apply(add, payload: .any, [.variable(0)]), table: table)
        }
        #expect(throws: PatternError.self) {
            try OperatorPattern(.apply(add, payload: .any, [.variable(0), .variable(2)]), table: table)
        }
        #expect(throws: PatternError.self) {
            try OperatorPattern(.apply(OperatorID(rawValue: 999), payload: .any, []), table: table)
        }
        let lhs = try OperatorPattern(.apply(add, payload: .any, [.variable(0), .variable(1)]), table: table)
        let unbound = Rewrite("unbound", lhs, .variable(5))
        #expect(throws: PatternError.self) {
            try Runner(graph: EGraph(), table: table, rules: [unbound])
        }
        let otherTable = MathBenchmark.makeTable()
        #expect(throws: PatternError.self) {
            try Runner(graph: EGraph(), table: otherTable, rules: [Rewrite("comm", lhs, .variable(0))])
        }
    }

    @Test func aPatternServesEveryCopyOfItsTableUntilACopyDeclaresMore() throws {
        let prototype = MathBenchmark.makeTable()
        let add = op(prototype, "Add")
        let lhs = try OperatorPattern(.apply(add, payload: .any, [.variable(0), .variable(1)]), table: prototype)
        let comm = Rewrite("comm", lhs, .apply(add, payload: .value(0), [.variable(1), .variable(0)]))
        // A copy declares the same operators: the pattern (and its compiled program) serves it.
        let copy = prototype.copy()
        #expect(copy.hasSameOperators(as: prototype) && prototype.hasSameOperators(as: copy))
        let graph = EGraph()
        let sum = try graph.add(try Pattern(parsing: "(Add (Const 1) (Const 2))"), table: copy)
        let report = try Runner(graph: graph, table: copy, rules: [comm], nodeLimit: nil, timeLimit: nil).run()
        #expect(report.rules[0].matches > 0)
        let swapped = try graph.add(try Pattern(parsing: "(Add (Const 2) (Const 1))"), table: copy)
        #expect(try graph.find(sum) == graph.find(swapped))
        // A copy that declares another operator may differ: rejected, as a table made apart is.
        let grown = prototype.copy()
        try grown.declare("Extra", arity: 1)
        #expect(!grown.hasSameOperators(as: prototype) && !prototype.hasSameOperators(as: grown))
        #expect(throws: PatternError.self) { try Runner(graph: EGraph(), table: grown, rules: [comm]) }
        // Redeclaring an existing operator adds nothing: the copy still agrees.
        let same = prototype.copy()
        try same.declare("Add", arity: 2)
        #expect(same.hasSameOperators(as: prototype))
        #expect(!MathBenchmark.makeTable().hasSameOperators(as: prototype))
    }

    /// `(Mul (Const 3) (Var "x"))` in a math graph, and the parts of the rule
    /// `(Mul (Const ?p0) ?c0) => (Add ?c0 (Const ?p0))` with ?p0 mapped to p0 + 1, probing
    /// `(Const ?p0)` for each new Add.
    private func shiftRuleParts() throws
        -> (table: OperatorTable, graph: EGraph, product: EClassID, lhs: OperatorPattern, rhs: Term, probes: [Term],
            map: (inout [UInt64]) -> Void)
    {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        let product = try graph.add(try Pattern(parsing: "(Mul (Const 3) (Var \"x\"))"), table: table)
        let add = op(table, "Add"), mul = op(table, "Mul"), const = op(table, "Const")
        let lhs = try OperatorPattern(.apply(mul, payload: .any, [.apply(const, payload: .variable(0), []), .variable(0)]),
                                      table: table)
        let rhs: Term = .apply(add, payload: .value(0), [.variable(0), .apply(const, payload: .variable(0), [])])
        return (table, graph, product, lhs, rhs, [.apply(const, payload: .variable(0), [])],
                { payloads in for i in payloads.indices { payloads[i] += 1 } })
    }

    @Test func derivedPayloadsAndProbesReportCreatedNodes() throws {
        let (table, graph, product, lhs, rhs, probes, map) = try shiftRuleParts()
        var reports: [(EClassID?, EClassID?)] = []
        let rule = Rewrite("shift", lhs, rhs, mapping: 0, through: map, probes: probes,
                           created: { nodes in
                               for i in 0..<nodes.count { reports.append((nodes.node(i), nodes.probe(0, i))) }
                           })
        let report = try Runner(graph: graph, table: table, rules: [rule], nodeLimit: nil, timeLimit: nil).run()
        #expect(report.stopReason == .saturated)
        let four = try graph.add(try Pattern(parsing: "(Const 4)"), table: table)
        let shifted = try graph.add(try Pattern(parsing: "(Add (Var \"x\") (Const 4))"), table: table)
        #expect(try graph.find(product) == graph.find(shifted))
        // First iteration: the Add is new and the probe finds (Const 4); later ones create nothing.
        #expect(reports.count == report.iterations.count)
        let firstNode = try reports.first?.0.map { try graph.find($0) }
        #expect(firstNode == (try graph.find(shifted)))
        #expect(reports.first?.1 == four)
        #expect(reports.dropFirst().allSatisfy { $0.0 == nil })
        try graph.checkInvariants()
    }

    @Test func precompiledRightHandSidesRewriteAsTheirTerms() throws {
        func run(precompiled: Bool) throws -> (EGraph, EClassID, RunReport, [Int]) {
            let (table, graph, product, lhs, rhs, probes, map) = try shiftRuleParts()
            var created: [Int] = []
            let rule = precompiled
                ? Rewrite("shift", lhs, lhs.rightHandSide(rhs, probes: probes), mapping: 0, through: map,
                          created: { created.append($0.createdCount) })
                : Rewrite("shift", lhs, rhs, mapping: 0, through: map, probes: probes,
                          created: { created.append($0.createdCount) })
            let report = try Runner(graph: graph, table: table, rules: [rule], nodeLimit: nil, timeLimit: nil).run()
            return (graph, product, report, created)
        }
        let (g1, p1, r1, c1) = try run(precompiled: false)
        let (g2, p2, r2, c2) = try run(precompiled: true)
        #expect(r1.stopReason == r2.stopReason && r1.enodes == r2.enodes && r1.eclasses == r2.eclasses)
        #expect(r1.rules[0].matches == r2.rules[0].matches && r1.rules[0].applications == r2.rules[0].applications)
        #expect(c1 == c2)
        #expect(try g1.find(p1).rawValue == g2.find(p2).rawValue)

        // A right-hand side that does not fit is reported by the runner, naming the rule.
        let table = MathBenchmark.makeTable()
        let add = op(table, "Add"), mul = op(table, "Mul")
        let lhs = try OperatorPattern(.apply(mul, payload: .variable(0), [.variable(0), .variable(1)]), table: table)
        let unbound = lhs.rightHandSide(.apply(add, payload: .variable(0), [.variable(0), .variable(2)]))
        let rule = Rewrite("unbound", lhs, unbound, mapping: 0, through: { _ in }, created: { _ in })
        #expect(unbound.term == .apply(add, payload: .variable(0), [.variable(0), .variable(2)]) && unbound.probes.isEmpty)
        #expect { try Runner(graph: EGraph(), table: table, rules: [rule]) } throws: { error in
            "\(error)".contains("rule 'unbound'") && "\(error)".contains("class variable 2")
        }
    }
}
