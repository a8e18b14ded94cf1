import Testing
@testable import EGraphKit

@Suite("Large graphs")
struct LargeGraphTests {
    /// 10^6 e-nodes added in one batch, then random unions and a rebuild.
    @Test func millionNodes() throws {
        let n = 1_000_000
        var rng = SeededGenerator(seed: 2024)
        var batch = ENodeBatch()
        batch.reserveCapacity(entries: n, children: 2 * n)
        for i in 0..<n {
            if i < 1000 {
                batch.append(op: 0, payload: UInt64(i))
            } else {
                let a = Int.random(in: 0..<i, using: &rng), b = Int.random(in: 0..<i, using: &rng)
                batch.append(op: 1 + UInt32(i % 4), children: [.entry(a), .entry(b)])
            }
        }
        let g = EGraph()
        let ids = try g.add(batch)
        #expect(g.totalNodeCount == n)
        #expect(g.nodeCount == n)
        #expect(g.classCount == n)
        #expect(ids.last == EClassID(UInt32(n - 1)))
        try g.checkInvariants()
        var pairs: [(EClassID, EClassID)] = []
        for _ in 0..<10_000 {
            pairs.append((EClassID(UInt32.random(in: 0..<1000, using: &rng)),
                          EClassID(UInt32.random(in: 0..<1000, using: &rng))))
        }
        let merged = try g.union(pairs: pairs)
        #expect(merged > 900)
        let summary = try g.rebuild()
        try g.checkInvariants()
        #expect(g.classCount == n - merged - summary.congruentMerges)
        #expect(g.nodeCount <= g.totalNodeCount - summary.congruentMerges)
        let index = try g.classIndex()
        #expect(index.classIDs.count == g.classCount)
        #expect(index.nodes.count == g.nodeCount)
    }
}
