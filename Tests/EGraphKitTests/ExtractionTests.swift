import Testing
@testable import EGraphKit

/// A small language: `(Num i64)`, `(Var String)`, `(Add x y)`, `(Mul x y)`, `(F x)`, `(G x)`.
private func mathTable() throws -> OperatorTable {
    let table = OperatorTable()
    try table.declare("Num", literals: [.int])
    try table.declare("Var", literals: [.string])
    try table.declare("Add", arity: 2)
    try table.declare("Mul", arity: 2)
    try table.declare("F", arity: 1)
    try table.declare("G", arity: 1)
    return table
}

private func node(_ table: OperatorTable, _ name: String, _ literals: [Literal] = [],
                  _ children: [EClassID] = []) throws -> ENode {
    let op = table.id(named: name)!
    return ENode(op: op.rawValue, payload: try table.encode(literals, for: op), children: children)
}

@Suite("Tree extraction on hand-made e-graphs")
struct TreeExtractionTests {
    @Test("AST size: x * 1 = x makes 1 + x*1 extract as (Add (Num 1) (Var \"x\")) at cost 5")
    func astSize() throws {
        let table = try mathTable()
        let g = EGraph()
        let x = try g.add(node(table, "Var", [.string("x")]))
        let one = try g.add(node(table, "Num", [.int(1)]))
        let m = try g.add(node(table, "Mul", [], [x, one]))
        let s = try g.add(node(table, "Add", [], [one, m]))
        _ = try g.union(m, x)
        try g.rebuild()
        let extractor = try TreeExtractor(g, cost: ASTSize(operators: table))
        // Var "x": 1 + 1 literal; Mul(x, 1) would be 1 + 2 + 2 = 5 (and is cyclic now).
        #expect(extractor.cost(of: m) == 2)
        #expect(extractor.bestNode(of: m) == x)
        #expect(extractor.cost(of: s) == 5)
        let term = try extractor.term(of: s)
        #expect(term.text(operators: table) == "(Add (Num 1) (Var \"x\"))")
        #expect(term.nodes.count == 3)
        #expect(term.treeSize(of: term.roots[0]) == 3)
    }

    @Test("a shared child counts once per use in the tree cost")
    func sharedChildCountsTwice() throws {
        let table = try mathTable()
        let g = EGraph()
        let x = try g.add(node(table, "Var", [.string("x")]))
        let fx = try g.add(node(table, "F", [], [x]))
        let sum = try g.add(node(table, "Add", [], [fx, fx]))
        try g.rebuild()
        let extractor = try TreeExtractor(g, cost: ASTSize(operators: table))
        #expect(extractor.cost(of: sum) == 7.0)  // Add 1 + 2 × (F 1 + Var 2)
        let term = try extractor.term(of: sum)
        #expect(term.text(operators: table) == "(Add (F (Var \"x\")) (F (Var \"x\")))")
        #expect(term.nodes.count == 3)  // shared in the DAG form
    }

    @Test("a class whose only finite node is forbidden is cyclic-only: no cost, typed error")
    func cycleOnly() throws {
        let table = try mathTable()
        let g = EGraph()
        let a = try g.add(node(table, "Num", [.int(0)]))
        let fa = try g.add(node(table, "F", [], [a]))
        let gfa = try g.add(node(table, "G", [], [fa]))
        _ = try g.union(a, gfa)  // class A = {Num 0, G(F(A))}, class F = {F(A)}
        try g.rebuild()
        let forbidLeaf = ClosureCost { table[$0.op].name == "Num" ? .infinity : 1 }
        let extractor = try TreeExtractor(g, cost: forbidLeaf)
        #expect(extractor.cost(of: a) == nil)
        #expect(extractor.cost(of: fa) == nil)
        #expect(throws: ExtractionError.noFiniteTerm(fa)) { try extractor.term(of: fa) }
        // With the leaf allowed, the cycle has a way out.
        let normal = try TreeExtractor(g, cost: ASTSize(operators: table))
        #expect(normal.cost(of: fa) == 3)
        #expect(try normal.term(of: fa).text(operators: table) == "(F (Num 0))")
    }

    @Test("equal costs: the node created first wins, whichever class survives the union")
    func tiesPickFirstCreated() throws {
        for firstIsF in [true, false] {
            let table = try mathTable()
            let g = EGraph()
            let x = try g.add(node(table, "Var", [.string("x")]))
            let y = try g.add(node(table, "Var", [.string("y")]))
            let first = try g.add(node(table, firstIsF ? "F" : "G", [], [firstIsF ? x : y]))
            let second = try g.add(node(table, firstIsF ? "G" : "F", [], [firstIsF ? y : x]))
            _ = try g.union(second, first)
            try g.rebuild()
            let extractor = try TreeExtractor(g, cost: ASTSize(operators: table))
            #expect(extractor.bestNode(of: second) == first)
            let expected = firstIsF ? "(F (Var \"x\"))" : "(G (Var \"y\"))"
            #expect(try extractor.term(of: first).text(operators: table) == expected)
        }
    }

    @Test("a negative or NaN cost is a typed error naming the node")
    func invalidCost() throws {
        let table = try mathTable()
        let g = EGraph()
        let x = try g.add(node(table, "Var", [.string("x")]))
        #expect(throws: ExtractionError.invalidCost(node: x, cost: -1)) {
            _ = try TreeExtractor(g, cost: ClosureCost { _ in -1 })
        }
    }
}

@Suite("DAG extraction on hand-made e-graphs")
struct DAGExtractionTests {
    /// a, b, d inputs; m = MatMul(a, b); s = Add(m, d) = Fused(a, b, d); o = Other(m).
    private struct FusionGraph {
        let table = OperatorTable()
        let g = EGraph()
        var s = EClassID(0), m = EClassID(0), add = EClassID(0), fused = EClassID(0), out = EClassID(0)

