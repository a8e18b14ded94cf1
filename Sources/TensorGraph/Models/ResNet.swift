/// The configuration of a ResNet image classifier with batch norm folded into biases.
///
/// Every convolution is followed by an `Add` of a folded batch-norm bias tensor of the
/// convolution's full output size (`bn.fused_bias`). The stem is a 7×7/2 convolution,
/// bias, ReLU and a 3×3/2 max pool; four stages of residual blocks follow (the first
/// block of stages 2–4 has stride 2); the head is global average pooling, a linear
/// layer and a bias.
public struct ResNetConfig: Hashable, Sendable {
    /// The residual block kind.
    public enum Block: Hashable, Sendable {
        /// Two 3×3 convolutions (ResNet-18/34); expansion 1.
        case basic
        /// 1×1, 3×3 (with the stride), 1×1 convolutions (ResNet-50 and deeper);
        /// expansion 4.
        case bottleneck

        /// Output channels of a block relative to its stage width.
        public var expansion: Int { self == .basic ? 1 : 4 }
    }

    /// The residual block kind.
    public var block: Block
    /// Number of blocks in each stage.
    public var stageBlocks: [Int]
    /// Width of each stage (before the block expansion).
    public var stageWidths: [Int]
    /// Number of output classes.
    public var classes: Int
    /// Height and width of the square input image.
    public var imageSize: Int
    /// Channels of the input image.
    public var imageChannels: Int

    /// Creates a configuration.
    public init(block: Block, stageBlocks: [Int], stageWidths: [Int] = [64, 128, 256, 512],
                classes: Int = 1000, imageSize: Int = 224, imageChannels: Int = 3)
    {
        self.block = block
        self.stageBlocks = stageBlocks
        self.stageWidths = stageWidths
        self.classes = classes
        self.imageSize = imageSize
        self.imageChannels = imageChannels
    }

    /// ResNet-18: 8 basic blocks (2, 2, 2, 2), 1000 classes, 224² input.
    public static let resnet18 = ResNetConfig(block: .basic, stageBlocks: [2, 2, 2, 2])
    /// ResNet-50: 16 bottleneck blocks (3, 4, 6, 3), 1000 classes, 224² input.
    public static let resnet50 = ResNetConfig(block: .bottleneck, stageBlocks: [3, 4, 6, 3])

    /// Nodes in the graph: 7 in the stem, 11 per basic or 16 per bottleneck block (4 more
    /// with a downsample shortcut), 5 in the head; training adds 2 (labels, loss).
    public func nodeCount(training: Bool) -> Int {
        var count = 7 + 5 + (training ? 2 : 0)
        var channels = stageWidths.first ?? 0
        for (stage, blocks) in stageBlocks.enumerated() {
            let out = stageWidths[stage] * block.expansion
            for index in 0..<blocks {
                let stride = stage > 0 && index == 0 ? 2 : 1
                count += block == .basic ? 11 : 16
                if stride != 1 || channels != out { count += 4 }
                channels = out
            }
        }
        return count
    }

    func validate(batch: Int) throws {
        try Models.requirePositive(batch, "batch", model: "ResNet")
        try Models.requirePositive(classes, "classes", model: "ResNet")
        try Models.requirePositive(imageChannels, "imageChannels", model: "ResNet")
        guard !stageBlocks.isEmpty, stageBlocks.count == stageWidths.count else {
            throw ModelConfigurationError(
                model: "ResNet", field: "stageBlocks",
                message: "needs one block count per stage width (\(stageWidths.count))")
        }
        for (stage, blocks) in stageBlocks.enumerated() {
            try Models.requirePositive(blocks, "stageBlocks[\(stage)]", model: "ResNet")
            try Models.requirePositive(stageWidths[stage], "stageWidths[\(stage)]", model: "ResNet")
        }
        // The stem divides the size by 4 and each later stage by 2 (rounding up).
        let minimum = 4 << (stageBlocks.count - 1)
        guard imageSize >= minimum else {
            throw ModelConfigurationError(model: "ResNet", field: "imageSize",
                                          message: "must be at least \(minimum) (got \(imageSize))")
        }
    }
}

