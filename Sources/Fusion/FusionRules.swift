import EGraphKit
import TensorGraph

/// State the fusion rules share while saturating: the e-graph, the language, the class
/// facts, and what the derived-weight rules need to know about the input graph.
final class FusionRuleContext {
    let graph: EGraph
    let language: FusionLanguage
    let facts: ClassFactsTable
    /// `Parameter` classes of the input graph by name (reused instead of deriving again).
    let parameters: [String: EClassID]
    /// Whether a rule may create a `Parameter` (not when the graph has gradient outputs).
    let mayCreateParameters: Bool
    /// Derived-parameter records of the weights the rules created, by name.
    var derivedRecords: [String: DerivedParam] = [:]
    /// For each fused e-node a rule created: the classes of the producers it absorbs
    /// (the inner nodes of the rule's left-hand side). Extraction never selects a fused
    /// node while one of these is still needed elsewhere.
    var absorbed: [UInt32: [EClassID]] = [:]
    /// Root classes a derived-weight rule already rewrote: its conditional search sees
    /// every match again in each iteration, and re-applying would only rebuild the same
    /// e-nodes.
    var concatRoots: Set<UInt32> = []
    /// The same for the Winograd rule.
    var winogradRoots: Set<UInt32> = []
    /// Fused payloads already computed, keyed by (target op payload, source payload).
    private var payloadCache: [PayloadPair: UInt64] = [:]

    private struct PayloadPair: Hashable {
        var tag: UInt32
        var source: UInt64
    }

    init(graph: EGraph, language: FusionLanguage, facts: ClassFactsTable,
         parameters: [String: EClassID], mayCreateParameters: Bool)
    {
        self.graph = graph
        self.language = language
        self.facts = facts
        self.parameters = parameters
        self.mayCreateParameters = mayCreateParameters
    }

    /// The payload of `op` at the type of `source` (cached per `tag`, the target
    /// operator, when `op` has no parameters of its own).
    func payload(_ op: Op, typeOf source: UInt64, tag: UInt32) -> UInt64 {
        let key = PayloadPair(tag: tag, source: source)
        if let cached = payloadCache[key] { return cached }
        let id = language.payload(op, language[source].type)
        payloadCache[key] = id
        return id
    }

    /// One inner node of a left-hand side: its operator, payload variable and children.
    struct Inner {
        var op: String
        var payload: String
        var children: [String]
    }

    /// Adds a fused e-node and, when it is new, records the classes of the inner nodes of
    /// match `i` that it absorbs.
    func addFused(op: UInt32, payload: UInt64, children: [EClassID], absorbing inner: [Inner],
                  _ batch: MatchBatch, _ i: Int) throws -> EClassID
    {
        let before = graph.totalNodeCount
        let node = try graph.add(op: op, payload: payload, children: children)
        if Int(node.rawValue) >= before {
            var classes: [EClassID] = []
            for part in inner {
                let probe = ENode(op: language.operatorID(part.op), payload: batch.payload(part.payload, i),
                                  children: part.children.map { batch.eclass($0, i) })
                if let c = try graph.lookup(probe) { classes.append(c) }
            }
            absorbed[node.rawValue] = classes
        }
        return node
    }

    /// The type of a class.
    func type(of c: EClassID) -> TensorType { language.types[Int(facts[c].typeID)] }

    /// The name of the `Parameter` in class `c`, if any.
    func parameterName(_ c: EClassID) -> String? {
        let p = facts[c].parameter
        guard p != .max, case .parameter(let name) = language[p].op else { return nil }
        return name
    }

    /// Whether a derived weight named `name` is available (exists, or may be created).
    func canProvideParameter(named name: String) -> Bool {
        mayCreateParameters || parameters[name] != nil
    }

    /// The class of the derived weight `name`: the input's `Parameter` of that name, or a
    /// derived-parameter e-node `op(children)` whose payload is the `Parameter` it becomes.
    func derivedWeight(named name: String, type: TensorType, op: UInt32, children: [EClassID],
                       record: @autoclosure () -> DerivedParam) throws -> EClassID
    {
        if let existing = parameters[name] { return existing }
        if derivedRecords[name] == nil { derivedRecords[name] = record() }
        return try graph.add(op: op, payload: language.payload(.parameter(name: name), type),
                             children: children)
    }
}

