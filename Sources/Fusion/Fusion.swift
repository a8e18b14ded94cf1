import Logging
import TensorGraph

/// The fusion optimizer: rewrites a tensor graph into one with fewer, fused kernels.
///
/// ```swift
/// let (optimized, report) = try Fusion.optimize(graph)
/// print(report)
/// ```
public enum Fusion {
    /// Optimizes `graph` (never mutating it) and reports what was done.
    ///
    /// The result keeps the reference conventions: untouched nodes keep their ids, a fused
    /// op takes its consumer's id, fused-away producers become `Nop` (keeping their old
    /// inputs and type), new nodes (derived weights, widened matmuls) are appended.
    /// Outputs keep their ids, order and user/gradient split, and are never fused away;
    /// `CacheWrite` nodes and unused `Parameter`/`Input` nodes are never removed; no
    /// `Parameter` is created in a graph with parameter-gradient outputs. The result is
    /// deterministic.
    ///
    /// - Throws: ``FusionError`` naming the node when the graph is malformed (an input id
    ///   out of range, a live node reading a `Nop`, a cycle, an output that is a `Nop`).
    /// - Complexity: about linear in the graph's size for both strategies.
    public static func optimize(_ graph: Graph, options: OptimizeOptions = OptimizeOptions())
        throws(FusionError) -> (Graph, OptimizeReport)
    {
        let start = ContinuousClock.now
        let structure = try FusionError.checkStructure(of: graph)
        switch options.strategy {
        case .patterns:
            let passesStart = ContinuousClock.now
            var passes = ReferencePasses(graph)
            passes.run(mode: options.mode, optIns: options.optIns)
            let passesTime = seconds(since: passesStart)
            let optimized = passes.graph
            var report = OptimizeReport(
                strategy: .patterns, input: graph, eclassCount: 0, enodeCount: 0, iterations: 0,
                stopReason: .notRun, nodesBefore: graph.count, nodesAfter: optimized.activeCount,
                fusions: passes.fusions, ruleMatches: [],
                costBefore: options.costModel.cost(of: graph),
                costAfter: options.costModel.cost(of: optimized),
                encodeTime: 0, saturationTime: 0, extractTime: passesTime, rebuildTime: 0, totalTime: 0)
            report.totalTime = seconds(since: start)
            log(report, options.logger)
            return (optimized, report)
        case .egraph:
            var optimizer = EGraphOptimizer(graph: graph, structure: structure, options: options)
            let optimized = try optimizer.run()
            var report = optimizer.report
            report.totalTime = seconds(since: start)
            log(report, options.logger)
            return (optimized, report)
        }
    }

    /// Seconds elapsed since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private static func log(_ report: OptimizeReport, _ logger: Logger) {
        // The per-kind counts are computed only when they would be logged.
        guard logger.logLevel <= .debug else { return }
        logger.debug("optimize: \(report.fusions.count) fusions, \(report.nodesBefore) nodes -> \(report.nodesAfter) active",
                     metadata: ["strategy": "\(report.strategy.rawValue)"])
        for (label, count) in report.rulesFired { logger.debug("  \(count)x \(label)") }
    }
}
