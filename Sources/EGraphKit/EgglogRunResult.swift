/// What running an egglog program produced: counts, timings, extracted terms, check
/// outcomes and the text egglog would have printed.
///
/// These are the fields of `fusion egglog --json` (see ``json``).
public struct EgglogRunResult: Sendable {
    /// One `extract` command's result.
    public struct Extraction: Hashable, Sendable {
        /// The extracted term as egglog prints it.
        public var term: String
        /// Its AST-size cost (every constructor and every literal counts 1).
        public var cost: Double
        /// Where the `extract` command is.
        public var location: SourceLocation
    }

    /// One `check` command's outcome.
    public struct CheckOutcome: Hashable, Sendable {
        /// Whether every fact held.
        public var passed: Bool
        /// Where the `check` command is.
        public var location: SourceLocation
    }

    /// Commands executed.
    public var commands = 0
    /// Rule iterations run, summed over every `run` command.
    public var iterations = 0
    /// Why the last `run` stopped (`nil` when the program has no `run`).
    public var stopReason: StopReason?
    /// Canonical e-nodes after the last rebuild.
    public var enodes = 0
    /// Canonical e-classes after the last rebuild.
    public var eclasses = 0
    /// Seconds spent in `run` commands.
    public var runSeconds = 0.0
    /// Seconds for the whole program (checking, adding, running, extracting).
    public var totalSeconds = 0.0
    /// The native core's peak bytes for the e-graph during the program.
    public var peakBytes: UInt64 = 0
    /// Every `extract`, in program order.
    public var extracted: [Extraction] = []
    /// Every `check`, in program order.
    public var checks: [CheckOutcome] = []
    /// The text egglog prints for `extract`, `print-size` and `check`.
    public var output = ""

    /// Checks that held.
    public var checksPassed: Int { checks.count { $0.passed } }
    /// Checks that failed.
    public var checksFailed: Int { checks.count { !$0.passed } }

    /// The result as one JSON object with the keys of `fusion egglog --json`
    /// (`commands`, `iterations`, `stop_reason`, `enodes`, `eclasses`, `run_ms`,
    /// `total_ms`, `peak_bytes`, `extracted`, `checks`), in that order.
    public var json: String {
        func number(_ value: Double) -> String {
            value.isFinite && value == value.rounded() && abs(value) < 1e15
                ? String(Int64(value)) : String(value)
        }
        func ms(_ seconds: Double) -> String { String(Double(Int((seconds * 1e6).rounded())) / 1000) }
        var out = "{"
        out += "\"commands\": \(commands), \"iterations\": \(iterations), "
        out += "\"stop_reason\": " + (stopReason.map { JSONText.string($0.rawValue) } ?? "null") + ", "
        out += "\"enodes\": \(enodes), \"eclasses\": \(eclasses), "
        out += "\"run_ms\": \(ms(runSeconds)), \"total_ms\": \(ms(totalSeconds)), "
        out += "\"peak_bytes\": \(peakBytes), \"extracted\": ["
        out += extracted.map { "{\"term\": \(JSONText.string($0.term)), \"cost\": \(number($0.cost))}" }
            .joined(separator: ", ")
        out += "], \"checks\": {\"passed\": \(checksPassed), \"failed\": \(checksFailed)}}"
        return out
    }
}