extension Models {
    /// Builds a ResNet over a batch of `batch` images.
    ///
    /// Input: `image [batch · channels · size²]` (flat NCHW); training adds
    /// `labels [batch, classes]`. Output: the logits `[batch, classes]`, or for training
    /// their cross-entropy. Parameters are named as in torchvision (`layer2.0.conv1.weight`,
    /// `layer2.0.downsample.0.weight`), with `….fused_bias` for the folded batch norms.
    ///
    /// - Complexity: O(number of blocks).
    public static func resNet(_ config: ResNetConfig, batch: Int = 1,
                              training: Bool = false) throws -> Graph
    {
        try config.validate(batch: batch)
        var g = Graph()
        let size = config.imageSize
        let stemWidth = config.stageWidths[0]

        let image = try g.input("image", shape: [batch * config.imageChannels * size * size])
        let stem = Conv2dGeometry(inChannels: config.imageChannels, inH: size, inW: size,
                                  outChannels: stemWidth, kernelH: 7, kernelW: 7, stride: 2,
                                  paddingH: 3, paddingW: 3)
        var x = try convolution(&g, image, stem, batch: batch, weight: "conv1.weight",
                                bias: "bn1.fused_bias")
        x = try g.relu(x)
        let pool = MaxPool2dGeometry(channels: stemWidth, inH: stem.outH, inW: stem.outW,
                                     kernelH: 3, kernelW: 3, stride: 2, padding: 1)
        x = try g.maxPool2d(x, pool)

        var channels = stemWidth
        var height = pool.outH
        var width = pool.outW
        for (stage, blocks) in config.stageBlocks.enumerated() {
            let stageWidth = config.stageWidths[stage]
            let out = stageWidth * config.block.expansion
            for index in 0..<blocks {
                let prefix = "layer\(stage + 1).\(index)"
                let stride = stage > 0 && index == 0 ? 2 : 1
                let input = x
                var main: NodeID
                switch config.block {
                case .basic:
                    let c1 = Conv2dGeometry(inChannels: channels, inH: height, inW: width,
                                            outChannels: stageWidth, kernelH: 3, kernelW: 3,
                                            stride: stride, paddingH: 1, paddingW: 1)
                    main = try convolution(&g, input, c1, batch: batch,
                                           weight: prefix + ".conv1.weight",
                                           bias: prefix + ".bn1.fused_bias")
                    main = try g.relu(main)
                    let c2 = Conv2dGeometry(inChannels: stageWidth, inH: c1.outH, inW: c1.outW,
                                            outChannels: stageWidth, kernelH: 3, kernelW: 3,
                                            stride: 1, paddingH: 1, paddingW: 1)
                    main = try convolution(&g, main, c2, batch: batch,
                                           weight: prefix + ".conv2.weight",
                                           bias: prefix + ".bn2.fused_bias")
                case .bottleneck:
                    let c1 = Conv2dGeometry(inChannels: channels, inH: height, inW: width,
                                            outChannels: stageWidth, kernelH: 1, kernelW: 1)
                    main = try convolution(&g, input, c1, batch: batch,
                                           weight: prefix + ".conv1.weight",
                                           bias: prefix + ".bn1.fused_bias")
                    main = try g.relu(main)
                    let c2 = Conv2dGeometry(inChannels: stageWidth, inH: height, inW: width,
                                            outChannels: stageWidth, kernelH: 3, kernelW: 3,
                                            stride: stride, paddingH: 1, paddingW: 1)
                    main = try convolution(&g, main, c2, batch: batch,
                                           weight: prefix + ".conv2.weight",
                                           bias: prefix + ".bn2.fused_bias")
                    main = try g.relu(main)
                    let c3 = Conv2dGeometry(inChannels: stageWidth, inH: c2.outH, inW: c2.outW,
                                            outChannels: out, kernelH: 1, kernelW: 1)
                    main = try convolution(&g, main, c3, batch: batch,
                                           weight: prefix + ".conv3.weight",
                                           bias: prefix + ".bn3.fused_bias")
                }
                var shortcut = input
                if stride != 1 || channels != out {
                    let down = Conv2dGeometry(inChannels: channels, inH: height, inW: width,
                                              outChannels: out, kernelH: 1, kernelW: 1,
                                              stride: stride)
                    shortcut = try convolution(&g, input, down, batch: batch,
                                               weight: prefix + ".downsample.0.weight",
                                               bias: prefix + ".downsample.1.fused_bias")
                }
                x = try g.add(main, shortcut)
                x = try g.relu(x)
                channels = out
                height = (height - 1) / stride + 1
                width = (width - 1) / stride + 1
            }
        }

        x = try g.globalAvgPool(x, channels: channels, spatial: height * width)
        let fcW = try g.parameter("fc.weight", shape: [channels, config.classes])
        let fcB = try g.parameter("fc.bias", shape: [config.classes])
        x = try g.matmul(x, fcW)
        x = try g.biasAdd(x, fcB)
        if training {
            let labels = try g.input("labels", shape: [batch, config.classes])
            x = try g.crossEntropyLoss(x, labels)
        }
        try g.setOutputs([x])
        return g
    }

    /// `Conv2d` with a new weight parameter, then `Add` of a new folded-bias parameter of
    /// the output's full size.
    private static func convolution(_ g: inout Graph, _ x: NodeID, _ geometry: Conv2dGeometry,
                                    batch: Int, weight: String, bias: String) throws -> NodeID
    {
        let w = try g.parameter(weight, shape: [geometry.weightCount])
        let y = try g.conv2d(x, w, geometry)
        let b = try g.parameter(bias, shape: [batch * geometry.outChannels * geometry.outH * geometry.outW])
        return try g.add(y, b)
    }
}
