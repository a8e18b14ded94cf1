/// A binary min-heap of (cost, node) pairs ordered by cost, then node id: the lower id
/// wins a tie, which makes extraction deterministic.
struct CostHeap {
    private var costs: [Double] = []
    private var nodes: [UInt32] = []

    var isEmpty: Bool { costs.isEmpty }

    init(reservingCapacity capacity: Int = 0) {
        costs.reserveCapacity(capacity)
        nodes.reserveCapacity(capacity)
    }

    @inline(__always)
    private func less(_ i: Int, _ j: Int) -> Bool {
        costs[i] < costs[j] || (costs[i] == costs[j] && nodes[i] < nodes[j])
    }

    /// - Complexity: O(log n).
    mutating func push(_ cost: Double, _ node: UInt32) {
        costs.append(cost)
        nodes.append(node)
        var i = costs.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            costs.swapAt(i, parent)
            nodes.swapAt(i, parent)
            i = parent
        }
    }

    /// - Complexity: O(log n).
    mutating func pop() -> (cost: Double, node: UInt32)? {
        guard let topCost = costs.first else { return nil }
        let topNode = nodes[0]
        let lastCost = costs.removeLast()
        let lastNode = nodes.removeLast()
        if !costs.isEmpty {
            costs[0] = lastCost
            nodes[0] = lastNode
            var i = 0
            let count = costs.count
            while true {
                let l = 2 * i + 1
                if l >= count { break }
                var m = l
                if l + 1 < count, less(l + 1, l) { m = l + 1 }
                guard less(m, i) else { break }
                costs.swapAt(i, m)
                nodes.swapAt(i, m)
                i = m
            }
        }
        return (topCost, topNode)
    }
}
