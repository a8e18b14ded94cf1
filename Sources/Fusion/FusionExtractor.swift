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
/// Most classes hold only the e-node of an input node: such a class ranks at its id, has
/// its node as home and its e-node as choice, from a few passes over flat arrays. Only the
/// other classes (a rewrite or a merge added a member, or a rule built the class) get
/// member lists and the general choice. References start with every class counted as
/// needed; one pass over the input nodes adds the roots, and reference counting releases
/// what nothing needs.
///
/// The work runs on flat buffers through unsafe pointers (no dictionary, no per-access
/// uniqueness or bounds check): this is on the path of every optimize call. The results
/// stay in buffers the extractor owns (freed with it), which the rebuild reads in place.
///
/// - Complexity: O(N + E + V) to set up for N e-nodes, E child edges and V input nodes,
///   plus, per pass, the local work of each tried switch.
final class FusionExtractor {
    /// Canonical class of every e-node id.
    let canonical: UnsafeBufferPointer<UInt32>
    /// The chosen e-node per class (meaningful where `references[c] > 0`).
    let choice: UnsafeBufferPointer<UInt32>
    /// How many selected e-nodes and roots refer to each class (0: not needed).
    let references: UnsafeBufferPointer<UInt32>
    /// The canonical child classes of every e-node, node after node (the storage's
    /// `childOffsets` delimit each node's).
    let children: UnsafeBufferPointer<UInt32>
    /// The lowest input node id in each class (-1: none; meaningful for class ids only).
    let homes: UnsafeBufferPointer<Int32>
    /// Per class: whether an input node of the class is not its home (a duplicate, or a
    /// node a rewrite merged into another's class).
    let hasStray: UnsafeBufferPointer<Bool>
    /// How many input nodes are not their class's home.
    let strayCount: Int
    /// The own cost of every e-node, as given.
    let ownCost: [Double]
    /// The classes without an input node (built by rules), ascending.
    let homeless: [UInt32]

    /// Extracts from `storage` (after a rebuild) for the input graph `encoding` added.
    ///
    /// The roots are the classes of outputs, side effects and nodes nobody consumes (dead
    /// code is kept, as the reference keeps it), and the child classes of a pinned node
    /// whose class another node represents (it is then kept as it was).
    ///
    /// - Parameters:
    ///   - ownCost: the own cost of each e-node (finite for every live one; `.infinity`
    ///     never chosen).
    ///   - absorbed: for fused e-nodes, the producer classes each absorbs (any ids).
    init(storage: ENodeStorage, encoding: GraphEncoding, ownCost: [Double],
         absorbed: AbsorbedProducers = AbsorbedProducers(), maxPasses: Int = 8)
    {
        let count = storage.count

        // The absorbed e-node ids of each e-node from the lowest recorded one on (the fused
        // e-nodes), flat (CSR; canonicalised by the solver). A node's last record holds its
        // count; an earlier record of another length is skipped, one of the same length is
        // overwritten by the later one (the last record wins).
        var absorbedBase = count
        absorbed.forEach { node, _ in absorbedBase = min(absorbedBase, Int(node)) }
        var absorbedStart = [UInt32](repeating: 0, count: count - absorbedBase + 1)
        var absorbedList: [UInt32] = []
        if !absorbed.isEmpty {
            absorbed.forEach { node, classes in
                if Int(node) < count { absorbedStart[Int(node) - absorbedBase + 1] = UInt32(classes.count) }
            }
            for i in 0..<(count - absorbedBase) { absorbedStart[i + 1] += absorbedStart[i] }
            absorbedList = [UInt32](repeating: 0, count: Int(absorbedStart[count - absorbedBase]))
            absorbed.forEach { node, classes in
                guard Int(node) < count else { return }
                let start = Int(absorbedStart[Int(node) - absorbedBase])
                guard Int(absorbedStart[Int(node) - absorbedBase + 1]) - start == classes.count else { return }
                for (k, c) in classes.enumerated() { absorbedList[start + k] = c }
            }
        }

        var solver = Solver(storage: storage, originalCount: encoding.originalCount)
        ownCost.withUnsafeBufferPointer { ownCost in
            encoding.homeNode.withUnsafeBufferPointer { homeNode in
                solver.classify(ownCost: ownCost, homeNode: homeNode)
            }
            encoding.enodeOf.withUnsafeBufferPointer { enodeOf in
                encoding.pinned.withUnsafeBufferPointer { pinned in
                    encoding.hasConsumer.withUnsafeBufferPointer { hasConsumer in
                        solver.referenceRoots(enodeOf: enodeOf, pinned: pinned, hasConsumer: hasConsumer)
                    }
                }
            }
            absorbedStart.withUnsafeBufferPointer { absorbedStart in
                absorbedList.withUnsafeMutableBufferPointer { absorbedList in
                    solver.improve(ownCost: ownCost, absorbedBase: absorbedBase, absorbedStart: absorbedStart,
                                   absorbedList: absorbedList, maxPasses: maxPasses)
                }
            }
        }
        solver.deallocateScratch()
        canonical = UnsafeBufferPointer(solver.canonical)
        choice = UnsafeBufferPointer(solver.choice)
        references = UnsafeBufferPointer(solver.references)
        children = UnsafeBufferPointer(solver.children)
        homes = UnsafeBufferPointer(solver.homes)
        hasStray = UnsafeBufferPointer(solver.hasStray)
        strayCount = solver.strayCount
        homeless = solver.homeless
        self.ownCost = ownCost
    }

