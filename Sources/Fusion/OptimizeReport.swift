import TensorGraph

/// Why an equality-saturation run stopped (mirrors the engine's stop reasons, as text
/// that does not depend on the engine's types).
public enum SaturationStop: String, Hashable, Sendable {
    /// No rule can add anything: the e-graph is saturated.
    case saturated
    /// The iteration limit was reached.
    case iterationLimit = "iteration-limit"
    /// The e-node limit was reached (the partial iteration was undone).
    case nodeLimit = "node-limit"
    /// The time limit was reached.
    case timeLimit = "time-limit"
    /// No e-graph was run (the ``OptimizationStrategy/patterns`` strategy).
    case notRun = "not-run"
}

/// What ``Fusion/optimize(_:options:)`` did: the fusions, the node counts, the e-graph's
/// size, the estimated costs and the timings.
///
/// Its ``description`` is the text of SPEC §5, those lines exactly, followed by further
/// lines (cost, saturation details, timings):
///
/// ```
/// === Optimization Report ===
/// Egglog saturation: 0.4ms (1893 e-classes, 2051 e-nodes)
/// Rules fired:
///   MatMul+Add→FusedMatMulAdd x60
/// Graph: 726 nodes -> 666 active nodes (60 fused away)
/// Fusions: MatMul+Add→FusedMatMulAdd @node8, …
/// Extract time: 0.1ms
/// ```
public struct OptimizeReport: Sendable, CustomStringConvertible {
    /// The strategy that produced the result.
    public var strategy: OptimizationStrategy
    /// The input graph (kept to print ``egglogProgram`` on demand; shares storage).
    public var input: Graph
    /// Canonical e-classes after saturation (0 for the pattern passes).
    public var eclassCount: Int
    /// Canonical e-nodes after saturation (0 for the pattern passes).
    public var enodeCount: Int
    /// Saturation iterations (0 for the pattern passes).
    public var iterations: Int
    /// Why saturation stopped.
    public var stopReason: SaturationStop
    /// All node slots of the input graph.
    public var nodesBefore: Int
    /// Non-`Nop` nodes of the optimized graph.
    public var nodesAfter: Int
    /// Every applied fusion, in the order applied (the reference's order for the e-graph:
    /// by pass, then by node id).
    public var fusions: [AppliedFusion]
    /// Matches found per e-graph rule (rule name, matches), in rule order, over the
    /// searches the runner made (a search that could find nothing new is skipped, so a
    /// match found once is mostly counted once); empty for the pattern passes.
    public var ruleMatches: [(rule: String, matches: Int)]
    /// The estimated cost of the input graph under the options' cost model.
    public var costBefore: Double
    /// The estimated cost of the optimized graph.
    public var costAfter: Double
    /// Time to encode the graph into the e-graph, in seconds.
    public var encodeTime: Double
    /// Time to saturate (the pattern passes: 0), in seconds.
    public var saturationTime: Double
    /// Time to extract (the pattern passes: the passes themselves), in seconds.
    public var extractTime: Double
    /// Time to rebuild the graph from the extraction, in seconds.
    public var rebuildTime: Double
    /// Time of the whole optimize call, in seconds.
    public var totalTime: Double

    /// The egglog program of the input graph in the original encoding
    /// (see ``Fusion/dumpEgglogProgram(_:)``), built when asked for.
    public var egglogProgram: String { Fusion.dumpEgglogProgram(input) }

    /// Fusion counts per label, in order of first occurrence.
    public var rulesFired: [(label: String, count: Int)] {
        var order: [FusionKind] = []
        var counts: [FusionKind: Int] = [:]
        for fusion in fusions {
            if counts[fusion.kind] == nil { order.append(fusion.kind) }
            counts[fusion.kind, default: 0] += 1
        }
        return order.map { ($0.label, counts[$0]!) }
    }

    /// Fusion counts per kind.
    public var fusionCounts: [FusionKind: Int] {
        fusions.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    /// The report text (SPEC §5, then the extra lines).
    public var description: String {
        var lines: [String] = []
        lines.append("=== Optimization Report ===")
        lines.append("Egglog saturation: \(Self.milliseconds(saturationTime))ms "
            + "(\(eclassCount) e-classes, \(enodeCount) e-nodes)")
        let fired = rulesFired
        if !fired.isEmpty {
            lines.append("Rules fired:")
            for (label, count) in fired { lines.append("  \(label) x\(count)") }
        }
        lines.append("Graph: \(nodesBefore) nodes -> \(nodesAfter) active nodes "
            + "(\(max(0, nodesBefore - nodesAfter)) fused away)")
        if !fusions.isEmpty {
            lines.append("Fusions: " + fusions.map(\.description).joined(separator: ", "))
        }
        lines.append("Extract time: \(Self.milliseconds(extractTime))ms")
        lines.append("Strategy: \(strategy.rawValue)")
        lines.append("Cost: \(Self.decimal(costBefore)) -> \(Self.decimal(costAfter))")
        if strategy == .egraph {
            lines.append("Saturation: \(iterations) iterations, stop reason: \(stopReason.rawValue)")
            if !ruleMatches.isEmpty {
                lines.append("Rule matches: "
                    + ruleMatches.map { "\($0.rule) \($0.matches)" }.joined(separator: ", "))
            }
        }
        lines.append("Timings: encode \(Self.milliseconds(encodeTime))ms, "
            + "saturate \(Self.milliseconds(saturationTime))ms, "
            + "extract \(Self.milliseconds(extractTime))ms, "
            + "rebuild \(Self.milliseconds(rebuildTime))ms, "
            + "total \(Self.milliseconds(totalTime))ms")
        return lines.joined(separator: "\n")
    }

    /// Seconds as milliseconds with one decimal (`0.4`), as the original printed them.
    static func milliseconds(_ seconds: Double) -> String {
        decimal(seconds * 1000, digits: 1)
    }

    /// A fixed-point decimal without Foundation.
    static func decimal(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = (scaled / scale).rounded(.down)
        let fraction = Int(scaled - whole * scale)
        var text = String(Int(whole))
        if digits > 0 {
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return (value < 0 && scaled > 0 ? "-" : "") + text
    }
}
