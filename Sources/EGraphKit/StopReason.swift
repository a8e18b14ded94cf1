/// Why a ``Runner`` stopped.
public enum StopReason: String, Hashable, Sendable, CustomStringConvertible {
    /// An iteration changed nothing (and no rule was held back by the scheduler).
    case saturated
    /// The iteration limit was reached.
    case iterationLimit = "iteration-limit"
    /// Applying would have exceeded the e-node limit; the partial iteration was rolled back.
    case nodeLimit = "node-limit"
    /// The wall-time limit was reached.
    case timeLimit = "time-limit"

    /// The kebab-case name (`saturated`, `iteration-limit`, `node-limit`, `time-limit`).
    public var description: String { rawValue }
}
