import Testing
@testable import EGraphKit

@Suite("EGraph basics")
struct EGraphTests {
    @Test func emptyGraph() throws {
        let g = EGraph()
        #expect(g.nodeCount == 0)
        #expect(g.totalNodeCount == 0)
        #expect(g.classCount == 0)
        #expect(g.classIDs.isEmpty)
        #expect(try g.classIndex().classIDs.isEmpty)
        #expect(try g.rebuild() == RebuildSummary(congruentMerges: 0, merges: []))
        try g.checkInvariants()
        var visited = 0
        g.forEachClass { _ in visited += 1 }
        #expect(visited == 0)
        #expect(g.nodes(ofOperator: 0).isEmpty)
        #expect(g.memoryStats.currentBytes > 0)
    }

    @Test func addIsHashConsed() throws {
        let g = EGraph()
        let a = try g.add(op: 0, payload: 1)
        let b = try g.add(op: 0, payload: 2)
        #expect(a != b)
        #expect(try g.add(op: 0, payload: 1) == a)
        let f = try g.add(op: 1, children: [a, b])
        #expect(try g.add(ENode(op: 1, children: [a, b])) == f)
        #expect(try g.add(op: 1, children: [b, a]) != f)
        #expect(g.nodeCount == 4)
        #expect(try g.lookup(ENode(op: 1, children: [a, b])) == f)
        #expect(try g.lookup(ENode(op: 1, payload: 9, children: [a, b])) == nil)
        #expect(try g.node(f) == ENode(op: 1, children: [a, b]))
        try g.checkInvariants()
    }

    @Test func congruenceAfterRebuild() throws {
        let g = EGraph()
        let a = try g.add(op: 0, payload: 1)
        let b = try g.add(op: 0, payload: 2)
        let fa = try g.add(op: 1, children: [a])
        let fb = try g.add(op: 1, children: [b])
        let gfa = try g.add(op: 2, children: [fa])
        let gfb = try g.add(op: 2, children: [fb])
        #expect(try g.union(a, b))
        #expect(try !g.union(b, a))
        #expect(g.pendingUnionCount == 1)
        try g.checkInvariants()
        #expect(try g.find(fa) != g.find(fb))
        let summary = try g.rebuild()
        try g.checkInvariants()
        #expect(summary.congruentMerges == 2)
        #expect(summary.merges.count == 3)
        #expect(summary.merges[0] == EClassMerge(absorbed: b, survivor: a))
        #expect(try g.find(fa) == g.find(fb))
        #expect(try g.find(gfa) == g.find(gfb))
        #expect(g.classCount == 3)
        #expect(g.nodeCount == 4)
        #expect(g.totalNodeCount == 6)
        #expect(try g.members(of: b) == [a, b])
        #expect(try g.members(of: fb) == [fa])
        #expect(try g.isLive(fa) && !g.isLive(fb))
        #expect(try g.parents(of: a) == [fa])
        #expect(g.nodes(ofOperator: 1) == [fa])
        #expect(g.pendingMerges.isEmpty)
    }

    @Test func unionPolicyKeepsTheOlderClass() throws {
        let g = EGraph()
        let a = try g.add(op: 0, payload: 1)
        let b = try g.add(op: 0, payload: 2)
        _ = try g.add(op: 1, children: [b])
        try g.union(b, a)
        #expect(try g.find(b) == a)
        #expect(g.pendingMerges == [EClassMerge(absorbed: b, survivor: a)])
        let c = try g.add(op: 0, payload: 3)
        try g.union(c, b)
        #expect(try g.find(c) == a)
    }

