import EGraphKit

/// DAG-aware extraction for the fusion e-graph: one e-node per needed e-class, minimising
/// the sum of own costs over the needed classes, each class counted once.
///
/// It starts from the input graph itself (every class chooses its original e-node) and
/// improves it greedily: from the roots down, it tries each other e-node of a needed
/// class and keeps a switch only if the exact change in total cost is negative — the
/// own-cost difference, plus the classes that become needed, minus the classes nothing
/// needs any more (reference counts, undone when a trial is rejected). Passes repeat
/// until one switches nothing. A producer another consumer still needs therefore stays
/// in the total: fusing it into one consumer is chosen only if the fused kernel beats the
/// unfused consumer alone, which the roofline model makes false for a recomputed matmul.
/// Ties keep the current choice, so the original node survives every tie.
///
/// Acyclicity: classes are ranked by the topological position of their first original
/// e-node; a class built by a rule (a widened matmul, a derived weight) ranks just above
/// its highest child. An e-node is admissible for a class only if all its children rank
/// strictly lower, so every selection is a DAG.
///
/// Why not the engine's ``DAGExtractor``: it starts from the cheapest tree terms, whose
/// costs double with every residual connection and overflow a `Double` on deep graphs
/// (a few hundred layers), while the input graph is always a valid, finite start here.
///
/// The work runs on flat arrays through unsafe pointers (no dictionary, no per-access
/// uniqueness check): this is on the path of every optimize call.
///
/// - Complexity: O(N + E) to set up for N e-nodes and E child edges, plus, per pass, the
///   local work of each tried switch.
struct FusionExtractor {
    /// Canonical class of every e-node id.
    let canonical: [UInt32]
    /// The chosen e-node per class (meaningful where `references[c] > 0`).
    private(set) var choice: [UInt32]
    /// How many selected e-nodes and roots refer to each class (0: not needed).
    private(set) var references: [UInt32]
    /// The total cost of the selection.
    private(set) var totalCost: Double = 0
    /// Switches the improvement passes made.
    private(set) var switches = 0

    /// `count + 1` offsets into ``children``, per e-node.
    let childStart: [UInt32]
    /// The canonical child classes of every e-node, node after node.
    let children: [UInt32]

