import Fusion

/// The `--format json` form of an ``OptimizeReport``: one object with the keys `CLI.md`
/// fixes, in that order, followed by a few more.
enum ReportJSON {
    /// The report as one JSON object.
    ///
    /// Times are milliseconds rounded to the microsecond; `fusion_counts` lists labels in
    /// order of first occurrence; `eclasses`, `enodes` and `iterations` are 0 and
    /// `stop_reason` is `"not-run"` for the pattern passes, which build no e-graph.
    static func object(for report: OptimizeReport, mode: String) -> JSONValue {
        .object([
            ("strategy", .string(report.strategy.rawValue)),
            ("nodes_before", .int(report.nodesBefore)),
            ("active_after", .int(report.nodesAfter)),
            ("fusions", .array(report.fusions.map {
                .array([.string($0.label), .int($0.node.index)])
            })),
            ("fusion_counts", .object(report.rulesFired.map { ($0.label, .int($0.count)) })),
            ("eclasses", .int(report.eclassCount)),
            ("enodes", .int(report.enodeCount)),
            ("iterations", .int(report.iterations)),
            ("stop_reason", .string(report.stopReason.rawValue)),
            ("saturation_ms", milliseconds(report.saturationTime)),
            ("extract_ms", milliseconds(report.extractTime)),
            ("total_ms", milliseconds(report.totalTime)),
            ("cost_before", .double(report.costBefore)),
            ("cost_after", .double(report.costAfter)),
            ("mode", .string(mode)),
            ("encode_ms", milliseconds(report.encodeTime)),
            ("rebuild_ms", milliseconds(report.rebuildTime)),
            ("rule_matches", .object(report.ruleMatches.map { ($0.rule, .int($0.matches)) })),
        ])
    }

    /// Seconds as milliseconds, rounded to the microsecond.
    static func milliseconds(_ seconds: Double) -> JSONValue {
        .double((seconds * 1_000_000).rounded() / 1000)
    }
}
