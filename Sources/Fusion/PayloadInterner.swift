import TensorGraph

/// The interning tables of ``FusionLanguage``: payloads (op value and output type) and
/// output types, each an open-addressing table of ids keyed by a cheap integer hash and
/// verified by equality.
///
/// A key is hashed from integers only: the operator id, the output type's dtype, rank and
/// dimensions (its type id above rank 3), the op's parameters (packed bits, or a hash of
/// them) and, for `Parameter` and `Input`, the UTF-8 bytes of the name read in place. A
/// hit is confirmed by comparing the stored compact key and, when the key does not pack
/// the parameters exactly, the op values, so the hash only decides how fast an entry is
/// found, never which id it gets: ids are handed out in first-seen order.
struct PayloadInterner {
    /// Interned payloads, indexed by payload id.
    private(set) var payloads: [FusionLanguage.Payload] = []
    /// The nodes of the graph being encoded: the ops of the payloads interned from them
    /// (shared with the graph, not copied).
    var inputNodes: [Node] = []
    /// The ops of the payloads made by rules (``FusionLanguage/Payload/source`` `-(k+1)`).
    private var createdOps: [Op] = []
    /// Interned types, indexed by type id.
    private(set) var types: [TensorType] = []
    /// The compact key of each payload (compared on a hash hit, with no copy of the op).
    private var payloadKeys: [StoredKey] = []
    /// The compact key of each type.
    private var typeKeys: [TypeKey] = []
    /// Slots of the payload table: `hash << 32 | (id + 1)`, 0 when empty (linear probing).
    private var payloadSlots = [UInt64](repeating: 0, count: 64)
    /// Payloads in ``payloadSlots`` (payloads made unique per node are not).
    private var payloadsIndexed = 0
    /// Slots of the type table, as ``payloadSlots``.
    private var typeSlots = [UInt64](repeating: 0, count: 16)

    /// What identifies a payload of an op, besides the op's operator and the output type.
    enum KeyKind {
        /// The key's parameter bits are the op's parameters, exactly (no parameters, or
        /// parameters packed without loss): equal keys are equal ops.
        case exact
        /// The parameter bits are a hash of the op's parameters: equal keys are compared
        /// as ops.
        case parametric
        /// The parameter bits are a hash of a leaf's name: equal keys are compared as ops.
        case leaf
    }

    /// An op's operator, parameter bits, and what equal keys mean.
    struct Key {
        /// The operator (the one-input form for RoPE).
        var `operator`: UInt32
        /// The parameters, packed or hashed (see ``kind``).
        var parameters: UInt64
        /// Whether equal keys mean equal ops.
        var kind: KeyKind
        /// What a `Parameter`'s name says about a derived weight (`a+b`, `w:winograd`;
        /// ``isDerivedLooking(_:marks:)`` decides); `.none` for other ops.
        var derivedMarks = DerivedMarks.none
    }

    /// A payload's key as stored: the operator, the parameter bits and the output type's
    /// key, so that a payload is found without looking its type up first. A type of rank
    /// above 3 is keyed by its type id instead (``byTypeID``).
    struct StoredKey: Equatable {
        /// The operator in the high half, the type key's dtype and rank in the low half.
        var operatorAndType: UInt64
        var parameters: UInt64
        var d0: Int, d1: Int, d2: Int

        /// The dtype-and-rank half of a key that holds a type id in `d0`.
        static let byTypeID: UInt64 = 0xFFFF_FFFF

        /// The key of an op's `key` at a type whose complete key is `type`.
        @inline(__always)
        init(_ key: Key, _ type: TypeKey) {
            operatorAndType = UInt64(key.operator) << 32 | type.dtypeAndRank
            parameters = key.parameters
            d0 = type.d0
            d1 = type.d1
            d2 = type.d2
        }

        /// The key of an op's `key` at the type with id `typeID`.
        @inline(__always)
        init(_ key: Key, typeID: UInt32) {
            operatorAndType = UInt64(key.operator) << 32 | Self.byTypeID
            parameters = key.parameters
            d0 = Int(typeID)
            d1 = 0
            d2 = 0
        }

