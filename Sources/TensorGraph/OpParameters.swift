/// The value of a `Constant` node.
///
/// A fill is stored as one number however large the tensor is (a `[49152, 49152]`
/// fill costs nothing); `data` holds every element, row-major.
public enum ConstantValue: Hashable, Sendable {
    /// Every element equals this value.
    case fill(Float)
    /// Every element listed (length = the element count of the node's shape).
    case data([Float])
}

/// Head layout of an attention op: `num_heads`, `num_kv_heads`, `head_dim`.
public struct AttentionHeads: Hashable, Sendable {
    /// Query heads (`num_heads`).
    public var numHeads: Int
    /// Key/value heads (`num_kv_heads`); fewer than `numHeads` for grouped-query attention.
    public var numKVHeads: Int
    /// Width of one head (`head_dim`).
    public var headDim: Int

    /// Creates a head layout.
    public init(numHeads: Int, numKVHeads: Int, headDim: Int) {
        self.numHeads = numHeads
        self.numKVHeads = numKVHeads
        self.headDim = headDim
    }

    /// Width of the query (and output) rows: `numHeads * headDim`.
    public var queryWidth: Int { numHeads * headDim }
    /// Width of the key and value rows: `numKVHeads * headDim`.
    public var kvWidth: Int { numKVHeads * headDim }
}

/// Parameters of `RoPE` and `RoPEGrad`: `theta`, `pos_offset`, `head_dim`.
public struct RoPEParameters: Hashable, Sendable {
    /// Frequency base (`theta`), e.g. 10000.
    public var theta: Float
    /// Position of the first row (`pos_offset`) when no dynamic offset input is given.
    public var posOffset: Int
    /// Width of one head (`head_dim`); must be even.
    public var headDim: Int

    /// Creates RoPE parameters.
    public init(theta: Float, posOffset: Int = 0, headDim: Int) {
        self.theta = theta
        self.posOffset = posOffset
        self.headDim = headDim
    }
}

/// Geometry of `Conv2d`, `Conv2dGradInput` and `Conv2dGradWeight` (NCHW, flat tensors).
public struct Conv2dGeometry: Hashable, Sendable {
    /// Input channels (`in_channels`).
    public var inChannels: Int
    /// Input height (`in_h`).
    public var inH: Int
    /// Input width (`in_w`).
    public var inW: Int
    /// Output channels (`out_channels`).
    public var outChannels: Int
    /// Kernel height (`kernel_h`).
    public var kernelH: Int
    /// Kernel width (`kernel_w`).
    public var kernelW: Int
    /// Stride in both directions (`stride`).
    public var stride: Int
    /// Zero padding above and below (`padding_h`).
    public var paddingH: Int
    /// Zero padding left and right (`padding_w`).
    public var paddingW: Int

    /// Creates a convolution geometry.
    public init(inChannels: Int, inH: Int, inW: Int, outChannels: Int, kernelH: Int,
                kernelW: Int, stride: Int = 1, paddingH: Int = 0, paddingW: Int = 0)
    {
        self.inChannels = inChannels
        self.inH = inH
        self.inW = inW
        self.outChannels = outChannels
        self.kernelH = kernelH
        self.kernelW = kernelW
        self.stride = stride
        self.paddingH = paddingH
        self.paddingW = paddingW
    }

    /// Output height: `(inH + 2·paddingH − kernelH) / stride + 1`.
    public var outH: Int { (inH + 2 * paddingH - kernelH) / stride + 1 }
    /// Output width: `(inW + 2·paddingW − kernelW) / stride + 1`.
    public var outW: Int { (inW + 2 * paddingW - kernelW) / stride + 1 }
    /// Element count of the weight tensor: `outChannels·inChannels·kernelH·kernelW`.
    public var weightCount: Int { outChannels * inChannels * kernelH * kernelW }
}

