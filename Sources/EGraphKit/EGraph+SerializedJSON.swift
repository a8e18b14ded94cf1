extension EGraph {
    /// The e-graph in egraph-serialize's JSON format, which egglog's visualizer and
    /// extraction-gym read.
    ///
    /// ```json
    /// {"nodes": {"n0": {"op": "Num", "children": ["lit-i64-0"], "eclass": "c0",
    ///                   "cost": 2.0, "subsumed": false}, …},
    ///  "root_eclasses": ["c2"],
    ///  "class_data": {"c0": {"type": "Math"}, …}}
    /// ```
    ///
    /// Every live e-node `n<id>` is one entry, in ascending id order; its `eclass` is
    /// `c<canonical class>` and each child names the first live node of the child class
    /// (egraph-serialize children are node ids). As egglog does, each distinct literal a
    /// node carries becomes a node of its own (`lit-<sort>-<k>`, in a class of its own, with
    /// the literal's text as `op` and cost 0, since `cost` already counts it when the cost
    /// function does), listed just before the first node that uses it.
    ///
    /// - Parameters:
    ///   - operators: names and literal kinds of the operators.
    ///   - roots: the classes to list in `root_eclasses`.
    ///   - cost: each node's own cost.
    ///   - classType: the `type` written in `class_data` for each class, if any.
    /// - Returns: The JSON text (deterministic: the same graph gives the same text).
    /// - Throws: ``ExtractionError/invalidCost(node:cost:)`` for a negative or NaN cost.
    /// - Complexity: O(N + E) for N e-nodes and E child edges.
    public func serializedJSON(operators: OperatorTable, roots: [EClassID] = [], cost: some CostFunction,
                               classType: ((EClassID) -> String?)? = nil) throws(ExtractionError) -> String {
        let graph = ExtractionGraph(self)
        let own = try graph.ownCosts(cost)
        return Self.serializedJSON(graph: graph, own: own, operators: operators, roots: roots, classType: classType)
    }

    /// The e-graph in egraph-serialize's JSON format, with egglog's AST-size costs (each
    /// node 1 plus 1 per literal); see ``serializedJSON(operators:roots:cost:classType:)``.
    ///
    /// - Complexity: O(N + E) for N e-nodes and E child edges.
    public func serializedJSON(operators: OperatorTable, roots: [EClassID] = [],
                               classType: ((EClassID) -> String?)? = nil) -> String {
        let graph = ExtractionGraph(self)
        // ASTSize never returns an invalid cost.
        let own = (try? graph.ownCosts(ASTSize(operators: operators))) ?? []
        return Self.serializedJSON(graph: graph, own: own, operators: operators, roots: roots, classType: classType)
    }

    static func serializedJSON(graph: ExtractionGraph, own: [Double], operators: OperatorTable,
                               roots: [EClassID], classType: ((EClassID) -> String?)?) -> String {
        let representative = graph.firstMembers()
        var literalIDs: [Literal: String] = [:]
        var nodes: [String] = []
        var classData: [String] = []
        func entry(id: String, op: String, children: [String], eclass: String, cost: Double) -> String {
            "\(JSONText.string(id)): {\"op\": \(JSONText.string(op)), \"children\": ["
                + children.map(JSONText.string).joined(separator: ", ")
                + "], \"eclass\": \(JSONText.string(eclass)), \"cost\": \(JSONText.number(cost)), \"subsumed\": false}"
        }
        var typed = [Bool](repeating: false, count: graph.classBound)
        for n in 0..<graph.nodeCount where graph.nodeClass[n] != ExtractionGraph.dead {
            let op = OperatorID(rawValue: graph.ops[n])
            let declared = operators[op]
            let literals = operators.decode(graph.payloads[n], for: op) ?? []
            var literalNodes: [String] = []
            for literal in literals {
                if let existing = literalIDs[literal] {
                    literalNodes.append(existing)
                    continue
                }
                let sort = literal.kind.description
                let k = literalIDs.count
                let id = "lit-\(sort)-\(k)"
                literalIDs[literal] = id
                nodes.append(entry(id: id, op: EgglogFormat.literal(literal), children: [],
                                   eclass: "\(sort)-\(k)", cost: 0))
                classData.append("\(JSONText.string("\(sort)-\(k)")): {\"type\": \(JSONText.string(sort))}")
                literalNodes.append(id)
            }
            var children: [String] = []
            var nextChild = Int(graph.childStart[n])
            var nextLiteral = 0
            for argument in declared.arguments {
                switch argument {
                case .child:
                    children.append("n\(representative[Int(graph.children[nextChild])])")
                    nextChild += 1
                case .literal:
                    if nextLiteral < literalNodes.count { children.append(literalNodes[nextLiteral]) }
                    nextLiteral += 1
                }
            }
            let c = Int(graph.nodeClass[n])
            nodes.append(entry(id: "n\(n)", op: declared.name, children: children, eclass: "c\(c)", cost: own[n]))
            if !typed[c] {
                typed[c] = true
                if let type = classType?(EClassID(UInt32(c))) {
                    classData.append("\(JSONText.string("c\(c)")): {\"type\": \(JSONText.string(type))}")
                }
            }
        }
        let rootList = roots.map { JSONText.string("c\(graph.canonical[Int($0.rawValue)])") }
        return "{\"nodes\": {" + nodes.joined(separator: ",\n ") + "},\n \"root_eclasses\": ["
            + rootList.joined(separator: ", ") + "],\n \"class_data\": {" + classData.joined(separator: ",\n ") + "}}\n"
    }
}

extension ExtractionGraph {
    /// The first (lowest-id) live node of each class, `dead` for ids that are not classes.
    /// - Complexity: O(N).
    func firstMembers() -> [UInt32] {
        var first = [UInt32](repeating: Self.dead, count: classBound)
        for n in 0..<nodeCount {
            let c = nodeClass[n]
            if c != Self.dead, first[Int(c)] == Self.dead { first[Int(c)] = UInt32(n) }
        }
        return first
    }
}
