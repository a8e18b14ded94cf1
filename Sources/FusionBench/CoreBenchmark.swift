import ArgumentParser
import EGraphKit
import Foundation

/// `fusion-bench core`: the native e-graph core on its own.
///
/// Measures, on a random DAG of `--nodes` e-nodes (1/8 leaves with a random payload,
/// 1/4 unary, 5/8 binary, children drawn uniformly from earlier nodes):
/// - adds per second, in one batch and one `add` call at a time;
/// - the time of one rebuild after `--unions` random unions of that DAG;
/// - peak bytes per e-node of the core (everything it allocated), cross-checked against
///   the growth of the process's peak resident set;
/// - finds per second on a union-find of `--nodes` elements after `--nodes / 2` random
///   unions, one call at a time and in one batch.
struct CoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Add, find and rebuild throughput and bytes per e-node of the native core."
    )

    @Option(help: "E-nodes in the random DAG and elements in the union-find.")
    var nodes: Int = 1_000_000

    @Option(help: "Random unions before the timed rebuild.")
    var unions: Int = 100_000

    @Option(help: "Passes of random finds over the union-find.")
    var findPasses: Int = 10

    @Option(help: "Seed of the deterministic random generator.")
    var seed: UInt64 = 1

    @Flag(help: "Print one JSON object on one line instead of text.")
    var json = false

    func validate() throws {
        guard nodes >= 1000, nodes < Int(Int32.max) else {
            throw ValidationError("--nodes must be between 1000 and 2^31 - 1")
        }
        guard unions >= 0, findPasses >= 1 else {
            throw ValidationError("--unions must be >= 0 and --find-passes >= 1")
        }
    }

    /// The random DAG as a batch (built before any measurement).
    func randomDAG(_ rng: inout BenchRandom) -> (ENodeBatch, children: Int) {
        var batch = ENodeBatch()
        batch.reserveCapacity(entries: nodes, children: 2 * nodes)
        var children = 0
        for i in 0..<nodes {
            let kind = i < 16 ? 0 : rng.below(8)
            switch kind {
            case 0:
                batch.append(op: 0, payload: rng.next() >> 24)
            case 1, 2:
                batch.append(op: kind, children: [.entry(Int(rng.below(UInt32(i))))])
                children += 1
            default:
                batch.append(op: kind, children: [.entry(Int(rng.below(UInt32(i)))),
                                                  .entry(Int(rng.below(UInt32(i))))])
                children += 2
            }
        }
        return (batch, children)
    }

    func run() throws {
        var out = JSONLine()
        out.add("bench", "core")
        out.add("allocator", EGraph.allocatorName)
        out.add("nodes", nodes)
        var rng = BenchRandom(seed: seed)

        // 1. Batch adds, rebuild and memory, on one graph measured from creation. The RSS
        //    cross-check also sees the batch's result array (4 bytes an entry) and the
        //    allocator's own rounding and retained pages.
        let (batch, childCount) = randomDAG(&rng)
        // Pairs of batch entries, mapped to classes once the batch is in.
        let pairIndexes = (0..<unions).map { _ in (rng.below(UInt32(nodes)), rng.below(UInt32(nodes))) }
        var pairs: [(EClassID, EClassID)] = []
        pairs.reserveCapacity(unions)
        let rssBefore = residentMemory()
        let graph = EGraph()
        let (ids, addSeconds) = try measureSeconds { try graph.add(batch) }
        for (a, b) in pairIndexes { pairs.append((ids[Int(a)], ids[Int(b)])) }
        let afterAdd = graph.memoryStats
        let merged = try graph.union(pairs: pairs)
        let (summary, rebuildSeconds) = try measureSeconds { try graph.rebuild() }
        let memory = graph.memoryStats
        let rssAfter = residentMemory()
        let total = graph.totalNodeCount
        out.add("avg_arity", Double(childCount) / Double(nodes))
        out.add("batch_adds_per_s", Double(nodes) / addSeconds)
        out.add("unions", unions)
        out.add("merged", merged)
        out.add("congruent_merges", summary.congruentMerges)
        out.add("rebuild_ms", rebuildSeconds * 1e3)
        out.add("appended_nodes", total)
        out.add("live_nodes", graph.nodeCount)
        out.add("classes", graph.classCount)
        out.add("bytes_per_node_after_adds", Double(afterAdd.peakBytes) / Double(total))
        out.add("peak_bytes_per_node", Double(memory.peakBytes) / Double(total))
        out.add("peak_bytes_per_live_node", Double(memory.peakBytes) / Double(graph.nodeCount))
        if let a = rssBefore, let b = rssAfter {
            out.add("rss_peak_growth_bytes_per_node", Double(b.peak - min(b.peak, a.current)) / Double(total))
        }

        // 2. One `add` call per e-node on a fresh graph (same DAG, read from the batch).
        let single = EGraph()
        var rng2 = BenchRandom(seed: seed)
        let (_, singleSeconds) = try measureSeconds {
            var ids: [EClassID] = []
            ids.reserveCapacity(nodes)
            for i in 0..<nodes {
                let kind = i < 16 ? 0 : rng2.below(8)
                let id: EClassID
                switch kind {
                case 0:
                    id = try single.add(op: 0, payload: rng2.next() >> 24)
                case 1, 2:
                    id = try single.add(op: kind, children: [ids[Int(rng2.below(UInt32(i)))]])
                default:
                    let a = ids[Int(rng2.below(UInt32(i)))], b = ids[Int(rng2.below(UInt32(i)))]
                    id = try single.add(op: kind, children: [a, b])
                }
                ids.append(id)
            }
        }
        precondition(single.totalNodeCount == total, "single adds diverged from the batch")
        out.add("adds_per_s", Double(nodes) / singleSeconds)
        let singlePeak = Double(single.memoryStats.peakBytes) / Double(single.totalNodeCount)
        out.add("single_adds_peak_bytes_per_node", singlePeak)

        // 3. Finds on a union-find of `nodes` leaves after nodes/2 random unions.
        let uf = EGraph()
        var leaves = ENodeBatch()
        leaves.reserveCapacity(entries: nodes, children: 0)
        for i in 0..<nodes { leaves.append(op: 0, payload: UInt64(i)) }
        _ = try uf.add(leaves)
        let ufPairs = (0..<(nodes / 2)).map { _ in
            (EClassID(rng.below(UInt32(nodes))), EClassID(rng.below(UInt32(nodes))))
        }
        try uf.union(pairs: ufPairs)
        let queries = (0..<nodes).map { _ in EClassID(rng.below(UInt32(nodes))) }
        var checksum: UInt64 = 0
        let (_, findSeconds) = try measureSeconds {
            for _ in 0..<findPasses {
                for q in queries { checksum &+= UInt64(try uf.find(q).rawValue) }
            }
        }
        let (_, batchFindSeconds) = try measureSeconds {
            for _ in 0..<findPasses {
                let roots = try uf.find(queries)
                checksum &+= UInt64(roots[Int(checksum % UInt64(roots.count))].rawValue)
            }
        }
        let finds = Double(nodes * findPasses)
        out.add("uf_classes", uf.classCount)
        out.add("finds_per_s", finds / findSeconds)
        out.add("batch_finds_per_s", finds / batchFindSeconds)
        out.add("checksum", Int(checksum % 1000))

        if json {
            print(out.text)
            return
        }
        print("""
            fusion-bench core (allocator: \(EGraph.allocatorName))
            random DAG: \(nodes) adds (\(total) new e-nodes, the rest already present), average arity \(String(format: "%.2f", Double(childCount) / Double(nodes)))
              adds/s, one call each:   \(humanRate(Double(nodes) / singleSeconds))
              adds/s, one batch:       \(humanRate(Double(nodes) / addSeconds))
              bytes per e-node after one add call each (arrays grown step by step): \(String(format: "%.1f", singlePeak))
              rebuild after \(unions) random unions (\(merged) merges): \(String(format: "%.2f", rebuildSeconds * 1e3)) ms, \(summary.congruentMerges) congruent merges, \(graph.nodeCount) live e-nodes in \(graph.classCount) classes
              peak bytes per new e-node (core accounting, everything): \(String(format: "%.1f", Double(memory.peakBytes) / Double(total))) (after adds only: \(String(format: "%.1f", Double(afterAdd.peakBytes) / Double(total))); per live e-node after the rebuild: \(String(format: "%.1f", Double(memory.peakBytes) / Double(graph.nodeCount))))
            """)
        if let a = rssBefore, let b = rssAfter {
            print("  process peak RSS growth per e-node (cross-check): \(String(format: "%.1f", Double(b.peak - min(b.peak, a.current)) / Double(total)))")
        }
        print("""
            union-find: \(nodes) elements, \(nodes / 2) random unions -> \(uf.classCount) classes, \(findPasses) passes of \(nodes) random finds
              finds/s, one call each:  \(humanRate(finds / findSeconds))
              finds/s, one batch:      \(humanRate(finds / batchFindSeconds))
            """)
    }
}
