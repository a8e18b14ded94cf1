/// A parameter that the runtime computes from other parameters, recorded by a fusion
/// that needs a weight in another layout (a concatenated gate/up weight, Winograd-
/// transformed conv weights).
public struct DerivedParam: Hashable, Sendable {
    /// One source parameter and how many columns it contributes.
    public struct Source: Hashable, Sendable {
        /// The source parameter's name.
        public var name: String
        /// The source's column count (its `rows × cols` block).
        public var cols: Int

        /// Creates a source.
        public init(name: String, cols: Int) {
            self.name = name
            self.cols = cols
        }
    }

    /// How the derived parameter is computed from its sources.
    public enum Transform: Hashable, Sendable {
        /// Each source's `rows × cols` block fills consecutive column ranges of a
        /// `[rows, Σcols]` row-major matrix, in source order.
        case horizontalConcat
        /// U = G·w·Gᵀ per (out, in) channel pair of a 3×3 conv weight, element α = 4r+c
        /// stored at `α·co·ci + co_idx·ci + ci_idx`.
        case winograd3x3(outChannels: Int, inChannels: Int)
    }

    /// The derived parameter's name (also the name of its `Parameter` node).
    public var name: String
    /// The sources, in order.
    public var sources: [Source]
    /// Rows of every source block.
    public var rows: Int
    /// The computation.
    public var transform: Transform

    /// Creates a derived parameter.
    public init(name: String, sources: [Source], rows: Int, transform: Transform) {
        self.name = name
        self.sources = sources
        self.rows = rows
        self.transform = transform
    }
}