        /// The operator.
        var `operator`: UInt32 { UInt32(truncatingIfNeeded: operatorAndType >> 32) }
    }

    /// A type's dtype and rank, and its first three dimensions: the whole type when the
    /// rank is at most 3.
    struct TypeKey: Equatable {
        var dtypeAndRank: UInt64
        var d0: Int, d1: Int, d2: Int
        /// Whether the key holds every dimension.
        var isComplete: Bool { dtypeAndRank >> 8 <= 3 }
    }

    /// Makes room for the payloads and types of about `count` nodes.
    ///
    /// Graphs share payloads and types between nodes, so room is made for half as many
    /// payloads (their table for a quarter as many) and a sixteenth as many types, each
    /// table at load one half; all grow when more are distinct. Smaller tables cost less to
    /// clear and stay in cache better.
    mutating func reserveCapacity(_ count: Int) {
        payloads.reserveCapacity(count / 2)
        payloadKeys.reserveCapacity(count / 2)
        payloadSlots = Self.rehash(payloadSlots, capacity: Self.tableCapacity(payloadSlots.count, for: count / 4))
        types.reserveCapacity(count / 16)
        typeKeys.reserveCapacity(count / 16)
        typeSlots = Self.rehash(typeSlots, capacity: Self.tableCapacity(typeSlots.count, for: count / 16))
    }

    /// The capacity of a table of `capacity` slots grown (by doubling) to hold `entries`
    /// at load one half.
    private static func tableCapacity(_ capacity: Int, for entries: Int) -> Int {
        var capacity = capacity
        while capacity < 2 * entries { capacity *= 2 }
        return capacity
    }

    // MARK: Types

    /// The interned id of a type.
    ///
    /// Types of rank 3 or less are compared by their compact keys alone (integers, no
    /// copy of the shape); others by ``typeIDOfHighRank(_:key:)``.
    ///
    /// - Complexity: O(rank) expected.
    @inline(__always)
    mutating func typeID(_ type: TensorType) -> UInt32 {
        let key = Self.typeKey(type)
        guard key.isComplete else { return typeIDOfHighRank(type, key: key) }
        return typeID(type, completeKey: key)
    }

    /// ``typeID(_:)`` for a type whose complete key is known.
    @inline(__always)
    private mutating func typeID(_ type: borrowing TensorType, completeKey key: TypeKey) -> UInt32 {
        let hash = Self.hash(key)
        let (found, slot) = Self.probe(typeSlots, hash: hash) { typeKeys[$0] == key }
        if let found { return UInt32(found) }
        return insertType(type, key: key, hash: hash, at: slot)
    }

    /// ``typeID(_:)`` for a type of rank above 3: keys are compared, then shapes.
    @inline(never)
    private mutating func typeIDOfHighRank(_ type: TensorType, key: TypeKey) -> UInt32 {
        let hash = Self.hash(type)
        let (found, slot) = Self.probe(typeSlots, hash: hash) { typeKeys[$0] == key && types[$0] == type }
        if let found { return UInt32(found) }
        return insertType(type, key: key, hash: hash, at: slot)
    }

    /// Adds a new type in the empty slot `slot` and returns its id.
    @inline(__always)
    private mutating func insertType(_ type: borrowing TensorType, key: TypeKey, hash: UInt32, at slot: Int) -> UInt32 {
        let id = UInt32(types.count)
        types.append(copy type)
        typeKeys.append(key)
        typeSlots[slot] = UInt64(hash) << 32 | UInt64(id + 1)
        if types.count * 2 > typeSlots.count { rehashTypes() }
        return id
    }

    private mutating func rehashTypes() {
        typeSlots = Self.rehash(typeSlots, capacity: typeSlots.count * 2)
    }

