extension EGraph {
    /// The e-graph as Graphviz DOT: one cluster per e-class, one box per live e-node
    /// (labelled with its operator and literals), and an edge from each node to each child
    /// class (drawn to the class's cluster).
    ///
    /// ```dot
    /// digraph egraph {
    ///   compound=true
    ///   subgraph cluster_2 {
    ///     label="e2"
    ///     n2 [label="Add"]
    ///   }
    ///   n2 -> n0 [lhead=cluster_0]
    /// }
    /// ```
    ///
    /// Classes are listed in ascending id order and nodes in ascending id order within
    /// them, so the same graph gives the same text. Render with `dot -Tsvg`.
    ///
    /// - Parameter operators: names and literal kinds of the operators.
    /// - Complexity: O(N + E) for N e-nodes and E child edges.
    public func graphvizDOT(operators: OperatorTable) -> String {
        let graph = ExtractionGraph(self)
        let members = graph.membersByClass()
        var out = "digraph egraph {\n  compound=true\n  clusterrank=local\n"
        out += "  node [shape=box style=rounded fontname=helvetica]\n"
        out += "  graph [style=dashed fontname=helvetica]\n"
        var edges = ""
        for c in 0..<graph.classBound where members.start[c] < members.start[c + 1] {
            out += "  subgraph cluster_\(c) {\n    label=\"e\(c)\"\n"
            for m in Int(members.start[c])..<Int(members.start[c + 1]) {
                let n = Int(members.nodes[m])
                let op = OperatorID(rawValue: graph.ops[n])
                let literals = (operators.decode(graph.payloads[n], for: op) ?? []).map(EgglogFormat.literal)
                let label = ([operators[op].name] + literals).joined(separator: " ")
                out += "    n\(n) [label=\(Self.dotString(label))]\n"
                for i in Int(graph.childStart[n])..<Int(graph.childStart[n + 1]) {
                    let child = Int(graph.children[i])
                    let target = members.nodes[Int(members.start[child])]
                    // An edge into its own cluster cannot be clipped to it.
                    let clip = child == c ? "" : " [lhead=cluster_\(child)]"
                    edges += "  n\(n) -> n\(target)\(clip)\n"
                }
            }
            out += "  }\n"
        }
        return out + edges + "}\n"
    }

    static func dotString(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
