/// What a ``Runner`` did: per iteration sizes and times, per rule matches and applications.
public struct RunReport: Sendable, CustomStringConvertible {
    /// One iteration.
    public struct Iteration: Sendable {
        /// Canonical e-nodes after the iteration's rebuild.
        public var enodes: Int
        /// Canonical e-classes after the iteration's rebuild.
        public var eclasses: Int
        /// Seconds spent searching.
        public var searchTime: Double
        /// Seconds spent applying (adding right-hand sides, unions, conditions, appliers).
        public var applyTime: Double
        /// Seconds spent rebuilding (and updating analyses).
        public var rebuildTime: Double
        /// Matches found, over all rules.
        public var matches: Int
        /// Unions that merged two classes, over all rules.
        public var merges: Int
        /// Rules the scheduler skipped (banned) in this iteration.
        public var bannedRules: [String]
    }

    /// One rule's totals over the run.
    public struct RuleStats: Sendable {
        /// The rule's name.
        public var name: String
        /// Matches its searches returned (after the condition, the ones kept).
        public var matches: Int
        /// Matches applied (a union was performed, whether or not it merged).
        public var applications: Int
        /// Applications whose union merged two classes.
        public var merges: Int
        /// Times the backoff scheduler banned it.
        public var bans: Int
        /// Seconds spent searching for it.
        public var searchTime: Double
        /// Seconds spent applying it.
        public var applyTime: Double
    }

    /// The iterations that completed (a rolled-back one is not listed).
    public var iterations: [Iteration] = []
    /// Per-rule totals, in rule order.
    public var rules: [RuleStats] = []
    /// Why the run stopped.
    public var stopReason: StopReason = .saturated
    /// Wall time of the whole run, in seconds.
    public var totalTime: Double = 0
    /// Canonical e-nodes at the end.
    public var enodes: Int = 0
    /// Canonical e-classes at the end.
    public var eclasses: Int = 0
    /// The native core's peak bytes during the run: the graph's peak plus the matcher's
    /// (an upper bound on what was held at once).
    public var peakBytes: UInt64 { graphPeakBytes + matcherPeakBytes }
    /// The graph's own peak bytes during the run (nodes, hashcons, union-find, lists).
    public var graphPeakBytes: UInt64 = 0
    /// The matcher's peak bytes during the run (snapshot index, class stamps, buffers).
    public var matcherPeakBytes: UInt64 = 0

    /// A multi-line summary: the stop reason, one line per iteration, one per rule.
    public var description: String {
        var lines = ["stop: \(stopReason) after \(iterations.count) iteration(s), "
            + "\(enodes) e-nodes, \(eclasses) e-classes, \(formatMS(totalTime))"]
        for (i, it) in iterations.enumerated() {
            lines.append("  iteration \(i + 1): \(it.enodes) e-nodes, \(it.eclasses) e-classes, "
                + "\(it.matches) matches, search \(formatMS(it.searchTime)), apply \(formatMS(it.applyTime)), "
                + "rebuild \(formatMS(it.rebuildTime))")
        }
        for rule in rules {
            lines.append("  rule \(rule.name): \(rule.matches) matches, \(rule.applications) applied, "
                + "\(rule.merges) merged" + (rule.bans > 0 ? ", banned \(rule.bans)x" : ""))
        }
        return lines.joined(separator: "\n")
    }
}

func formatMS(_ seconds: Double) -> String {
    let ms = seconds * 1000
    return ms < 10 ? "\((ms * 100).rounded() / 100)ms" : "\((ms * 10).rounded() / 10)ms"
}
