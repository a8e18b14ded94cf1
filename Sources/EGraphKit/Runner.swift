internal import CEGraph
import Logging

/// Runs equality saturation: rewrites applied to an e-graph, iteration after iteration,
/// until nothing changes or a limit is reached.
///
/// Each iteration searches every rule against the same e-graph, applies all matches, then
/// rebuilds once — the semantics under which egg and egglog reach identical e-graphs. The
/// search runs in the native core against a snapshot index taken at the start of the
/// iteration, so matches can be applied as soon as they are found (in batches, one call
/// into the core per batch) without any rule seeing another's additions.
///
/// Searches are semi-naive by default: after a rule's first search, only matches that use
/// an e-node created, or an e-class merged, since its previous search are returned (the
/// others were applied then, and applying them again changes nothing). A rule without a
/// condition is not searched at all when the last iteration made no node of an operator
/// it binds and merged no two classes that both held older nodes (its only merges added
/// classes of new nodes to older ones, as a fusion adds its fused node to the class it
/// replaces): no new match can exist then.
///
/// Limits: iterations, canonical e-nodes (checked while applying; exceeding it rolls the
/// partial iteration back through the core's checkpoint, so the e-graph stays as the last
/// complete iteration left it) and wall time (checked between iterations).
///
/// ```swift
/// let runner = try Runner(graph: graph, table: table, rules: rules, iterationLimit: 10)
/// let report = try runner.run()
/// print(report.stopReason, report.enodes)
/// ```
public final class Runner {
    /// The e-graph being rewritten.
    public let graph: EGraph
    /// The operator table the rules are compiled against.
    public let table: OperatorTable
    /// The rules, in the order they are searched and applied.
    public let rules: [Rewrite]
    /// Most iterations to run.
    public var iterationLimit: Int
    /// Most canonical e-nodes (`nil`: none).
    public var nodeLimit: Int?
    /// Most wall-clock seconds (`nil`: none).
    public var timeLimit: Double?
    /// Which rules run when.
    public var scheduler: Scheduler
    /// Whether searches after the first return only new matches.
    public var seminaive: Bool
    /// Where progress lines go (one per iteration at `.info`, rule details at `.debug`).
    public var logger: Logger

    /// A rule compiled for the core: its search program, its right-hand side (none for a
    /// custom applier) and its probes (`eg_apply_probed`; empty when it has none).
    /// A rule's compiled parts (a class: a rule's run reads them with no copy).
    private final class CompiledRule {
        let lhs: CompiledPattern
        let rhs: CompiledRightHandSide?
        let probes: [UInt32]

        init(lhs: CompiledPattern, rhs: CompiledRightHandSide?, probes: [UInt32]) {
            self.lhs = lhs
            self.rhs = rhs
            self.probes = probes
        }
    }

    /// The settings a run reads for every rule, read from the runner once per run.
    private struct RunSettings {
        let seminaive: Bool
        let nodeLimit: Int?
        let scheduler: Scheduler
        let logger: Logger
    }

    private let compiled: [CompiledRule]
    /// `wantedOperators[op] != 0` for each operator some rule's left-hand side binds: the
    /// snapshot indexes only their nodes (no search could use the others).
    private let wantedOperators: [UInt8]
    private var lastSearched: [UInt32]
    private var backoff: [BackoffState]
    /// The last iteration all of whose merges were trivial (each absorbed class held only
    /// nodes made in that iteration), 0 if none: after such an iteration, a match that
    /// was not there before must use one of its new nodes.
    private var quietIteration: UInt32 = 0
    private var analyses: [(sync: () -> Void, absorb: () -> Void)] = []
    private var matcher: OpaquePointer?
    /// (all nodes, classes) when the last run ended: if the graph changed outside the
    /// runner since, merges may be unknown to the matcher, so semi-naive state is reset.
    private var leftAt: (nodes: UInt32, classes: UInt32)?

    /// Matches per batch handed from the core's search to the apply step.
    static let batchSize: UInt32 = 4096

