import EGraphKit
import TensorGraph

/// Turns an extraction back into a ``Graph`` in the reference's conventions.
///
/// - A needed class is written at its *home*, the lowest id of the input nodes in it: an
///   untouched node keeps its id, and a fused op takes its consumer's id (a fusion adds
///   the fused e-node to the consumer's class).
/// - A class with no input node (a widened matmul, a derived weight) is appended, in the
///   order of the fusions that use it (by pass, then by node id), children first.
/// - Every other live node becomes `Nop` (keeping its old inputs and type), except leaves
///   (never removed) and pinned nodes (outputs, side effects) that a rewrite merged into
///   another node's class: those are kept as they were, reading the new nodes.
/// - A derived-parameter e-node becomes a `Parameter` and its record is appended to the
///   graph's derived parameters.
struct GraphRebuild {
    let input: Graph
    let encoding: GraphEncoding
    let extraction: FusionExtractor
    let language: FusionLanguage
    let egraph: EGraph
    let derivedRecords: [String: DerivedParam]
    /// The lowest input node id in each canonical class (-1: none).
    let homes: [Int32]
    /// The cost of every e-node under the options' model (``EGraphOptimizer/enodeCosts(_:language:model:)``).
    let enodeCost: [Double]
    /// The fusions found, in the reference's order.
    private(set) var fusions: [AppliedFusion] = []
    /// The input graph's cost: what ``CostModel/cost(of:)-(Graph)`` gives for it, summed
    /// from the e-node costs in the same order.
    private(set) var costBefore = 0.0
    /// The rebuilt graph's cost, likewise: an unchanged node costs what its e-node costs,
    /// a rewritten or appended node what its chosen e-node costs, a `Nop` nothing.
    private(set) var costAfter = 0.0

    init(input: Graph, encoding: GraphEncoding, extraction: FusionExtractor, homes: [Int32],
         language: FusionLanguage, egraph: EGraph, derivedRecords: [String: DerivedParam], enodeCost: [Double])
    {
        self.homes = homes
        self.input = input
        self.encoding = encoding
        self.extraction = extraction
        self.language = language
        self.egraph = egraph
        self.derivedRecords = derivedRecords
        self.enodeCost = enodeCost
    }

    mutating func run() -> Graph {
        egraph.withNodeStorage { storage in build(storage) }
    }

    /// The fusion an e-node built by a rule stands for, from its operator.
    private func kind(ofRuleNode n: Int, _ storage: ENodeStorage) -> FusionKind? {
        switch language[storage.payloads[n]].op {
        case .fusedMatMulAdd: .matMulAdd
        case .fusedMatMulATAdd: .matMulATAdd
        case .fusedMatMulBTAdd: .matMulBTAdd
        case .silu: .silu
        case .swiGLU: .swiGLU
        case .swiGLUConcat: .swiGLUConcat
        case .fusedRmsNormMatMul: .rmsNormMatMul
        case .causalAttentionRoPE: .ropeAttention
        case .groupNormSilu: .groupNormSilu
        case .winogradConv2d: .winograd
        default: nil
        }
    }

