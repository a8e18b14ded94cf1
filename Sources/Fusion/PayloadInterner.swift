import TensorGraph

/// The interning tables of ``FusionLanguage``: payloads (op value and output type) and
/// output types, each an open-addressing table of ids keyed by a cheap integer hash and
/// verified by equality.
///
/// A key is hashed from integers only: the operator id, the interned type id, the op's
/// parameters (float bits, counts) and, for `Parameter` and `Input`, the UTF-8 bytes of
/// the name read in place. A hit is confirmed by comparing the stored payload's operator
/// and type ids and, for ops with parameters, the op values, so the hash only decides how
/// fast an entry is found, never which id it gets: ids are handed out in first-seen order.
struct PayloadInterner {
    /// Interned payloads, indexed by payload id.
    private(set) var payloads: [FusionLanguage.Payload] = []
    /// Interned types, indexed by type id.
    private(set) var types: [TensorType] = []
    /// Slots of the payload table: `hash << 32 | (id + 1)`, 0 when empty (linear probing).
    private var payloadSlots = [UInt64](repeating: 0, count: 64)
    /// Payloads in ``payloadSlots`` (payloads made unique per node are not).
    private var payloadsIndexed = 0
    /// Slots of the type table, as ``payloadSlots``.
    private var typeSlots = [UInt64](repeating: 0, count: 16)

    /// What identifies a payload of an op, besides the op's operator and the output type.
    enum KeyKind {
        /// The operator alone (an op without parameters).
        case plain
        /// The op's parameters, compared on a hash hit.
        case parametric
        /// A leaf's name, compared on a hash hit.
        case leaf
    }

    /// Makes room for about `count` payloads.
    mutating func reserveCapacity(_ count: Int) {
        payloads.reserveCapacity(count)
        let wanted = Self.capacity(for: count)
        if wanted > payloadSlots.count { rehashPayloads(capacity: wanted) }
    }

    /// A power-of-two table size holding `count` entries at most half full.
    private static func capacity(for count: Int) -> Int {
        var capacity = 16
        while capacity < 2 * count { capacity *= 2 }
        return capacity
    }

    // MARK: Types

