import TensorGraph

extension Fusion {
    /// The egglog program of `graph` in the original implementation's encoding: a
    /// `(datatype Op …)` with one constructor per op (parameters dropped, `Const` keyed by
    /// node id, `Input` and `Parameter` by name), the rewrites of SPEC §4, one
    /// `(let n<id> <expr>)` per live node, `(run 1)`, and one `(extract n<id>)` per output.
    ///
    /// Real egglog accepts it. Two constructors the original lacked are declared
    /// (`StopGradient`, `WinogradConv2d`), and the `let`s follow a topological order
    /// (which is id order unless the graph has forward references, as optimized graphs
    /// do), so that every name is bound before use.
    ///
    /// - Complexity: O(n + total inputs).
    public static func dumpEgglogProgram(_ graph: Graph) -> String {
        var text = EgglogEncoding.datatype + EgglogEncoding.rules
        let nodes = graph.nodes
        for index in EgglogEncoding.topologicalOrder(graph) {
            let node = nodes[index]
            text += "(let n\(index) \(EgglogEncoding.expression(node)))\n"
        }
        text += "(run 1)\n\n"
        for output in graph.outputs where !nodes[output.index].isNop {
            text += "(extract n\(output))\n"
        }
        return text
    }
}

/// The pieces of ``Fusion/dumpEgglogProgram(_:)``.
enum EgglogEncoding {
    /// Live node indices in a topological order: Kahn's algorithm with a FIFO queue seeded
    /// in id order, so an already ordered graph keeps id order. Nodes on a cycle (an
    /// invalid graph) come last, in id order.
    ///
    /// - Complexity: O(n + total inputs).
    static func topologicalOrder(_ graph: Graph) -> [Int] {
        let nodes = graph.nodes
        var live: [Int] = []
        live.reserveCapacity(nodes.count)
        var ordered = true
        for index in nodes.indices {
            if nodes[index].isNop { continue }
            live.append(index)
            for input in nodes[index].inputs where input.index >= index { ordered = false }
        }
        if ordered { return live }
        // Each node's live users, in id order, in one flat array (users of node i are
        // users[start[i] ..< start[i + 1]]).
        var pending = [Int](repeating: 0, count: nodes.count)
        var start = [Int](repeating: 0, count: nodes.count + 1)
        for index in live {
            for input in nodes[index].inputs where input.index < nodes.count && !nodes[input.index].isNop {
                pending[index] += 1
                start[input.index + 1] += 1
            }
        }
        for i in 0..<nodes.count { start[i + 1] += start[i] }
        var fill = start
        var users = [Int](repeating: 0, count: start[nodes.count])
        for index in live {
            for input in nodes[index].inputs where input.index < nodes.count && !nodes[input.index].isNop {
                users[fill[input.index]] = index
                fill[input.index] += 1
            }
        }
        var queue = live.filter { pending[$0] == 0 }
        queue.reserveCapacity(live.count)
        var head = 0
        while head < queue.count {
            let index = queue[head]
            head += 1
            for user in users[start[index] ..< start[index + 1]] {
                pending[user] -= 1
                if pending[user] == 0 { queue.append(user) }
            }
        }
        if queue.count < live.count {
            var placed = [Bool](repeating: false, count: nodes.count)
            for index in queue { placed[index] = true }
            for index in live where !placed[index] { queue.append(index) }
        }
        return queue
    }

    /// A string literal in egglog syntax.
    static func quoted(_ name: String) -> String {
        var text = "\""
        for character in name {
            switch character {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            default: text.append(character)
            }
        }
        return text + "\""
    }

    /// The constructor application for one live node.
    static func expression(_ node: Node) -> String {
        let head: String
        var literal: String? = nil
        switch node.op {
        case .input(let name): return "(Input \(quoted(name)))"
        case .parameter(let name): return "(Parameter \(quoted(name)))"
        case .constant: return "(Const \(node.id))"
        case .scatterAdd(let vocabSize):
            head = "ScatterAdd"
            literal = String(vocabSize)
        case .causalAttentionRoPE: head = "CausalAttention"
        case .multiHeadAttnGradQ: head = "MHAGradQ"
        case .multiHeadAttnGradK: head = "MHAGradK"
        case .multiHeadAttnGradV: head = "MHAGradV"
        case .rope, .ropeGrad:
            // The original encoding drops RoPE's dynamic offset input.
            return "(\(node.op.name) n\(node.inputs[0]))"
        default: head = node.op.name
        }
        var parts = [head]
        if let literal { parts.append(literal) }
        for input in node.inputs { parts.append("n\(input)") }
        return "(" + parts.joined(separator: " ") + ")"
    }