    deinit {
        canonical.deallocate()
        choice.deallocate()
        references.deallocate()
        children.deallocate()
        homes.deallocate()
        hasStray.deallocate()
    }
}

/// The extraction's working state: views of the storage, the result buffers (which the
/// ``FusionExtractor`` keeps), and scratch buffers sized once (ranks, member lists, a DFS
/// stack and the trial's log).
private struct Solver {
    let storage: ENodeStorage
    let originalCount: Int
    let childStart: UnsafeBufferPointer<UInt32>
    // Results.
    let canonical: UnsafeMutableBufferPointer<UInt32>
    let children: UnsafeMutableBufferPointer<UInt32>
    let choice: UnsafeMutableBufferPointer<UInt32>
    let references: UnsafeMutableBufferPointer<UInt32>
    let homes: UnsafeMutableBufferPointer<Int32>
    let hasStray: UnsafeMutableBufferPointer<Bool>
    var strayCount = 0
    /// Per general class: its rank (see ``FusionExtractor`` and ``rank(_:)``).
    let generalRank: UnsafeMutableBufferPointer<Double>
    /// Per class: whether it has a member besides an original root (set by
    /// ``classify(ownCost:homeNode:)``; only such classes have member lists).
    let general: UnsafeMutableBufferPointer<Bool>
    /// The general classes without an input node, ascending.
    var homeless: [UInt32] = []
    /// Per general class: its lowest live member (`.max`: none); per member: the next
    /// member of its class, ascending (`.max`: last).
    let firstMember: UnsafeMutableBufferPointer<UInt32>
    let nextMember: UnsafeMutableBufferPointer<UInt32>
    /// The e-nodes that are not the original root of their class, ascending: rule-built
    /// e-nodes and members merged into another's class.
    let others: UnsafeMutableBufferPointer<UInt32>
    /// General classes with more than one live member.
    var alternatives: [UInt32] = []
    /// DFS stack (each acquire or release pushes at most 1 + E entries).
    let stack: UnsafeMutablePointer<UInt32>
    /// The trial's reference changes: a class id, the top bit set for an acquire (at most
    /// two visits per edge plus the two nodes' children per trial).
    let log: UnsafeMutablePointer<UInt32>

    private static let acquired: UInt32 = 1 << 31