    /// A logger that drops everything (the default).
    public static let silentLogger = Logger(label: "EGraphKit.Runner", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Compiles `rules` against `table` for running on `graph`.
    ///
    /// Defaults follow egg: 30 iterations, 10,000 e-nodes, 5 seconds.
    ///
    /// - Throws: ``PatternError`` naming the rule whose pattern does not fit the table.
    public init(graph: EGraph, table: OperatorTable, rules: [Rewrite], iterationLimit: Int = 30,
                nodeLimit: Int? = 10_000, timeLimit: Double? = 5, scheduler: Scheduler = .simple,
                seminaive: Bool = true, logger: Logger = Runner.silentLogger) throws(PatternError) {
        self.graph = graph
        self.table = table
        self.rules = rules
        self.iterationLimit = iterationLimit
        self.nodeLimit = nodeLimit
        self.timeLimit = timeLimit
        self.scheduler = scheduler
        self.seminaive = seminaive
        self.logger = logger
        var compiled: [CompiledRule] = []
        compiled.reserveCapacity(rules.count)
        // The rules' parts are read in place, one by one (no copy of a whole rule).
        for r in rules.indices {
            do throws(PatternError) {
                let lhs: CompiledPattern
                var payloadCount = 0
                switch rules[r].left {
                case .named(let pattern): lhs = try CompiledPattern(pattern, table: table)
                case .numbered(let pattern):
                    guard pattern.table.hasSameOperators(as: table) else {
                        throw PatternError("the left-hand side was built for another operator table")
                    }
                    lhs = try pattern.compiled.get()
                    payloadCount = pattern.payloadVariableCount
                }
                switch rules[r].action {
                case .pattern(let rhs):
                    guard case .named = rules[r].left else {
                        throw PatternError("a named right-hand side needs a named left-hand side")
                    }
                    compiled.append(CompiledRule(lhs: lhs, rhs: try CompiledRightHandSide(rhs, lhs: lhs, table: table), probes: []))
                case .numbered(let rhs):
                    guard case .numbered = rules[r].left else {
                        throw PatternError("a numbered right-hand side needs a numbered left-hand side")
                    }
                    var probes: [UInt32] = []
                    if let derivation = rules[r].derivation {
                        guard derivation.variable >= 0, derivation.variable < payloadCount else {
                            throw PatternError("payload variable \(derivation.variable) is not bound by the left-hand side")
                        }
                        // Compiled when the rule's right-hand side was made: reused as it is.
                        if let precompiled = derivation.compiled,
                           precompiled.fits(classes: lhs.classCount, payloads: payloadCount, table: table) {
                            let parts = try precompiled.compiled.get()
                            compiled.append(CompiledRule(lhs: lhs, rhs: parts.rhs, probes: parts.probes))
                            continue
                        }
                        probes = try CompiledRightHandSide.probes(derivation.probes, lhs: lhs,
                                                                  payloadCount: payloadCount, table: table)
                    }
                    compiled.append(CompiledRule(lhs: lhs, rhs: try CompiledRightHandSide(rhs, lhs: lhs, payloadCount: payloadCount,
                                                                                         table: table), probes: probes))
                case .custom:
                    compiled.append(CompiledRule(lhs: lhs, rhs: nil, probes: []))
                }
            } catch {
                throw PatternError("rule '\(rules[r].name)': \(error.message)", at: error.location)
            }
        }
        self.compiled = compiled
        var wanted = [UInt8](repeating: 0, count: table.count)
        for rule in compiled {
            for op in rule.lhs.boundOperators where Int(op) < wanted.count { wanted[Int(op)] = 1 }
        }
        wantedOperators = wanted
        lastSearched = Array(repeating: 0, count: rules.count)
        backoff = Array(repeating: BackoffState(), count: rules.count)
    }

    deinit { eg_matcher_destroy(matcher) }

    /// Keeps `data` up to date while running (new nodes made, merges replayed).
    public func track<A: EClassAnalysis>(_ data: AnalysisData<A>) {
        precondition(data.graph === graph, "analysis data belongs to another graph")
        analyses.append((sync: data.sync, absorb: data.absorbMerges))
    }

    /// Runs until saturation or a limit.
    ///
    /// - Throws: ``EGraphError`` when the core reports a failure (out of memory), or what a
    ///   rule's condition or applier throws. Then, with a node limit set, the partial
    ///   iteration is rolled back; without one, the e-graph holds part of an iteration
    ///   (call ``EGraph/rebuild()`` before reading it).
    public func run() throws -> RunReport {
        let clock = ContinuousClock()
        let start = clock.now
        var report = RunReport()
        report.rules = rules.map {
            RunReport.RuleStats(name: $0.name, matches: 0, applications: 0, merges: 0, bans: 0,
                                searchTime: 0, applyTime: 0)
        }
        if matcher == nil {
            var created: OpaquePointer?
            try check(eg_matcher_create(&created), "creating the matcher")
            matcher = created
        }
        let g = graph.handle
        if let leftAt, leftAt != (eg_total_node_count(g), eg_class_count(g)) || eg_pending_count(g) > 0 {
            for r in lastSearched.indices { lastSearched[r] = 0 }
        }
        // Start from a clean graph, with analyses in step.
        analyses.forEach { $0.sync() }
        if eg_pending_count(g) > 0 {
            try check(eg_rebuild(g, nil), "rebuild")
            analyses.forEach { $0.absorb() }
        }
        eg_clear_merges(g)
        quietIteration = 0
        eg_reset_peak_memory(g)
        eg_matcher_reset_peak_memory(matcher)

        var stop: StopReason = .iterationLimit
        var done = 0
        let settings = RunSettings(seminaive: seminaive, nodeLimit: nodeLimit, scheduler: scheduler, logger: logger)
        while true {
            if done >= iterationLimit { stop = .iterationLimit; break }
            if let timeLimit, seconds(clock.now - start) >= timeLimit { stop = .timeLimit; break }
            let iteration = eg_iteration(g) + 1
            try check(eg_set_iteration(g, iteration), "set iteration")
            var stats = RunReport.Iteration(enodes: 0, eclasses: 0, searchTime: 0, applyTime: 0,
                                            rebuildTime: 0, matches: 0, merges: 0, bannedRules: [])
            let nodesBefore = eg_total_node_count(g)
            try check(wantedOperators.withUnsafeBufferPointer {
                eg_matcher_snapshot_ops(matcher, g, $0.baseAddress, UInt32($0.count))
            }, "snapshot")
            if nodeLimit != nil { try check(eg_checkpoint(g), "checkpoint") }
            var limitHit = false
            var heldBack = false
            // The end of one rule's work starts the next one's (one clock read saved per rule).
            var mark = clock.now
            do {
                for r in rules.indices {
                    if case .backoff = settings.scheduler, backoff[r].bannedUntil > done {
                        stats.bannedRules.append(rules[r].name)
                        heldBack = true
                        continue
                    }
                    let outcome = try runRule(r, iteration: iteration, completed: done, settings: settings,
                                              lastSearched: &lastSearched[r], stats: &stats, report: &report,
                                              mark: &mark)
                    if outcome.banned { heldBack = true }
                    if outcome.limitHit { limitHit = true; break }
                }
            } catch {
                // A condition or applier threw: undo the partial iteration where a checkpoint
                // allows it, so the graph is as the last complete iteration left it.
                eg_matcher_release_snapshot(matcher)
                if eg_has_checkpoint(g) {
                    _ = eg_rollback(g)
                    eg_discard_checkpoint(g)
                }
                throw error
            }
            eg_matcher_release_snapshot(matcher)
            if limitHit {
                try check(eg_rollback(g), "rollback")
                eg_discard_checkpoint(g)
                stop = .nodeLimit
                logger.info("iteration \(iteration): e-node limit \(nodeLimit ?? 0) exceeded, iteration rolled back")
                break
            }
            eg_discard_checkpoint(g)
            let rebuildStart = clock.now
            analyses.forEach { $0.sync() }
            try check(eg_rebuild(g, nil), "rebuild")
            try check(eg_matcher_stamp_merges(matcher, g, iteration), "stamp merges")
            quietIteration = Self.mergesWereTrivial(g, iteration: iteration) ? iteration : 0
            analyses.forEach { $0.absorb() }
            eg_clear_merges(g)
            stats.rebuildTime = seconds(clock.now - rebuildStart)
            stats.enodes = Int(eg_node_count(g))
            stats.eclasses = Int(eg_class_count(g))
            report.iterations.append(stats)
            done += 1
            logger.info("iteration \(iteration): \(stats.enodes) e-nodes, \(stats.eclasses) e-classes, \(stats.matches) matches, search \(formatMS(stats.searchTime)), apply \(formatMS(stats.applyTime)), rebuild \(formatMS(stats.rebuildTime))")
            let changed = eg_total_node_count(g) != nodesBefore || stats.merges > 0
            if !changed {
                if heldBack, case .backoff = scheduler {
                    for r in backoff.indices { backoff[r].bannedUntil = 0 }
                    continue
                }
                stop = .saturated
                break
            }
        }
        var memory = eg_memory_stats()
        _ = eg_memory(g, &memory)
        report.graphPeakBytes = memory.peak_bytes
        report.matcherPeakBytes = eg_matcher_peak_memory(matcher)
        leftAt = (eg_total_node_count(g), eg_class_count(g))
        report.stopReason = stop
        report.enodes = Int(eg_node_count(g))
        report.eclasses = Int(eg_class_count(g))
        report.totalTime = seconds(clock.now - start)
        logger.info("stopped: \(stop) after \(report.iterations.count) iteration(s), \(report.enodes) e-nodes, \(report.eclasses) e-classes, \(formatMS(report.totalTime))")
        return report
    }

    /// Whether every merge in the merge log absorbed a class whose nodes were all made in
    /// `iteration` (a class's id is its lowest node id, as the smaller id survives).
    private static func mergesWereTrivial(_ g: OpaquePointer?, iteration: UInt32) -> Bool {
        var pairs: UnsafePointer<UInt32>?
        var count: UInt32 = 0
        guard eg_merges(g, &pairs, &count) == EG_OK else { return false }
        guard count > 0 else { return true }
        guard let pairs else { return false }
        let firstNew = eg_iteration_first_node(g, iteration)
        for i in 0..<Int(count) where pairs[2 * i] < firstNew { return false }
        return true
    }

    /// Whether a live node with one of `operators` has an id at least `first`.
    private static func hasNodes(of operators: [UInt32], from first: UInt32, in g: OpaquePointer?) -> Bool {
        for op in operators {
            var nodes: UnsafePointer<UInt32>?
            var count: UInt32 = 0
            guard eg_op_nodes(g, op, &nodes, &count) == EG_OK else { return true }
            if count > 0, let nodes, nodes[Int(count) - 1] >= first { return true }
        }
        return false
    }

    /// Searches rule `r` and applies its matches. Returns whether the node limit was hit and
    /// whether the scheduler banned the rule.
    /// `mark` is the time the rule's work starts; it is left at the time it ended.
    private func runRule(_ r: Int, iteration: UInt32, completed: Int, settings: RunSettings,
                         lastSearched: inout UInt32, stats: inout RunReport.Iteration,
                         report: inout RunReport, mark: inout ContinuousClock.Instant) throws
        -> (limitHit: Bool, banned: Bool) {
        let g = graph.handle
        let matcher = self.matcher
        // A snapshot without nodes of the root operator has no match: no search to run.
        let rule = compiled[r]
        if eg_matcher_root_count(matcher, rule.lhs.rootOperator.rawValue) == 0 {
            lastSearched = iteration
            settings.logger.debug("rule \(rules[r].name): 0 matches, 0 applied, 0 merged")
            return (false, false)
        }
        // A rule searched in the last iteration has no new match if that iteration merged
        // no two older classes and made no node of an operator the rule binds: a new match
        // needs a new node it binds, or two of its classes merged (``quietIteration``). A
        // condition may change its mind on the same match, so conditional rules search.
        if settings.seminaive, rules[r].condition == nil, lastSearched == iteration - 1,
           quietIteration == iteration - 1,
           !Self.hasNodes(of: rule.lhs.boundOperators, from: eg_iteration_first_node(g, iteration - 1), in: g) {
            lastSearched = iteration
            settings.logger.debug("rule \(rules[r].name): nothing new to match")
            return (false, false)
        }
        let clock = ContinuousClock()
        let lhs = rule.lhs, rhs = rule.rhs, probes = rule.probes
        // The rule's parts, read one by one (no copy of the whole rule per call).
        let condition = rules[r].condition, derivation = rules[r].derivation
        // A condition may depend on analysis data that changes, so conditional rules always
        // search everything.
        let since = settings.seminaive && condition == nil ? lastSearched : 0
        let limit = UInt32(clamping: settings.nodeLimit ?? 0)
        var cursor: UInt32 = 0
        var finished = false
        var searchTime = 0.0, applyTime = 0.0
        var found = 0, applied = 0, merged = 0
        var limitHit = false

        // Backoff: collect up to the threshold before applying anything.
        var threshold = Int.max
        if case .backoff(let matchLimit, _) = settings.scheduler {
            threshold = matchLimit << backoff[r].timesBanned
        }
        var pending: [UInt32] = []

        func applyRows(_ rows: UnsafeBufferPointer<UInt32>, count: Int) throws {
            guard count > 0 else { return }
            var mask: [UInt8]? = nil
            var rowsCopy: [UInt32]? = nil
            if let condition {
                rowsCopy = Array(rows)
                let keep = try condition(MatchBatch(graph: graph, table: table, rows: rowsCopy!, pattern: lhs))
                mask = (0..<count).map { $0 < keep.count && keep[$0] ? 1 : 0 }
            }
            if let rhs, let derivation {
                // Derive the payload, instantiate with deferred unions, report created nodes.
                var batchRows = rowsCopy ?? Array(rows)
                let word = 1 + lhs.classCount + 2 * derivation.variable
                var kept: [Int] = []
                kept.reserveCapacity(count)
                for i in 0..<count where mask.map({ $0[i] != 0 }) ?? true { kept.append(i * lhs.stride + word) }
                var payloads = kept.map { UInt64(batchRows[$0]) | UInt64(batchRows[$0 + 1]) << 32 }
                derivation.map(&payloads)
                precondition(payloads.count == kept.count, "a payload map must keep one payload per match")
                for (base, mapped) in zip(kept, payloads) {
                    batchRows[base] = UInt32(truncatingIfNeeded: mapped)
                    batchRows[base + 1] = UInt32(truncatingIfNeeded: mapped >> 32)
                }
                let probeCount = Int(probes[0])
                var created = [UInt32](repeating: 0, count: count)
                var probeClasses = [UInt32](repeating: 0, count: count * probeCount)
                var m: UInt32 = 0
                let maskBytes = mask ?? []
                let status: eg_status = rhs.program.withUnsafeBufferPointer { program in
                    maskBytes.withUnsafeBufferPointer { maskBuffer in probes.withUnsafeBufferPointer { probes in
                        batchRows.withUnsafeBufferPointer { rows in
                            created.withUnsafeMutableBufferPointer { created in
                                probeClasses.withUnsafeMutableBufferPointer { probeClasses in
                                    let maskPointer = mask == nil ? nil : maskBuffer.baseAddress
                                    return eg_apply_probed(matcher, g, program.baseAddress, UInt32(program.count),
                                                           probes.baseAddress, UInt32(probes.count), rows.baseAddress,
                                                           UInt32(count), UInt32(lhs.stride), maskPointer,
                                                           created.baseAddress, probeClasses.baseAddress, &m)
                                }
                            }
                        }
                    } }
                }
                try check(status, "applying rule '\(rules[r].name)'")
                derivation.created(Rewrite.CreatedNodes(count: count, probeCount: probeCount, nodes: created,
                                                        probeClasses: probeClasses))
                applied += kept.count
                merged += Int(m)
                if limit > 0 && eg_node_count(g) > limit { limitHit = true }
            } else if let rhs {
                var processed: UInt32 = 0, m: UInt32 = 0
                var hit = false
                let status: eg_status = rhs.program.withUnsafeBufferPointer { program in
                    if let mask {
                        return mask.withUnsafeBufferPointer { maskBuffer in
                            eg_apply(matcher, g, program.baseAddress, UInt32(program.count), rows.baseAddress,
                                     UInt32(count), UInt32(lhs.stride), maskBuffer.baseAddress, limit,
                                     &processed, &m, &hit)
                        }
                    }
                    return eg_apply(matcher, g, program.baseAddress, UInt32(program.count), rows.baseAddress,
                                    UInt32(count), UInt32(lhs.stride), nil, limit, &processed, &m, &hit)
                }
                try check(status, "applying rule '\(rules[r].name)'")
                applied += mask.map { $0.prefix(Int(processed)).reduce(0) { $0 + Int($1) } } ?? Int(processed)
                merged += Int(m)
                if hit { limitHit = true }
            } else if case .custom(let applier) = rules[r].action {
                var batchRows = rowsCopy ?? Array(rows)
                if let mask {
                    var kept: [UInt32] = []
                    for i in 0..<count where mask[i] != 0 {
                        kept += batchRows[i * lhs.stride ..< (i + 1) * lhs.stride]
                    }
                    batchRows = kept
                }
                let unions = try applier(MatchBatch(graph: graph, table: table, rows: batchRows, pattern: lhs))
                var pairs: [UInt32] = []
                pairs.reserveCapacity(unions.count * 2)
                for (a, b) in unions { pairs += [a.rawValue, b.rawValue] }
                var m: UInt32 = 0
                try check(pairs.withUnsafeBufferPointer {
                    eg_union_batch(g, $0.baseAddress, UInt32(unions.count), &m, nil)
                }, "unions of rule '\(rules[r].name)'")
                applied += batchRows.count / lhs.stride
                merged += Int(m)
                if limit > 0 && eg_node_count(g) > limit { limitHit = true }
            }
        }

        // One clock read between phases: the end of a search starts its apply, the end of
        // an apply starts the next search.
        while !finished && !limitHit {
            var rowsPointer: UnsafePointer<UInt32>?
            var count: UInt32 = 0
            let status = lhs.program.withUnsafeBufferPointer { program in
                eg_search(matcher, g, program.baseAddress, UInt32(program.count), since, &cursor,
                          Self.batchSize, &rowsPointer, &count, &finished)
            }
            let searched = clock.now
            searchTime += seconds(searched - mark)
            mark = searched
            try check(status, "searching rule '\(rules[r].name)'")
            found += Int(count)
            guard count > 0, let rowsPointer else { continue }
            let rows = UnsafeBufferPointer(start: rowsPointer, count: Int(count) * lhs.stride)
            if threshold != Int.max {
                pending += rows
                if found > threshold { break }
                continue
            }
            try applyRows(rows, count: Int(count))
            let appliedAt = clock.now
            applyTime += seconds(appliedAt - mark)
            mark = appliedAt
        }

        var banned = false
        if threshold != Int.max {
            if found > threshold, case .backoff(_, let banLength) = settings.scheduler {
                let length = banLength << backoff[r].timesBanned
                backoff[r].timesBanned += 1
                backoff[r].bannedUntil = completed + 1 + length
                report.rules[r].bans += 1
                banned = true
                settings.logger.debug("rule \(rules[r].name): \(found)+ matches > \(threshold), banned for \(length) iterations")
            } else {
                let applyStart = clock.now
                var offset = 0
                let total = pending.count / lhs.stride
                while offset < total && !limitHit {
                    let n = min(Int(Self.batchSize), total - offset)
                    try pending.withUnsafeBufferPointer { all in
                        try applyRows(UnsafeBufferPointer(rebasing: all[offset * lhs.stride ..< (offset + n) * lhs.stride]), count: n)
                    }
                    offset += n
                }
                let appliedAt = clock.now
                applyTime += seconds(appliedAt - applyStart)
                mark = appliedAt
            }
        }
        if !banned && !limitHit { lastSearched = iteration }

        stats.searchTime += searchTime
        stats.applyTime += applyTime
        stats.matches += found
        stats.merges += merged
        report.rules[r].matches += found
        report.rules[r].applications += applied
        report.rules[r].merges += merged
        report.rules[r].searchTime += searchTime
        report.rules[r].applyTime += applyTime
        settings.logger.debug("rule \(rules[r].name): \(found) matches, \(applied) applied, \(merged) merged")
        return (limitHit, banned)
    }

    private func check(_ status: eg_status, _ what: @autoclosure () -> String) throws {
        guard status == EG_OK else { throw EGraph.error(status, argument: what()) }
    }
}

func seconds(_ duration: Duration) -> Double {
    let (s, attoseconds) = duration.components
    return Double(s) + Double(attoseconds) * 1e-18
}
