import Testing
@testable import EGraphKit

@Suite("Checkpoint and rollback")
struct CheckpointTests {
    func randomGraph(_ g: EGraph, _ rng: inout SeededGenerator, nodes: Int) throws -> [EClassID] {
        var ids: [EClassID] = []
        for i in 0..<nodes {
            let op = UInt32.random(in: 0..<6, using: &rng)
            let arity = i < 4 ? 0 : Int(op % 3)
            let kids = (0..<arity).map { _ in ids[Int.random(in: 0..<ids.count, using: &rng)] }
            ids.append(try g.add(op: op, payload: arity == 0 ? UInt64.random(in: 0..<5, using: &rng) : 0,
                                 children: kids))
        }
        return ids
    }

    @Test("rollback restores counts, partition and invariants", arguments: 0..<20)
    func rollbackRestores(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let g = EGraph()
        var ids = try randomGraph(g, &rng, nodes: 300)
        for _ in 0..<30 {
            try g.union(ids.randomElement(using: &rng)!, ids.randomElement(using: &rng)!)
        }
        try g.rebuild()
        for _ in 0..<5 {   // a few unions pending at checkpoint time
            try g.union(ids.randomElement(using: &rng)!, ids.randomElement(using: &rng)!)
        }
        try g.setIteration(1)
        let before = try g.snapshot()
        let opNodesBefore = (0..<6).map { g.nodes(ofOperator: UInt32($0)) }
        let firstNew = g.firstNode(ofIteration: 1)
        g.checkpoint()
        #expect(g.hasCheckpoint)
        // Interleave adds (some on merged classes) and unions.
        for step in 0..<200 {
            if step % 3 == 0 {
                try g.union(ids.randomElement(using: &rng)!, ids.randomElement(using: &rng)!)
            } else {
                let op = UInt32.random(in: 0..<6, using: &rng)
                let kids = (0..<Int(op % 3)).map { _ in ids.randomElement(using: &rng)! }
                ids.append(try g.add(op: op, payload: 7, children: kids))
            }
        }
        try g.checkInvariants()
        #expect(g.totalNodeCount > before.total)
        try g.rollback()
        try g.checkInvariants()
        #expect(try g.snapshot() == before)
        #expect((0..<6).map { g.nodes(ofOperator: UInt32($0)) } == opNodesBefore)
        #expect(g.firstNode(ofIteration: 1) == firstNew)
        // The graph works normally afterwards, and a second rollback is a no-op.
        try g.rollback()
        #expect(try g.snapshot() == before)
        g.discardCheckpoint()
        ids = Array(ids.prefix(before.total))
        try g.union(ids[0], ids[1])
        try g.rebuild()
        try g.checkInvariants()
    }

    @Test func rebuildDiscardsTheCheckpoint() throws {
        let g = EGraph()
        let a = try g.add(op: 0), b = try g.add(op: 0, payload: 1)
        g.checkpoint()
        try g.union(a, b)
        try g.rebuild()
        #expect(!g.hasCheckpoint)
        #expect(throws: EGraphError.invalidState("rollback without an active checkpoint")) {
            try g.rollback()
        }
        #expect(try g.find(a) == g.find(b))
    }

    @Test func rollbackTruncatesTheMergeLog() throws {
        let g = EGraph()
        let a = try g.add(op: 0), b = try g.add(op: 0, payload: 1), c = try g.add(op: 0, payload: 2)
        try g.union(a, b)
        g.checkpoint()
        try g.union(a, c)
        #expect(g.pendingMerges.count == 2)
        try g.rollback()
        #expect(g.pendingMerges == [EClassMerge(absorbed: b, survivor: a)])
        #expect(try g.find(c) == c)
        #expect(g.classCount == 2)
    }
}