    init(storage: ENodeStorage, originalCount: Int) {
        let count = storage.count, edges = storage.children.count
        self.storage = storage
        self.originalCount = min(originalCount, count)
        childStart = storage.childOffsets
        canonical = .allocate(capacity: count)
        children = .allocate(capacity: edges)
        choice = .allocate(capacity: count)
        references = .allocate(capacity: count)
        references.initialize(repeating: 0)
        homes = .allocate(capacity: count)
        hasStray = .allocate(capacity: count)
        hasStray.initialize(repeating: false)
        generalRank = .allocate(capacity: count)
        general = .allocate(capacity: count)
        general.initialize(repeating: false)
        firstMember = .allocate(capacity: count)
        nextMember = .allocate(capacity: count)
        others = .allocate(capacity: count)
        stack = .allocate(capacity: edges + 2)
        log = .allocate(capacity: 4 * edges + 16)
    }

    /// Frees the scratch buffers (not the results).
    func deallocateScratch() {
        generalRank.deallocate()
        general.deallocate()
        firstMember.deallocate()
        nextMember.deallocate()
        others.deallocate()
        stack.deallocate()
        log.deallocate()
    }

    /// The rank of class `c`: a class that is only its original root ranks at its id.
    @inline(__always)
    func rank(_ c: Int) -> Double { general[c] ? generalRank[c] : Double(c) }

    /// Whether e-node `n` may be chosen for class `c`: finite cost, children ranked below.
    @inline(__always)
    func admissible(_ n: Int, _ c: Int, _ ownCost: UnsafeBufferPointer<Double>) -> Bool {
        guard ownCost[n].isFinite else { return false }
        let r = rank(c)
        for k in Int(childStart[n])..<Int(childStart[n + 1]) where rank(Int(children[k])) >= r {
            return false
        }
        return true
    }

