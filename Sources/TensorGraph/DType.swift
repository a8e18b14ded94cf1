/// The element type of a tensor.
///
/// The quantized types store elements in blocks of 32: a `q4_0` block takes 20 bytes
/// (a 4-byte scale and 32 four-bit values), a `q8_0` block 36 bytes (a 4-byte scale and
/// 32 bytes). The raw values are the names used by the JSON format.
public enum DType: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// 32-bit IEEE float.
    case f32
    /// 16-bit IEEE float.
    case f16
    /// 32-bit unsigned integer (token ids, positions).
    case u32
    /// 4-bit block quantization: blocks of 32 elements, 20 bytes each.
    case q4_0
    /// 8-bit block quantization: blocks of 32 elements, 36 bytes each.
    case q8_0

    /// Elements per storage block: 32 for the quantized types, 1 otherwise.
    public var blockElements: Int {
        switch self {
        case .f32, .f16, .u32: 1
        case .q4_0, .q8_0: 32
        }
    }

    /// Bytes per storage block (per element for the unquantized types).
    public var blockBytes: Int {
        switch self {
        case .f32, .u32: 4
        case .f16: 2
        case .q4_0: 20
        case .q8_0: 36
        }
    }

    /// The dtype's JSON name (`f32`, `q4_0`, …).
    public var description: String { rawValue }
}
