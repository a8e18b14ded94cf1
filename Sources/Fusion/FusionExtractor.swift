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

    private let childStart: [UInt32]
    private let children: [UInt32]
    private let ownCost: [Double]
    /// The producer classes each fused e-node absorbs (canonical).
    private let absorbedClasses: [UInt32: [UInt32]]
    /// How many selected fused e-nodes absorb each class.
    private var absorbedCount: [UInt32]
    private var log: [(UInt32, Bool)] = []
    private var stack: [UInt32] = []

    /// Extracts from `storage` (after a rebuild) for `roots` (any ids; canonicalised).
    ///
    /// - Parameters:
    ///   - originalCount: e-node ids below this were added for the input graph, in
    ///     topological order.
    ///   - ownCost: the own cost of each e-node (`.infinity`: never choose it).
    ///   - canonical: the canonical class of every e-node id (``canonicalClasses(_:)``).
    init(storage: ENodeStorage, canonical: [UInt32], originalCount: Int, ownCost: [Double], roots: [UInt32],
         absorbed: [UInt32: [UInt32]] = [:], maxPasses: Int = 8)
    {
        let count = storage.count
        var children = [UInt32](repeating: 0, count: storage.children.count)
        for i in 0..<children.count { children[i] = canonical[Int(storage.children[i])] }
        self.canonical = canonical
        self.children = children
        let offsets = Array(storage.childOffsets)
        self.childStart = offsets
        self.ownCost = ownCost
        references = [UInt32](repeating: 0, count: count)
        absorbedClasses = absorbed.mapValues { $0.map { canonical[Int($0)] } }
        absorbedCount = [UInt32](repeating: 0, count: count)

        // Ranks: the first original e-node of a class, or just above a rule-built node's
        // highest child.
        var rank = [Double](repeating: .infinity, count: count)
        for i in 0..<min(originalCount, count) where rank[Int(canonical[i])] == .infinity {
            rank[Int(canonical[i])] = Double(i)
        }
        if originalCount < count {
            let original = rank.map(\.isFinite)
            for n in originalCount..<count where storage.isLive(n) && !original[Int(canonical[n])] {
                let c = Int(canonical[n])
                var highest = -1.0
                for k in Int(offsets[n])..<Int(offsets[n + 1]) {
                    highest = max(highest, rank[Int(children[k])])
                }
                rank[c] = min(rank[c], highest + 1.0 / 1024)
            }
        }

        // Members per class (ascending ids) and the start: the lowest admissible member,
        // which is the original e-node wherever there is one.
        var memberStart = [UInt32](repeating: 0, count: count + 1)
        for n in 0..<count where storage.isLive(n) { memberStart[Int(canonical[n]) + 1] += 1 }
        for c in 0..<count { memberStart[c + 1] += memberStart[c] }
        var fill = memberStart
        var members = [UInt32](repeating: 0, count: Int(memberStart[count]))
        for n in 0..<count where storage.isLive(n) {
            let c = Int(canonical[n])
            members[Int(fill[c])] = UInt32(n)
            fill[c] += 1
        }
        func admissible(_ n: Int, _ c: Int) -> Bool {
            guard ownCost[n].isFinite else { return false }
            for k in Int(offsets[n])..<Int(offsets[n + 1]) where rank[Int(children[k])] >= rank[c] {
                return false
            }
            return true
        }
        var choice = [UInt32](repeating: .max, count: count)
        var alternatives: [UInt32] = []
        for c in 0..<count where memberStart[c + 1] > memberStart[c] {
            for m in Int(memberStart[c])..<Int(memberStart[c + 1]) where admissible(Int(members[m]), c) {
                choice[c] = members[m]
                break
            }
            if memberStart[c + 1] - memberStart[c] > 1 { alternatives.append(UInt32(c)) }
        }
        self.choice = choice

        for root in roots { totalCost += acquire(canonical[Int(root)]) }
        // Roots first, then down.
        alternatives.sort { rank[Int($0)] > rank[Int($1)] }
        for _ in 0..<maxPasses {
            var switched = false
            for c32 in alternatives {
                let c = Int(c32)
                guard references[c] > 0 else { continue }
                for m in Int(memberStart[c])..<Int(memberStart[c + 1]) {
                    let n = Int(members[m])
                    guard n != Int(self.choice[c]), admissible(n, c) else { continue }
                    if trySwitch(c, to: n) {
                        switches += 1
                        switched = true
                    }
                }
            }
            if !switched { break }
        }
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
    func isNeeded(_ c: UInt32) -> Bool { references[Int(c)] > 0 }

    /// The canonical child classes of e-node `n`.
    func children(of n: UInt32) -> ArraySlice<UInt32> {
        children[Int(childStart[Int(n)])..<Int(childStart[Int(n) + 1])]
    }

    /// Adds a reference to `c`; a class that becomes needed adds its choice's cost and
    /// references its children. Returns the cost added.
    private mutating func acquire(_ c: UInt32) -> Double {
        var added = 0.0
        stack.append(c)
        while let k = stack.popLast() {
            references[Int(k)] += 1
            log.append((k, true))
            guard references[Int(k)] == 1 else { continue }
            let n = Int(choice[Int(k)])
            added += ownCost[n]
            for i in Int(childStart[n])..<Int(childStart[n + 1]) { stack.append(children[i]) }
        }
        return added
    }

    /// Drops a reference to `c`; a class nothing needs any more gives back its cost and
    /// releases its children. Returns the cost freed.
    private mutating func release(_ c: UInt32) -> Double {
        var freed = 0.0
        stack.append(c)
        while let k = stack.popLast() {
            references[Int(k)] -= 1
            log.append((k, false))
            guard references[Int(k)] == 0 else { continue }
            let n = Int(choice[Int(k)])
            freed += ownCost[n]
            for i in Int(childStart[n])..<Int(childStart[n + 1]) { stack.append(children[i]) }
        }
        return freed
    }

    /// Whether, with `n` selected instead of `current` (references already updated), no
    /// absorbed producer is needed: a fused node must not recompute a producer that
    /// another consumer (or an output) still needs. Updates the absorbed counts when true.
    private mutating func keepsAbsorbedUnneeded(replacing current: Int, with n: Int) -> Bool {
        let gone = absorbedClasses[UInt32(current)] ?? []
        let new = absorbedClasses[UInt32(n)] ?? []
        for k in gone { absorbedCount[Int(k)] -= 1 }
        for k in new { absorbedCount[Int(k)] += 1 }
        var ok = new.allSatisfy { references[Int($0)] == 0 }
        if ok {
            for (k, wasAcquire) in log where wasAcquire && absorbedCount[Int(k)] > 0 && references[Int(k)] > 0 {
                ok = false
                break
            }
        }
        if !ok {
            for k in new { absorbedCount[Int(k)] -= 1 }
            for k in gone { absorbedCount[Int(k)] += 1 }
        }
        return ok
    }

    /// Switches class `c` to e-node `n` if that lowers the total strictly.
    private mutating func trySwitch(_ c: Int, to n: Int) -> Bool {
        let current = Int(choice[c])
        log.removeAll(keepingCapacity: true)
        var added = 0.0, freed = 0.0
        // Acquire first, so that children both nodes share are never released.
        for i in Int(childStart[n])..<Int(childStart[n + 1]) { added += acquire(children[i]) }
        for i in Int(childStart[current])..<Int(childStart[current + 1]) { freed += release(children[i]) }
        let delta = ownCost[n] - ownCost[current] + added - freed
        let scale = ownCost[n] + ownCost[current] + added + freed
        if delta < 0, -delta > scale * 1e-9, keepsAbsorbedUnneeded(replacing: current, with: n) {
            choice[c] = UInt32(n)
            totalCost += delta
            return true
        }
        for (k, wasAcquire) in log.reversed() {
            if wasAcquire { references[Int(k)] -= 1 } else { references[Int(k)] += 1 }
        }
        return false
    }
}
