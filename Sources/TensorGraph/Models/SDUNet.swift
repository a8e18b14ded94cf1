/// The configuration of a scaled-down Stable Diffusion U-Net (no attention, no time
/// embedding): the convolutional skeleton that dominates its cost.
///
/// A ResBlock is GroupNorm, SiLU, 3×3 conv, GroupNorm, SiLU, 3×3 conv and a residual add
/// (through a 1×1 projection when the channel count changes). The encoder is `conv_in`
/// then, per level, a ResBlock and (except on the last level) a stride-2 3×3 conv; a
/// middle ResBlock follows; the decoder walks the levels back, upsampling 2× (except on
/// the first, deepest level), concatenating the level's skip and running a ResBlock;
/// the output is GroupNorm, SiLU and a 3×3 conv back to the latent channels.
public struct SDUNetConfig: Hashable, Sendable {
    /// Number of images per batch.
    public var batch: Int
    /// Channels of the latent (input and output).
    public var latentChannels: Int
    /// Channels of the first level; level `i` has `baseChannels · 2^i`.
    public var baseChannels: Int
    /// Number of resolution levels.
    public var levels: Int
    /// Height of the latent.
    public var height: Int
    /// Width of the latent.
    public var width: Int
    /// GroupNorm group count.
    public var groups: Int
    /// GroupNorm epsilon.
    public var groupNormEps: Float

    /// Creates a configuration.
    public init(batch: Int, latentChannels: Int = 4, baseChannels: Int, levels: Int = 3,
                height: Int = 32, width: Int = 32, groups: Int, groupNormEps: Float = 1e-5)
    {
        self.batch = batch
        self.latentChannels = latentChannels
        self.baseChannels = baseChannels
        self.levels = levels
        self.height = height
        self.width = width
        self.groups = groups
        self.groupNormEps = groupNormEps
    }

    /// The tiny U-Net: batch 4, 4-channel 32² latent, base 32 channels, 3 levels, 8 groups.
    public static let tiny = SDUNetConfig(batch: 4, baseChannels: 32, groups: 8)
    /// The small U-Net: batch 2, 4-channel 32² latent, base 64 channels, 3 levels,
    /// 16 groups.
    public static let small = SDUNetConfig(batch: 2, baseChannels: 64, groups: 16)

    /// Channels of level `level`.
    public func channels(ofLevel level: Int) -> Int { baseChannels << level }

    /// Nodes in the graph: `conv_in` 3, a ResBlock 13 (15 with a projection), a
    /// downsample 2, an upsample 1, a concat 1, the output 6; training adds the MSE
    /// loss (5 nodes).
    public func nodeCount(training: Bool) -> Int {
        var count = 3 + 6 + (training ? 5 : 0)
        var current = baseChannels
        for level in 0..<levels {
            let out = channels(ofLevel: level)
            count += current == out ? 13 : 15
            if level < levels - 1 { count += 2 }
            current = out
        }
        count += 13  // middle
        for level in stride(from: levels - 1, through: 0, by: -1) {
            if level < levels - 1 { count += 1 }
            let out = channels(ofLevel: level)
            count += 1 + (current + out == out ? 13 : 15)
            current = out
        }
        return count
    }

    func validate() throws {
        for (value, field) in [(batch, "batch"), (latentChannels, "latentChannels"),
                               (baseChannels, "baseChannels"), (levels, "levels"),
                               (height, "height"), (width, "width"), (groups, "groups")]
        {
            try Models.requirePositive(value, field, model: "SD-UNet")
        }
        let factor = 1 << (levels - 1)
        guard height % factor == 0, width % factor == 0 else {
            throw ModelConfigurationError(
                model: "SD-UNet", field: "height",
                message: "\(height)×\(width) is not divisible by \(factor) for \(levels) levels")
        }
        guard baseChannels % groups == 0 else {
            throw ModelConfigurationError(
                model: "SD-UNet", field: "groups",
                message: "\(groups) groups do not divide \(baseChannels) base channels")
        }
    }
}

