/// Decides which rules a ``Runner`` searches in each iteration.
public enum Scheduler: Hashable, Sendable {
    /// Every rule, every iteration, all matches applied.
    case simple
    /// egg's backoff scheduler: a rule whose search finds more than
    /// `matchLimit << timesBanned` matches is not applied and is banned for
    /// `banLength << timesBanned` iterations (both double with every ban). When an
    /// iteration changes nothing while rules are banned, the bans are lifted instead of
    /// reporting saturation.
    case backoff(matchLimit: Int = 1000, banLength: Int = 5)

    /// The backoff scheduler with its defaults (limit 1000, ban length 5).
    public static var backoff: Scheduler { .backoff() }
}

/// Per-rule state of the backoff scheduler.
struct BackoffState {
    var timesBanned = 0
    var bannedUntil = 0
}