/// The rule set of the ``OptimizationStrategy/egraph`` strategy.
///
/// - The seed's rules (SPEC §4): `Neg(Neg x) → x`, `Transpose(Transpose x) → x` (when the
///   types agree), `Relu(Relu x) → Relu x`, `Add` of each matmul kind and an addend (both
///   orders) → the fused matmul-add, `Mul` of `x` and `Sigmoid x` (both orders) → `Silu`,
///   `Mul` of `Silu g` and `u` (both orders) → `SwiGLU`; and, when opted in,
///   `MatMul(RmsNorm(x, w), p)` → `FusedRmsNormMatMul`.
/// - `SwiGLU(MatMul(h, Wg), MatMul(h, Wu))` → `SwiGLUConcat(MatMul(h, Wg+Wu))`, the
///   concatenated weight a derived-parameter e-node.
/// - In inference mode, `Silu(GroupNorm …)` → `GroupNormSilu` and qualifying 3×3 convs →
///   `WinogradConv2d` with a derived Winograd weight.
/// - When opted in, `CausalAttention(RoPE q, RoPE k, v)` → `CausalAttentionRoPE`.
///
/// Every right-hand side keeps the parameters and output type of the node it rewrites;
/// conditions (weight shapes, RoPE parameters, conv geometry) read the class facts.
/// Rule names are the labels of the fusions they produce (with the argument order).
enum FusionRules {
    static func make(_ context: FusionRuleContext, mode: OptimizationMode, optIns: OptInFusions)
        throws -> [Rewrite]
    {
        let language = context.language
        var rules: [Rewrite] = []

        // Pass A: matmul + add, both argument orders.
        let matMulKinds: [(String, Op, FusionKind)] = [
            ("MatMul", .fusedMatMulAdd, .matMulAdd),
            ("MatMulAT", .fusedMatMulATAdd, .matMulATAdd),
            ("MatMulBT", .fusedMatMulBTAdd, .matMulBTAdd),
        ]
        // All left-operand rules first: on an `Add` of two matmuls of equal cost, the fused
        // node for the left one is then created first and wins the tie, as in pass A.
        for addendFirst in [false, true] {
            for (name, fused, kind) in matMulKinds {
                let lhs = addendFirst ? "(Add ?p ?d (\(name) ?q ?a ?b))" : "(Add ?p (\(name) ?q ?a ?b) ?d)"
                rules.append(try replace(kind.label + (addendFirst ? " (addend first)" : ""), lhs, context,
                                         op: fused, children: ["a", "b", "d"],
                                         absorbing: [.init(op: name, payload: "q", children: ["a", "b"])]))
            }
        }
        // Pass B: Silu from x · sigmoid(x), both orders.
        let sigmoid = FusionRuleContext.Inner(op: "Sigmoid", payload: "q", children: ["x"])
        rules.append(try replace(FusionKind.silu.label, "(Mul ?p ?x (Sigmoid ?q ?x))", context, op: .silu,
                                 children: ["x"], absorbing: [sigmoid]))
        rules.append(try replace(FusionKind.silu.label + " (sigmoid first)", "(Mul ?p (Sigmoid ?q ?x) ?x)", context,
                                 op: .silu, children: ["x"], absorbing: [sigmoid]))
        // Pass C: SwiGLU from silu(g) · u, both orders.
        let silu = FusionRuleContext.Inner(op: "Silu", payload: "q", children: ["g"])
        rules.append(try replace(FusionKind.swiGLU.label, "(Mul ?p (Silu ?q ?g) ?u)", context, op: .swiGLU,
                                 children: ["g", "u"], absorbing: [silu]))
        rules.append(try replace(FusionKind.swiGLU.label + " (up first)", "(Mul ?p ?u (Silu ?q ?g))", context,
                                 op: .swiGLU, children: ["g", "u"], absorbing: [silu]))
        // Pass D: two matmuls sharing their input → one wide matmul.
        rules.append(try swiGLUConcat(context))
        if optIns.contains(.rmsNormMatMul) { rules.append(try rmsNormMatMul(context)) }
        if optIns.contains(.ropeAttention) { rules.append(try ropeAttention(context)) }
        if mode == .inference {
            rules.append(try groupNormSilu(context))
            rules.append(try winograd(context))
        }
        // The seed's algebraic simplifications.
        rules.append(Rewrite(FusionKind.doubleNegation.label, try pattern("(Neg ?p (Neg ?q ?x))", language),
                             try pattern("?x", language)))
        rules.append(Rewrite(FusionKind.reluIdempotence.label, try pattern("(Relu ?p (Relu ?q ?x))", language),
                             try pattern("(Relu ?q ?x)", language)))
        rules.append(Rewrite(FusionKind.doubleTranspose.label,
                             try pattern("(Transpose ?p (Transpose ?q ?x))", language),
                             try pattern("?x", language),
                             condition: { batch in
                                 (0..<batch.count).map { i in
                                     context.facts[batch.eclass("x", i)].typeID
                                         == language[batch.payload("p", i)].typeID
                                 }
                             }))
        return rules
    }

    static func pattern(_ text: String, _ language: FusionLanguage) throws -> Pattern {
        try Pattern(parsing: text, table: language.table)
    }

