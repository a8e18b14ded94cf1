import ArgumentParser
import EGraphKit
import Foundation
import Logging

/// `fusion-bench math`: egg's and egglog's math micro-benchmark on the native engine.
///
/// Seeds the seven terms, runs the 24 rules for `--iterations` iterations (no node or
/// time limit), and prints the canonical e-node and e-class counts, the run time (median
/// of `--runs`) and peak memory: the core's own accounting (graph plus matcher) and the
/// process's peak resident set.
struct MathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "math",
        abstract: "Run the math micro-benchmark (egg/egglog) on the native engine.")

    @Option(help: "Iterations to run.")
    var iterations = 11

    @Option(help: "Runs; the time printed is their median.")
    var runs = 1

    @Option(help: "E-node limit (a checkpoint per iteration, rolled back when exceeded); none by default.")
    var nodeLimit: Int?

    @Flag(help: "Search every match every iteration (no semi-naive filtering).")
    var naive = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Log one progress line per iteration to standard error.")
    var verbose = false

    mutating func run() throws {
        var times: [Double] = []
        var cpuTimes: [Double] = []
        var last: (report: RunReport, enodes: Int, eclasses: Int, coreBytes: UInt64)?
        var logger = Logger(label: "fusion-bench.math")
        logger.logLevel = verbose ? .info : .warning
        for _ in 0..<max(1, runs) {
            let table = MathBenchmark.makeTable()
            let graph = EGraph()
            let clock = ContinuousClock()
            let cpuStart = processCPUSeconds()
            let start = clock.now
            _ = try MathBenchmark.addSeeds(to: graph, table: table)
            let runner = try Runner(graph: graph, table: table, rules: MathBenchmark.rules(),
                                    iterationLimit: iterations, nodeLimit: nodeLimit, timeLimit: nil,
                                    seminaive: !naive, logger: logger)
            let report = try runner.run()
            let elapsed = clock.now - start
            cpuTimes.append(processCPUSeconds() - cpuStart)
            let (s, atto) = elapsed.components
            times.append(Double(s) + Double(atto) * 1e-18)
            last = (report, graph.nodeCount, graph.classCount, report.peakBytes)
        }
        guard let last else { return }
        let median = times.sorted()[times.count / 2]
        let cpuMedian = cpuTimes.sorted()[cpuTimes.count / 2]
        let rss = peakResidentBytes()
        let perNode = Double(last.coreBytes) / Double(max(1, last.enodes))
        if json {
            let fields: [String] = [
                "\"iterations\": \(last.report.iterations.count)",
                "\"stop_reason\": \"\(last.report.stopReason)\"",
                "\"enodes\": \(last.enodes)",
                "\"eclasses\": \(last.eclasses)",
                "\"run_ms\": \(String(format: "%.1f", median * 1000))",
                "\"cpu_ms\": \(String(format: "%.1f", cpuMedian * 1000))",
                "\"runs_ms\": [\(times.map { String(format: "%.1f", $0 * 1000) }.joined(separator: ", "))]",
                "\"peak_bytes\": \(last.coreBytes)",
                "\"peak_bytes_per_enode\": \(String(format: "%.1f", perNode))",
                "\"graph_peak_bytes\": \(last.report.graphPeakBytes)",
                "\"matcher_peak_bytes\": \(last.report.matcherPeakBytes)",
                "\"peak_rss_bytes\": \(rss)",
                "\"allocator\": \"\(EGraph.allocatorName)\"",
            ]
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            print(last.report)
            print("math: \(last.report.iterations.count) iterations, \(last.enodes) e-nodes, "
                + "\(last.eclasses) e-classes")
            print("time: \(String(format: "%.1f", median * 1000)) ms wall, "
                + "\(String(format: "%.1f", cpuMedian * 1000)) ms CPU (medians of \(times.count))")
            print("peak: \(last.coreBytes) bytes in the core (\(String(format: "%.1f", perNode)) per e-node: "
                + "graph \(last.report.graphPeakBytes), matcher \(last.report.matcherPeakBytes)), "
                + "\(rss) bytes resident (process), allocator \(EGraph.allocatorName)")
        }
    }
}

/// CPU seconds the process has used (all threads).
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// The process's peak resident set (VmHWM), in bytes; 0 where /proc is not available.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").compactMap { Int($0) }
        if let kb = digits.first { return kb * 1024 }
    }
    return 0
}