    /// The compact key of a type.
    @inline(__always)
    static func typeKey(_ type: TensorType) -> TypeKey {
        let shape = type.shape
        let rank = shape.count
        return TypeKey(dtypeAndRank: UInt64(dtypeCode(type.dtype)) | UInt64(truncatingIfNeeded: rank) << 8,
                       d0: rank > 0 ? shape[0] : 0, d1: rank > 1 ? shape[1] : 0, d2: rank > 2 ? shape[2] : 0)
    }

    /// The hash of a complete type key.
    @inline(__always)
    static func hash(_ key: TypeKey) -> UInt32 {
        finish(mix(mix(mix(key.dtypeAndRank &* 0x243F_6A88_85A3_08D3, u(key.d0)), u(key.d1)), u(key.d2)))
    }

    /// The hash of a type of any rank (equal to the key's hash up to rank 3).
    static func hash(_ type: TensorType) -> UInt32 {
        let key = typeKey(type)
        var h = mix(mix(mix(key.dtypeAndRank &* 0x243F_6A88_85A3_08D3, u(key.d0)), u(key.d1)), u(key.d2))
        for dimension in type.shape.dropFirst(3) { h = mix(h, u(dimension)) }
        return finish(h)
    }

    @inline(__always)
    private static func dtypeCode(_ dtype: DType) -> UInt32 {
        switch dtype {
        case .f32: 1
        case .f16: 2
        case .u32: 3
        case .q4_0: 4
        case .q8_0: 5
        }
    }

    // MARK: Payloads

    /// The payload key of an op's `key` at `type`: by the type's compact key when it is
    /// complete (no type lookup), else by its type id.
    @inline(__always)
    private mutating func storedKey(_ key: Key, _ type: TensorType) -> StoredKey {
        let typeKey = Self.typeKey(type)
        if typeKey.isComplete { return StoredKey(key, typeKey) }
        return StoredKey(key, typeID: typeIDOfHighRank(type, key: typeKey))
    }

    /// The payload of `op` at `type` (the same id for the same op value and type).
    ///
    /// - Complexity: O(size of op and type) expected.
    mutating func payload(_ op: Op, _ type: TensorType) -> UInt64 {
        let key = Self.key(op)
        let stored = storedKey(key, type)
        let (found, hash, slot) = key.kind == .exact ? findExact(stored) : find(stored) { $0 == op }
        if let found { return found }
        let id = append(op, type, key: stored)
        insert(id, hash: hash, at: slot)
        return id
    }

    /// The payload and operator (the one-input form for RoPE) of a graph node, and the
    /// derived-weight marks of a `Parameter`'s name (``Key/derivedMarks``): as
    /// ``payload(_:_:)`` of its op and type, except that a `Constant` or `CacheWrite` gets
    /// a payload of its own (a constant is its own value, a side effect is never merged
    /// with another).
    ///
    /// The node (``inputNodes``[`index`]) is read in place: its op is never copied (a new
    /// payload refers to the node), and its type is looked up only for a new payload.
    ///
    /// - Complexity: O(size of op and type) expected.
    @inline(__always)
    mutating func nodePayload(_ node: UnsafePointer<Node>, index: Int)
        -> (payload: UInt64, operator: UInt32, derivedMarks: DerivedMarks)
    {
        let key = Self.key(node.pointee.op)
        let stored = storedKey(key, node.pointee.type)
        guard key.kind == .exact, key.operator != Self.cacheWriteOperator else {
            return (nonExactNodePayload(node, index: index, key: stored), key.operator, key.derivedMarks)
        }
        let (found, hash, slot) = findExact(stored)
        if let found { return (found, key.operator, .none) }
        let id = append(node, index: index, key: stored)
        insert(id, hash: hash, at: slot)
        return (id, key.operator, .none)
    }

    /// ``nodePayload(_:)`` for an op whose key is not exact (leaves, hashed parameters),
    /// and for the per-node payloads of `Constant` and `CacheWrite`.
    @inline(__always)
    private mutating func nonExactNodePayload(_ node: UnsafePointer<Node>, index: Int, key: StoredKey) -> UInt64 {
        let op = key.operator
        if op == Self.constantOperator || op == Self.cacheWriteOperator {
            return append(node, index: index, key: key)
        }
        // The node's op is compared only on a full key match.
        let (found, hash, slot) = find(key) { $0 == node.pointee.op }
        if let found { return found }
        let id = append(node, index: index, key: key)
        insert(id, hash: hash, at: slot)
        return id
    }

