@testable import EGraphKit

/// A small deterministic generator (SplitMix64) so random tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A naive congruence-closure reference over terms: each term is (op, payload, children
/// given as earlier terms). Equivalence is the smallest congruence containing the explicit
/// unions, computed by repeating a quadratic pass until nothing changes.
struct NaiveCongruence {
    struct Term { var op: UInt32; var payload: UInt64; var children: [Int] }
    var terms: [Term] = []
    var parent: [Int] = []
    var unions: [(Int, Int)] = []

    mutating func add(op: UInt32, payload: UInt64, children: [Int]) -> Int {
        terms.append(Term(op: op, payload: payload, children: children))
        parent.append(parent.count)
        return terms.count - 1
    }

    mutating func union(_ a: Int, _ b: Int) { unions.append((a, b)) }

    func root(_ x: Int, _ p: [Int]) -> Int {
        var x = x
        while p[x] != x { x = p[x] }
        return x
    }

    /// The class representative of every term.
    func closure() -> [Int] {
        var p = Array(0..<terms.count)
        func join(_ a: Int, _ b: Int) -> Bool {
            let ra = root(a, p), rb = root(b, p)
            if ra == rb { return false }
            p[max(ra, rb)] = min(ra, rb)
            return true
        }
        for (a, b) in unions { _ = join(a, b) }
        var changed = true
        while changed {
            changed = false
            // Group terms by their key under the current classes.
            var seen: [Key: Int] = [:]
            for (i, t) in terms.enumerated() {
                let key = Key(op: t.op, payload: t.payload, children: t.children.map { root($0, p) })
                if let j = seen[key] {
                    if join(i, j) { changed = true }
                } else {
                    seen[key] = i
                }
            }
        }
        return (0..<terms.count).map { root($0, p) }
    }

    /// Number of distinct e-nodes (keys over classes) after closure.
    func canonicalNodeCount(_ classes: [Int]) -> Int {
        Set(terms.map { t in Key(op: t.op, payload: t.payload, children: t.children.map { classes[$0] }) }).count
    }

    struct Key: Hashable { var op: UInt32; var payload: UInt64; var children: [Int] }
}

extension EGraph {
    /// A structural fingerprint for comparing states: the class index and counts.
    func snapshot() throws -> Snapshot {
        let index = try classIndex()
        return Snapshot(nodes: nodeCount, total: totalNodeCount, classes: classCount,
                        classIDs: index.classIDs, offsets: index.offsets, members: index.nodes,
                        pending: pendingUnionCount, merges: pendingMerges)
    }

    struct Snapshot: Equatable {
        var nodes: Int, total: Int, classes: Int
        var classIDs: [EClassID], offsets: [Int], members: [EClassID]
        var pending: Int
        var merges: [EClassMerge]
    }
}
