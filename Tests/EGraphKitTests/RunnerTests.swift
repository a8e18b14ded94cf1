import Testing
@testable import EGraphKit

@Suite struct RunnerTests {
    func mathGraph() throws -> (EGraph, OperatorTable) {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        _ = try MathBenchmark.addSeeds(to: graph, table: table)
        return (graph, table)
    }

    @Test func saturates() throws {
        let (graph, table) = try mathGraph()
        let x = try graph.add(try Pattern(parsing: "(Add (Var \"z\") (Const 0))"), table: table)
        let rules = [try Rewrite("zero-add", "(Add a (Const 0))", "a")]
        let report = try Runner(graph: graph, table: table, rules: rules, nodeLimit: nil, timeLimit: nil).run()
        #expect(report.stopReason == .saturated)
        #expect(report.iterations.count == 2)
        let z = try graph.add(try Pattern(parsing: "(Var \"z\")"), table: table)
        #expect(try graph.find(x) == graph.find(z))
        try graph.checkInvariants()
    }

    @Test func stopsAtTheIterationLimit() throws {
        let (graph, table) = try mathGraph()
        let report = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 3,
                                nodeLimit: nil, timeLimit: nil).run()
        #expect(report.stopReason == .iterationLimit)
        #expect(report.iterations.count == 3)
        #expect(report.iterations.map(\.enodes) == [69, 118, 208])
    }

    /// The simple scheduler applies each batch of matches right after its search; the
    /// backoff scheduler (with a limit never reached) collects a rule's matches first. All
    /// searches of an iteration see its snapshot, so both grow the same e-graph.
    @Test func simpleAndUnreachedBackoffSchedulersAgree() throws {
        let (g1, t1) = try mathGraph()
        let grouped = try Runner(graph: g1, table: t1, rules: MathBenchmark.rules(), iterationLimit: 8,
                                 nodeLimit: nil, timeLimit: nil).run()
        let (g2, t2) = try mathGraph()
        let single = try Runner(graph: g2, table: t2, rules: MathBenchmark.rules(), iterationLimit: 8,
                                nodeLimit: nil, timeLimit: nil,
                                scheduler: .backoff(matchLimit: 1 << 40, banLength: 1)).run()
        #expect(grouped.iterations.map(\.enodes) == single.iterations.map(\.enodes))
        #expect(grouped.iterations.map(\.eclasses) == single.iterations.map(\.eclasses))
        #expect(grouped.rules.map(\.matches) == single.rules.map(\.matches))
        #expect(grouped.rules.map(\.merges) == single.rules.map(\.merges))
        #expect(grouped.rules.reduce(0) { $0 + $1.matches } > 5_000)
        try g1.checkInvariants()
    }

    @Test func stopsAtTheTimeLimit() throws {
        let (graph, table) = try mathGraph()
        let report = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 100,
                                nodeLimit: nil, timeLimit: 0).run()
        #expect(report.stopReason == .timeLimit)
        #expect(report.iterations.isEmpty)
    }

    /// Iteration 6 of the math benchmark would take the graph from 784 to 1,576 e-nodes: with
    /// a limit of 1,000 it is rolled back, leaving exactly the graph of iteration 5.
    @Test func nodeLimitRollsBackThePartialIteration() throws {
        let (graph, table) = try mathGraph()
        let report = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 20,
                                nodeLimit: 1000, timeLimit: nil).run()
        #expect(report.stopReason == .nodeLimit)
        #expect(report.iterations.count == 5)
        #expect(graph.nodeCount == 784)
        #expect(graph.classCount == 361)
        #expect(!graph.hasCheckpoint)
        try graph.checkInvariants()
        // The graph is usable afterwards: running on without the limit continues from it.
        let more = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 1,
                              nodeLimit: nil, timeLimit: nil).run()
        #expect(more.enodes == 1576)
        try graph.checkInvariants()
    }

    @Test func seminaiveReachesTheSameGraphsAsFullMatching() throws {
        var perIteration: [[Int]] = []
        var matches: [Int] = []
        for seminaive in [true, false] {
            let (graph, table) = try mathGraph()
            let report = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 7,
                                    nodeLimit: nil, timeLimit: nil, seminaive: seminaive).run()
            perIteration.append(report.iterations.flatMap { [$0.enodes, $0.eclasses] })
            matches.append(report.iterations.reduce(0) { $0 + $1.matches })
            try graph.checkInvariants()
        }
        #expect(perIteration[0] == perIteration[1])
        // Semi-naive search skips matches it already applied.
        #expect(matches[0] < matches[1])
    }

    /// A runner run again after the graph changed outside it (a union and a rebuild the
    /// matcher never saw) still finds the matches that union enabled.
    @Test func rerunAfterOutsideChangesSeesThem() throws {
        var counts: [[Int]] = []
        for reuse in [true, false] {
            let (graph, table) = try mathGraph()
            let first = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 3,
                                   nodeLimit: nil, timeLimit: nil)
            _ = try first.run()
            // Both nodes exist already: only the merge makes new matches (e.g. of one-mul).
            let y = try graph.add(try Pattern(parsing: "(Var \"y\")"), table: table)
            let one = try graph.add(try Pattern(parsing: "(Const 1)"), table: table)
            try graph.union(y, one)
            try graph.rebuild()
            let second = reuse ? first : try Runner(graph: graph, table: table, rules: MathBenchmark.rules(),
                                                   nodeLimit: nil, timeLimit: nil)
            second.iterationLimit = 2
            let report = try second.run()
            counts.append(report.iterations.flatMap { [$0.enodes, $0.eclasses] })
        }
        #expect(counts[0] == counts[1])
    }

    /// A rule whose matches only added new nodes to older classes (as a fusion adds its
    /// fused node to the class it replaces) cannot match anything new in the next
    /// iteration: it is not searched again, so each match is found once, and the run ends
    /// with the same graph as full matching.
    @Test func ruleWithNothingNewToMatchIsNotSearchedAgain() throws {
        var outcomes: [(matches: Int, iterations: Int, nodes: Int, classes: Int)] = []
        for seminaive in [true, false] {
            let table = MatchingTests.makeTable()
            let graph = EGraph()
            for k in 0..<3 { _ = try graph.add(try Pattern(parsing: "(F (C \(k)) (C \(k + 10)))"), table: table) }
            let report = try Runner(graph: graph, table: table, rules: [try Rewrite("f-to-g", "(F a b)", "(G a)")],
                                    iterationLimit: 10, nodeLimit: nil, timeLimit: nil, seminaive: seminaive).run()
            #expect(report.stopReason == .saturated)
            outcomes.append((report.rules[0].matches, report.iterations.count, graph.nodeCount, graph.classCount))
            try graph.checkInvariants()
        }
        #expect(outcomes[0].matches == 3, "searched in iteration 1 only")
        #expect(outcomes[1].matches == 6, "full matching finds the 3 matches again in iteration 2")
        #expect(outcomes[0].iterations == 2 && outcomes[1].iterations == 2)
        #expect(outcomes[0].nodes == outcomes[1].nodes && outcomes[0].classes == outcomes[1].classes)
    }

    /// Merging two older classes can make a match out of older nodes alone: here
    /// `(F x x)` and the existing `(G x)` merge in iteration 1, after which the older
    /// `(G (F x x))` matches `(G (G a))`. That rule made no match in iteration 1 and no
    /// node of its operators was made, yet it is searched again and finds the match.
    @Test func mergeOfOlderClassesIsSearchedAgain() throws {
        for seminaive in [true, false] {
            let table = MatchingTests.makeTable()
            let graph = EGraph()
            let x = try graph.add(try Pattern(parsing: "(C 0)"), table: table)
            _ = try graph.add(try Pattern(parsing: "(G (C 0))"), table: table)
            let outer = try graph.add(try Pattern(parsing: "(G (F (C 0) (C 0)))"), table: table)
            let rules = [try Rewrite("gg", "(G (G a))", "a"), try Rewrite("ff", "(F a a)", "(G a)")]
            let report = try Runner(graph: graph, table: table, rules: rules, iterationLimit: 10,
                                    nodeLimit: nil, timeLimit: nil, seminaive: seminaive).run()
            #expect(report.stopReason == .saturated)
            #expect(report.iterations.first?.merges == 1, "iteration 1: only (F x x) = (G x)")
            #expect(try graph.find(outer) == graph.find(x), "seminaive: \(seminaive)")
            try graph.checkInvariants()
        }
    }

    @Test(arguments: 0..<6)
    func seminaiveEqualsFullOnRandomGraphs(seed: Int) throws {
        let table = MatchingTests.makeTable()
        let rules = [
            try Rewrite("comm", "(F a b)", "(F b a)"),
            try Rewrite("idem", "(F a a)", "(G a)"),
            try Rewrite("gg", "(G (G a))", "a"),
            try Rewrite("p", "(P k (G a))", "(G (P k a))"),
            try Rewrite("assoc", "(F a (F b c))", "(F (F a b) c)"),
        ]
        var partitions: [[[UInt32]]] = []
        for seminaive in [true, false] {
            let graph = try MatchingTests.randomGraph(seed: UInt64(seed) &+ 99, table: table)
            let total = graph.withNodeStorage { $0.count }
            _ = try Runner(graph: graph, table: table, rules: rules, iterationLimit: 4, nodeLimit: nil,
                           timeLimit: nil, seminaive: seminaive).run()
            // The partition of the original nodes: which ones share a class.
            var byClass: [UInt32: [UInt32]] = [:]
            for n in 0..<UInt32(total) { byClass[try graph.find(EClassID(n)).rawValue, default: []].append(n) }
            partitions.append(byClass.values.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) })
            partitions.append([[UInt32(graph.nodeCount), UInt32(graph.classCount)]])
        }
        #expect(partitions[0] == partitions[2])
        #expect(partitions[1] == partitions[3])
    }

    /// With a match limit of 5 and a ban length of 2, commutativity of Add is banned in
    /// iteration 1, sits out 2 iterations, comes back in 4 with a limit of 10, is banned
    /// again and sits out 4, comes back in 9 with a limit of 20 and is banned a third time.
    @Test func backoffBansAndDoubles() throws {
        let (graph, table) = try mathGraph()
        let report = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(), iterationLimit: 9,
                                nodeLimit: nil, timeLimit: nil,
                                scheduler: .backoff(matchLimit: 5, banLength: 2)).run()
        let banned = report.iterations.map { $0.bannedRules.contains("comm-add") }
        #expect(banned == [false, true, true, false, true, true, true, true, false])
        let stats = report.rules.first { $0.name == "comm-add" }!
        #expect(stats.bans == 3)
        #expect(stats.applications == 0)
        try graph.checkInvariants()
    }

    @Test func backoffDefaults() {
        #expect(Scheduler.backoff == .backoff(matchLimit: 1000, banLength: 5))
    }
}