    /// The hash of a stored key.
    @inline(__always)
    private static func hash(_ key: StoredKey) -> UInt32 {
        // Two independent products (the operator with the parameters, the dimensions
        // rotated apart), then one avalanche.
        let a = (key.operatorAndType ^ key.parameters.rotated(by: 29)) &* 0x9E37_79B9_7F4A_7C15
        let b = (u(key.d0) ^ u(key.d1).rotated(by: 21) ^ u(key.d2).rotated(by: 42)) &* 0xC2B2_AE3D_27D4_EB4F
        return finish(a ^ (b >> 1) ^ b)
    }

    /// The payload with the exact key `key`, or else the key's hash and the empty slot
    /// where it goes.
    @inline(__always)
    private func findExact(_ key: StoredKey) -> (found: UInt64?, hash: UInt32, slot: Int) {
        let hash = Self.hash(key)
        let (found, slot) = Self.probe(payloadSlots, hash: hash) { payloadKeys[$0] == key }
        return (found.map(UInt64.init), hash, slot)
    }

    /// The payload with key `key` whose op satisfies `sameOp`, or else the key's hash and
    /// the empty slot where it goes.
    @inline(__always)
    private func find(_ key: StoredKey, sameOp: (Op) -> Bool) -> (found: UInt64?, hash: UInt32, slot: Int) {
        let hash = Self.hash(key)
        let (found, slot) = Self.probe(payloadSlots, hash: hash) { payloadKeys[$0] == key && sameOp(op($0)) }
        return (found.map(UInt64.init), hash, slot)
    }

    /// The op of payload `id`.
    func op(_ id: Int) -> Op {
        let source = Int(payloads[id].source)
        return source >= 0 ? inputNodes[source].op : createdOps[-source - 1]
    }

    /// Runs `body` with a reader of the payloads' ops (in place, no copy of the arrays).
    func withOps<R>(_ body: ((Int) -> Op) throws -> R) rethrows -> R {
        try payloads.withUnsafeBufferPointer { payloads in
            try inputNodes.withUnsafeBufferPointer { nodes in
                try createdOps.withUnsafeBufferPointer { created in
                    try body { id in
                        let source = Int(payloads[id].source)
                        return source >= 0 ? nodes[source].op : created[-source - 1]
                    }
                }
            }
        }
    }