    /// Canonical classes and children; every class's rank, home and choice. Ranks: the
    /// first original e-node of a class, or just above a rule-built node's highest child.
    /// Homes: the lowest input node of a class's original e-nodes (`homeNode`). Choices:
    /// the lowest admissible member, which is the original e-node wherever there is one.
    ///
    /// Every class with a choice is counted as needed here: it references its choice's
    /// children. ``referenceRoots(enodeOf:pinned:hasConsumer:)`` adds the roots and
    /// releases the classes nothing needs.
    mutating func classify(ownCost: UnsafeBufferPointer<Double>, homeNode: UnsafeBufferPointer<Int32>) {
        let count = storage.count, originalCount = self.originalCount
        let childStart = self.childStart, canonical = self.canonical, children = self.children
        let references = self.references, homes = self.homes, choice = self.choice
        @inline(__always) func referenceChildren(of n: Int, _ delta: UInt32) {
            for k in Int(childStart[n])..<Int(childStart[n + 1]) { references[Int(children[k])] &+= delta }
        }
        // Canonical classes, and the e-nodes that are not the original root of their class.
        let links = storage.unionFindLinks, others = self.others
        var otherCount = 0
        for n in 0..<count {
            var root = UInt32(truncatingIfNeeded: n)
            while links[Int(root)] != root { root = links[Int(root)] }
            canonical[n] = root
            if Int(root) != n || n >= originalCount {
                others[otherCount] = UInt32(truncatingIfNeeded: n)
                otherCount += 1
            }
        }
        // Children, canonicalised. Every original root is its class's choice (general classes
        // are revisited below) and counts its children as needed.
        let storageChildren = storage.children
        for n in 0..<originalCount {
            assert(homeNode[n] >= 0, "every original e-node stands for an input node")
            var k = Int(childStart[n])
            let end = Int(childStart[n + 1])
            if Int(canonical[n]) == n && storage.isLive(n) && ownCost[n].isFinite {
                choice[n] = UInt32(truncatingIfNeeded: n)
                while k < end {
                    let child = canonical[Int(storageChildren[k])]
                    children[k] = child
                    references[Int(child)] &+= 1
                    k += 1
                }
            } else {
                choice[n] = .max
                while k < end {
                    children[k] = canonical[Int(storageChildren[k])]
                    k += 1
                }
            }
        }
        for k in Int(childStart[originalCount])..<storageChildren.count {
            children[k] = canonical[Int(storageChildren[k])]
        }
        if count > originalCount { choice.extracting(originalCount...).initialize(repeating: .max) }
        // (Homes are read for class ids only.)
        _ = homes.initialize(from: homeNode.prefix(originalCount))
        if count > originalCount { homes.extracting(originalCount...).initialize(repeating: -1) }

        // The other e-nodes: general classes, their ranks and homes, member lists (ascending).
        let general = self.general, generalRank = self.generalRank
        let firstMember = self.firstMember, nextMember = self.nextMember
        var generalClasses: [UInt32] = []
        for i in 0..<otherCount {
            let n = Int(others[i]), c = Int(canonical[n])
            if !general[c] {
                general[c] = true
                generalClasses.append(UInt32(truncatingIfNeeded: c))
                generalRank[c] = c < originalCount ? Double(c) : .infinity
                firstMember[c] = storage.isLive(c) ? UInt32(truncatingIfNeeded: c) : .max
                nextMember[c] = .max
            }
            if n < originalCount {
                generalRank[c] = min(generalRank[c], Double(n))
                let home = homeNode[n]
                if home >= 0 && (homes[c] < 0 || homes[c] > home) { homes[c] = home }
            }
            guard n != c, storage.isLive(n) else { continue }
            let member = UInt32(truncatingIfNeeded: n)
            if firstMember[c] == .max || firstMember[c] > member {
                nextMember[n] = firstMember[c]
                firstMember[c] = member
            } else {
                var m = Int(firstMember[c])
                while nextMember[m] != .max && nextMember[m] < member { m = Int(nextMember[m]) }
                nextMember[n] = nextMember[m]
                nextMember[m] = member
            }
        }
        // Rule-built e-nodes (the others from `originalCount` on) rank the classes without
        // an original e-node, in id order.
        var firstBuilt = otherCount
        while firstBuilt > 0 && Int(others[firstBuilt - 1]) >= originalCount { firstBuilt -= 1 }
        if firstBuilt < otherCount {
            let withOriginal = UnsafeMutableBufferPointer<Bool>.allocate(capacity: otherCount - firstBuilt)
            for i in firstBuilt..<otherCount {
                withOriginal[i - firstBuilt] = generalRank[Int(canonical[Int(others[i])])].isFinite
            }
            for i in firstBuilt..<otherCount where !withOriginal[i - firstBuilt] {
                let n = Int(others[i])
                guard storage.isLive(n) else { continue }
                var highest = -1.0
                for k in Int(childStart[n])..<Int(childStart[n + 1]) {
                    highest = max(highest, rank(Int(children[k])))
                }
                let c = Int(canonical[n])
                generalRank[c] = min(generalRank[c], highest + 1.0 / 1024)
            }
            withOriginal.deallocate()
        }

        // The general classes' choices (the first pass counted a general class's original
        // root as its choice); those with several members are the ones to improve.
        // An original e-node that ranks its class has only lower-ranked children (the input
        // was added in topological order, children first), so only its cost is checked.
        for c32 in generalClasses {
            let c = Int(c32)
            if homes[c] < 0 { homeless.append(c32) }
            guard firstMember[c] != .max else { continue }
            let counted = choice[c]
            var m = firstMember[c]
            while m != .max {
                let n = Int(m)
                let ranksClass = n < originalCount && generalRank[c] == Double(n)
                assert(!ranksClass || !ownCost[n].isFinite || admissible(n, c, ownCost), "input e-nodes in topological order")
                if ranksClass ? ownCost[n].isFinite : admissible(n, c, ownCost) { break }
                m = nextMember[n]
            }
            if m != counted {
                if counted != .max { referenceChildren(of: Int(counted), 0 &- 1) }
                if m != .max { referenceChildren(of: Int(m), 1) }
                choice[c] = m
            }
            if nextMember[Int(firstMember[c])] != .max { alternatives.append(c32) }
        }
        homeless.sort()
    }