extension Models {
    /// Builds the SD U-Net noise predictor.
    ///
    /// Input: `noisy_latent [batch · latentChannels · height · width]` (flat NCHW);
    /// training adds `noise_target` of the same size. Output: the predicted noise, or for
    /// training its MSE against the target.
    ///
    /// - Complexity: O(`config.levels`).
    public static func sdUNet(_ config: SDUNetConfig, training: Bool = false) throws -> Graph {
        try config.validate()
        var g = Graph()
        let latentSize = config.batch * config.latentChannels * config.height * config.width

        let latent = try g.input("noisy_latent", shape: [latentSize])
        let convIn = Conv2dGeometry(inChannels: config.latentChannels, inH: config.height,
                                    inW: config.width, outChannels: config.baseChannels,
                                    kernelH: 3, kernelW: 3, stride: 1, paddingH: 1, paddingW: 1)
        let convInW = try g.parameter("conv_in.weight", shape: [convIn.weightCount])
        var x = try g.conv2d(latent, convInW, convIn)

        var channels = config.baseChannels
        var height = config.height
        var width = config.width
        var skips: [(node: NodeID, channels: Int)] = []
        for level in 0..<config.levels {
            let out = config.channels(ofLevel: level)
            x = try resBlock(&g, x, config, prefix: "encoder.\(level).resblock",
                             inChannels: channels, outChannels: out, height: height, width: width)
            channels = out
            skips.append((x, channels))
            if level < config.levels - 1 {
                let down = Conv2dGeometry(inChannels: channels, inH: height, inW: width,
                                          outChannels: channels, kernelH: 3, kernelW: 3,
                                          stride: 2, paddingH: 1, paddingW: 1)
                let downW = try g.parameter("encoder.\(level).downsample.weight", shape: [down.weightCount])
                x = try g.conv2d(x, downW, down)
                height = down.outH
                width = down.outW
            }
        }

        x = try resBlock(&g, x, config, prefix: "middle.resblock", inChannels: channels,
                         outChannels: channels, height: height, width: width)

        for level in stride(from: config.levels - 1, through: 0, by: -1) {
            if level < config.levels - 1 {
                x = try g.upsample2x(x, channels: channels, inH: height, inW: width)
                height *= 2
                width *= 2
            }
            let skip = skips[level]
            x = try g.concat(x, skip.node, channelsA: channels, channelsB: skip.channels,
                             spatial: height * width)
            let out = config.channels(ofLevel: level)
            x = try resBlock(&g, x, config, prefix: "decoder.\(level).resblock",
                             inChannels: channels + skip.channels, outChannels: out,
                             height: height, width: width)
            channels = out
        }

        let normW = try g.parameter("conv_out.norm.weight", shape: [channels])
        let normB = try g.parameter("conv_out.norm.bias", shape: [channels])
        x = try g.groupNorm(x, normW, normB, numGroups: config.groups,
                            eps: config.groupNormEps, channels: channels, spatial: height * width)
        x = try g.silu(x)
        let convOut = Conv2dGeometry(inChannels: channels, inH: height, inW: width,
                                     outChannels: config.latentChannels, kernelH: 3, kernelW: 3,
                                     stride: 1, paddingH: 1, paddingW: 1)
        let convOutW = try g.parameter("conv_out.weight", shape: [convOut.weightCount])
        x = try g.conv2d(x, convOutW, convOut)
        if training {
            let target = try g.input("noise_target", shape: [latentSize])
            x = try g.mseLoss(x, target)
        }
        try g.setOutputs([x])
        return g
    }

    /// GroupNorm, SiLU, 3×3 conv, GroupNorm, SiLU, 3×3 conv, plus the input (through a
    /// 1×1 projection `res_conv` when the channel count changes).
    private static func resBlock(_ g: inout Graph, _ x: NodeID, _ config: SDUNetConfig,
                                 prefix: String, inChannels: Int, outChannels: Int,
                                 height: Int, width: Int) throws -> NodeID
    {
        let spatial = height * width
        let norm1W = try g.parameter(prefix + ".norm1.weight", shape: [inChannels])
        let norm1B = try g.parameter(prefix + ".norm1.bias", shape: [inChannels])
        var h = try g.groupNorm(x, norm1W, norm1B, numGroups: config.groups,
                                eps: config.groupNormEps, channels: inChannels, spatial: spatial)
        h = try g.silu(h)
        let conv1 = Conv2dGeometry(inChannels: inChannels, inH: height, inW: width,
                                   outChannels: outChannels, kernelH: 3, kernelW: 3, stride: 1,
                                   paddingH: 1, paddingW: 1)
        let conv1W = try g.parameter(prefix + ".conv1.weight", shape: [conv1.weightCount])
        h = try g.conv2d(h, conv1W, conv1)
        let norm2W = try g.parameter(prefix + ".norm2.weight", shape: [outChannels])
        let norm2B = try g.parameter(prefix + ".norm2.bias", shape: [outChannels])
        h = try g.groupNorm(h, norm2W, norm2B, numGroups: config.groups,
                            eps: config.groupNormEps, channels: outChannels, spatial: spatial)
        h = try g.silu(h)
        let conv2 = Conv2dGeometry(inChannels: outChannels, inH: height, inW: width,
                                   outChannels: outChannels, kernelH: 3, kernelW: 3, stride: 1,
                                   paddingH: 1, paddingW: 1)
        let conv2W = try g.parameter(prefix + ".conv2.weight", shape: [conv2.weightCount])
        h = try g.conv2d(h, conv2W, conv2)
        if inChannels == outChannels {
            return try g.add(x, h)
        }
        let projection = Conv2dGeometry(inChannels: inChannels, inH: height, inW: width,
                                        outChannels: outChannels, kernelH: 1, kernelW: 1)
        let projectionW = try g.parameter(prefix + ".res_conv.weight", shape: [projection.weightCount])
        let projected = try g.conv2d(x, projectionW, projection)
        return try g.add(projected, h)
    }
}
