import TensorGraph

/// The reference fusion passes of SPEC §3, run on a copy of the graph.
///
/// Each pass snapshots the ids `0..<count` when it starts, visits them in ascending
/// order, reads each node's current op and records `(kind, consumer id)` per fusion. The
/// fused op is written into the consumer (its id stays), the producer becomes `Nop`, new
/// nodes are appended. ``run(mode:optIns:)`` runs A, B, C, D (then the enabled opt-ins G,
/// H) round after round until a round fuses nothing, then, in inference mode, E and F
/// once each.
///
/// "Single-use" means exactly one live (non-`Nop`) consumer, counting consumers and not
/// input slots. The original rescanned the whole graph for every candidate (quadratic);
/// here the counts are computed once and updated on every rewrite, with the same results.
struct ReferencePasses {
    /// The graph being rewritten.
    var graph: Graph
    /// Fusions in the order applied.
    var fusions: [AppliedFusion] = []
    /// Live consumers per node (distinct consumers, `Nop`s not counted).
    private(set) var consumers: [Int32]
    /// `Parameter` nodes by name (first occurrence), for reusing derived weights.
    private var parameters: [String: NodeID] = [:]
    /// Names of the derived parameters already recorded.
    private var derivedNames: Set<String>

    /// Prepares the passes on a copy of `graph`.
    ///
    /// - Complexity: O(n + total inputs).
    init(_ graph: Graph) {
        self.graph = graph
        var counts = [Int32](repeating: 0, count: graph.count)
        for node in graph.nodes where !node.isNop {
            Self.forEachDistinct(node.inputs) { counts[$0.index] += 1 }
        }
        consumers = counts
        for node in graph.nodes {
            if case .parameter(let name) = node.op, parameters[name] == nil { parameters[name] = node.id }
        }
        derivedNames = Set(graph.derivedParams.map(\.name))
    }

    /// Runs the passes to a fixpoint, then the inference passes.
    mutating func run(mode: OptimizationMode, optIns: OptInFusions) {
        while true {
            let before = fusions.count
            fuseMatMulAdd()
            fuseSilu()
            fuseSwiGLU()
            fuseSwiGLUConcat()
            if optIns.contains(.rmsNormMatMul) { fuseRmsNormMatMul() }
            if optIns.contains(.ropeAttention) { fuseRoPEAttention() }
            if fusions.count == before { break }
        }
        if mode == .inference {
            fuseGroupNormSilu()
            fuseWinograd()
        }
    }

    // MARK: Bookkeeping

    /// Calls `body` once per distinct id of `inputs`, in slot order.
    @inline(__always)
    static func forEachDistinct(_ inputs: [NodeID], _ body: (NodeID) -> Void) {
        for (slot, input) in inputs.enumerated() where !inputs[..<slot].contains(input) {
            body(input)
        }
    }

    /// Whether `id` has exactly one live consumer and is not an output.
    func isSingleUse(_ id: NodeID) -> Bool {
        consumers[id.index] == 1 && !graph.isOutput(id)
    }

    /// Rewrites the live node `id` in place, updating consumer counts.
    mutating func rewrite(_ id: NodeID, op: Op, inputs: [NodeID], type: TensorType) {
        Self.forEachDistinct(graph[id].inputs) { consumers[$0.index] -= 1 }
        graph.replaceNode(id, op: op, inputs: inputs, type: type)
        Self.forEachDistinct(inputs) { consumers[$0.index] += 1 }
    }

    /// Turns the live node `id` into a `Nop`: its inputs lose a consumer.
    mutating func retire(_ id: NodeID) {
        Self.forEachDistinct(graph[id].inputs) { consumers[$0.index] -= 1 }
        graph.makeNop(id)
    }

    /// Appends a live node.
    mutating func append(_ op: Op, inputs: [NodeID], type: TensorType) -> NodeID {
        let id = graph.addRawNode(op: op, inputs: inputs, type: type)
        consumers.append(0)
        Self.forEachDistinct(inputs) { consumers[$0.index] += 1 }
        return id
    }

    /// The `Parameter` node named `name`: the existing one, or a new one appended with
    /// `type`, or `nil` when none exists and the graph has parameter-gradient outputs
    /// (gradients line up with parameters by position, so none may be created).
    mutating func derivedParameter(named name: String, type: TensorType,
                                   record: () -> DerivedParam) -> NodeID?
    {
        if let existing = parameters[name] {
            if !derivedNames.contains(name) {
                derivedNames.insert(name)
                graph.addDerivedParam(record())
            }
            return existing
        }
        guard graph.paramGradOutputs == 0 else { return nil }
        if !derivedNames.contains(name) {
            derivedNames.insert(name)
            graph.addDerivedParam(record())
        }
        let id = append(.parameter(name: name), inputs: [], type: type)
        parameters[name] = id
        return id
    }
}