/// Geometry of `WinogradConv2d` (a 3×3, stride-1 convolution with equal padding).
public struct WinogradGeometry: Hashable, Sendable {
    /// Input channels (`in_channels`).
    public var inChannels: Int
    /// Input height (`in_h`).
    public var inH: Int
    /// Input width (`in_w`).
    public var inW: Int
    /// Output channels (`out_channels`).
    public var outChannels: Int
    /// Zero padding on every side (`padding`).
    public var padding: Int

    /// Creates a Winograd geometry.
    public init(inChannels: Int, inH: Int, inW: Int, outChannels: Int, padding: Int) {
        self.inChannels = inChannels
        self.inH = inH
        self.inW = inW
        self.outChannels = outChannels
        self.padding = padding
    }

    /// The equivalent `Conv2d` geometry (3×3 kernel, stride 1).
    public var conv2d: Conv2dGeometry {
        Conv2dGeometry(inChannels: inChannels, inH: inH, inW: inW, outChannels: outChannels,
                       kernelH: 3, kernelW: 3, stride: 1, paddingH: padding, paddingW: padding)
    }
}

/// Geometry of `MaxPool2d`.
public struct MaxPool2dGeometry: Hashable, Sendable {
    /// Channels (`channels`).
    public var channels: Int
    /// Input height (`in_h`).
    public var inH: Int
    /// Input width (`in_w`).
    public var inW: Int
    /// Window height (`kernel_h`).
    public var kernelH: Int
    /// Window width (`kernel_w`).
    public var kernelW: Int
    /// Stride (`stride`).
    public var stride: Int
    /// Padding on every side (`padding`).
    public var padding: Int

    /// Creates a pooling geometry.
    public init(channels: Int, inH: Int, inW: Int, kernelH: Int, kernelW: Int,
                stride: Int, padding: Int)
    {
        self.channels = channels
        self.inH = inH
        self.inW = inW
        self.kernelH = kernelH
        self.kernelW = kernelW
        self.stride = stride
        self.padding = padding
    }

    /// Output height: `(inH + 2·padding − kernelH) / stride + 1`.
    public var outH: Int { (inH + 2 * padding - kernelH) / stride + 1 }
    /// Output width: `(inW + 2·padding − kernelW) / stride + 1`.
    public var outW: Int { (inW + 2 * padding - kernelW) / stride + 1 }
}

/// Parameters of the group-norm family: `num_groups`, `eps`, `channels`, `spatial`.
public struct GroupNormParameters: Hashable, Sendable {
    /// Groups (`num_groups`); divides `channels`.
    public var numGroups: Int
    /// Variance epsilon (`eps`).
    public var eps: Float
    /// Channels (`channels`).
    public var channels: Int
    /// Elements per channel per sample (`spatial` = H·W).
    public var spatial: Int

    /// Creates group-norm parameters.
    public init(numGroups: Int, eps: Float, channels: Int, spatial: Int) {
        self.numGroups = numGroups
        self.eps = eps
        self.channels = channels
        self.spatial = spatial
    }
}

/// Parameters of `Concat`, `SplitA`, `SplitB` (channel concat of NCHW tensors).
public struct ConcatParameters: Hashable, Sendable {
    /// Channels of the first part (`channels_a`).
    public var channelsA: Int
    /// Channels of the second part (`channels_b`).
    public var channelsB: Int
    /// Elements per channel per sample (`spatial`).
    public var spatial: Int

    /// Creates concat parameters.
    public init(channelsA: Int, channelsB: Int, spatial: Int) {
        self.channelsA = channelsA
        self.channelsB = channelsB
        self.spatial = spatial
    }
}

/// Parameters of `Upsample2x` and `Upsample2xGrad`: `channels`, `in_h`, `in_w`
/// (the low-resolution size).
public struct UpsampleParameters: Hashable, Sendable {
    /// Channels (`channels`).
    public var channels: Int
    /// Low-resolution height (`in_h`).
    public var inH: Int
    /// Low-resolution width (`in_w`).
    public var inW: Int

    /// Creates upsample parameters.
    public init(channels: Int, inH: Int, inW: Int) {
        self.channels = channels
        self.inH = inH
        self.inW = inW
    }
}
