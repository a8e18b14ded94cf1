import EGraphKit
import TensorGraph

/// State the fusion rules share while saturating: the e-graph, the language, the class
/// facts, and what the derived-weight rules need to know about the input graph.
final class FusionRuleContext {
    let graph: EGraph
    let language: FusionLanguage
    let facts: ClassFactsTable
    /// `Parameter` classes of the input graph by name (reused instead of deriving again),
    /// indexed only when a derived-weight rule first asks (most graphs never do).
    private lazy var parameters: [String: EClassID] = {
        var byName: [String: EClassID] = [:]
        byName.reserveCapacity(parameterList.count)
        // The first node of each name wins: assigned last, walking backwards (one hash each).
        for (name, eclass) in parameterList.reversed() { byName[name] = eclass }
        return byName
    }()
    private let parameterList: [(name: String, eclass: EClassID)]
    /// Whether a rule may create a `Parameter` (not when the graph has gradient outputs).
    let mayCreateParameters: Bool
    /// Derived-parameter records of the weights the rules created, by name.
    var derivedRecords: [String: DerivedParam] = [:]
    /// For each fused e-node a rule created: the classes of the producers it absorbs
    /// (the inner nodes of the rule's left-hand side). Extraction never selects a fused
    /// node while one of these is still needed elsewhere. Complete after
    /// ``finishSaturation()``.
    private(set) var absorbed = AbsorbedProducers()
    /// The same, as the core reported them per batch (nodes of the replace rules); moved
    /// into ``absorbed`` by ``finishSaturation()``.
    private var createdBatches: [Rewrite.CreatedNodes] = []
    /// Root classes a derived-weight rule already rewrote: its conditional search sees
    /// every match again in each iteration, and re-applying would only rebuild the same
    /// e-nodes.
    var concatRoots = ClassSet()
    /// The same for the Winograd rule.
    var winogradRoots = ClassSet()
    /// Fused payloads already computed: (target operator, source payload, payload). A
    /// model has few distinct pairs, so a short list scanned in order beats hashing;
    /// past ``payloadCacheLimit`` entries the interner answers directly.
    private var payloadCache: [(tag: UInt32, source: UInt64, payload: UInt64)] = []
    private static let payloadCacheLimit = 32

    init(graph: EGraph, language: FusionLanguage, facts: ClassFactsTable,
         parameters: [(name: String, eclass: EClassID)], mayCreateParameters: Bool)
    {
        self.graph = graph
        self.language = language
        self.facts = facts
        self.parameterList = parameters
        self.mayCreateParameters = mayCreateParameters
    }

    /// The payload of `op` at the type of `source` (cached per `tag`, the target
    /// operator, when `op` has no parameters of its own).
    func payload(_ op: Op, typeOf source: UInt64, tag: UInt32) -> UInt64 {
        for entry in payloadCache where entry.source == source && entry.tag == tag { return entry.payload }
        let id = language.payload(op, language.type(source))
        if payloadCache.count < Self.payloadCacheLimit { payloadCache.append((tag, source, id)) }
        return id
    }

    /// One inner node of a left-hand side: its operator, payload variable and children
    /// (variable numbers of the rule's numbered pattern).
    struct Inner {
        var op: UInt32
        var payload: Int
        var children: [Int]
    }

    /// Adds a fused e-node and, when it is new, records the classes of the inner nodes of
    /// match `i` that it absorbs.
    func addFused(op: UInt32, payload: UInt64, children: [EClassID], absorbing inner: [Inner],
                  _ batch: MatchBatch, _ i: Int) throws -> EClassID
    {
        let before = graph.totalNodeCount
        let node = try graph.add(op: op, payload: payload, children: children)
        if Int(node.rawValue) >= before {
            try absorbed.append(node: node.rawValue) { classes in
                for part in inner {
                    let found = try withClasses(part.children, batch, i) { children in
                        try graph.lookup(op: part.op, payload: batch.payload(at: part.payload, i), children: children)
                    }
                    if let c = found { classes.append(c.rawValue) }
                }
            }
        }
        return node
    }

