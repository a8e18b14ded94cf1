import Foundation

extension Graph {
    /// The graph in the tensor-graph JSON format (version 1), laid out one node per
    /// line as the format's files are: fields in the order `id`,
    /// `op`, the op's parameters, `dtype`, `shape`, `inputs`; f32 values in shortest
    /// round-trip form (`1e-5`, `10000.0`); a trailing newline. Reading the result back
    /// gives an equal graph.
    ///
    /// - Throws: ``GraphError`` (`parameter`) when a float parameter or constant is
    ///   not finite, which JSON cannot express.
    /// - Complexity: O(nodes + total inputs + constant data).
    public func jsonBytes() throws(GraphError) -> [UInt8] {
        var out = JSONOutput()
        out.bytes.reserveCapacity(128 * nodes.count + 256)
        out.raw("{\n  \"format\": \"tensor-graph\",\n  \"version\": 1,\n  \"nodes\": [")
        for (i, node) in nodes.enumerated() {
            out.raw(i == 0 ? "\n    {\"id\": " : ",\n    {\"id\": ")
            out.int(node.id.index)
            out.raw(", \"op\": ")
            out.string(node.op.name)
            for (key, value) in OpCodec.parameters(of: node.op) {
                out.raw(", ")
                out.string(key)
                out.raw(": ")
                switch value {
                case .int(let v): out.int(v)
                case .bool(let v): out.raw(v ? "true" : "false")
                case .string(let v): out.string(v)
                case .float(let v):
                    guard v.isFinite else { throw nonFinite(node, key) }
                    out.float(v)
                case .floats(let values):
                    out.raw("[")
                    for (j, v) in values.enumerated() {
                        guard v.isFinite else { throw nonFinite(node, key) }
                        if j > 0 { out.raw(", ") }
                        out.float(v)
                    }
                    out.raw("]")
                }
            }
            out.raw(", \"dtype\": ")
            out.string(node.type.dtype.rawValue)
            out.raw(", \"shape\": ")
            out.ints(node.type.shape)
            out.raw(", \"inputs\": ")
            out.ints(node.inputs.map { $0.index })
            out.raw("}")
        }
        out.raw(nodes.isEmpty ? "],\n  \"outputs\": " : "\n  ],\n  \"outputs\": ")
        out.ints(outputs.map(\.index))
        out.raw(",\n  \"param_grad_outputs\": ")
        out.int(paramGradOutputs)
        out.raw(",\n  \"derived_params\": [")
        for (i, param) in derivedParams.enumerated() {
            out.raw(i == 0 ? "\n    {\"name\": " : ",\n    {\"name\": ")
            out.string(param.name)
            out.raw(", \"sources\": [")
            for (j, source) in param.sources.enumerated() {
                out.raw(j == 0 ? "{\"name\": " : ", {\"name\": ")
                out.string(source.name)
                out.raw(", \"cols\": ")
                out.int(source.cols)
                out.raw("}")
            }
            out.raw("], \"rows\": ")
            out.int(param.rows)
            switch param.transform {
            case .horizontalConcat:
                out.raw(", \"transform\": {\"kind\": \"horizontal_concat\"}}")
            case .winograd3x3(let co, let ci):
                out.raw(", \"transform\": {\"kind\": \"winograd3x3\", \"out_channels\": ")
                out.int(co)
                out.raw(", \"in_channels\": ")
                out.int(ci)
                out.raw("}}")
            }
        }
        out.raw(derivedParams.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        return out.bytes
    }

    /// The graph's JSON text; see ``jsonBytes()``.
    public func jsonString() throws(GraphError) -> String {
        String(decoding: try jsonBytes(), as: UTF8.self)
    }

    /// Writes the graph's JSON text to a file (replacing it); see ``jsonBytes()``.
    ///
    /// - Throws: ``GraphError`` for a non-finite float; Foundation's error when the
    ///   file cannot be written.
    public func write(toFile path: String) throws {
        try Data(jsonBytes()).write(to: URL(fileURLWithPath: path))
    }

    private func nonFinite(_ node: Node, _ key: String) -> GraphError {
        GraphError(.parameter, node: node.id, op: node.op.name, field: key,
                   message: "\(key) is not finite, which JSON cannot express")
    }
}

/// An append-only UTF-8 buffer with the few JSON writers the format needs.
private struct JSONOutput {
    var bytes: [UInt8] = []
    /// The text of the last float written: graphs repeat the same eps and theta.
    private var lastFloat: (bits: UInt32, text: String) = (0, "0.0")

    mutating func float(_ value: Float) {
        if value.bitPattern != lastFloat.bits {
            lastFloat = (value.bitPattern, ShortestFloat.format(value))
        }
        raw(lastFloat.text)
    }

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func int(_ value: Int) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    mutating func ints(_ values: [Int]) {
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            int(v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A string literal with `"`, `\` and control characters escaped (`\n`, `\t`, …,
    /// else `\u00XX`); other characters are written as UTF-8.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