    /// A rule that adds `op(children…)` at the root's type and unions it with the root.
    static func replace(_ name: String, _ lhs: String, _ context: FusionRuleContext, op: Op,
                        children: [String], absorbing inner: [FusionRuleContext.Inner]) throws -> Rewrite
    {
        let language = context.language
        let target = language.operatorID(for: op, inputCount: children.count)
        return Rewrite(name, try pattern(lhs, language)) { batch in
            var unions: [(EClassID, EClassID)] = []
            unions.reserveCapacity(batch.count)
            for i in 0..<batch.count {
                let payload = context.payload(op, typeOf: batch.payload("p", i), tag: target)
                let node = try context.addFused(op: target, payload: payload,
                                                children: children.map { batch.eclass($0, i) },
                                                absorbing: inner, batch, i)
                unions.append((batch.root(i), node))
            }
            return unions
        }
    }

    /// `SwiGLU(MatMul(h, Wg), MatMul(h, Wu))` → `SwiGLUConcat(MatMul(h, ConcatWeight(Wg, Wu)))`.
    static func swiGLUConcat(_ context: FusionRuleContext) throws -> Rewrite {
        let language = context.language
        let matMul = language.operatorID("MatMul"), concat = language.operatorID("SwiGLUConcat")
        func weights(_ batch: MatchBatch, _ i: Int) -> (String, String, TensorType, TensorType)? {
            let (wg, wu) = (batch.eclass("wg", i), batch.eclass("wu", i))
            guard let gateName = context.parameterName(wg), let upName = context.parameterName(wu) else { return nil }
            let (gateType, upType) = (context.type(of: wg), context.type(of: wu))
            guard gateType.shape.count == 2, gateType.shape == upType.shape else { return nil }
            return (gateName, upName, gateType, upType)
        }
        return Rewrite(FusionKind.swiGLUConcat.label,
                       try pattern("(SwiGLU ?p (MatMul ?q ?h ?wg) (MatMul ?r ?h ?wu))", language),
                       condition: { batch in
                           (0..<batch.count).map { i in
                               guard let (g, u, _, _) = weights(batch, i) else { return false }
                               return context.canProvideParameter(named: g + "+" + u)
                           }
                       },
                       applier: { batch in
                           var unions: [(EClassID, EClassID)] = []
                           for i in 0..<batch.count where context.concatRoots.insert(batch.root(i).rawValue).inserted {
                               guard let (gateName, upName, gateType, _) = weights(batch, i) else { continue }
                               let (k, n) = (gateType.shape[0], gateType.shape[1])
                               let name = gateName + "+" + upName
                               let wide = try context.derivedWeight(
                                   named: name, type: TensorType(gateType.dtype, [k, 2 * n]),
                                   op: language.concatWeight,
                                   children: [batch.eclass("wg", i), batch.eclass("wu", i)],
                                   record: DerivedParam(name: name, sources: [.init(name: gateName, cols: n),
                                                                              .init(name: upName, cols: n)],
                                                        rows: k, transform: .horizontalConcat))
                               let h = batch.eclass("h", i)
                               let m = context.type(of: h).shape.first ?? 1
                               let product = try context.graph.add(
                                   op: matMul, payload: language.payload(.matMul, .f32([m, 2 * n])), children: [h, wide])
                               let fused = try context.addFused(
                                   op: concat, payload: language.payload(.swiGLUConcat, .f32([m, n])), children: [product],
                                   absorbing: [.init(op: "MatMul", payload: "q", children: ["h", "wg"]),
                                               .init(op: "MatMul", payload: "r", children: ["h", "wu"])], batch, i)
                               unions.append((batch.root(i), fused))
                           }
                           return unions
                       })
    }

    /// `MatMul(RmsNorm(x, w), p)` → `FusedRmsNormMatMul(eps)(x, w, p)` (opt-in).
    static func rmsNormMatMul(_ context: FusionRuleContext) throws -> Rewrite {
        let language = context.language
        let target = language.operatorID("FusedRmsNormMatMul")
        return Rewrite(FusionKind.rmsNormMatMul.label,
                       try pattern("(MatMul ?p (RmsNorm ?q ?x ?w) ?pw)", language)) { batch in
            try (0..<batch.count).compactMap { i in
                guard case .rmsNorm(let eps) = language[batch.payload("q", i)].op else { return nil }
                let payload = language.payload(.fusedRmsNormMatMul(eps: eps), language[batch.payload("p", i)].type)
                let node = try context.addFused(op: target, payload: payload,
                                                children: [batch.eclass("x", i), batch.eclass("w", i),
                                                           batch.eclass("pw", i)],
                                                absorbing: [.init(op: "RmsNorm", payload: "q", children: ["x", "w"])],
                                                batch, i)
                return (batch.root(i), node)
            }
        }
    }

