import Testing
@testable import EGraphKit

/// The core's congruence closure against a naive reference on random add/union sequences.
@Suite("Congruence closure against a naive reference")
struct CongruenceTests {
    /// Runs one random sequence: adds and unions interleaved, with rebuilds in between;
    /// after every rebuild the partition of all added terms must match the reference.
    func runSequence(seed: UInt64, steps: Int, ops: UInt32, payloads: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let g = EGraph()
        var ref = NaiveCongruence()
        var ids: [EClassID] = []       // class returned for each term
        for step in 0..<steps {
            let roll = Int.random(in: 0..<10, using: &rng)
            if ids.count < 3 || roll < 6 {
                let op = UInt32.random(in: 0..<ops, using: &rng)
                let arity = ids.isEmpty ? 0 : Int(op % 3)
                let payload = arity == 0 ? UInt64.random(in: 0..<payloads, using: &rng) : 0
                let kids = (0..<arity).map { _ in Int.random(in: 0..<ids.count, using: &rng) }
                ids.append(try g.add(op: op, payload: payload, children: kids.map { ids[$0] }))
                _ = ref.add(op: op, payload: payload, children: kids)
            } else if roll < 9 {
                let a = Int.random(in: 0..<ids.count, using: &rng)
                let b = Int.random(in: 0..<ids.count, using: &rng)
                try g.union(ids[a], ids[b])
                ref.union(a, b)
            }
            if roll == 9 || step == steps - 1 {
                try g.checkInvariants()   // structural invariants hold before a rebuild too
                let summary = try g.rebuild()
                try g.checkInvariants()
                try compare(g, ref, ids, seed: seed)
                // Replaying the merges over the previous partition gives the new one.
                for m in summary.merges {
                    #expect(try g.find(m.absorbed) == g.find(m.survivor))
                }
            }
        }
    }

    func compare(_ g: EGraph, _ ref: NaiveCongruence, _ ids: [EClassID], seed: UInt64) throws {
        let classes = ref.closure()
        let found = try g.find(ids)
        // Same partition: map reference representative -> core class must be a bijection.
        var refToCore: [Int: EClassID] = [:]
        var coreToRef: [EClassID: Int] = [:]
        for i in 0..<ids.count {
            let r = classes[i], c = found[i]
            if let seen = refToCore[r] {
                #expect(seen == c, "seed \(seed): term \(i) split from its reference class")
            } else {
                refToCore[r] = c
            }
            if let seen = coreToRef[c] {
                #expect(seen == r, "seed \(seed): term \(i) merged with a term of another class")
            } else {
                coreToRef[c] = r
            }
        }
        // Every class of the graph holds an added term, so the counts agree exactly.
        #expect(g.classCount == Set(classes).count, "seed \(seed)")
        #expect(g.nodeCount == ref.canonicalNodeCount(classes), "seed \(seed)")
    }

    @Test("small alphabets, many merges", arguments: 0..<4)
    func smallAlphabet(chunk: Int) throws {
        for s in 0..<500 {
            try runSequence(seed: UInt64(chunk * 1000 + s), steps: 40, ops: 4, payloads: 3)
        }
    }

    @Test("larger sequences", arguments: 0..<2)
    func largerSequences(chunk: Int) throws {
        for s in 0..<100 {
            try runSequence(seed: UInt64(10_000 + chunk * 1000 + s), steps: 200, ops: 6, payloads: 8)
        }
    }

    /// A congruence found late in a scan that makes earlier nodes congruent: the rebuild
    /// must scan again.
    @Test func congruencePropagatingToOlderNodes() throws {
        let g = EGraph()
        let a = try g.add(op: 0, payload: 1), b = try g.add(op: 0, payload: 2)
        let c = try g.add(op: 0, payload: 3), d = try g.add(op: 0, payload: 4)
        let hc = try g.add(op: 2, children: [c])   // older than the nodes that merge c and d
        let hd = try g.add(op: 2, children: [d])
        let ga = try g.add(op: 1, children: [a]), gb = try g.add(op: 1, children: [b])
        try g.union(c, ga)
        try g.union(d, gb)
        try g.union(a, b)
        let summary = try g.rebuild()
        try g.checkInvariants()
        #expect(summary.congruentMerges == 2)   // g(a) = g(b), then h(c) = h(d)
        #expect(try g.find(hc) == g.find(hd))
        #expect(try g.find(c) == g.find(d))
        #expect(g.classCount == 3)
    }

    /// Rebuilds that re-canonicalise the same nodes again and again (without adds in
    /// between) must not fill the hashcons with tombstones.
    @Test func repeatedRepairsKeepTheHashconsLoadBounded() throws {
        let g = EGraph()
        let n = 2000
        let l = try (0..<n).map { try g.add(op: 0, payload: UInt64($0)) }
        let m = try (0..<n).map { try g.add(op: 1, payload: UInt64($0)) }
        let h = try (0..<n).map { try g.add(op: 2, children: [l[$0], m[$0]]) }
        var step = 1
        while step < n {
            var i = 0
            while i + step < n {
                try g.union(l[i + step], l[i])
                i += 2 * step
            }
            try g.rebuild()
            try g.checkInvariants()
            step *= 2
        }
        #expect(g.nodeCount == 3 * n)          // every h(l_i, m_i) stays distinct
        #expect(try g.find(h[n - 1]) == h[n - 1])
        #expect(try g.node(h[n - 1]).children == [l[0], m[n - 1]])
    }

    /// Long congruence chains: f^k(a) and f^k(b) become equal after one union.
    @Test func deepChains() throws {
        let g = EGraph()
        var x = try g.add(op: 0, payload: 1), y = try g.add(op: 0, payload: 2)
        let a = x, b = y
        for _ in 0..<2000 {
            x = try g.add(op: 1, children: [x])
            y = try g.add(op: 1, children: [y])
        }
        try g.union(a, b)
        let summary = try g.rebuild()
        try g.checkInvariants()
        #expect(summary.congruentMerges == 2000)
        #expect(try g.find(x) == g.find(y))
        #expect(g.classCount == 2001)
        #expect(g.nodeCount == 2002)
    }
}
