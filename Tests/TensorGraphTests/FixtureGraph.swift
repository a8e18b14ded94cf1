import Foundation
import TensorGraph

/// A test-side view of a tensor-graph JSON fixture: each node as op name, parameter
/// fields, inputs, dtype, shape and name, decoded independently of the library's own
/// reader, so that the model builders are checked against the files themselves.
struct FixtureGraph: Decodable {
    var nodes: [FixtureNode]
    var outputs: [Int]
    var paramGradOutputs: Int

    enum CodingKeys: String, CodingKey {
        case nodes, outputs
        case paramGradOutputs = "param_grad_outputs"
    }

    /// The folder holding the shared fixtures.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("FusionTests")
        .appendingPathComponent("Fixtures")

    /// Reads `<slug>.json` from the fixture folder.
    static func load(_ slug: String) throws -> FixtureGraph {
        let url = directory.appendingPathComponent(slug + ".json")
        return try JSONDecoder().decode(FixtureGraph.self, from: Data(contentsOf: url))
    }

    /// The same view of a built graph.
    init(_ graph: Graph) {
        nodes = graph.nodes.map(FixtureNode.init)
        outputs = graph.outputs.map(\.index)
        paramGradOutputs = graph.paramGradOutputs
    }
}

/// A parameter value as the format writes it: a JSON boolean or number. Numbers are
/// compared as 32-bit floats (the format's precision).
enum FixtureValue: Decodable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case number(Float)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else {
            self = .number(Float(try container.decode(Double.self)))
        }
    }

    var description: String {
        switch self {
        case .bool(let flag): String(flag)
        case .number(let value): value == value.rounded() && Swift.abs(value) < 1e9
            ? String(Int(value)) : String(describing: value)
        }
    }
}

/// One node: op name, parameters, inputs, dtype, shape and (leaves only) name.
struct FixtureNode: Decodable, Hashable, CustomStringConvertible {
    var op: String
    var params: [String: FixtureValue]
    var inputs: [Int]
    var dtype: String
    var shape: [Int]
    var name: String?

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let structuralFields: Set<String> = ["id", "op", "inputs", "dtype", "shape", "name"]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        op = try container.decode(String.self, forKey: Key(stringValue: "op"))
        inputs = try container.decode([Int].self, forKey: Key(stringValue: "inputs"))
        dtype = try container.decode(String.self, forKey: Key(stringValue: "dtype"))
        shape = try container.decode([Int].self, forKey: Key(stringValue: "shape"))
        name = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "name"))
        params = [:]
        for key in container.allKeys where !Self.structuralFields.contains(key.stringValue) {
            params[key.stringValue] = try container.decode(FixtureValue.self, forKey: key)
        }
    }

    init(_ node: Node) {
        op = node.op.name
        params = Self.fields(of: node.op)
        inputs = node.inputs.map(\.index)
        dtype = node.dtype.rawValue
        shape = node.shape
        name = node.op.leafName
    }

    var description: String {
        let fields = params.keys.sorted().map { "\($0)=\(params[$0]!)" }.joined(separator: ",")
        return "\(op)(\(fields)) \(inputs) \(dtype)\(shape)" + (name.map { " \($0)" } ?? "")
    }

    /// The op's parameters under their JSON field names, for the ops the model builders
    /// emit; any other op with parameters gets an `unsupported` field so it never matches.
    static func fields(of op: Op) -> [String: FixtureValue] {
        func n(_ value: Int) -> FixtureValue { .number(Float(value)) }
        func heads(_ h: AttentionHeads) -> [String: FixtureValue] {
            ["num_heads": n(h.numHeads), "num_kv_heads": n(h.numKVHeads), "head_dim": n(h.headDim)]
        }
        switch op {
        case .parameter, .input, .matMul, .matMulAT, .matMulBT, .add, .mul, .biasAdd, .relu,
             .neg, .silu, .gelu, .identity, .swiGLU, .meanAll, .crossEntropyLoss, .transpose,
             .embedding:
            return [:]
        case .constant(.fill(let value)):
            return ["fill": .number(value)]
        case .rmsNorm(let eps), .layerNorm(let eps):
            return ["eps": .number(eps)]
        case .rope(let p):
            return ["theta": .number(p.theta), "pos_offset": n(p.posOffset), "head_dim": n(p.headDim)]
        case .causalAttention(let h), .fullAttention(let h), .crossAttention(let h):
            return heads(h)
        case .slidingWindowAttention(let h, let window):
            return heads(h).merging(["window_size": n(window)]) { a, _ in a }
        case .multiHeadAttn(let h, let isCross):
            return heads(h).merging(["is_cross": .bool(isCross)]) { a, _ in a }
        case .conv2d(let c):
            return ["in_channels": n(c.inChannels), "in_h": n(c.inH), "in_w": n(c.inW),
                    "out_channels": n(c.outChannels), "kernel_h": n(c.kernelH),
                    "kernel_w": n(c.kernelW), "stride": n(c.stride),
                    "padding_h": n(c.paddingH), "padding_w": n(c.paddingW)]
        case .maxPool2d(let p):
            return ["channels": n(p.channels), "in_h": n(p.inH), "in_w": n(p.inW),
                    "kernel_h": n(p.kernelH), "kernel_w": n(p.kernelW), "stride": n(p.stride),
                    "padding": n(p.padding)]
        case .globalAvgPool(let channels, let spatial):
            return ["channels": n(channels), "spatial": n(spatial)]
        case .groupNorm(let p):
            return ["num_groups": n(p.numGroups), "eps": .number(p.eps),
                    "channels": n(p.channels), "spatial": n(p.spatial)]
        case .concat(let p):
            return ["channels_a": n(p.channelsA), "channels_b": n(p.channelsB),
                    "spatial": n(p.spatial)]
        case .upsample2x(let p):
            return ["channels": n(p.channels), "in_h": n(p.inH), "in_w": n(p.inW)]
        default:
            return ["unsupported": .bool(true)]
        }
    }
}