        init() throws {
            try table.declare("Input", literals: [.string])
            for (name, arity) in [("MatMul", 2), ("Add", 2), ("Fused", 3), ("Other", 1), ("Out", 2)] {
                try table.declare(name, arity: arity)
            }
            let a = try g.add(node(table, "Input", [.string("a")]))
            let b = try g.add(node(table, "Input", [.string("b")]))
            let d = try g.add(node(table, "Input", [.string("d")]))
            m = try g.add(node(table, "MatMul", [], [a, b]))
            add = try g.add(node(table, "Add", [], [m, d]))
            fused = try g.add(node(table, "Fused", [], [a, b, d]))
            _ = try g.union(add, fused)
            s = add
            let other = try g.add(node(table, "Other", [], [m]))
            out = try g.add(node(table, "Out", [], [s, other]))
            try g.rebuild()
        }

        var cost: ClosureCost {
            let table = self.table
            return ClosureCost { node in
                switch table[node.op].name {
                case "MatMul": return 10
                case "Add": return 3
                case "Fused": return 11
                case "Other": return 1
                default: return 0
                }
            }
        }
    }

    @Test("a producer another consumer still needs is not fused away")
    func sharedProducer() throws {
        let f = try FusionGraph()
        let extractor = try DAGExtractor(f.g, cost: f.cost)
        let result = try extractor.extract(roots: [f.out])
        #expect(result.node(for: f.s) == f.add)
        #expect(result.totalCost == 14)  // Add 3 + MatMul 10 + Other 1, inputs 0
        #expect(result.classes.count == 7)
        #expect(result.term.text(operators: f.table)
                == "(Out (Add (MatMul (Input \"a\") (Input \"b\")) (Input \"d\")) (Other (MatMul (Input \"a\") (Input \"b\"))))")
        // The tree extractor, counting MatMul twice, would fuse.
        let tree = try TreeExtractor(f.g, cost: f.cost)
        #expect(tree.bestNode(of: f.s) == f.fused)
    }

    @Test("without a second consumer the fused node is cheaper and chosen")
    func unsharedProducer() throws {
        let f = try FusionGraph()
        let result = try DAGExtractor(f.g, cost: f.cost).extract(roots: [f.s])
        #expect(result.node(for: f.s) == f.fused)
        #expect(result.node(for: f.m) == nil)
        #expect(result.totalCost == 11)
        #expect(result.term.text(operators: f.table) == "(Fused (Input \"a\") (Input \"b\") (Input \"d\"))")
    }

    @Test("needed classes come children first")
    func topologicalOrder() throws {
        let f = try FusionGraph()
        let result = try DAGExtractor(f.g, cost: f.cost).extract(roots: [f.out])
        let order = result.classes
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let term = result.term
        for node in term.nodes {
            for child in node.children {
                #expect(position[term.nodes[child].eclass]! < position[node.eclass]!)
            }
        }
        #expect(order.last == (try f.g.find(f.out)))
    }

    @Test("a root with no finite term is a typed error")
    func noFiniteRoot() throws {
        let f = try FusionGraph()
        let extractor = try DAGExtractor(f.g, cost: ClosureCost { _ in .infinity })
        #expect(throws: ExtractionError.noFiniteTerm(f.out)) { try extractor.extract(roots: [f.out]) }
    }

    @Test("starting from the nodes created first gives the same choices here")
    func firstCreatedStart() throws {
        let f = try FusionGraph()
        let shared = try DAGExtractor(f.g, cost: f.cost, start: .firstCreated).extract(roots: [f.out])
        #expect(shared.node(for: f.s) == f.add)
        #expect(shared.totalCost == 14)
        #expect(shared.switches == 0)  // the input already is the best choice
        let alone = try DAGExtractor(f.g, cost: f.cost, start: .firstCreated).extract(roots: [f.s])
        #expect(alone.node(for: f.s) == f.fused)
        #expect(alone.totalCost == 11)
        #expect(alone.switches == 1)
    }

    @Test("a deep residual chain: tree costs saturate, DAG costs stay exact from either start")
    func deepResidualChain() throws {
        let f = try FusionGraph()  // for its table
        let t = f.table
        let g = EGraph()
        func op(_ name: String) -> UInt32 { t.id(named: name)!.rawValue }
        var x = try g.add(node(t, "Input", [.string("x")]))
        var extra: [EClassID] = []
        let blocks = 1100  // the tree cost doubles per block: 2^1100 overflows a Double
        for i in 0..<blocks {
            let w = try g.add(node(t, "Input", [.string("w\(i)")]))
            let b = try g.add(node(t, "Input", [.string("b\(i)")]))
            let mm = try g.add(op: op("MatMul"), children: [x, w])
            let sum = try g.add(op: op("Add"), children: [mm, b])
            _ = try g.union(sum, g.add(op: op("Fused"), children: [x, w, b]))
            if i % 3 == 0 { extra.append(try g.add(op: op("Other"), children: [mm])) }
            x = try g.add(op: op("Out"), children: [sum, x])
        }
        try g.rebuild()
        let tree = try TreeExtractor(g, cost: f.cost)
        #expect(tree.cost(of: x) == Double.greatestFiniteMagnitude)
        // Per block: shared matmul (Add 3 + MatMul 10 + Other 1) = 14, else Fused 11; Out 0.
        let shared = (blocks + 2) / 3
        let expected = Double(shared * 14 + (blocks - shared) * 11)
        for start in [DAGExtractor.Start.cheapestTree, .firstCreated] {
            let result = try DAGExtractor(g, cost: f.cost, start: start).extract(roots: [x] + extra)
            #expect(result.totalCost == expected)
        }
    }
}