    /// The heads and theta of a fusable `CausalAttention(RoPE q, RoPE k, v)` match.
    static func ropeAttentionParameters(_ batch: MatchBatch, _ i: Int, _ language: FusionLanguage)
        -> (AttentionHeads, Float)?
    {
        guard case .causalAttention(let heads) = language[batch.payload("p", i)].op,
              case .rope(let q) = language[batch.payload("q", i)].op,
              case .rope(let k) = language[batch.payload("r", i)].op,
              q.theta == k.theta, q.posOffset == 0, k.posOffset == 0,
              q.headDim == heads.headDim, k.headDim == heads.headDim else { return nil }
        return (heads, q.theta)
    }

    /// `CausalAttention(RoPE q, RoPE k, v)` → `CausalAttentionRoPE(theta)(q, k, v)` (opt-in).
    static func ropeAttention(_ context: FusionRuleContext) throws -> Rewrite {
        let language = context.language
        let target = language.operatorID("CausalAttentionRoPE")
        return Rewrite(FusionKind.ropeAttention.label,
                       try pattern("(CausalAttention ?p (RoPE ?q ?x) (RoPE ?r ?y) ?v)", language),
                       condition: { batch in
                           (0..<batch.count).map { ropeAttentionParameters(batch, $0, language) != nil }
                       },
                       applier: { batch in
                           try (0..<batch.count).compactMap { i in
                               guard let (heads, theta) = ropeAttentionParameters(batch, i, language) else { return nil }
                               let payload = language.payload(.causalAttentionRoPE(heads, ropeTheta: theta),
                                                              language[batch.payload("p", i)].type)
                               let node = try context.addFused(
                                   op: target, payload: payload,
                                   children: [batch.eclass("x", i), batch.eclass("y", i), batch.eclass("v", i)],
                                   absorbing: [.init(op: "RoPE", payload: "q", children: ["x"]),
                                               .init(op: "RoPE", payload: "r", children: ["y"])], batch, i)
                               return (batch.root(i), node)
                           }
                       })
    }

    /// `Silu(GroupNorm(x, w, b))` → `GroupNormSilu(x, w, b)` (inference).
    static func groupNormSilu(_ context: FusionRuleContext) throws -> Rewrite {
        let language = context.language
        let target = language.operatorID("GroupNormSilu")
        return Rewrite(FusionKind.groupNormSilu.label,
                       try pattern("(Silu ?p (GroupNorm ?q ?x ?w ?b))", language)) { batch in
            try (0..<batch.count).compactMap { i in
                guard case .groupNorm(let parameters) = language[batch.payload("q", i)].op else { return nil }
                let payload = language.payload(.groupNormSilu(parameters), language[batch.payload("p", i)].type)
                let node = try context.addFused(op: target, payload: payload,
                                                children: [batch.eclass("x", i), batch.eclass("w", i),
                                                           batch.eclass("b", i)],
                                                absorbing: [.init(op: "GroupNorm", payload: "q", children: ["x", "w", "b"])],
                                                batch, i)
                return (batch.root(i), node)
            }
        }
    }

    /// A qualifying `Conv2d(x, W)` → `WinogradConv2d(x, WinogradWeight(W), W)` (inference).
    static func winograd(_ context: FusionRuleContext) throws -> Rewrite {
        let language = context.language
        let target = language.operatorID("WinogradConv2d")
        func candidate(_ batch: MatchBatch, _ i: Int) -> (Conv2dGeometry, String)? {
            guard case .conv2d(let g) = language[batch.payload("p", i)].op,
                  ReferencePasses.isWinogradCandidate(g),
                  let weight = context.parameterName(batch.eclass("w", i)),
                  context.canProvideParameter(named: weight + ":winograd") else { return nil }
            return (g, weight)
        }
        return Rewrite(FusionKind.winograd.label, try pattern("(Conv2d ?p ?x ?w)", language),
                       condition: { batch in (0..<batch.count).map { candidate(batch, $0) != nil } },
                       applier: { batch in
                           try (0..<batch.count).compactMap { i in
                               guard context.winogradRoots.insert(batch.root(i).rawValue).inserted,
                                     let (g, weight) = candidate(batch, i) else { return nil }
                               let w = batch.eclass("w", i)
                               let transformed = try context.derivedWeight(
                                   named: weight + ":winograd", type: .f32([16 * g.outChannels * g.inChannels]),
                                   op: language.winogradWeight, children: [w],
                                   record: ReferencePasses.winogradRecord(weight: weight, g))
                               let geometry = WinogradGeometry(inChannels: g.inChannels, inH: g.inH, inW: g.inW,
                                                               outChannels: g.outChannels, padding: g.paddingH)
                               let payload = language.payload(.winogradConv2d(geometry), language[batch.payload("p", i)].type)
                               let node = try context.graph.add(op: target, payload: payload,
                                                                children: [batch.eclass("x", i), transformed, w])
                               return (batch.root(i), node)
                           }
                       })
    }
}
