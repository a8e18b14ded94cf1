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
    /// The extraction, with each class's home and the e-node costs under the options'
    /// model (``EGraphOptimizer/enodeCosts(_:language:model:)``).
    let extraction: FusionExtractor
    let language: FusionLanguage
    let egraph: EGraph
    let derivedRecords: [String: DerivedParam]
    /// The fusions found, in the reference's order.
    private(set) var fusions: [AppliedFusion] = []
    /// The input graph's cost: what ``CostModel/cost(of:)-(Graph)`` gives for it, summed
    /// from the e-node costs in the same order.
    private(set) var costBefore = 0.0
    /// The rebuilt graph's cost, likewise: an unchanged node costs what its e-node costs,
    /// a rewritten or appended node what its chosen e-node costs, a `Nop` nothing.
    private(set) var costAfter = 0.0
    /// The rebuilt graph's live (non-`Nop`) node count: the input's, minus the retired,
    /// plus the appended.
    private(set) var activeCount = 0

    init(input: Graph, encoding: GraphEncoding, extraction: FusionExtractor, language: FusionLanguage,
         egraph: EGraph, derivedRecords: [String: DerivedParam])
    {
        self.input = input
        self.encoding = encoding
        self.extraction = extraction
        self.language = language
        self.egraph = egraph
        self.derivedRecords = derivedRecords
    }

    mutating func run() -> Graph {
        egraph.withNodeStorage { storage in build(storage) }
    }

    /// The fusion an e-node built by a rule stands for, per operator id (`nil`: none).
    private static let fusionKinds: [FusionKind?] = {
        let named: [(String, FusionKind)] = [
            ("FusedMatMulAdd", .matMulAdd), ("FusedMatMulATAdd", .matMulATAdd), ("FusedMatMulBTAdd", .matMulBTAdd),
            ("Silu", .silu), ("SwiGLU", .swiGLU), ("SwiGLUConcat", .swiGLUConcat),
            ("FusedRmsNormMatMul", .rmsNormMatMul), ("CausalAttentionRoPE", .ropeAttention),
            ("GroupNormSilu", .groupNormSilu), ("WinogradConv2d", .winograd),
        ]
        let ids = named.map { FusionLanguage.declaredIDs[$0.0]! }
        var kinds = [FusionKind?](repeating: nil, count: Int(ids.max() ?? 0) + 1)
        for (id, entry) in zip(ids, named) { kinds[Int(id)] = entry.1 }
        return kinds
    }()

    private mutating func build(_ storage: ENodeStorage) -> Graph {
        let nodes = input.nodes
        let extraction = self.extraction
        let home = extraction.homes, canonical = extraction.canonical
        let hasStray = extraction.hasStray, anyStray = extraction.strayCount > 0
        let choice = extraction.choice, references = extraction.references
        let kidStart = storage.childOffsets, kids = extraction.children
        let count = storage.count, originalCount = encoding.originalCount
        // Operators are compared by id (no copy of a node's op).
        let parameterOp = language.parameter, inputOp = FusionLanguage.IDs.input,
            constantOp = FusionLanguage.IDs.constant
        let negOp = FusionLanguage.IDs.neg, transposeOp = FusionLanguage.IDs.transpose,
            reluOp = FusionLanguage.IDs.relu
        let kindOf = Self.fusionKinds

        // One pass over the input nodes, in order: the input's cost (as `cost(of:)` sums
        // it), the fusions, and what happens to each live non-leaf node, with the new cost.
        // - A needed class's home is where its chosen e-node goes: a fusion if a rule built
        //   it. A node whose own e-node was chosen has its op and type (both are in the
        //   payload); it is unchanged when its children's slots are its inputs, which holds
        //   when no child class has a node away from its home; else the inputs are compared.
        //   (Its children are needed classes of input nodes: their slots are homes.)
        // - Any other node is a simplification if it was rewritten away into a class another
        //   node represents, and is kept (pinned) or retired.
        // Only the nodes that change are listed (ascending); no node is read unless one of
        // its input classes has a stray node (no child class is looked at when no class has).
        var before = 0.0, after = 0.0, live = 0, retiredCount = 0
        var found: [AppliedFusion] = []
        found.reserveCapacity(64)
        var changed: [(index: Int32, fate: Fate)] = []
        changed.reserveCapacity(64)
        extraction.ownCost.withUnsafeBufferPointer { cost in
        encoding.enodeOf.withUnsafeBufferPointer { enodeOf in
        encoding.pinned.withUnsafeBufferPointer { pinned in
            for index in 0..<enodeOf.count where enodeOf[index] != .max {
                let e = Int(enodeOf[index])
                before += cost[e]
                live += 1
                let c = Int(canonical[e])
                let op = storage.ops[e]
                let atHome = home[c] == Int32(truncatingIfNeeded: index)
                let isLeaf = op == parameterOp || op == inputOp || op == constantOp
                if atHome && references[c] > 0 {
                    let chosen = Int(choice[c])
                    if chosen >= originalCount {
                        let chosenOp = Int(storage.ops[chosen])
                        if chosenOp < kindOf.count, let kind = kindOf[chosenOp] {
                            found.append(AppliedFusion(kind, at: NodeID(index)))
                        }
                    }
                    if isLeaf { continue }
                    after += cost[chosen]
                    if chosen == e {
                        var unchanged = true
                        if anyStray {
                            for k in Int(kidStart[e])..<Int(kidStart[e + 1]) where hasStray[Int(kids[k])] {
                                unchanged = false
                                break
                            }
                        }
                        if !unchanged {
                            unchanged = nodes[index].inputs.withUnsafeBufferPointer { inputs in
                                let first = Int(kidStart[e])
                                guard Int(kidStart[e + 1]) - first == inputs.count else { return false }
                                for j in 0..<inputs.count where Int(home[Int(kids[first + j])]) != inputs[j].index {
                                    return false
                                }
                                return true
                            }
                        }
                        if unchanged { continue }
                    }
                    changed.append((Int32(index), .rewritten))
                    continue
                }
                if !atHome && (op == negOp || op == transposeOp || op == reluOp) && !pinned[index] {
                    let kind: FusionKind = op == negOp ? .doubleNegation : op == transposeOp ? .doubleTranspose : .reluIdempotence
                    found.append(AppliedFusion(kind, at: NodeID(index)))
                }
                if isLeaf { continue }
                if pinned[index] {
                    // Kept as it was, reading the new nodes (of the same types).
                    after += cost[e]
                    changed.append((Int32(index), .rewired))
                } else {
                    changed.append((Int32(index), .retired))
                    retiredCount += 1
                }
            }
        }
        }
        }
        costBefore = before
        // The reference's order: by pass, then by node id (its passes visit ids ascending).
        found.sort { ($0.kind.pass, $0.node, $0.kind) < ($1.kind.pass, $1.node, $1.kind) }
        fusions = found

        // Each needed class's id in the new graph: its home, or an appended id (set below).
        var slot = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = buffer.initialize(from: home)
            initialized = count
        }
        // Appended classes, in fusion order, children first.
        let enodeOf = encoding.enodeOf
        var appended: [UInt32] = []
        var nextID = Int32(nodes.count)
        func place(_ c: Int) {
            guard slot[c] == -1, references[c] > 0 else { return }
            let chosen = Int(choice[c])
            slot[c] = -2  // in progress
            for k in Int(kidStart[chosen])..<Int(kidStart[chosen + 1]) { place(Int(kids[k])) }
            slot[c] = nextID
            nextID += 1
            appended.append(UInt32(chosen))
        }
        for fusion in found {
            let c = Int(canonical[Int(enodeOf[fusion.node.index])])
            guard references[c] > 0 else { continue }
            let chosen = Int(choice[c])
            for k in Int(kidStart[chosen])..<Int(kidStart[chosen + 1]) { place(Int(kids[k])) }
        }
        for c in extraction.homeless where slot[Int(c)] == -1 { place(Int(c)) }

        // The new node array, written once in order: runs of untouched nodes copied in
        // bulk, each changed node built as it ends up (never copied, then overwritten),
        // appended nodes after.
        let slots = slot
        func inputs(of n: Int) -> [NodeID] {
            var ids: [NodeID] = []
            ids.reserveCapacity(Int(kidStart[n + 1] - kidStart[n]))
            for k in Int(kidStart[n])..<Int(kidStart[n + 1]) { ids.append(NodeID(Int(slots[Int(kids[k])]))) }
            return ids
        }
        let total = nodes.count + appended.count
        let newNodes = nodes.withUnsafeBufferPointer { old in
        language.withOps { opOf in
            // Nodes are read in place (no copy of an old node or a payload).
            func payloadOp(_ n: Int) -> Op { opOf(Int(storage.payloads[n])) }
            func payloadType(_ n: Int) -> TensorType { language.type(storage.payloads[n]) }
            func changedNode(_ index: Int, _ fate: Fate) -> Node {
                let old = old.baseAddress! + index
                switch fate {
                case .rewritten:
                    // (Replacing a node by an equal one changes nothing.)
                    let chosen = Int(choice[Int(canonical[Int(enodeOf[index])])])
                    return Node(id: NodeID(index), op: payloadOp(chosen), inputs: inputs(of: chosen), type: payloadType(chosen))
                case .rewired:
                    // Kept as it was, reading the new nodes.
                    let newInputs = old.pointee.inputs.map { input in
                        NodeID(Int(slots[Int(canonical[Int(enodeOf[input.index])])]))
                    }
                    return Node(id: NodeID(index), op: old.pointee.op, inputs: newInputs, type: old.pointee.type)
                case .retired:
                    // A fused-away producer keeps its old inputs and type.
                    return Node(id: NodeID(index), op: .nop, inputs: old.pointee.inputs, type: old.pointee.type)
                }
            }
            func appendedNode(_ k: Int) -> Node {
                let n = Int(appended[k])
                let id = NodeID(nodes.count + k)
                let op = payloadOp(n)
                // (A derived weight is a `Parameter`: no inputs.)
                let isParameter = if case .parameter = op { true } else { false }
                return Node(id: id, op: op, inputs: isParameter ? [] : inputs(of: n), type: payloadType(n))
            }
            return [Node](unsafeUninitializedCapacity: total) { buffer, initialized in
                let out = buffer.baseAddress!
                var next = 0
                for (index32, fate) in changed {
                    let index = Int(index32)
                    if index > next { (out + next).initialize(from: old.baseAddress! + next, count: index - next) }
                    (out + index).initialize(to: changedNode(index, fate))
                    next = index + 1
                }
                if old.count > next { (out + next).initialize(from: old.baseAddress! + next, count: old.count - next) }
                for k in 0..<appended.count { (out + old.count + k).initialize(to: appendedNode(k)) }
                initialized = total
            }
        }
        }
        var graph = input.replacingNodes(newNodes)
        // The derived weights among the appended parameters, in order, each once.
        var derived: Set<String> = []
        for n in appended {
            guard case .parameter(let name) = language.op(storage.payloads[Int(n)]),
                  let record = derivedRecords[name] else { continue }
            if derived.isEmpty { derived = Set(input.derivedParams.map(\.name)) }
            if derived.insert(name).inserted { graph.addDerivedParam(record) }
        }

        for n in appended { after += extraction.ownCost[Int(n)] }
        costAfter = after
        activeCount = live - retiredCount + appended.count
        return graph
    }

    /// What the rebuild does to an input node that changes.
    private enum Fate {
        /// Replaced by its class's chosen e-node.
        case rewritten
        /// A pinned node kept as it was, reading the new nodes.
        case rewired
        /// Turned into `Nop`.
        case retired
    }
}