    private mutating func build(_ storage: ENodeStorage) -> Graph {
        let nodes = input.nodes
        let home = homes
        let canonical = extraction.canonical
        let enodeOf = encoding.enodeOf
        let pinned = encoding.pinned
        let cost = enodeCost
        // Operators are compared by id (no copy of a node's op).
        let parameterOp = language.parameter, inputOp = language.operatorID("Input"),
            constantOp = language.operatorID("Constant")
        let negOp = language.operatorID("Neg"), transposeOp = language.operatorID("Transpose"),
            reluOp = language.operatorID("Relu")
        var slot = [Int32](repeating: -1, count: storage.count)

        // Fusions: needed classes whose home now holds an e-node a rule built.
        var found: [AppliedFusion] = []
        for c in 0..<storage.count where home[c] >= 0 && extraction.isNeeded(UInt32(c)) {
            slot[c] = home[c]
            let chosen = Int(extraction.choice[c])
            if chosen >= encoding.originalCount, let kind = kind(ofRuleNode: chosen, storage) {
                found.append(AppliedFusion(kind, at: NodeID(Int(home[c]))))
            }
        }
        // Simplifications: rewritten-away nodes whose class another node represents. The
        // same pass sums the input's cost (node order, as `cost(of:)` sums it).
        var before = 0.0
        for index in nodes.indices where enodeOf[index] != .max {
            let e = Int(enodeOf[index])
            before += cost[e]
            let op = storage.ops[e]
            guard op == negOp || op == transposeOp || op == reluOp,
                  home[Int(canonical[e])] != Int32(index), !pinned[index] else { continue }
            let kind: FusionKind = op == negOp ? .doubleNegation : op == transposeOp ? .doubleTranspose : .reluIdempotence
            found.append(AppliedFusion(kind, at: NodeID(index)))
        }
        costBefore = before
        // The reference's order: by pass, then by node id (its passes visit ids ascending).
        found.sort { ($0.kind.pass, $0.node, $0.kind) < ($1.kind.pass, $1.node, $1.kind) }
        fusions = found

        // Appended classes, in fusion order, children first.
        var graph = input
        graph.reserveCapacity(nodes.count + max(16, found.count * 2))
        var appended: [(class: Int, node: UInt32)] = []
        var nextID = Int32(nodes.count)
        func place(_ c: Int) {
            guard slot[c] == -1, extraction.isNeeded(UInt32(c)) else { return }
            let chosen = extraction.choice[c]
            slot[c] = -2  // in progress
            for child in extraction.children(of: chosen) { place(Int(child)) }
            slot[c] = nextID
            nextID += 1
            appended.append((c, chosen))
        }
        for fusion in found {
            let c = Int(canonical[Int(enodeOf[fusion.node.index])])
            guard slot[c] >= 0 else { continue }
            for child in extraction.children(of: extraction.choice[c]) { place(Int(child)) }
        }
        for c in 0..<storage.count where slot[c] == -1 && extraction.isNeeded(UInt32(c)) { place(c) }

        func inputs(of n: UInt32) -> [NodeID] {
            extraction.children(of: n).map { NodeID(Int(slot[Int($0)])) }
        }
        var derived = Set(input.derivedParams.map(\.name))
        for (_, n) in appended {
            let entry = language[storage.payloads[Int(n)]]
            if case .parameter(let name) = entry.op {
                graph.addRawNode(op: entry.op, inputs: [], type: entry.type)
                if let record = derivedRecords[name], derived.insert(name).inserted {
                    graph.addDerivedParam(record)
                }
            } else {
                graph.addRawNode(op: entry.op, inputs: inputs(of: n), type: entry.type)
            }
        }

        // Rewrite homes, retire the rest; sum the cost in node order.
        var after = 0.0
        for index in nodes.indices where enodeOf[index] != .max {
            let e = Int(enodeOf[index])
            let op = storage.ops[e]
            guard op != parameterOp, op != inputOp, op != constantOp else { continue }
            let c = Int(canonical[e])
            if slot[c] == Int32(index) {
                let chosen = extraction.choice[c]
                after += cost[Int(chosen)]
                // A node whose own e-node was chosen has its op and type (both are in the
                // payload); it is unchanged when its children's slots are its inputs. This
                // check needs no copy or allocation, so untouched nodes cost next to nothing.
                if chosen == UInt32(e), Self.slotsMatch(extraction.children(of: chosen), nodes[index].inputs, slot) {
                    continue
                }
                let node = nodes[index]
                let entry = language[storage.payloads[Int(chosen)]]
                let newInputs = inputs(of: chosen)
                if newInputs != node.inputs || entry.op != node.op || entry.type != node.type {
                    graph.replaceNode(node.id, op: entry.op, inputs: newInputs, type: entry.type)
                }
            } else if pinned[index] {
                // Kept as it was, reading the new nodes (of the same types).
                after += cost[e]
                let node = nodes[index]
                let newInputs = node.inputs.map { input in
                    NodeID(Int(slot[Int(canonical[Int(enodeOf[input.index])])]))
                }
                if newInputs != node.inputs {
                    graph.replaceNode(node.id, op: node.op, inputs: newInputs, type: node.type)
                }
            } else {
                graph.makeNop(NodeID(index))
            }
        }
        for (_, n) in appended { after += cost[Int(n)] }
        costAfter = after
        return graph
    }

    /// Whether the slots of `kids` are `inputs`, in order.
    @inline(__always)
    private static func slotsMatch(_ kids: ArraySlice<UInt32>, _ inputs: [NodeID], _ slot: [Int32]) -> Bool {
        guard kids.count == inputs.count else { return false }
        var k = kids.startIndex
        for input in inputs {
            if Int(slot[Int(kids[k])]) != input.index { return false }
            k += 1
        }
        return true
    }
}