    @Test func badIdsAreErrors() throws {
        let g = EGraph()
        #expect(throws: EGraphError.unknownID(0)) { try g.find(EClassID(0)) }
        let a = try g.add(op: 0)
        #expect(throws: EGraphError.unknownID(7)) { try g.add(op: 1, children: [a, EClassID(7)]) }
        #expect(throws: EGraphError.unknownID(5)) { try g.union(a, EClassID(5)) }
        #expect(throws: EGraphError.unknownID(5)) { try g.members(of: EClassID(5)) }
        #expect(throws: EGraphError.unknownID(5)) { try g.parents(of: EClassID(5)) }
        #expect(throws: EGraphError.unknownID(5)) { try g.node(EClassID(5)) }
        #expect(throws: EGraphError.unknownID(5)) { try g.isLive(EClassID(5)) }
        #expect(throws: EGraphError.unknownID(5)) { try g.iteration(of: EClassID(5)) }
        #expect(throws: EGraphError.unknownID(UInt32.max)) { try g.find([a, EClassID(UInt32.max)]) }
        #expect(throws: EGraphError.unknownID(9)) { try g.lookup(ENode(op: 1, children: [EClassID(9)])) }
        #expect(throws: EGraphError.invalidBatchEntry(index: 1, reason: "unknown id in pair")) {
            try g.union(pairs: [(a, a), (a, EClassID(3))])
        }
        #expect(throws: EGraphError.self) { try g.add(op: 1 << 24) }
        #expect(throws: EGraphError.self) { try g.rollback() }
        try g.setIteration(3)
        #expect(throws: EGraphError.self) { try g.setIteration(2) }
        // Nothing above changed the graph.
        #expect(g.nodeCount == 1)
        #expect(g.classCount == 1)
        try g.checkInvariants()
    }

    @Test func batchAddMatchesSingleAdds() throws {
        let single = EGraph(), batched = EGraph()
        var rng = SeededGenerator(seed: 11)
        var batch = ENodeBatch()
        var expected: [EClassID] = []
        for i in 0..<500 {
            let arity = i < 5 ? 0 : Int.random(in: 0...3, using: &rng)
            let op = UInt32(arity * 2 + Int.random(in: 0...1, using: &rng))
            let payload = UInt64.random(in: 0..<4, using: &rng)
            var kids: [Int] = []
            for _ in 0..<arity { kids.append(Int.random(in: 0..<i, using: &rng)) }
            expected.append(try single.add(op: op, payload: payload, children: kids.map { expected[$0] }))
            batch.append(op: op, payload: payload, children: kids.map { .entry($0) })
        }
        let ids = try batched.add(batch)
        #expect(ids == expected)
        #expect(batched.nodeCount == single.nodeCount)
        try batched.checkInvariants()

        var bad = ENodeBatch()
        bad.append(op: 0)
        bad.append(op: 1, children: [.entry(2)])
        bad.append(op: 2)
        #expect(throws: EGraphError.invalidBatchEntry(index: 1, reason: "a child is an unknown id or a later entry")) {
            try batched.add(bad)
        }
        var unknown = ENodeBatch()
        unknown.append(op: 1, children: [.existing(EClassID(1 << 31))])
        #expect(throws: EGraphError.self) { try batched.add(unknown) }
        #expect(batched.totalNodeCount == single.totalNodeCount)
    }

    @Test func iterationStamps() throws {
        let g = EGraph()
        let a = try g.add(op: 0)
        try g.setIteration(2)
        let b = try g.add(op: 0, payload: 1)
        let c = try g.add(op: 1, children: [a, b])
        try g.setIteration(5)
        #expect(try g.iteration(of: a) == 0)
        #expect(try g.iteration(of: c) == 2)
        #expect(g.firstNode(ofIteration: 0) == a)
        #expect(g.firstNode(ofIteration: 1) == b)
        #expect(g.firstNode(ofIteration: 3) == EClassID(3))
        let d = try g.add(op: 2)
        #expect(g.firstNode(ofIteration: 3) == d)
        #expect(try g.iteration(of: d) == 5)
    }

    @Test func storageViewMatchesNodes() throws {
        let g = EGraph()
        let a = try g.add(op: 0, payload: 42)
        let b = try g.add(op: 0, payload: 43)
        let f = try g.add(op: 3, children: [a, b])
        try g.union(a, b)
        try g.rebuild()
        g.withNodeStorage { s in
            #expect(s.count == 3)
            #expect(Array(s.ops) == [0, 0, 3])
            #expect(Array(s.payloads) == [42, 43, 0])
            #expect(Array(s.children(of: Int(f.rawValue))) == [0, 0])
            #expect(s.isLive(0) && s.isLive(1) && s.isLive(2))
            #expect(s.unionFindLinks[1] == 0)
            #expect(s.unionFindLinks[0] == 0)
        }
    }

    @Test func classViewsAgree() throws {
        var rng = SeededGenerator(seed: 5)
        let g = EGraph()
        var ids: [EClassID] = []
        for i in 0..<400 {
            let op = UInt32.random(in: 0..<5, using: &rng)
            let arity = i < 3 ? 0 : Int(op % 3)
            let kids = (0..<arity).map { _ in ids.randomElement(using: &rng)! }
            ids.append(try g.add(op: op, payload: arity == 0 ? UInt64(i % 7) : 0, children: kids))
        }
        for _ in 0..<60 { try g.union(ids.randomElement(using: &rng)!, ids.randomElement(using: &rng)!) }
        try g.rebuild()
        let index = try g.classIndex()
        var visited: [EClassID] = []
        g.forEachClass { visited.append($0) }
        #expect(visited == index.classIDs)
        #expect(g.classIDs == index.classIDs)
        #expect(index.classIDs == index.classIDs.sorted())
        var seen = 0
        for k in index.classIDs.indices {
            let c = index.classIDs[k]
            #expect(try g.find(c) == c)
            #expect(Array(index.nodes(ofClassAt: k)) == (try g.members(of: c)))
            for node in index.nodes(ofClassAt: k) {
                #expect(try g.find(node) == c)
                #expect(try g.isLive(node))
                // Every child class of a member lists the member among its parents.
                for child in try g.node(node).children {
                    #expect(try g.parents(of: child).contains(node))
                }
            }
            seen += index.nodes(ofClassAt: k).count
        }
        #expect(seen == g.nodeCount)
        // The operator index holds exactly the live nodes of each operator.
        for op in 0..<g.operatorBound {
            let expected = index.nodes.filter { (try? g.node($0).op) == op }.sorted()
            #expect(g.nodes(ofOperator: op) == expected)
        }
    }

    @Test func memoryAccounting() throws {
        let g = EGraph()
        let empty = g.memoryStats
        var batch = ENodeBatch()
        for i in 0..<10_000 { batch.append(op: 0, payload: UInt64(i)) }
        _ = try g.add(batch)
        let full = g.memoryStats
        // At least the node arrays: op (4), payload (8), offsets, links: > 20 bytes a node.
        #expect(full.currentBytes > empty.currentBytes + 20 * 10_000)
        #expect(full.peakBytes >= full.currentBytes)
        g.resetPeakMemory()
        #expect(g.memoryStats.peakBytes == g.memoryStats.currentBytes)
    }

    @Test func allocatorMatchesTheTrait() {
        #if Jemalloc
        #expect(EGraph.allocatorName == "jemalloc")
        #else
        #expect(EGraph.allocatorName == "system")
        #endif
    }
}