    /// Probes an open-addressing table whose entries are `hash << 32 | (id + 1)` (0:
    /// empty) for an id stored under `hash` that `matches`: that id, or else the empty
    /// slot where an entry for `hash` goes. The type and payload tables share it.
    ///
    /// - Complexity: O(1) expected at the tables' load (at most one half).
    @inline(__always)
    private static func probe(_ slots: [UInt64], hash: UInt32, matches: (Int) -> Bool) -> (found: Int?, slot: Int) {
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return (nil, slot) }
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                let id = Int(UInt32(truncatingIfNeeded: entry)) - 1
                if matches(id) { return (id, slot) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Records payload `id` in the empty slot `slot` of the payload table.
    @inline(__always)
    private mutating func insert(_ id: UInt64, hash: UInt32, at slot: Int) {
        payloadSlots[slot] = UInt64(hash) << 32 | (id + 1)
        payloadsIndexed += 1
        if payloadsIndexed * 2 > payloadSlots.count { rehashPayloads(capacity: payloadSlots.count * 2) }
    }

    /// Appends a new payload of `op` at `type` (interning the type) and returns its id.
    @inline(__always)
    private mutating func append(_ op: Op, _ type: TensorType, key: StoredKey) -> UInt64 {
        createdOps.append(op)
        return append(FusionLanguage.Payload(source: Int32(truncatingIfNeeded: -createdOps.count),
                                             typeID: typeID(ofNew: key, type), operatorID: key.operator),
                      key: key)
    }

    /// Appends a new payload of a node's op and type (interning the type) and returns its
    /// id. The payload refers to the node (``inputNodes``[`index`]) for its op.
    @inline(__always)
    private mutating func append(_ node: UnsafePointer<Node>, index: Int, key: StoredKey) -> UInt64 {
        append(FusionLanguage.Payload(source: Int32(truncatingIfNeeded: index),
                                             typeID: typeID(ofNew: key, node.pointee.type), operatorID: key.operator),
                      key: key)
    }

    /// Appends `payload`, whose stored key is `key`, and returns its id.
    @inline(__always)
    private mutating func append(_ payload: consuming FusionLanguage.Payload, key: StoredKey) -> UInt64 {
        let id = UInt64(payloads.count)
        payloads.append(payload)
        payloadKeys.append(key)
        return id
    }

    /// The type id of a new payload with stored key `key` at `type`: the id the key holds,
    /// or the interned id of the type's complete key.
    @inline(__always)
    private mutating func typeID(ofNew key: StoredKey, _ type: borrowing TensorType) -> UInt32 {
        let dtypeAndRank = key.operatorAndType & StoredKey.byTypeID
        if dtypeAndRank == StoredKey.byTypeID { return UInt32(truncatingIfNeeded: key.d0) }
        return typeID(type, completeKey: TypeKey(dtypeAndRank: dtypeAndRank, d0: key.d0, d1: key.d1, d2: key.d2))
    }

    private mutating func rehashPayloads(capacity: Int) {
        payloadSlots = Self.rehash(payloadSlots, capacity: capacity)
    }

    /// The entries of `slots` in a table of `capacity` slots (a power of two; `slots`
    /// itself when that is its size).
    private static func rehash(_ slots: [UInt64], capacity: Int) -> [UInt64] {
        if capacity == slots.count { return slots }
        var table = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        for entry in slots where entry != 0 {
            var slot = Int(UInt32(truncatingIfNeeded: entry >> 32)) & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = entry
        }
        return table
    }

    // MARK: Keys

    /// The operator id of `Constant`.
    static let constantOperator: UInt32 = 2
    /// The operator id of `CacheWrite`.
    static let cacheWriteOperator: UInt32 = 54

    /// The operator of `op` (the one-input form for RoPE), its parameters packed or
    /// hashed, and what equal keys mean.
    ///
    /// Packed parameters (``KeyKind/exact``) have the top bit clear, hashed ones have it
    /// set, so a packed key never equals a hashed one. Parameters are packed only when the
    /// packing is lossless and equal bits mean equal ops (never for a NaN).
    ///
    /// The operator ids are the indices of the op names in ``FusionLanguage``'s operator
    /// table; debug builds check each against the table.
    ///
    /// - Complexity: O(1), or O(name length) for a leaf.
    @inline(__always)
    static func key(_ op: Op) -> Key {
        let key: (operator: UInt32, parameters: UInt64, kind: KeyKind)
        switch op {
        case .parameter(let name):
            let (h, marks) = scan(name)
            assert(FusionLanguage.declaredIDs[op.name] == 0)
            return Key(operator: 0, parameters: h | 1 << 63, kind: .leaf, derivedMarks: marks)
        case .input(let name): key = (1, scan(name).hash, .leaf)
        case .constant(let value):
            switch value {
            case .fill(let x): key = (2, bits(x), .parametric)
            case .data(let xs): key = (2, mix(u(xs.count), xs.first.map(bits) ?? 0), .parametric)
            }
        case .matMul: key = (3, 0, .exact)
        case .matMulAT: key = (4, 0, .exact)
        case .matMulBT: key = (5, 0, .exact)
        case .fusedMatMulAdd: key = (6, 0, .exact)
        case .fusedMatMulATAdd: key = (7, 0, .exact)
        case .fusedMatMulBTAdd: key = (8, 0, .exact)
        case .fusedRmsNormMatMul(let eps): key = floatKey(9, eps)
        case .add: key = (10, 0, .exact)
        case .mul: key = (11, 0, .exact)
        case .greater: key = (12, 0, .exact)
        case .biasAdd: key = (13, 0, .exact)
        case .relu: key = (14, 0, .exact)
        case .sigmoid: key = (15, 0, .exact)
        case .tanh: key = (16, 0, .exact)
        case .neg: key = (17, 0, .exact)
        case .abs: key = (18, 0, .exact)
        case .log: key = (19, 0, .exact)
        case .recip: key = (20, 0, .exact)
        case .silu: key = (21, 0, .exact)
        case .gelu: key = (22, 0, .exact)
        case .identity: key = (23, 0, .exact)
        case .stopGradient: key = (24, 0, .exact)
        case .swiGLU: key = (25, 0, .exact)
        case .swiGLUConcat: key = (26, 0, .exact)
        case .sumAll: key = (27, 0, .exact)
        case .meanAll: key = (28, 0, .exact)
        case .sumRows: key = (29, 0, .exact)
        case .softmax: key = (30, 0, .exact)
        case .logSoftmax: key = (31, 0, .exact)
        case .crossEntropyLoss: key = (32, 0, .exact)
        case .bceLoss: key = (33, 0, .exact)
        case .transpose: key = (34, 0, .exact)
        case .rmsNorm(let eps): key = floatKey(35, eps)
        case .rmsNormGradW(let eps): key = floatKey(36, eps)
        case .rmsNormGradX(let eps): key = floatKey(37, eps)
        case .layerNorm(let eps): key = floatKey(38, eps)
        case .layerNormGradWB(let eps): key = floatKey(39, eps)
        case .layerNormGradX(let eps): key = floatKey(40, eps)
        case .embedding: key = (41, 0, .exact)
        case .scatterAdd(let vocabSize): key = (42, u(vocabSize), vocabSize >= 0 ? .exact : .parametric)
        case .rope(let p): key = ropeKey(43, p)
        case .ropeGrad(let p): key = ropeKey(44, p)
        case .causalAttention(let h): key = headsKey(45, h)
        case .fullAttention(let h): key = headsKey(46, h)
        case .slidingWindowAttention(let h, let window): key = (47, mix(hash(h), u(window)), .parametric)
        case .causalAttentionRoPE(let h, let theta): key = (48, mix(hash(h), bits(theta)), .parametric)
        case .crossAttention(let h): key = headsKey(49, h)
        case .multiHeadAttn(let h, let isCross): key = (50, mix(hash(h), isCross ? 1 : 0), .parametric)
        case .multiHeadAttnGradQ(let forward, let h, let isCross):
            key = (51, mix(mix(hash(h), UInt64(forward.rawValue)), isCross ? 1 : 0), .parametric)
        case .multiHeadAttnGradK(let forward, let h, let isCross):
            key = (52, mix(mix(hash(h), UInt64(forward.rawValue)), isCross ? 1 : 0), .parametric)
        case .multiHeadAttnGradV(let forward, let h, let isCross):
            key = (53, mix(mix(hash(h), UInt64(forward.rawValue)), isCross ? 1 : 0), .parametric)
        case .cacheWrite: key = (54, 0, .exact)
        case .cachedAttention(let h): key = headsKey(55, h)
        case .swiGLUGradGate: key = (56, 0, .exact)
        case .swiGLUGradUp: key = (57, 0, .exact)
        case .siluGrad: key = (58, 0, .exact)
        case .swiGLUConcatGrad: key = (59, 0, .exact)
        case .conv2d(let g): key = (60, hash(g), .parametric)
        case .conv2dGradInput(let g): key = (61, hash(g), .parametric)
        case .conv2dGradWeight(let g): key = (62, hash(g), .parametric)
        case .winogradConv2d(let g):
            key = (63, mix(mix(mix(u(g.inChannels), u(g.outChannels)), u(g.inH) << 32 | u(g.inW)),
                           u(g.padding)), .parametric)
        case .maxPool2d(let g):
            key = (64, mix(mix(mix(u(g.channels), u(g.inH) << 32 | u(g.inW)),
                               u(g.kernelH) << 32 | u(g.kernelW)), u(g.stride) << 32 | u(g.padding)),
                   .parametric)
        case .globalAvgPool(let channels, let spatial): key = (65, mix(u(channels), u(spatial)), .parametric)
        case .globalAvgPoolGrad(let channels, let spatial): key = (66, mix(u(channels), u(spatial)), .parametric)
        case .groupNorm(let p): key = (67, hash(p), .parametric)
        case .groupNormSilu(let p): key = (68, hash(p), .parametric)
        case .groupNormGradInput(let p): key = (69, hash(p), .parametric)
        case .groupNormGradWeightBias(let p): key = (70, hash(p), .parametric)
        case .concat(let p): key = (71, hash(p), .parametric)
        case .splitA(let p): key = (72, hash(p), .parametric)
        case .splitB(let p): key = (73, hash(p), .parametric)
        case .upsample2x(let p): key = (74, mix(mix(u(p.channels), u(p.inH)), u(p.inW)), .parametric)
        case .upsample2xGrad(let p): key = (75, mix(mix(u(p.channels), u(p.inH)), u(p.inW)), .parametric)
        case .nop: preconditionFailure("a Nop has no operator")
        }
        assert(FusionLanguage.declaredIDs[op.name] == key.operator, "operator id of \(op.name)")
        assert(key.kind != .exact || key.parameters >> 63 == 0, "packed parameters use 63 bits")
        return Key(operator: key.operator, parameters: key.kind == .exact ? key.parameters : key.parameters | 1 << 63,
                   kind: key.kind)
    }

    /// The key of an op whose one parameter is a float: packed unless NaN.
    @inline(__always)
    private static func floatKey(_ op: UInt32, _ x: Float) -> (operator: UInt32, parameters: UInt64, kind: KeyKind) {
        (op, bits(x), x.isNaN ? .parametric : .exact)
    }

    /// The key of an attention op: the head layout packed in 21 bits a count when it fits.
    @inline(__always)
    private static func headsKey(_ op: UInt32, _ h: AttentionHeads) -> (operator: UInt32, parameters: UInt64, kind: KeyKind) {
        let limit = 1 << 21
        if (0..<limit).contains(h.numHeads), (0..<limit).contains(h.numKVHeads), (0..<limit).contains(h.headDim) {
            return (op, u(h.numHeads) | u(h.numKVHeads) << 21 | u(h.headDim) << 42, .exact)
        }
        return (op, hash(h), .parametric)
    }

    /// The key of a RoPE op: theta's bits, the offset in 16 bits and the head width in 15,
    /// when they fit.
    @inline(__always)
    private static func ropeKey(_ op: UInt32, _ p: RoPEParameters) -> (operator: UInt32, parameters: UInt64, kind: KeyKind) {
        if !p.theta.isNaN, (0..<(1 << 16)).contains(p.posOffset), (0..<(1 << 15)).contains(p.headDim) {
            return (op, bits(p.theta) | u(p.posOffset) << 32 | u(p.headDim) << 48, .exact)
        }
        return (op, hash(p), .parametric)
    }

    // MARK: Hashing

    /// One mixing step: xor in `value`, multiply, fold the high bits down.
    @inline(__always)
    static func mix(_ h: UInt64, _ value: UInt64) -> UInt64 {
        let x = (h ^ value) &* 0x9E37_79B9_7F4A_7C15
        return x ^ (x >> 29)
    }

    /// The final avalanche, to 32 bits.
    @inline(__always)
    static func finish(_ h: UInt64) -> UInt32 {
        var x = h
        x ^= x >> 32
        x = x &* 0xD6E8_FEB8_6659_FD93
        x ^= x >> 32
        return UInt32(truncatingIfNeeded: x)
    }

    /// An integer's bits.
    @inline(__always)
    static func u(_ x: Int) -> UInt64 { UInt64(bitPattern: Int64(x)) }

    /// A float's bits, with `-0.0` as `0.0` (they compare equal).
    @inline(__always)
    static func bits(_ x: Float) -> UInt64 { x == 0 ? 0 : UInt64(x.bitPattern) }

    @inline(__always)
    static func hash(_ h: AttentionHeads) -> UInt64 {
        mix(mix(u(h.numHeads), u(h.numKVHeads)),
            u(h.headDim))
    }

    @inline(__always)
    static func hash(_ p: RoPEParameters) -> UInt64 {
        mix(mix(bits(p.theta), u(p.posOffset)), u(p.headDim))
    }

    @inline(__always)
    static func hash(_ g: Conv2dGeometry) -> UInt64 {
        mix(mix(mix(u(g.inChannels) << 32 | u(g.outChannels), u(g.inH) << 32 | u(g.inW)),
                u(g.kernelH) << 32 | u(g.kernelW)),
            u(g.stride) << 40 | u(g.paddingH) << 20 | u(g.paddingW))
    }

    @inline(__always)
    static func hash(_ p: GroupNormParameters) -> UInt64 {
        mix(mix(mix(u(p.numGroups), bits(p.eps)), u(p.channels)), u(p.spatial))
    }

    @inline(__always)
    static func hash(_ p: ConcatParameters) -> UInt64 {
        mix(mix(u(p.channelsA), u(p.channelsB)), u(p.spatial))
    }

    /// What a name's bytes say about a derived weight's marks.
    enum DerivedMarks { case plus, suffixBytes, none }

    /// Whether a `Parameter` named `name`, whose bytes show `marks` (``scan(_:)``), could
    /// be a derived weight: a `+` anywhere, or `:winograd` at the end (the bytes say so,
    /// the characters confirm it).
    ///
    /// - Complexity: O(1), or O(name length) when the bytes end in `:winograd`.
    static func isDerivedLooking(_ name: String, marks: DerivedMarks) -> Bool {
        marks == .plus || (marks == .suffixBytes && name.hasSuffix(":winograd"))
    }

    /// A hash of a name's UTF-8 bytes, read in place eight at a time, and its marks of a
    /// derived weight: a `+` anywhere, else the bytes of `:winograd` at the end.
    ///
    /// - Complexity: O(name length).
    @inline(__always)
    static func scan(_ name: String) -> (hash: UInt64, marks: DerivedMarks) {
        name.utf8.withContiguousStorageIfAvailable { scan(bytes: UnsafeRawBufferPointer($0)) }
            ?? Array(name.utf8).withUnsafeBytes { scan(bytes: $0) }
    }

    private static func scan(bytes: UnsafeRawBufferPointer) -> (hash: UInt64, marks: DerivedMarks) {
        let count = bytes.count
        var h = mix(0x1319_8A2E_0370_7344, UInt64(count))
        var plus: UInt64 = 0
        var offset = 0
        while offset + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            h = mix(h, word)
            plus |= plusBytes(word)
            offset += 8
        }
        // The last eight bytes as one word (overlapping the words above), or the whole
        // name when it is shorter.
        var last: UInt64 = 0
        if count >= 8 {
            last = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for k in 0..<count { last |= UInt64(bytes[k]) << UInt64(8 * k) }
        }
        if offset < count {
            h = mix(h, last)
            plus |= plusBytes(last)
        }
        if plus != 0 { return (h, .plus) }
        // `:winograd`: the last word is `winograd` (little-endian) after a `:`.
        let winograd: UInt64 = 0x6461_7267_6F6E_6977
        guard count >= 9, last == winograd, bytes[count - 9] == UInt8(ascii: ":") else { return (h, .none) }
        return (h, .suffixBytes)
    }

    /// Nonzero when a byte of `word` is `+` (a zero byte of `word ^ 0x2B2B…`).
    @inline(__always)
    private static func plusBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let x = word ^ (ones &* UInt64(UInt8(ascii: "+")))
        return (x &- ones) & ~x & highs
    }
}

extension UInt64 {
    /// The bits rotated left by `count` (below 64).
    @inline(__always)
    func rotated(by count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
