/// An extracted term as a DAG: one node per e-class it uses, children before parents.
///
/// `nodes[i].children` are indices of earlier entries, so the array is a topological
/// order; the roots are the last entries the extraction asked for (``roots``).
public struct ExtractedTerm: Hashable, Sendable {
    /// One chosen e-node.
    public struct Node: Hashable, Sendable {
        /// The e-class this node was chosen for.
        public var eclass: EClassID
        /// The chosen e-node's id.
        public var enode: EClassID
        /// Its operator.
        public var op: OperatorID
        /// Its payload.
        public var payload: UInt64
        /// Indices (into ``ExtractedTerm/nodes``) of its children, in argument order.
        public var children: [Int]
    }

    /// The nodes, children before parents.
    public var nodes: [Node]
    /// Indices of the root nodes, in the order asked.
    public var roots: [Int]

    /// Builds the term reachable from `roots` under `choice` (every reachable class must
    /// have a choice).
    /// - Complexity: O(nodes + edges reached).
    init(graph: ExtractionGraph, choice: [UInt32], roots: [UInt32]) {
        var index = [Int32](repeating: -1, count: graph.classBound)
        var nodes: [Node] = []
        var stack: [(UInt32, Bool)] = []
        var rootIndices: [Int] = []
        for root in roots {
            stack.append((root, false))
            while let (c, expanded) = stack.popLast() {
                let ci = Int(c)
                if index[ci] >= 0 { continue }
                let n = Int(choice[ci])
                let range = Int(graph.childStart[n])..<Int(graph.childStart[n + 1])
                if !expanded {
                    stack.append((c, true))
                    for i in range.reversed() where index[Int(graph.children[i])] < 0 {
                        stack.append((graph.children[i], false))
                    }
                    continue
                }
                index[ci] = Int32(nodes.count)
                nodes.append(Node(eclass: EClassID(c), enode: EClassID(UInt32(n)),
                                  op: OperatorID(rawValue: graph.ops[n]), payload: graph.payloads[n],
                                  children: range.map { Int(index[Int(graph.children[$0])]) }))
            }
            rootIndices.append(Int(index[Int(root)]))
        }
        self.nodes = nodes
        self.roots = rootIndices
    }

    /// How many nodes the term has when written out as a tree (shared subterms repeated).
    /// - Complexity: O(nodes + edges).
    public func treeSize(of root: Int) -> Double {
        var sizes = [Double](repeating: 0, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            sizes[i] = 1 + node.children.reduce(0) { $0 + sizes[$1] }
        }
        return sizes[root]
    }

    /// The term rooted at `root` as an s-expression, with `label` giving each node's text
    /// around its children's texts.
    func render(_ root: Int, _ label: (Node, [String]) -> String) -> String {
        var texts = [String?](repeating: nil, count: nodes.count)
        for i in 0...root {
            let node = nodes[i]
            texts[i] = label(node, node.children.map { texts[$0]! })
        }
        return texts[root]!
    }

    /// The term rooted at `roots[k]` written as an s-expression with `operators`' names
    /// and literal notation.
    /// - Complexity: O(size of the written-out tree), which can be exponential in the
    ///   DAG's size when subterms are shared.
    public func text(root k: Int = 0, operators: OperatorTable) -> String {
        render(roots[k]) { node, children in
            operators.format(node.op, payload: node.payload, children: children)
        }
    }
}
