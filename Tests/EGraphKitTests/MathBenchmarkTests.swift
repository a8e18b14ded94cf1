import Testing
@testable import EGraphKit

/// The math micro-benchmark at small iteration counts. The expected counts are what the
/// PyPI `egglog` package prints for `bench/math.egg` with `(run N)` (canonical e-nodes
/// summed over the constructors' tables, e-classes as distinct outputs).
@Suite struct MathBenchmarkTests {
    static let egglogCounts: [Int: (enodes: Int, eclasses: Int)] = [
        1: (69, 50), 3: (208, 116), 5: (784, 361), 6: (1576, 666), 7: (3160, 1347),
    ]

    func run(_ iterations: Int, seminaive: Bool = true) throws -> (EGraph, RunReport) {
        let table = MathBenchmark.makeTable()
        let graph = EGraph()
        _ = try MathBenchmark.addSeeds(to: graph, table: table)
        let runner = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(),
                                iterationLimit: iterations, nodeLimit: nil, timeLimit: nil,
                                seminaive: seminaive)
        return (graph, try runner.run())
    }

    @Test(arguments: [1, 3, 5, 6, 7])
    func countsMatchEgglog(iterations: Int) throws {
        let (graph, report) = try run(iterations)
        let expected = Self.egglogCounts[iterations]!
        #expect(report.stopReason == .iterationLimit)
        #expect(report.iterations.count == iterations)
        #expect(report.enodes == expected.enodes)
        #expect(report.eclasses == expected.eclasses)
        #expect(graph.nodeCount == expected.enodes)
        try graph.checkInvariants()
    }
}