    /// The interned id of a type.
    ///
    /// - Complexity: O(rank) expected.
    @inline(__always)
    mutating func typeID(_ type: TensorType) -> UInt32 {
        let hash = Self.hash(type)
        let mask = typeSlots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = typeSlots[slot]
            if entry == 0 { break }
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                let id = Int(UInt32(truncatingIfNeeded: entry)) - 1
                if types[id] == type { return UInt32(id) }
            }
            slot = (slot + 1) & mask
        }
        let id = UInt32(types.count)
        types.append(type)
        typeSlots[slot] = UInt64(hash) << 32 | UInt64(id + 1)
        if types.count * 2 > typeSlots.count { rehashTypes() }
        return id
    }

    private mutating func rehashTypes() {
        typeSlots = Self.rehash(typeSlots, capacity: typeSlots.count * 2)
    }

    /// The hash of a type: its dtype and dimensions, mixed.
    @inline(__always)
    static func hash(_ type: TensorType) -> UInt32 {
        var h = mix(0x243F_6A88_85A3_08D3, UInt64(dtypeCode(type.dtype)))
        for dimension in type.shape { h = mix(h, u(dimension)) }
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

    /// The payload of `op` at `type` (the same id for the same op value and type).
    ///
    /// - Complexity: O(size of op and type) expected.
    mutating func payload(_ op: Op, _ type: TensorType) -> UInt64 {
        let typeID = typeID(type)
        return payload(op, type, typeID: typeID, key: Self.key(op))
    }

    /// The payload and operator (the one-input form for RoPE) of a graph node's op at its
    /// type: as ``payload(_:_:)``, except that a `Constant` or `CacheWrite` gets a payload
    /// of its own (a constant is its own value, a side effect is never merged with
    /// another).
    ///
    /// - Complexity: O(size of op and type) expected.
    @inline(__always)
    mutating func nodePayload(_ op: Op, _ type: TensorType) -> (payload: UInt64, operator: UInt32) {
        let typeID = typeID(type)
        let key = Self.key(op)
        if key.operator == Self.constantOperator || key.operator == Self.cacheWriteOperator {
            return (append(op, type, typeID: typeID, operator: key.operator), key.operator)
        }
        return (payload(op, type, typeID: typeID, key: key), key.operator)
    }

    /// The payload of `op` at `type`, whose type id and key are known.
    @inline(__always)
    private mutating func payload(_ op: Op, _ type: TensorType, typeID: UInt32,
                                  key: (operator: UInt32, parameters: UInt64, kind: KeyKind)) -> UInt64 {
        let hash = Self.finish(Self.mix(UInt64(key.operator) << 32 | UInt64(typeID), key.parameters))
        let mask = payloadSlots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = payloadSlots[slot]
            if entry == 0 { break }
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                let id = Int(UInt32(truncatingIfNeeded: entry)) - 1
                if payloads[id].operatorID == key.operator, payloads[id].typeID == typeID,
                   key.kind == .plain || payloads[id].op == op {
                    return UInt64(id)
                }
            }
            slot = (slot + 1) & mask
        }
        let id = append(op, type, typeID: typeID, operator: key.operator)
        payloadSlots[slot] = UInt64(hash) << 32 | (id + 1)
        payloadsIndexed += 1
        if payloadsIndexed * 2 > payloadSlots.count { rehashPayloads(capacity: payloadSlots.count * 2) }
        return id
    }

    /// Appends a new payload and returns its id.
    @inline(__always)
    private mutating func append(_ op: Op, _ type: TensorType, typeID: UInt32, operator: UInt32) -> UInt64 {
        let id = UInt64(payloads.count)
        payloads.append(FusionLanguage.Payload(op: op, type: type, typeID: typeID, operatorID: `operator`))
        return id
    }

    private mutating func rehashPayloads(capacity: Int) {
        payloadSlots = Self.rehash(payloadSlots, capacity: capacity)
    }

    /// The entries of `slots` in a table of `capacity` slots (a power of two).
    private static func rehash(_ slots: [UInt64], capacity: Int) -> [UInt64] {
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

    /// The operator of `op` (the one-input form for RoPE), a hash of its parameters, and
    /// what a hash hit must compare.
    ///
    /// The operator ids are the indices of the op names in ``FusionLanguage``'s operator
    /// table; debug builds check each against the table.
    ///
    /// - Complexity: O(1), or O(name length) for a leaf.
    @inline(__always)
    static func key(_ op: Op) -> (operator: UInt32, parameters: UInt64, kind: KeyKind) {
        let key: (operator: UInt32, parameters: UInt64, kind: KeyKind)
        switch op {
        case .parameter(let name): key = (0, hash(name), .leaf)
        case .input(let name): key = (1, hash(name), .leaf)
        case .constant(let value):
            switch value {
            case .fill(let x): key = (2, bits(x), .parametric)
            case .data(let xs): key = (2, mix(u(xs.count), xs.first.map(bits) ?? 0), .parametric)
            }
        case .matMul: key = (3, 0, .plain)
        case .matMulAT: key = (4, 0, .plain)
        case .matMulBT: key = (5, 0, .plain)
        case .fusedMatMulAdd: key = (6, 0, .plain)
        case .fusedMatMulATAdd: key = (7, 0, .plain)
        case .fusedMatMulBTAdd: key = (8, 0, .plain)
        case .fusedRmsNormMatMul(let eps): key = (9, bits(eps), .parametric)
        case .add: key = (10, 0, .plain)
        case .mul: key = (11, 0, .plain)
        case .greater: key = (12, 0, .plain)
        case .biasAdd: key = (13, 0, .plain)
        case .relu: key = (14, 0, .plain)
        case .sigmoid: key = (15, 0, .plain)
        case .tanh: key = (16, 0, .plain)
        case .neg: key = (17, 0, .plain)
        case .abs: key = (18, 0, .plain)
        case .log: key = (19, 0, .plain)
        case .recip: key = (20, 0, .plain)
        case .silu: key = (21, 0, .plain)
        case .gelu: key = (22, 0, .plain)
        case .identity: key = (23, 0, .plain)
        case .stopGradient: key = (24, 0, .plain)
        case .swiGLU: key = (25, 0, .plain)
        case .swiGLUConcat: key = (26, 0, .plain)
        case .sumAll: key = (27, 0, .plain)
        case .meanAll: key = (28, 0, .plain)
        case .sumRows: key = (29, 0, .plain)
        case .softmax: key = (30, 0, .plain)
        case .logSoftmax: key = (31, 0, .plain)
        case .crossEntropyLoss: key = (32, 0, .plain)
        case .bceLoss: key = (33, 0, .plain)
        case .transpose: key = (34, 0, .plain)
        case .rmsNorm(let eps): key = (35, bits(eps), .parametric)
        case .rmsNormGradW(let eps): key = (36, bits(eps), .parametric)
        case .rmsNormGradX(let eps): key = (37, bits(eps), .parametric)
        case .layerNorm(let eps): key = (38, bits(eps), .parametric)
        case .layerNormGradWB(let eps): key = (39, bits(eps), .parametric)
        case .layerNormGradX(let eps): key = (40, bits(eps), .parametric)
        case .embedding: key = (41, 0, .plain)
        case .scatterAdd(let vocabSize): key = (42, u(vocabSize), .parametric)
        case .rope(let p): key = (43, hash(p), .parametric)
        case .ropeGrad(let p): key = (44, hash(p), .parametric)
        case .causalAttention(let h): key = (45, hash(h), .parametric)
        case .fullAttention(let h): key = (46, hash(h), .parametric)
        case .slidingWindowAttention(let h, let window): key = (47, mix(hash(h), u(window)), .parametric)
        case .causalAttentionRoPE(let h, let theta): key = (48, mix(hash(h), bits(theta)), .parametric)
        case .crossAttention(let h): key = (49, hash(h), .parametric)
        case .multiHeadAttn(let h, let isCross): key = (50, mix(hash(h), isCross ? 1 : 0), .parametric)
        case .multiHeadAttnGradQ(let forward, let h, let isCross):
            key = (51, mix(mix(hash(h), UInt64(forward.rawValue)), isCross ? 1 : 0), .parametric)
        case .multiHeadAttnGradK(let forward, let h, let isCross):
            key = (52, mix(mix(hash(h), UInt64(forward.rawValue)), isCross ? 1 : 0), .parametric)
        case .multiHeadAttnGradV(let forward, let h, let isCross):
            key = (53, mix(mix(hash(h), UInt64(forward.rawValue)), isCross ? 1 : 0), .parametric)
        case .cacheWrite: key = (54, 0, .plain)
        case .cachedAttention(let h): key = (55, hash(h), .parametric)
        case .swiGLUGradGate: key = (56, 0, .plain)
        case .swiGLUGradUp: key = (57, 0, .plain)
        case .siluGrad: key = (58, 0, .plain)
        case .swiGLUConcatGrad: key = (59, 0, .plain)
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
        return key
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

    /// A hash of a name's UTF-8 bytes, read in place eight at a time.
    ///
    /// - Complexity: O(name length).
    @inline(__always)
    static func hash(_ name: String) -> UInt64 {
        if let h = name.utf8.withContiguousStorageIfAvailable({ hash(bytes: UnsafeRawBufferPointer($0)) }) {
            return h
        }
        return hash(bytes: Array(name.utf8))
    }

    private static func hash(bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash(bytes: $0) }
    }

    private static func hash(bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = mix(0x1319_8A2E_0370_7344, UInt64(bytes.count))
        var offset = 0
        while offset + 8 <= bytes.count {
            h = mix(h, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        return mix(h, tail)
    }
}