    /// The datatype: the original's constructors, plus `StopGradient` and `WinogradConv2d`.
    static let datatype = """
        (datatype Op
          (Input String)
          (Parameter String)
          (Const i64)
          (MatMul Op Op)
          (MatMulAT Op Op)
          (MatMulBT Op Op)
          (FusedMatMulAdd Op Op Op)
          (FusedMatMulATAdd Op Op Op)
          (FusedMatMulBTAdd Op Op Op)
          (Add Op Op)
          (Mul Op Op)
          (BiasAdd Op Op)
          (Relu Op)
          (Sigmoid Op)
          (Tanh Op)
          (Neg Op)
          (Abs Op)
          (Log Op)
          (Recip Op)
          (ScatterAdd i64 Op Op)
          (Silu Op)
          (Gelu Op)
          (Identity Op)
          (StopGradient Op)
          (Transpose Op)
          (Softmax Op)
          (LogSoftmax Op)
          (SumAll Op)
          (MeanAll Op)
          (SumRows Op)
          (CrossEntropyLoss Op Op)
          (BceLoss Op Op)
          (Greater Op Op)
          (SwiGLU Op Op)
          (SwiGLUConcat Op)
          (RmsNorm Op Op)
          (FusedRmsNormMatMul Op Op Op)
          (Embedding Op Op)
          (RoPE Op)
          (RoPEGrad Op)
          (CausalAttention Op Op Op)
          (SlidingWindowAttention Op Op Op)
          (LayerNorm Op Op Op)
          (FullAttention Op Op Op)
          (CrossAttention Op Op Op)
          (MultiHeadAttn Op Op Op)
          (GroupNorm Op Op Op)
          (GroupNormSilu Op Op Op)
          (GroupNormGradInput Op Op Op)
          (GroupNormGradWeightBias Op Op)
          (Concat Op Op)
          (SplitA Op)
          (SplitB Op)
          (Upsample2x Op)
          (Upsample2xGrad Op)
          (Conv2d Op Op)
          (Conv2dGradInput Op Op)
          (Conv2dGradWeight Op Op)
          (WinogradConv2d Op Op Op)
          (MaxPool2d Op)
          (GlobalAvgPool Op)
          (GlobalAvgPoolGrad Op)
          (CacheWrite Op Op Op)
          (CachedAttention Op Op Op Op)
          (SiluGrad Op Op)
          (SwiGLUGradGate Op Op Op)
          (SwiGLUGradUp Op Op)
          (SwiGLUConcatGrad Op Op)
          (RmsNormGradW Op Op Op)
          (RmsNormGradX Op Op Op)
          (LayerNormGradWB Op Op Op)
          (LayerNormGradX Op Op Op)
          (MHAGradQ Op Op Op Op)
          (MHAGradK Op Op Op Op)
          (MHAGradV Op Op Op Op))

        """

    /// The rewrites of SPEC §4 (both argument orders where the original had them; no
    /// general commutativity, which blows up large graphs).
    static let rules = """
        (rewrite (Neg (Neg ?x)) ?x)
        (rewrite (Transpose (Transpose ?x)) ?x)
        (rewrite (Relu (Relu ?x)) (Relu ?x))
        (rewrite (Add (MatMul ?a ?b) ?d) (FusedMatMulAdd ?a ?b ?d))
        (rewrite (Add ?d (MatMul ?a ?b)) (FusedMatMulAdd ?a ?b ?d))
        (rewrite (Add (MatMulAT ?a ?b) ?d) (FusedMatMulATAdd ?a ?b ?d))
        (rewrite (Add ?d (MatMulAT ?a ?b)) (FusedMatMulATAdd ?a ?b ?d))
        (rewrite (Add (MatMulBT ?a ?b) ?d) (FusedMatMulBTAdd ?a ?b ?d))
        (rewrite (Add ?d (MatMulBT ?a ?b)) (FusedMatMulBTAdd ?a ?b ?d))
        (rewrite (MatMul (RmsNorm ?x ?w) ?p) (FusedRmsNormMatMul ?x ?w ?p))
        (rewrite (Mul ?x (Sigmoid ?x)) (Silu ?x))
        (rewrite (Mul (Sigmoid ?x) ?x) (Silu ?x))
        (rewrite (Mul (Silu ?g) ?u) (SwiGLU ?g ?u))

        """
}
