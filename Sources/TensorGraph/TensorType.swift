/// The type of a node's output tensor: element type plus dense row-major shape.
///
/// A scalar has shape `[1]`; the empty shape is not used. Conv, pool, group-norm,
/// concat and upsample tensors are flat 1-D `[N*C*H*W]`; matmul, norm and attention
/// tensors are 2-D `[rows, cols]`.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    /// The element type.
    public var dtype: DType
    /// The dimensions, outermost first.
    public var shape: [Int]

    /// Creates a tensor type.
    @inlinable public init(_ dtype: DType, _ shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    /// Creates an `f32` tensor type.
    @inlinable public static func f32(_ shape: [Int]) -> TensorType { TensorType(.f32, shape) }

    /// The number of elements (the product of the shape; 1 for `[]`).
    ///
    /// Graphs that pass validation (and graphs read from JSON) have shapes with
    /// positive dimensions and at most 2^48 elements, so this never overflows for them.
    ///
    /// - Complexity: O(rank).
    @inlinable public var elementCount: Int { shape.reduce(1, *) }

    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The storage size in bytes. Quantized types round the element count up to whole
    /// blocks of 32 (20 bytes per `q4_0` block, 36 per `q8_0` block).
    ///
    /// - Complexity: O(rank).
    @inlinable public var byteSize: Int { Self.byteSize(dtype, elements: elementCount) }

    /// The storage size in bytes of `elements` elements of `dtype` (quantized types by
    /// whole blocks of 32), for callers that already have the element count.
    ///
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public static func byteSize(_ dtype: DType, elements count: Int) -> Int {
        // Per dtype, so that the block division is by a constant (a shift).
        switch dtype {
        case .f32, .u32: return count * 4
        case .f16: return count * 2
        case .q4_0: return (count + 31) / 32 * 20
        case .q8_0: return (count + 31) / 32 * 36
        }
    }

    /// `f32 [4, 784]`.
    public var description: String {
        "\(dtype) [\(shape.map(String.init).joined(separator: ", "))]"
    }
}