    /// Completes the references of the starting selection: one pass over the input nodes
    /// references the roots (see ``FusionExtractor``) and flags the classes with an input
    /// node away from their home; then every class nothing needs releases its choice's
    /// children (which may in turn be needed by nothing).
    mutating func referenceRoots(enodeOf: UnsafeBufferPointer<UInt32>, pinned: UnsafeBufferPointer<Bool>,
                                 hasConsumer: UnsafeBufferPointer<Bool>)
    {
        let canonical = self.canonical, homes = self.homes, hasStray = self.hasStray
        let references = self.references, children = self.children, childStart = self.childStart
        for index in 0..<enodeOf.count where enodeOf[index] != .max {
            let e = Int(enodeOf[index])
            let c = Int(canonical[e])
            let atHome = homes[c] == Int32(truncatingIfNeeded: index)
            if !atHome {
                hasStray[c] = true
                strayCount += 1
            }
            guard pinned[index] || !hasConsumer[index] else { continue }
            references[c] &+= 1
            if pinned[index] && !atHome {
                for k in Int(childStart[e])..<Int(childStart[e + 1]) { references[Int(children[k])] &+= 1 }
            }
        }

        // The selection is acyclic, so releasing the unneeded classes (reference counting)
        // leaves exactly the classes the roots reach. A class the scan has passed is
        // released when it drops to 0; one ahead is left to the scan.
        let choice = self.choice, stack = self.stack
        for c in 0..<storage.count where references[c] == 0 && choice[c] != .max {
            var top = 1
            stack[0] = UInt32(truncatingIfNeeded: c)
            while top > 0 {
                top -= 1
                let n = Int(choice[Int(stack[top])])
                for k in Int(childStart[n])..<Int(childStart[n + 1]) {
                    let child = Int(children[k])
                    references[child] &-= 1
                    if references[child] == 0 && child < c && choice[child] != .max {
                        stack[top] = UInt32(truncatingIfNeeded: child)
                        top += 1
                    }
                }
            }
        }
    }

    /// The improvement passes, from the roots down (highest rank first).
    mutating func improve(ownCost: UnsafeBufferPointer<Double>, absorbedBase: Int,
                          absorbedStart: UnsafeBufferPointer<UInt32>, absorbedList: UnsafeMutableBufferPointer<UInt32>,
                          maxPasses: Int)
    {
        guard !alternatives.isEmpty else { return }
        for k in absorbedList.indices { absorbedList[k] = canonical[Int(absorbedList[k])] }
        let absorbed = Absorbed(base: absorbedBase, start: absorbedStart, list: UnsafeBufferPointer(absorbedList),
                                count: .allocate(capacity: storage.count))
        absorbed.count.initialize(repeating: 0)
        defer { absorbed.count.deallocate() }
        // (Usually already in order, backwards: rules build fused e-nodes class by class.)
        let rank = self.generalRank
        alternatives.reverse()
        let before = { (a: UInt32, b: UInt32) in rank[Int(a)] > rank[Int(b)] || (rank[Int(a)] == rank[Int(b)] && a < b) }
        if !zip(alternatives, alternatives.dropFirst()).allSatisfy({ before($0, $1) }) { alternatives.sort(by: before) }
        let alternatives = self.alternatives
        for _ in 0..<maxPasses {
            var switched = false
            for c32 in alternatives {
                let c = Int(c32)
                guard references[c] > 0 else { continue }
                var m = firstMember[c]
                while m != .max {
                    let n = Int(m)
                    m = nextMember[n]
                    guard n != Int(choice[c]), admissible(n, c, ownCost) else { continue }
                    if trySwitch(c, to: n, ownCost, absorbed) { switched = true }
                }
            }
            if !switched { break }
        }
    }