    /// Calls `body` with the classes of class variables `variables` (at most four) of match
    /// `i`, in place (no array).
    @inline(__always)
    func withClasses<R>(_ variables: [Int], _ batch: MatchBatch, _ i: Int,
                        _ body: (UnsafeBufferPointer<EClassID>) throws -> R) throws -> R {
        precondition(variables.count <= 4, "at most four children")
        var ids = (EClassID(0), EClassID(0), EClassID(0), EClassID(0))
        let n = variables.count
        if n > 0 { ids.0 = batch.eclass(at: variables[0], i) }
        if n > 1 { ids.1 = batch.eclass(at: variables[1], i) }
        if n > 2 { ids.2 = batch.eclass(at: variables[2], i) }
        if n > 3 { ids.3 = batch.eclass(at: variables[3], i) }
        return try withUnsafePointer(to: &ids) { tuple in
            try tuple.withMemoryRebound(to: EClassID.self, capacity: 4) {
                try body(UnsafeBufferPointer(start: $0, count: n))
            }
        }
    }

    /// Adds the fused nodes the core created per batch to ``absorbed`` (once, at the end,
    /// when their number is known).
    func finishSaturation() {
        // Built in a local (no access check of the property per record).
        var log = AbsorbedProducers()
        swap(&log, &absorbed)
        var created = 0
        for batch in createdBatches { created += batch.createdCount * (2 + batch.probeCount) }
        log.reserveCapacity(created)
        for batch in createdBatches {
            for i in 0..<batch.count {
                guard let node = batch.node(i) else { continue }
                log.append(node: node.rawValue) { classes in
                    for k in 0..<batch.probeCount {
                        if let c = batch.probe(k, i) { classes.append(c.rawValue) }
                    }
                }
            }
        }
        swap(&log, &absorbed)
        createdBatches = []
    }

    /// Records, for each fused node a batch created, the classes its probes (the inner
    /// nodes of the rule's left-hand side) were found in.
    func recordAbsorbed(_ nodes: Rewrite.CreatedNodes) {
        createdBatches.append(nodes)
    }

    /// The type of a class.
    func type(of c: EClassID) -> TensorType { language.types[Int(facts[c].typeID)] }

    /// The name of the `Parameter` in class `c`, if any.
    func parameterName(_ c: EClassID) -> String? {
        let p = facts[c].parameter
        guard p != .max else { return nil }
        guard case .parameter(let name) = language.op(UInt64(p)) else { return nil }
        return name
    }

    /// The input graph's `Parameter` class named `name`, if its name could be a derived
    /// weight's (the first such node of that name).
    func parameterClass(named name: String) -> EClassID? { parameters[name] }

    /// Whether a derived weight named `name` is available (exists, or may be created).
    func canProvideParameter(named name: String) -> Bool {
        mayCreateParameters || parameterClass(named: name) != nil
    }

    /// The class of the derived weight `name`: the input's `Parameter` of that name, or a
    /// derived-parameter e-node `op(children)` whose payload is the `Parameter` it becomes.
    func derivedWeight(named name: String, type: TensorType, op: UInt32, children: [EClassID],
                       record: @autoclosure () -> DerivedParam) throws -> EClassID
    {
        if let existing = parameterClass(named: name) { return existing }
        if derivedRecords[name] == nil { derivedRecords[name] = record() }
        return try graph.add(op: op, payload: language.payload(.parameter(name: name), type),
                             children: children)
    }
}

/// A set of class ids as a bitset (ids are dense): membership without hashing.
/// The producer classes each fused e-node absorbs, as a flat list of records (node,
/// class count, classes) in the order they were added. A node recorded twice keeps its
/// last record.
struct AbsorbedProducers {
    /// The records, one after another.
    private(set) var records: [UInt32] = []

    /// Whether no node is recorded.
    var isEmpty: Bool { records.isEmpty }

