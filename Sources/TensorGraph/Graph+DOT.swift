/// Graphviz export.
extension Graph {
    /// The graph in Graphviz DOT form: one box per node labelled with its id, op,
    /// parameters and output type; edges from each input to its consumer, in input
    /// order; outputs drawn bold with a double border and labelled `output i`
    /// (`gradient output i` for parameter gradients); `Nop` nodes and their edges dashed
    /// and grey. `Constant` data is summarized by its length.
    ///
    /// Render with `dot -Tsvg graph.dot -o graph.svg`.
    ///
    /// - Complexity: O(nodes + total inputs).
    public func dot(name: String = "tensor_graph") -> String {
        var outputLabels: [Int: [String]] = [:]
        let firstGradient = outputs.count - paramGradOutputs
        for (i, id) in outputs.enumerated() {
            outputLabels[id.index, default: []].append(i >= firstGradient ? "gradient output \(i)" : "output \(i)")
        }
        var text = "digraph \(Self.dotID(name)) {\n"
        text.reserveCapacity(96 * nodes.count + 64)
        text += "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
        text += "  edge [arrowsize=0.6];\n"
        var lastFloat: (bits: UInt32, text: String) = (0, "0.0")
        for node in nodes {
            text += "  n"
            text += String(node.id.rawValue)
            text += " [label=\""
            text += String(node.id.rawValue)
            text += ": "
            text += node.op.name
            for (key, value) in OpCodec.parameters(of: node.op) {
                text += "\\n"
                text += key
                text += "="
                switch value {
                case .int(let v): text += String(v)
                case .bool(let v): text += v ? "true" : "false"
                case .string(let v): text += Self.escape(v)
                case .float(let v):
                    if v.bitPattern != lastFloat.bits {
                        lastFloat = (v.bitPattern, v.isFinite ? ShortestFloat.format(v) : "\(v)")
                    }
                    text += lastFloat.text
                case .floats(let v): text += "[\(v.count) values]"
                }
            }
            text += "\\n"
            text += node.type.description
            let marks = outputLabels[node.id.index]
            for mark in marks ?? [] {
                text += "\\n"
                text += mark
            }
            text += "\""
            if node.isNop {
                text += ", style=dashed, color=gray60, fontcolor=gray60"
            } else if marks != nil {
                text += ", peripheries=2, penwidth=2"
            } else if node.op.isLeaf {
                text += ", style=rounded"
            }
            text += "];\n"
        }
        for node in nodes {
            for input in node.inputs {
                text += "  n"
                text += String(input.rawValue)
                text += " -> n"
                text += String(node.id.rawValue)
                text += node.isNop ? " [style=dashed, color=gray60];\n" : ";\n"
            }
        }
        text += "}\n"
        return text
    }

    private static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    private static func dotID(_ name: String) -> String {
        let plain = !name.isEmpty && !(name.first!.isNumber)
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return plain ? name : "\"\(escape(name))\""
    }
}