    /// The absorbed classes of each e-node from `base` on (CSR) and how many selected
    /// fused e-nodes absorb each class.
    struct Absorbed {
        let base: Int
        let start: UnsafeBufferPointer<UInt32>
        let list: UnsafeBufferPointer<UInt32>
        let count: UnsafeMutableBufferPointer<UInt32>

        /// The positions in `list` of e-node `n`'s absorbed classes.
        @inline(__always)
        func range(of n: Int) -> Range<Int> {
            n < base ? 0..<0 : Int(start[n - base])..<Int(start[n - base + 1])
        }
    }

    /// Adds a reference to `c` (logged); a class that becomes needed adds its choice's
    /// cost and references its children. Returns the cost added.
    @inline(__always)
    private func acquire(_ c: UInt32, _ ownCost: UnsafeBufferPointer<Double>, logCount: inout Int) -> Double {
        var added = 0.0
        var top = 1
        stack[0] = c
        while top > 0 {
            top -= 1
            let k = Int(stack[top])
            references[k] += 1
            log[logCount] = UInt32(truncatingIfNeeded: k) | Self.acquired
            logCount &+= 1
            guard references[k] == 1 else { continue }
            let n = Int(choice[k])
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
    private func release(_ c: UInt32, _ ownCost: UnsafeBufferPointer<Double>, logCount: inout Int) -> Double {
        var freed = 0.0
        var top = 1
        stack[0] = c
        while top > 0 {
            top -= 1
            let k = Int(stack[top])
            references[k] -= 1
            log[logCount] = UInt32(truncatingIfNeeded: k)
            logCount &+= 1
            guard references[k] == 0 else { continue }
            let n = Int(choice[k])
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
    private func keepsAbsorbedUnneeded(replacing current: Int, with n: Int, _ absorbed: Absorbed, logCount: Int) -> Bool {
        let gone = absorbed.range(of: current), new = absorbed.range(of: n)
        for k in gone { absorbed.count[Int(absorbed.list[k])] -= 1 }
        for k in new { absorbed.count[Int(absorbed.list[k])] += 1 }
        var ok = new.allSatisfy { references[Int(absorbed.list[$0])] == 0 }
        if ok {
            for i in 0..<logCount where log[i] & Self.acquired != 0 {
                let k = Int(log[i] & ~Self.acquired)
                if absorbed.count[k] > 0 && references[k] > 0 {
                    ok = false
                    break
                }
            }
        }
        if !ok {
            for k in new { absorbed.count[Int(absorbed.list[k])] -= 1 }
            for k in gone { absorbed.count[Int(absorbed.list[k])] += 1 }
        }
        return ok
    }

    /// Switches class `c` to e-node `n` if that lowers the total strictly.
    private func trySwitch(_ c: Int, to n: Int, _ ownCost: UnsafeBufferPointer<Double>, _ absorbed: Absorbed) -> Bool {
        let current = Int(choice[c])
        var logCount = 0
        var added = 0.0, freed = 0.0
        // Acquire first, so that children both nodes share are never released.
        for i in Int(childStart[n])..<Int(childStart[n + 1]) { added += acquire(children[i], ownCost, logCount: &logCount) }
        for i in Int(childStart[current])..<Int(childStart[current + 1]) {
            freed += release(children[i], ownCost, logCount: &logCount)
        }
        let delta = ownCost[n] - ownCost[current] + added - freed
        let scale = ownCost[n] + ownCost[current] + added + freed
        if delta < 0, -delta > scale * 1e-9,
           keepsAbsorbedUnneeded(replacing: current, with: n, absorbed, logCount: logCount)
        {
            choice[c] = UInt32(truncatingIfNeeded: n)
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
