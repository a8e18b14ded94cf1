import TensorGraph

/// The passes A–H of SPEC §3, one method each.
extension ReferencePasses {
    /// The matmul-add fusion for a matmul op, if it is one.
    static func matMulAddFusion(_ op: Op) -> (Op, FusionKind)? {
        switch op {
        case .matMul: (.fusedMatMulAdd, .matMulAdd)
        case .matMulAT: (.fusedMatMulATAdd, .matMulATAdd)
        case .matMulBT: (.fusedMatMulBTAdd, .matMulBTAdd)
        default: nil
        }
    }

    /// Pass A: `Add(mm, d)` or `Add(d, mm)` → `FusedMatMul*Add(mm.a, mm.b, d)`.
    ///
    /// The left input is the candidate if it is a matmul (then the right one is not
    /// tried); the candidate must be single-use, not an output, and not the addend itself.
    mutating func fuseMatMulAdd() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .add = node.op, node.inputs.count == 2 else { continue }
            let (lhs, rhs) = (node.inputs[0], node.inputs[1])
            let candidate: NodeID, addend: NodeID
            if Self.matMulAddFusion(graph[lhs].op) != nil {
                (candidate, addend) = (lhs, rhs)
            } else if Self.matMulAddFusion(graph[rhs].op) != nil {
                (candidate, addend) = (rhs, lhs)
            } else {
                continue
            }
            guard isSingleUse(candidate), addend != candidate,
                  let (fused, kind) = Self.matMulAddFusion(graph[candidate].op) else { continue }
            let mm = graph[candidate]
            rewrite(node.id, op: fused, inputs: [mm.inputs[0], mm.inputs[1], addend], type: node.type)
            retire(candidate)
            fusions.append(AppliedFusion(kind, at: node.id))
        }
    }

    /// Pass B: `Mul(x, Sigmoid(x))` or `Mul(Sigmoid(x), x)` → `Silu(x)`, the Sigmoid
    /// single-use and not an output.
    mutating func fuseSilu() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .mul = node.op, node.inputs.count == 2 else { continue }
            let (a, b) = (node.inputs[0], node.inputs[1])
            let x: NodeID, sigmoid: NodeID
            if case .sigmoid = graph[b].op, graph[b].inputs.first == a {
                (x, sigmoid) = (a, b)
            } else if case .sigmoid = graph[a].op, graph[a].inputs.first == b {
                (x, sigmoid) = (b, a)
            } else {
                continue
            }
            guard isSingleUse(sigmoid) else { continue }
            rewrite(node.id, op: .silu, inputs: [x], type: node.type)
            retire(sigmoid)
            fusions.append(AppliedFusion(.silu, at: node.id))
        }
    }

    /// Pass C: `Mul(Silu(g), u)` or `Mul(u, Silu(g))` → `SwiGLU(g, u)`, the Silu
    /// single-use, not an output, and the two inputs distinct.
    mutating func fuseSwiGLU() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .mul = node.op, node.inputs.count == 2 else { continue }
            let (a, b) = (node.inputs[0], node.inputs[1])
            let gate: NodeID, up: NodeID, silu: NodeID
            if case .silu = graph[a].op {
                (gate, up, silu) = (graph[a].inputs[0], b, a)
            } else if case .silu = graph[b].op {
                (gate, up, silu) = (graph[b].inputs[0], a, b)
            } else {
                continue
            }
            guard isSingleUse(silu), a != b else { continue }
            rewrite(node.id, op: .swiGLU, inputs: [gate, up], type: node.type)
            retire(silu)
            fusions.append(AppliedFusion(.swiGLU, at: node.id))
        }
    }

    /// Pass D: `SwiGLU(MatMul(h, Wg), MatMul(h, Wu))` → `SwiGLUConcat(MatMul(h, Wg+Wu))`.
    ///
    /// Both matmuls plain, sharing `h`, single-use and not outputs; both weights
    /// `Parameter`s of rank 2 and equal shape `[K, N]`. Records the derived parameter
    /// `"<Wg>+<Wu>"` once, appends (or reuses) its `Parameter` `[K, 2N]` with Wg's dtype,
    /// appends `MatMul(h, Wg+Wu)` f32 `[M, 2N]`.
    mutating func fuseSwiGLUConcat() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .swiGLU = node.op, node.inputs.count == 2 else { continue }
            let (gateID, upID) = (node.inputs[0], node.inputs[1])
            let gate = graph[gateID], up = graph[upID]
            guard case .matMul = gate.op, case .matMul = up.op, gate.inputs[0] == up.inputs[0],
                  isSingleUse(gateID), isSingleUse(upID) else { continue }
            let h = gate.inputs[0]
            let gateWeight = graph[gate.inputs[1]], upWeight = graph[up.inputs[1]]
            guard gateWeight.shape.count == 2, gateWeight.shape == upWeight.shape,
                  case .parameter(let gateName) = gateWeight.op,
                  case .parameter(let upName) = upWeight.op else { continue }
            let (k, n) = (gateWeight.shape[0], gateWeight.shape[1])
            let name = "\(gateName)+\(upName)"
            guard let wide = derivedParameter(
                named: name, type: TensorType(gateWeight.dtype, [k, 2 * n]),
                record: {
                    DerivedParam(name: name, sources: [.init(name: gateName, cols: n),
                                                       .init(name: upName, cols: n)],
                                 rows: k, transform: .horizontalConcat)
                }) else { continue }
            let m = graph[h].shape.first ?? 1
            let product = append(.matMul, inputs: [h, wide], type: .f32([m, 2 * n]))
            rewrite(node.id, op: .swiGLUConcat, inputs: [product], type: .f32([m, n]))
            retire(gateID)
            if upID != gateID { retire(upID) }
            fusions.append(AppliedFusion(.swiGLUConcat, at: node.id))
        }
    }

    /// Pass E (inference): `Silu(GroupNorm(x, w, b))` → `GroupNormSilu(x, w, b)` with the
    /// same parameters, the GroupNorm single-use and not an output.
    mutating func fuseGroupNormSilu() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .silu = node.op, let normID = node.inputs.first,
                  case .groupNorm(let parameters) = graph[normID].op,
                  isSingleUse(normID) else { continue }
            rewrite(node.id, op: .groupNormSilu(parameters), inputs: graph[normID].inputs, type: node.type)
            retire(normID)
            fusions.append(AppliedFusion(.groupNormSilu, at: node.id))
        }
    }

    /// Whether a convolution qualifies for Winograd F(2×2, 3×3): 3×3 kernel, stride 1,
    /// equal padding, and at least 4096 channel pairs.
    static func isWinogradCandidate(_ g: Conv2dGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.stride == 1 && g.paddingH == g.paddingW
            && g.inChannels * g.outChannels >= 4096
    }

    /// The derived-parameter record of a Winograd weight.
    static func winogradRecord(weight: String, _ g: Conv2dGeometry) -> DerivedParam {
        DerivedParam(name: weight + ":winograd",
                     sources: [.init(name: weight, cols: g.outChannels * g.inChannels * 9)],
                     rows: 1, transform: .winograd3x3(outChannels: g.outChannels, inChannels: g.inChannels))
    }

    /// Pass F (inference): a qualifying `Conv2d(x, W)` with a `Parameter` weight →
    /// `WinogradConv2d(x, W:winograd, W)`, recording the derived parameter once and
    /// appending (or reusing) its `Parameter` f32 `[16·co·ci]`.
    mutating func fuseWinograd() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .conv2d(let g) = node.op, Self.isWinogradCandidate(g), node.inputs.count == 2,
                  case .parameter(let weightName) = graph[node.inputs[1]].op else { continue }
            let name = weightName + ":winograd"
            guard let transformed = derivedParameter(
                named: name, type: .f32([16 * g.outChannels * g.inChannels]),
                record: { Self.winogradRecord(weight: weightName, g) }) else { continue }
            let geometry = WinogradGeometry(inChannels: g.inChannels, inH: g.inH, inW: g.inW,
                                            outChannels: g.outChannels, padding: g.paddingH)
            rewrite(node.id, op: .winogradConv2d(geometry),
                    inputs: [node.inputs[0], transformed, node.inputs[1]], type: node.type)
            fusions.append(AppliedFusion(.winograd, at: node.id))
        }
    }

    /// Pass G (opt-in): `MatMul(RmsNorm(x, w), p)` → `FusedRmsNormMatMul(eps)(x, w, p)`,
    /// the norm single-use and not an output.
    mutating func fuseRmsNormMatMul() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .matMul = node.op, node.inputs.count == 2,
                  case .rmsNorm(let eps) = graph[node.inputs[0]].op,
                  isSingleUse(node.inputs[0]) else { continue }
            let norm = graph[node.inputs[0]]
            rewrite(node.id, op: .fusedRmsNormMatMul(eps: eps),
                    inputs: [norm.inputs[0], norm.inputs[1], node.inputs[1]], type: node.type)
            retire(norm.id)
            fusions.append(AppliedFusion(.rmsNormMatMul, at: node.id))
        }
    }

    /// Whether `op` is a RoPE that can move into an attention kernel with `heads`: no
    /// dynamic offset input, offset 0, the attention's head width. Returns its theta.
    static func fusableRoPE(_ node: Node, heads: AttentionHeads) -> Float? {
        guard case .rope(let p) = node.op, node.inputs.count == 1, p.posOffset == 0,
              p.headDim == heads.headDim else { return nil }
        return p.theta
    }

    /// Pass H (opt-in): `CausalAttention(RoPE q, RoPE k, v)` with equal theta →
    /// `CausalAttentionRoPE(theta)(q_raw, k_raw, v)`, both RoPEs single-use and not
    /// outputs. A RoPE with a dynamic offset, a nonzero offset or another head width
    /// would lose a parameter, so it does not qualify.
    mutating func fuseRoPEAttention() {
        for index in 0..<graph.count {
            let node = graph.nodes[index]
            guard case .causalAttention(let heads) = node.op, node.inputs.count == 3 else { continue }
            let (q, k) = (graph[node.inputs[0]], graph[node.inputs[1]])
            guard let qTheta = Self.fusableRoPE(q, heads: heads),
                  let kTheta = Self.fusableRoPE(k, heads: heads), qTheta == kTheta,
                  isSingleUse(q.id), isSingleUse(k.id) else { continue }
            rewrite(node.id, op: .causalAttentionRoPE(heads, ropeTheta: qTheta),
                    inputs: [q.inputs[0], k.inputs[0], node.inputs[2]], type: node.type)
            retire(q.id)
            if k.id != q.id { retire(k.id) }
            fusions.append(AppliedFusion(.ropeAttention, at: node.id))
        }
    }
}
