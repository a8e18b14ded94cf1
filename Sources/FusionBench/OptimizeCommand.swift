import ArgumentParser
import Foundation
import Fusion
import TensorGraph

/// `fusion-bench optimize`: times the whole optimize call (encode, saturate, extract,
/// rebuild) of both strategies on a graph file, and the e-graph strategy on Llama-style
/// graphs of growing size. Prints one JSON object per measurement (medians of `--runs`).
struct OptimizeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Time Fusion.optimize: .egraph vs .patterns on a graph file, and a scaling run.",
        discussion: """
            Examples:
              fusion-bench optimize --graph Tests/FusionTests/Fixtures/smollm2-135m-training-seq32.full.json
              fusion-bench optimize --scaling 1000,10000,100000,1000000
            """)

    @Option(help: "A tensor-graph JSON file to optimize with both strategies.")
    var graph: String?

    @Option(help: "Comma-separated approximate node counts of llama-synthetic graphs to optimize.")
    var scaling: String?

    @Option(help: "Timed runs per measurement (the median is printed).")
    var runs: Int = 7

    @Option(help: "Untimed warm-up runs before the timed ones.")
    var warmup: Int = 2

    @Option(help: "training or inference (inference also enables GroupNorm+Silu and Winograd).")
    var mode: OptimizationMode = .training

    @Option(help: "Time only this strategy on --graph (default: both).")
    var strategy: OptimizationStrategy?

    @Option(help: "Write the egglog program of --graph (the original encoding) to this file.")
    var writeEgglog: String?

    func validate() throws {
        guard graph != nil || scaling != nil else { throw ValidationError("give --graph FILE and/or --scaling LIST") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        if let graph {
            let input = try Graph(contentsOfFile: graph)
            let name = URL(fileURLWithPath: graph).lastPathComponent
            if let writeEgglog {
                try Fusion.dumpEgglogProgram(input).write(toFile: writeEgglog, atomically: true, encoding: .utf8)
            }
            measure(input, label: name, strategies: strategy.map { [$0] } ?? [.egraph, .patterns],
                    runs: runs, warmup: warmup)
        }
        if let scaling {
            for field in scaling.split(separator: ",") {
                guard let nodes = Int(field.trimmingCharacters(in: .whitespaces)), nodes > 0 else {
                    throw ValidationError("bad node count '\(field)' in --scaling")
                }
                let layers = Models.llamaSyntheticLayers(forNodes: nodes)
                let input = try Models.llamaSynthetic(layers: layers)
                let large = input.count > 200_000
                measure(input, label: "llama-synthetic-\(layers)", strategies: [.egraph],
                        runs: large ? max(1, min(runs, 3)) : runs, warmup: large ? min(warmup, 1) : warmup)
            }
        }
    }

    /// CPU time of this process so far (the machine may be shared: wall time then
    /// includes waiting for a core, CPU time does not).
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Minor page faults of this process so far: memory the kernel had to map (and zero)
    /// on first touch, which a run pays when the allocator returned freed pages to it.
    static func minorPageFaults() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return usage.ru_minflt
    }

    /// Runs optimize `warmup + runs` times per strategy and prints each strategy's medians
    /// of the timed runs. The strategies alternate run by run, so that a shared machine's
    /// slow moments fall on both alike.
    private func measure(_ input: Graph, label: String, strategies: [OptimizationStrategy], runs: Int, warmup: Int) {
        struct Samples {
            var totals: [Double] = [], cpu: [Double] = [], faults: [Double] = [], phases: [[Double]] = []
            var last: OptimizeReport?
        }
        var samples = [Samples](repeating: Samples(), count: strategies.count)
        for run in 0..<(warmup + runs) {
            for (k, strategy) in strategies.enumerated() {
                let options = OptimizeOptions(strategy: strategy, mode: mode)
                let faultsStart = Self.minorPageFaults()
                let cpuStart = Self.processCPUSeconds()
                let start = ContinuousClock.now
                let result = try? Fusion.optimize(input, options: options)
                let elapsed = ContinuousClock.now - start
                let cpuSeconds = Self.processCPUSeconds() - cpuStart
                let faults = Self.minorPageFaults() - faultsStart
                // The clocks stop when the call returns: the optimized graph is freed after
                // them (its lifetime is the caller's, not the optimizer's).
                guard let (optimized, report) = result else {
                    print("{\"graph\": \"\(label)\", \"strategy\": \"\(strategy.rawValue)\", \"error\": \"optimize failed\"}")
                    return
                }
                withExtendedLifetime(optimized) {}
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                if run >= warmup {
                    samples[k].totals.append(seconds)
                    samples[k].cpu.append(cpuSeconds)
                    samples[k].faults.append(Double(faults))
                    samples[k].phases.append([report.encodeTime, report.saturationTime, report.extractTime,
                                              report.rebuildTime])
                }
                samples[k].last = report
            }
        }
        for (k, strategy) in strategies.enumerated() {
            print(summary(samples[k].totals, cpu: samples[k].cpu, faults: samples[k].faults, phases: samples[k].phases, report: samples[k].last!,
                          label: label, nodes: input.count, strategy: strategy, runs: runs))
        }
        if strategies.count == 2 {
            print(paired(samples[0].totals, samples[1].totals,
                         label: "\(strategies[0].rawValue)/\(strategies[1].rawValue)"))
        }
    }

    /// The comparison of two strategies run by run: the median of the ratios of the runs
    /// made side by side (the first strategy's time over the second's), which a shared
    /// machine's slow moments affect less than a ratio of two medians, and how many of the
    /// pairs the first strategy won.
    private func paired(_ first: [Double], _ second: [Double], label: String) -> String {
        let ratios = zip(first, second).map { $0 / $1 }.sorted()
        let median = ratios.count % 2 == 1 ? ratios[ratios.count / 2]
            : (ratios[ratios.count / 2 - 1] + ratios[ratios.count / 2]) / 2
        let wins = zip(first, second).filter { $0 < $1 }.count
        return "{\"paired\": \"\(label)\", \"runs\": \(ratios.count), "
            + "\"median_ratio\": \(String(format: "%.4f", median)), \"first_faster_runs\": \(wins)}"
    }

    /// One measurement's JSON line: medians (and the minimum) of the timed runs.
    private func summary(_ totals: [Double], cpu: [Double], faults: [Double], phases: [[Double]], report: OptimizeReport,
                         label: String, nodes: Int, strategy: OptimizationStrategy, runs: Int) -> String {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        func ms(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1000) }
        let phase = (0..<4).map { i in median(phases.map { $0[i] }) }
        return ("{\"graph\": \"\(label)\", \"strategy\": \"\(strategy.rawValue)\", \"nodes\": \(nodes), "
              + "\"runs\": \(runs), \"median_ms\": \(ms(median(totals))), \"min_ms\": \(ms(totals.min() ?? 0)), "
              + "\"cpu_median_ms\": \(ms(median(cpu))), \"page_faults_median\": \(Int(median(faults))), "
              + "\"encode_ms\": \(ms(phase[0])), \"saturate_ms\": \(ms(phase[1])), \"extract_ms\": \(ms(phase[2])), "
              + "\"rebuild_ms\": \(ms(phase[3])), \"fusions\": \(report.fusions.count), "
              + "\"active_after\": \(report.nodesAfter), \"enodes\": \(report.enodeCount), "
              + "\"eclasses\": \(report.eclassCount), \"iterations\": \(report.iterations), "
              + "\"stop_reason\": \"\(report.stopReason.rawValue)\"}")
    }
}

extension OptimizationMode: ExpressibleByArgument {}
extension OptimizationStrategy: ExpressibleByArgument {}