    /// Extracts from `storage` (after a rebuild) for `roots` (any ids; canonicalised).
    ///
    /// - Parameters:
    ///   - originalCount: e-node ids below this were added for the input graph, in
    ///     topological order.
    ///   - ownCost: the own cost of each e-node (finite for every live one; `.infinity`
    ///     never chosen).
    ///   - canonical: the canonical class of every e-node id (``canonicalClasses(_:)``).
    ///   - absorbed: for fused e-nodes, the producer classes each absorbs (any ids).
    init(storage: ENodeStorage, canonical: [UInt32], originalCount: Int, ownCost: [Double], roots: [UInt32],
         absorbed: AbsorbedProducers = AbsorbedProducers(), maxPasses: Int = 8)
    {
        let count = storage.count
        let edges = storage.children.count
        let childStart = Array(storage.childOffsets)
        let children = [UInt32](unsafeUninitializedCapacity: edges) { buffer, initialized in
            canonical.withUnsafeBufferPointer { canonical in
                for i in 0..<edges { buffer[i] = canonical[Int(storage.children[i])] }
            }
            initialized = edges
        }

        // The absorbed classes of each e-node, flat (CSR). A node's last record holds its
        // count; an earlier record of another length is skipped, one of the same length
        // is overwritten by the later one (the last record wins).
        var absorbedStart = [UInt32](repeating: 0, count: count + 1)
        var absorbedList: [UInt32] = []
        if !absorbed.isEmpty {
            absorbed.forEach { node, classes in
                if Int(node) < count { absorbedStart[Int(node) + 1] = UInt32(classes.count) }
            }
            for n in 0..<count { absorbedStart[n + 1] += absorbedStart[n] }
            absorbedList = [UInt32](repeating: 0, count: Int(absorbedStart[count]))
            absorbed.forEach { node, classes in
                guard Int(node) < count else { return }
                let start = Int(absorbedStart[Int(node)])
                guard Int(absorbedStart[Int(node) + 1]) - start == classes.count else { return }
                for (k, c) in classes.enumerated() { absorbedList[start + k] = canonical[Int(c)] }
            }
        }

        var choice = [UInt32](repeating: .max, count: count)
        var references = [UInt32](repeating: 0, count: count)
        var totalCost = 0.0, switches = 0
        childStart.withUnsafeBufferPointer { childStart in
            children.withUnsafeBufferPointer { children in
                canonical.withUnsafeBufferPointer { canonical in
                    ownCost.withUnsafeBufferPointer { ownCost in
                        absorbedStart.withUnsafeBufferPointer { absorbedStart in
                            absorbedList.withUnsafeBufferPointer { absorbedList in
                                choice.withUnsafeMutableBufferPointer { choice in
                                    references.withUnsafeMutableBufferPointer { references in
                                        var solver = Solver(
                                            storage: storage, originalCount: originalCount, childStart: childStart,
                                            children: children, canonical: canonical, ownCost: ownCost,
                                            absorbedStart: absorbedStart, absorbedList: absorbedList,
                                            choice: choice, references: references)
                                        solver.solve(roots: roots, maxPasses: maxPasses)
                                        totalCost = solver.totalCost
                                        switches = solver.switches
                                        solver.deallocate()
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.canonical = canonical
        self.childStart = childStart
        self.children = children
        self.choice = choice
        self.references = references
        self.totalCost = totalCost
        self.switches = switches
    }

    /// The canonical class of every e-node id, following the union-find links without
    /// changing them.
    ///
    /// - Complexity: O(N) for N e-nodes (links are short after a rebuild).
    static func canonicalClasses(_ storage: ENodeStorage) -> [UInt32] {
        let links = storage.unionFindLinks
        return [UInt32](unsafeUninitializedCapacity: storage.count) { buffer, initialized in
            for i in 0..<storage.count {
                var x = UInt32(i)
                while links[Int(x)] != x { x = links[Int(x)] }
                buffer[i] = x
            }
            initialized = storage.count
        }
    }

    /// Whether class `c` (canonical) is needed.
    @inline(__always)
    func isNeeded(_ c: UInt32) -> Bool { references[Int(c)] > 0 }

    /// The canonical child classes of e-node `n`.
    func children(of n: UInt32) -> ArraySlice<UInt32> {
        children[Int(childStart[Int(n)])..<Int(childStart[Int(n) + 1])]
    }
}

/// The extraction's working state: views of the inputs and of the two result arrays,
/// plus scratch buffers sized once (a DFS stack and the trial's log).
private struct Solver {
    let childStart: UnsafeBufferPointer<UInt32>
    let children: UnsafeBufferPointer<UInt32>
    let ownCost: UnsafeBufferPointer<Double>
    let absorbedStart: UnsafeBufferPointer<UInt32>
    let absorbedList: UnsafeBufferPointer<UInt32>
    let choice: UnsafeMutableBufferPointer<UInt32>
    let references: UnsafeMutableBufferPointer<UInt32>
    /// How many selected fused e-nodes absorb each class.
    let absorbedCount: UnsafeMutableBufferPointer<UInt32>
    /// Per class: rank (see ``FusionExtractor``).
    let rank: UnsafeMutableBufferPointer<Double>
    /// Per class: its lowest live member (`.max`: none); per e-node: the next member of
    /// its class, ascending (`.max`: last).
    let firstMember: UnsafeMutableBufferPointer<UInt32>
    let nextMember: UnsafeMutableBufferPointer<UInt32>
    /// DFS stack (each acquire or release pushes at most 1 + E entries).
    let stack: UnsafeMutablePointer<UInt32>
    /// The trial's reference changes: a class id, the top bit set for an acquire (at most
    /// two visits per edge plus the two nodes' children per trial).
    let log: UnsafeMutablePointer<UInt32>
    var logCount = 0
    var totalCost = 0.0
    var switches = 0
    let storage: ENodeStorage
    let originalCount: Int
    let canonical: UnsafeBufferPointer<UInt32>

    private static let acquired: UInt32 = 1 << 31

    init(storage: ENodeStorage, originalCount: Int, childStart: UnsafeBufferPointer<UInt32>,
         children: UnsafeBufferPointer<UInt32>, canonical: UnsafeBufferPointer<UInt32>,
         ownCost: UnsafeBufferPointer<Double>, absorbedStart: UnsafeBufferPointer<UInt32>,
         absorbedList: UnsafeBufferPointer<UInt32>, choice: UnsafeMutableBufferPointer<UInt32>,
         references: UnsafeMutableBufferPointer<UInt32>)
    {
        let count = storage.count
        self.storage = storage
        self.originalCount = originalCount
        self.childStart = childStart
        self.children = children
        self.canonical = canonical
        self.ownCost = ownCost
        self.absorbedStart = absorbedStart
        self.absorbedList = absorbedList
        self.choice = choice
        self.references = references
        absorbedCount = .allocate(capacity: count)
        absorbedCount.initialize(repeating: 0)
        rank = .allocate(capacity: count)
        rank.initialize(repeating: .infinity)
        firstMember = .allocate(capacity: count)
        firstMember.initialize(repeating: .max)
        nextMember = .allocate(capacity: count)
        nextMember.initialize(repeating: .max)
        stack = .allocate(capacity: children.count + 2)
        log = .allocate(capacity: 4 * children.count + 16)
    }

    func deallocate() {
        absorbedCount.deallocate()
        rank.deallocate()
        firstMember.deallocate()
        nextMember.deallocate()
        stack.deallocate()
        log.deallocate()
    }

    /// Whether e-node `n` may be chosen for class `c`: finite cost, children ranked below.
    @inline(__always)
    func admissible(_ n: Int, _ c: Int) -> Bool {
        guard ownCost[n].isFinite else { return false }
        let r = rank[c]
        for k in Int(childStart[n])..<Int(childStart[n + 1]) where rank[Int(children[k])] >= r {
            return false
        }
        return true
    }

    mutating func solve(roots: [UInt32], maxPasses: Int) {
        let count = storage.count
        // Ranks: the first original e-node of a class, or just above a rule-built node's
        // highest child.
        for i in 0..<min(originalCount, count) where rank[Int(canonical[i])] == .infinity {
            rank[Int(canonical[i])] = Double(i)
        }
        if originalCount < count {
            // Whether a class has an original e-node, before rule-built ranks are set.
            let original = UnsafeMutableBufferPointer<Bool>.allocate(capacity: count)
            for c in 0..<count { original[c] = rank[c].isFinite }
            for n in originalCount..<count where storage.isLive(n) && !original[Int(canonical[n])] {
                let c = Int(canonical[n])
                var highest = -1.0
                for k in Int(childStart[n])..<Int(childStart[n + 1]) {
                    highest = max(highest, rank[Int(children[k])])
                }
                rank[c] = min(rank[c], highest + 1.0 / 1024)
            }
            original.deallocate()
        }

        // Members per class, ascending (linked from the highest id down).
        var n = count - 1
        while n >= 0 {
            if storage.isLive(n) {
                let c = Int(canonical[n])
                nextMember[n] = firstMember[c]
                firstMember[c] = UInt32(n)
            }
            n -= 1
        }
        // The start: the lowest admissible member, which is the original e-node wherever
        // there is one. Classes with several members are the ones to improve.
        // An original e-node that ranks its class has only lower-ranked children (the input
        // was added in topological order, children first), so only its cost is checked.
        var alternatives: [UInt32] = []
        for c in 0..<count where firstMember[c] != .max {
            var m = firstMember[c]
            while m != .max {
                let n = Int(m)
                let ranksClass = n < originalCount && rank[c] == Double(n)
                assert(!ranksClass || !ownCost[n].isFinite || admissible(n, c), "input e-nodes in topological order")
                if ranksClass ? ownCost[n].isFinite : admissible(n, c) {
                    choice[c] = m
                    break
                }
                m = nextMember[Int(m)]
            }
            if nextMember[Int(firstMember[c])] != .max { alternatives.append(UInt32(c)) }
        }

        for root in roots { totalCost += acquire(canonical[Int(root)], logging: false) }
        // Roots first, then down.
        let rank = self.rank
        alternatives.sort { rank[Int($0)] > rank[Int($1)] }
        for _ in 0..<maxPasses {
            var switched = false
            for c32 in alternatives {
                let c = Int(c32)
                guard references[c] > 0 else { continue }
                var m = firstMember[c]
                while m != .max {
                    let n = Int(m)
                    m = nextMember[n]
                    guard n != Int(choice[c]), admissible(n, c) else { continue }
                    if trySwitch(c, to: n) {
                        switches += 1
                        switched = true
                    }
                }
            }
            if !switched { break }
        }
    }

    /// Adds a reference to `c`; a class that becomes needed adds its choice's cost and
    /// references its children. Returns the cost added.
    @inline(__always)
    private mutating func acquire(_ c: UInt32, logging: Bool) -> Double {
        var added = 0.0
        var top = 1
        stack[0] = c
        while top > 0 {
            top -= 1
            let k = stack[top]
            references[Int(k)] += 1
            if logging {
                log[logCount] = k | Self.acquired
                logCount += 1
            }
            guard references[Int(k)] == 1 else { continue }
            let n = Int(choice[Int(k)])
            added += ownCost[n]
            for i in Int(childStart[n])..<Int(childStart[n + 1]) {
                stack[top] = children[i]
                top += 1
            }
        }
        return added
    }

    /// Drops a reference to `c`; a class nothing needs any more gives back its cost and
    /// releases its children. Returns the cost freed.
    @inline(__always)
    private mutating func release(_ c: UInt32) -> Double {
        var freed = 0.0
        var top = 1
        stack[0] = c
        while top > 0 {
            top -= 1
            let k = stack[top]
            references[Int(k)] -= 1
            log[logCount] = k
            logCount += 1
            guard references[Int(k)] == 0 else { continue }
            let n = Int(choice[Int(k)])
            freed += ownCost[n]
            for i in Int(childStart[n])..<Int(childStart[n + 1]) {
                stack[top] = children[i]
                top += 1
            }
        }
        return freed
    }

    /// Whether, with `n` selected instead of `current` (references already updated), no
    /// absorbed producer is needed: a fused node must not recompute a producer that
    /// another consumer (or an output) still needs. Updates the absorbed counts when true.
    private func keepsAbsorbedUnneeded(replacing current: Int, with n: Int) -> Bool {
        let gone = Int(absorbedStart[current])..<Int(absorbedStart[current + 1])
        let new = Int(absorbedStart[n])..<Int(absorbedStart[n + 1])
        for k in gone { absorbedCount[Int(absorbedList[k])] -= 1 }
        for k in new { absorbedCount[Int(absorbedList[k])] += 1 }
        var ok = new.allSatisfy { references[Int(absorbedList[$0])] == 0 }
        if ok {
            for i in 0..<logCount where log[i] & Self.acquired != 0 {
                let k = Int(log[i] & ~Self.acquired)
                if absorbedCount[k] > 0 && references[k] > 0 {
                    ok = false
                    break
                }
            }
        }
        if !ok {
            for k in new { absorbedCount[Int(absorbedList[k])] -= 1 }
            for k in gone { absorbedCount[Int(absorbedList[k])] += 1 }
        }
        return ok
    }

    /// Switches class `c` to e-node `n` if that lowers the total strictly.
    private mutating func trySwitch(_ c: Int, to n: Int) -> Bool {
        let current = Int(choice[c])
        logCount = 0
        var added = 0.0, freed = 0.0
        // Acquire first, so that children both nodes share are never released.
        for i in Int(childStart[n])..<Int(childStart[n + 1]) { added += acquire(children[i], logging: true) }
        for i in Int(childStart[current])..<Int(childStart[current + 1]) { freed += release(children[i]) }
        let delta = ownCost[n] - ownCost[current] + added - freed
        let scale = ownCost[n] + ownCost[current] + added + freed
        if delta < 0, -delta > scale * 1e-9, keepsAbsorbedUnneeded(replacing: current, with: n) {
            choice[c] = UInt32(n)
            totalCost += delta
            return true
        }
        var i = logCount - 1
        while i >= 0 {
            let entry = log[i]
            if entry & Self.acquired != 0 {
                references[Int(entry & ~Self.acquired)] -= 1
            } else {
                references[Int(entry)] += 1
            }
            i -= 1
        }
        return false
    }
}
