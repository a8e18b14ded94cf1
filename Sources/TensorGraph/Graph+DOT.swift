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
        text += "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
        text += "  edge [arrowsize=0.6];\n"
        for node in nodes {
            var lines = ["\(node.id): \(node.op.name)"]
            for (key, value) in OpCodec.parameters(of: node.op) {
                switch value {
                case .int(let v): lines.append("\(key)=\(v)")
                case .bool(let v): lines.append("\(key)=\(v)")
                case .string(let v): lines.append("\(key)=\(v)")
                case .float(let v): lines.append("\(key)=\(v.isFinite ? ShortestFloat.format(v) : "\(v)")")
                case .floats(let v): lines.append("\(key)=[\(v.count) values]")
                }
            }
            lines.append(node.type.description)
            if let marks = outputLabels[node.id.index] { lines.append(contentsOf: marks) }
            var attributes = ["label=\"\(lines.map(Self.escape).joined(separator: "\\n"))\""]
            if node.isNop {
                attributes.append("style=dashed, color=gray60, fontcolor=gray60")
            } else if outputLabels[node.id.index] != nil {
                attributes.append("peripheries=2, penwidth=2")
            } else if node.op.isLeaf {
                attributes.append("style=rounded")
            }
            text += "  n\(node.id) [\(attributes.joined(separator: ", "))];\n"
        }
        for node in nodes {
            for input in node.inputs {
                text += "  n\(input) -> n\(node.id)" + (node.isNop ? " [style=dashed, color=gray60]" : "") + ";\n"
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