    mutating func reserveCapacity(_ words: Int) {
        records.reserveCapacity(records.count + words)
    }

    /// Records `node`; `fill` appends its absorbed classes (any ids).
    mutating func append<E: Error>(node: UInt32, _ fill: (inout [UInt32]) throws(E) -> Void) throws(E) {
        records.append(node)
        let countAt = records.count
        records.append(0)
        try fill(&records)
        records[countAt] = UInt32(records.count - countAt - 1)
    }

    /// Calls `body` with each record's node and classes, in order.
    func forEach(_ body: (_ node: UInt32, _ classes: UnsafeBufferPointer<UInt32>) -> Void) {
        records.withUnsafeBufferPointer { log in
            var k = 0
            while k < log.count {
                let count = Int(log[k + 1])
                body(log[k], UnsafeBufferPointer(rebasing: log[(k + 2)..<(k + 2 + count)]))
                k += 2 + count
            }
        }
    }
}

struct ClassSet {
    private var words: [UInt64] = []

    /// Whether `id` is in the set.
    func contains(_ id: UInt32) -> Bool {
        let w = Int(id >> 6)
        return w < words.count && words[w] & (1 << UInt64(id & 63)) != 0
    }

    /// Adds `id`; `inserted` is false when it was already there.
    @discardableResult
    mutating func insert(_ id: UInt32) -> (inserted: Bool, memberAfterInsert: UInt32) {
        let w = Int(id >> 6), bit: UInt64 = 1 << UInt64(id & 63)
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w + 1 - words.count)) }
        let inserted = words[w] & bit == 0
        words[w] |= bit
        return (inserted, id)
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
    typealias Term = OperatorPattern.Term

    /// Class variable `k` of a numbered pattern.
    static func v(_ k: Int) -> Term { .variable(k) }

    /// A node of operator `op` binding payload variable `p`.
    static func node(_ op: UInt32, _ p: Int, _ children: [Term]) -> Term {
        .apply(OperatorID(rawValue: op), payload: .variable(p), children)
    }

    static func make(_ context: FusionRuleContext, mode: OptimizationMode, optIns: OptInFusions)
        throws -> [Rewrite]
    {
        let language = context.language
        let shapes = try Shapes.shared.get()
        var rules: [Rewrite] = []
        rules.reserveCapacity(20)
        // Passes A–C: matmul + add, Silu, SwiGLU (see ``Shapes``).
        for shape in shapes.replacements { rules.append(replace(shape, context)) }
        // Pass D: two matmuls sharing their input → one wide matmul.
        rules.append(swiGLUConcat(shapes.swiGLUConcat, context))
        if optIns.contains(.rmsNormMatMul) { rules.append(rmsNormMatMul(shapes.rmsNormMatMul, context)) }
        if optIns.contains(.ropeAttention) { rules.append(ropeAttention(shapes.ropeAttention, context)) }
        if mode == .inference {
            rules.append(groupNormSilu(shapes.groupNormSilu, context))
            rules.append(winograd(shapes.winograd, context))
        }
        // The seed's algebraic simplifications.
        rules.append(Rewrite(FusionKind.doubleNegation.label, shapes.doubleNegation.lhs, shapes.doubleNegation.rhs))
        rules.append(Rewrite(FusionKind.reluIdempotence.label, shapes.reluIdempotence.lhs, shapes.reluIdempotence.rhs))
        rules.append(Rewrite(FusionKind.doubleTranspose.label, shapes.doubleTranspose.lhs, shapes.doubleTranspose.rhs,
                             condition: { batch in
                                 (0..<batch.count).map { i in
                                     context.facts[batch.eclass(at: 0, i)].typeID
                                         == language[batch.payload(at: 0, i)].typeID
                                 }
                             }))
        return rules
    }

    /// The patterns of every rule, built and checked once per process against the
    /// language's operator table (``FusionLanguage/prototypeTable``, of which every
    /// language's table is a copy) and compiled with them; a run only adds the closures
    /// that read its own context. A class, as is ``Replacement``: a run reads them in
    /// place (no copy of the shapes per run).
    final class Shapes {
        /// One replacement rule of passes A–C (``replace(_:_:)``).
        final class Replacement {
            let name: String
            let lhs: OperatorPattern
            /// The fused node: `target(children…)` with the root's payload mapped; probes:
            /// the inner nodes, looked up for the classes a new fused node absorbs
            /// (compiled with the patterns, once).
            let rhs: OperatorPattern.RightHandSide
            /// The fused op (its payload is this op at the root's type).
            let op: Op
            let target: UInt32

            init(name: String, lhs: OperatorPattern, rhs: OperatorPattern.RightHandSide, op: Op, target: UInt32) {
                self.name = name
                self.lhs = lhs
                self.rhs = rhs
                self.op = op
                self.target = target
            }
        }

        /// A left-hand side and its replacement term.
        struct Simplification {
            var lhs: OperatorPattern
            var rhs: Term
        }

        let replacements: [Replacement]
        let swiGLUConcat: OperatorPattern
        let rmsNormMatMul: OperatorPattern
        let ropeAttention: OperatorPattern
        let groupNormSilu: OperatorPattern
        let winograd: OperatorPattern
        let doubleNegation: Simplification
        let reluIdempotence: Simplification
        let doubleTranspose: Simplification

        /// The shapes, made on first use (the result is immutable and only read).
        nonisolated(unsafe) static let shared = Result { () throws(PatternError) in
            try Shapes(table: FusionLanguage.prototypeTable)
        }

        private init(table: OperatorTable) throws(PatternError) {
            func id(_ name: String) -> UInt32 { FusionLanguage.declaredIDs[name]! }
            var replacements: [Replacement] = []
            // Pass A: matmul + add, both argument orders. Classes a = 0, b = 1, d = 2;
            // payloads p = 0 (the Add), q = 1 (the matmul). All left-operand rules first:
            // on an `Add` of two matmuls of equal cost, the fused node for the left one is
            // then created first and wins the tie, as in pass A.
            let add = id("Add")
            let matMulKinds: [(UInt32, Op, FusionKind)] = [
                (id("MatMul"), .fusedMatMulAdd, .matMulAdd),
                (id("MatMulAT"), .fusedMatMulATAdd, .matMulATAdd),
                (id("MatMulBT"), .fusedMatMulBTAdd, .matMulBTAdd),
            ]
            for addendFirst in [false, true] {
                for (matMul, fused, kind) in matMulKinds {
                    let product = node(matMul, 1, [v(0), v(1)])
                    let lhs = addendFirst ? node(add, 0, [v(2), product]) : node(add, 0, [product, v(2)])
                    replacements.append(try Self.replacement(addendFirst ? addendFirstName(kind) : kind.label,
                                                             OperatorPattern(lhs, table: table), op: fused,
                                                             children: [0, 1, 2], absorbing: [node(matMul, 1, [v(0), v(1)])]))
                }
            }
            // Pass B: Silu from x · sigmoid(x), both orders. x = 0; p = 0, q = 1.
            let mul = id("Mul"), sigmoid = id("Sigmoid")
            replacements.append(try Self.replacement(FusionKind.silu.label,
                                                     OperatorPattern(node(mul, 0, [v(0), node(sigmoid, 1, [v(0)])]), table: table),
                                                     op: .silu, children: [0], absorbing: [node(sigmoid, 1, [v(0)])]))
            replacements.append(try Self.replacement("Mul+Sigmoid→Silu (sigmoid first)",
                                                     OperatorPattern(node(mul, 0, [node(sigmoid, 1, [v(0)]), v(0)]), table: table),
                                                     op: .silu, children: [0], absorbing: [node(sigmoid, 1, [v(0)])]))
            // Pass C: SwiGLU from silu(g) · u, both orders. g = 0, u = 1; p = 0, q = 1.
            let silu = id("Silu")
            replacements.append(try Self.replacement(FusionKind.swiGLU.label,
                                                     OperatorPattern(node(mul, 0, [node(silu, 1, [v(0)]), v(1)]), table: table),
                                                     op: .swiGLU, children: [0, 1], absorbing: [node(silu, 1, [v(0)])]))
            replacements.append(try Self.replacement("Silu+Mul→SwiGLU (up first)",
                                                     OperatorPattern(node(mul, 0, [v(1), node(silu, 1, [v(0)])]), table: table),
                                                     op: .swiGLU, children: [0, 1], absorbing: [node(silu, 1, [v(0)])]))
            self.replacements = replacements
            // Pass D: h = 0, wg = 1, wu = 2; p = 0 (SwiGLU), q = 1, r = 2 (the matmuls).
            let matMul = id("MatMul")
            swiGLUConcat = try OperatorPattern(node(id("SwiGLU"), 0, [node(matMul, 1, [v(0), v(1)]),
                                                                     node(matMul, 2, [v(0), v(2)])]), table: table)
            // Opt-in: MatMul(RmsNorm(x, w), W). x = 0, w = 1, W = 2; p = 0, q = 1.
            rmsNormMatMul = try OperatorPattern(node(matMul, 0, [node(id("RmsNorm"), 1, [v(0), v(1)]), v(2)]),
                                                table: table)
            // Opt-in: CausalAttention(RoPE(q), RoPE(k), v). q = 0, k = 1, v = 2; p = 0, q = 1, r = 2.
            let rope = id("RoPE")
            ropeAttention = try OperatorPattern(node(id("CausalAttention"), 0,
                                                     [node(rope, 1, [v(0)]), node(rope, 2, [v(1)]), v(2)]), table: table)
            // Inference: Silu(GroupNorm(x, γ, β)). p = 0, q = 1.
            groupNormSilu = try OperatorPattern(node(silu, 0, [node(id("GroupNorm"), 1, [v(0), v(1), v(2)])]),
                                                table: table)
            // Inference: Conv2d(x, w). x = 0, w = 1; p = 0.
            winograd = try OperatorPattern(node(id("Conv2d"), 0, [v(0), v(1)]), table: table)
            // The seed's algebraic simplifications. x = 0; p = 0, q = 1.
            let neg = id("Neg"), relu = id("Relu"), transpose = id("Transpose")
            doubleNegation = Simplification(lhs: try OperatorPattern(node(neg, 0, [node(neg, 1, [v(0)])]), table: table),
                                            rhs: v(0))
            reluIdempotence = Simplification(lhs: try OperatorPattern(node(relu, 0, [node(relu, 1, [v(0)])]), table: table),
                                             rhs: node(relu, 1, [v(0)]))
            doubleTranspose = Simplification(
                lhs: try OperatorPattern(node(transpose, 0, [node(transpose, 1, [v(0)])]), table: table), rhs: v(0))
        }

        /// A replacement adding `op(children…)` (class variable numbers) for the root.
        private static func replacement(_ name: String, _ lhs: OperatorPattern, op: Op, children: [Int],
                                        absorbing probes: [Term]) -> Replacement {
            let target = PayloadInterner.key(op).operator
            let rhs: Term = .apply(OperatorID(rawValue: target), payload: .variable(0), children.map { .variable($0) })
            return Replacement(name: name, lhs: lhs, rhs: lhs.rightHandSide(rhs, probes: probes), op: op, target: target)
        }
    }

    /// The name of the addend-first variant of a matmul+add rule (a literal: no string is
    /// built per run).
    static func addendFirstName(_ kind: FusionKind) -> String {
        switch kind {
        case .matMulAdd: "MatMul+Add→FusedMatMulAdd (addend first)"
        case .matMulATAdd: "MatMulAT+Add→FusedMatMulATAdd (addend first)"
        case .matMulBTAdd: "MatMulBT+Add→FusedMatMulBTAdd (addend first)"
        default: kind.label + " (addend first)"
        }
    }

    /// A rule that adds `op(children…)` at the type of the root (payload variable 0) and
    /// unions it with the root (``Shapes/Replacement``). The core instantiates it: the
    /// root's payload is mapped to the fused payload first, and the inner nodes are probed
    /// for each new fused node (the classes it absorbs).
    static func replace(_ shape: Shapes.Replacement, _ context: FusionRuleContext) -> Rewrite {
        let op = shape.op, target = shape.target
        return Rewrite(shape.name, shape.lhs, shape.rhs, mapping: 0, through: { payloads in
            // Matches mostly share their root's payload: the last one mapped is kept; others
            // go through the context's cache.
            var last: (source: UInt64, payload: UInt64) = (.max, 0)
            for i in payloads.indices {
                let source = payloads[i]
                if source != last.source { last = (source, context.payload(op, typeOf: source, tag: target)) }
                payloads[i] = last.payload
            }
        }, created: context.recordAbsorbed)
    }

    /// `SwiGLU(MatMul(h, Wg), MatMul(h, Wu))` → `SwiGLUConcat(MatMul(h, ConcatWeight(Wg, Wu)))`.
    /// h = 0, wg = 1, wu = 2; p = 0 (SwiGLU), q = 1, r = 2 (the matmuls).
    ///
    /// A root already rewritten (``FusionRuleContext/concatRoots``) passes the condition
    /// without reading its weights again: its conditional search sees it in every later
    /// iteration, and the applier skips it whatever the condition says.
    static func swiGLUConcat(_ lhs: OperatorPattern, _ context: FusionRuleContext) -> Rewrite {
        let language = context.language
        let matMul = language.operatorID("MatMul"), concat = language.operatorID("SwiGLUConcat")
        /// Whether both weights are `Parameter`s of one rank-2 shape; their type.
        func weightType(_ batch: MatchBatch, _ i: Int) -> TensorType? {
            let (gate, up) = (context.facts[batch.eclass(at: 1, i)], context.facts[batch.eclass(at: 2, i)])
            guard gate.isParameter, up.isParameter else { return nil }
            let gateType = context.language.types[Int(gate.typeID)]
            // Types are interned: equal ids are equal types; otherwise only the shapes must agree.
            if gate.typeID != up.typeID, gateType.shape != context.language.types[Int(up.typeID)].shape { return nil }
            return gateType.shape.count == 2 ? gateType : nil
        }
        /// The names of the two weights (both `Parameter`s).
        func weightNames(_ batch: MatchBatch, _ i: Int) -> (String, String)? {
            guard let gate = context.parameterName(batch.eclass(at: 1, i)),
                  let up = context.parameterName(batch.eclass(at: 2, i)) else { return nil }
            return (gate, up)
        }
        // The payloads of the wide matmul and the fused node for the last (m, n) seen (the
        // layers of a model share them).
        var lastShape: (m: Int, n: Int, wide: UInt64, fused: UInt64) = (-1, -1, 0, 0)
        return Rewrite(FusionKind.swiGLUConcat.label, lhs,
                       condition: { batch in
                           (0..<batch.count).map { i in
                               if context.concatRoots.contains(batch.root(i).rawValue) { return true }
                               guard weightType(batch, i) != nil else { return false }
                               if context.mayCreateParameters { return true }
                               guard let (g, u) = weightNames(batch, i) else { return false }
                               return context.canProvideParameter(named: g + "+" + u)
                           }
                       },
                       applier: { batch in
                           var unions: [(EClassID, EClassID)] = []
                           var reserved = false
                           for i in 0..<batch.count where context.concatRoots.insert(batch.root(i).rawValue).inserted {
                               guard let gateType = weightType(batch, i),
                                     let (gateName, upName) = weightNames(batch, i) else { continue }
                               if !reserved {
                                   // Room for this batch's new weights at most (one resize, not several).
                                   context.derivedRecords.reserveCapacity(context.derivedRecords.count + batch.count - i)
                                   reserved = true
                               }
                               let (k, n) = (gateType.shape[0], gateType.shape[1])
                               let name = gateName + "+" + upName
                               let wide = try context.derivedWeight(
                                   named: name, type: TensorType(gateType.dtype, [k, 2 * n]),
                                   op: language.concatWeight,
                                   children: [batch.eclass(at: 1, i), batch.eclass(at: 2, i)],
                                   record: DerivedParam(name: name, sources: [.init(name: gateName, cols: n),
                                                                              .init(name: upName, cols: n)],
                                                        rows: k, transform: .horizontalConcat))
                               let h = batch.eclass(at: 0, i)
                               let m = context.type(of: h).shape.first ?? 1
                               if lastShape.m != m || lastShape.n != n {
                                   lastShape = (m, n, language.payload(.matMul, .f32([m, 2 * n])),
                                                language.payload(.swiGLUConcat, .f32([m, n])))
                               }
                               var pair = (h, wide)
                               let product = try withUnsafePointer(to: &pair) { p in
                                   try p.withMemoryRebound(to: EClassID.self, capacity: 2) {
                                       try context.graph.add(op: matMul, payload: lastShape.wide,
                                                             children: UnsafeBufferPointer(start: $0, count: 2))
                                   }
                               }
                               let fused = try context.addFused(
                                   op: concat, payload: lastShape.fused, children: [product],
                                   absorbing: [.init(op: matMul, payload: 1, children: [0, 1]),
                                               .init(op: matMul, payload: 2, children: [0, 2])], batch, i)
                               unions.append((batch.root(i), fused))
                           }
                           return unions
                       })
    }

    /// `MatMul(RmsNorm(x, w), p)` → `FusedRmsNormMatMul(eps)(x, w, p)` (opt-in).
    /// x = 0, w = 1, pw = 2; p = 0, q = 1.
    static func rmsNormMatMul(_ lhs: OperatorPattern, _ context: FusionRuleContext) -> Rewrite {
        let language = context.language
        let target = language.operatorID("FusedRmsNormMatMul")
        let rmsNorm = language.operatorID("RmsNorm")
        return Rewrite(FusionKind.rmsNormMatMul.label, lhs) { batch in
            try (0..<batch.count).compactMap { i in
                guard case .rmsNorm(let eps) = language.op(batch.payload(at: 1, i)) else { return nil }
                let payload = language.payload(.fusedRmsNormMatMul(eps: eps), language.type(batch.payload(at: 0, i)))
                let node = try context.addFused(op: target, payload: payload,
                                                children: [batch.eclass(at: 0, i), batch.eclass(at: 1, i),
                                                           batch.eclass(at: 2, i)],
                                                absorbing: [.init(op: rmsNorm, payload: 1, children: [0, 1])],
                                                batch, i)
                return (batch.root(i), node)
            }
        }
    }

    /// The heads and theta of a fusable `CausalAttention(RoPE q, RoPE k, v)` match.
    static func ropeAttentionParameters(_ batch: MatchBatch, _ i: Int, _ language: FusionLanguage)
        -> (AttentionHeads, Float)?
    {
        guard case .causalAttention(let heads) = language.op(batch.payload(at: 0, i)),
              case .rope(let q) = language.op(batch.payload(at: 1, i)),
              case .rope(let k) = language.op(batch.payload(at: 2, i)),
              q.theta == k.theta, q.posOffset == 0, k.posOffset == 0,
              q.headDim == heads.headDim, k.headDim == heads.headDim else { return nil }
        return (heads, q.theta)
    }

    /// `CausalAttention(RoPE q, RoPE k, v)` → `CausalAttentionRoPE(theta)(q, k, v)` (opt-in).
    /// x = 0, y = 1, v = 2; p = 0, q = 1, r = 2.
    static func ropeAttention(_ lhs: OperatorPattern, _ context: FusionRuleContext) -> Rewrite {
        let language = context.language
        let target = language.operatorID("CausalAttentionRoPE")
        let rope = language.operatorID("RoPE")
        return Rewrite(FusionKind.ropeAttention.label, lhs,
                       condition: { batch in
                           (0..<batch.count).map { ropeAttentionParameters(batch, $0, language) != nil }
                       },
                       applier: { batch in
                           try (0..<batch.count).compactMap { i in
                               guard let (heads, theta) = ropeAttentionParameters(batch, i, language) else { return nil }
                               let payload = language.payload(.causalAttentionRoPE(heads, ropeTheta: theta),
                                                              language.type(batch.payload(at: 0, i)))
                               let node = try context.addFused(
                                   op: target, payload: payload,
                                   children: [batch.eclass(at: 0, i), batch.eclass(at: 1, i), batch.eclass(at: 2, i)],
                                   absorbing: [.init(op: rope, payload: 1, children: [0]),
                                               .init(op: rope, payload: 2, children: [1])], batch, i)
                               return (batch.root(i), node)
                           }
                       })
    }

    /// `Silu(GroupNorm(x, w, b))` → `GroupNormSilu(x, w, b)` (inference).
    /// x = 0, w = 1, b = 2; p = 0, q = 1.
    static func groupNormSilu(_ lhs: OperatorPattern, _ context: FusionRuleContext) -> Rewrite {
        let language = context.language
        let target = language.operatorID("GroupNormSilu")
        let groupNorm = language.operatorID("GroupNorm")
        return Rewrite(FusionKind.groupNormSilu.label, lhs) { batch in
            try (0..<batch.count).compactMap { i in
                guard case .groupNorm(let parameters) = language.op(batch.payload(at: 1, i)) else { return nil }
                let payload = language.payload(.groupNormSilu(parameters), language.type(batch.payload(at: 0, i)))
                let node = try context.addFused(op: target, payload: payload,
                                                children: [batch.eclass(at: 0, i), batch.eclass(at: 1, i),
                                                           batch.eclass(at: 2, i)],
                                                absorbing: [.init(op: groupNorm, payload: 1, children: [0, 1, 2])],
                                                batch, i)
                return (batch.root(i), node)
            }
        }
    }

    /// A qualifying `Conv2d(x, W)` → `WinogradConv2d(x, WinogradWeight(W), W)` (inference).
    /// x = 0, w = 1; p = 0.
    static func winograd(_ lhs: OperatorPattern, _ context: FusionRuleContext) -> Rewrite {
        let language = context.language
        let target = language.operatorID("WinogradConv2d")
        func candidate(_ batch: MatchBatch, _ i: Int) -> (Conv2dGeometry, String)? {
            guard case .conv2d(let g) = language.op(batch.payload(at: 0, i)),
                  ReferencePasses.isWinogradCandidate(g),
                  let weight = context.parameterName(batch.eclass(at: 1, i)),
                  context.canProvideParameter(named: weight + ":winograd") else { return nil }
            return (g, weight)
        }
        return Rewrite(FusionKind.winograd.label, lhs,
                       condition: { batch in (0..<batch.count).map { candidate(batch, $0) != nil } },
                       applier: { batch in
                           try (0..<batch.count).compactMap { i in
                               guard context.winogradRoots.insert(batch.root(i).rawValue).inserted,
                                     let (g, weight) = candidate(batch, i) else { return nil }
                               let w = batch.eclass(at: 1, i)
                               let transformed = try context.derivedWeight(
                                   named: weight + ":winograd", type: .f32([16 * g.outChannels * g.inChannels]),
                                   op: language.winogradWeight, children: [w],
                                   record: ReferencePasses.winogradRecord(weight: weight, g))
                               let geometry = WinogradGeometry(inChannels: g.inChannels, inH: g.inH, inW: g.inW,
                                                               outChannels: g.outChannels, padding: g.paddingH)
                               let payload = language.payload(.winogradConv2d(geometry), language.type(batch.payload(at: 0, i)))
                               let node = try context.graph.add(op: target, payload: payload,
                                                                children: [batch.eclass(at: 0, i), transformed, w])
                               return (batch.root(i), node)
                           }
                       })
    }
}
