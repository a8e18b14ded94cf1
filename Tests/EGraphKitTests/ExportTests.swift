import Foundation
import Testing
@testable import EGraphKit

@Suite("Export as egraph-serialize JSON and Graphviz DOT")
struct ExportTests {
    /// (Add (Num 1) (Var "x")) and (Add (Var "x") (Num 1)) in one class, plus (Num 2).
    private func sample() throws -> (EGraph, OperatorTable, EClassID) {
        let table = OperatorTable()
        let num = try table.declare("Num", literals: [.int])
        let variable = try table.declare("Var", literals: [.string])
        let add = try table.declare("Add", arity: 2)
        let g = EGraph()
        let one = try g.add(op: num.rawValue, payload: table.encode([.int(1)], for: num))
        let x = try g.add(op: variable.rawValue, payload: table.encode([.string("x")], for: variable))
        let a = try g.add(op: add.rawValue, children: [one, x])
        let b = try g.add(op: add.rawValue, children: [x, one])
        _ = try g.add(op: num.rawValue, payload: table.encode([.int(2)], for: num))
        _ = try g.union(a, b)
        try g.rebuild()
        return (g, table, a)
    }

    @Test("JSON parses, with one entry per live e-node plus one per distinct literal")
    func json() throws {
        let (g, table, root) = try sample()
        let text = g.serializedJSON(operators: table, roots: [root]) { _ in "Math" }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [String: [String: Any]])
        // 5 e-nodes + literals 1, "x", 2
        #expect(nodes.count == 8)
        let enodes = nodes.filter { $0.key.hasPrefix("n") }
        #expect(enodes.count == g.nodeCount)
        #expect(Set(enodes.values.map { $0["eclass"] as! String }).count == g.classCount)
        let classData = try #require(object["class_data"] as? [String: [String: String]])
        #expect(classData.count == g.classCount + 3)
        #expect(classData.values.filter { $0["type"] == "Math" }.count == g.classCount)
        let canonical = try g.find(root)
        #expect(object["root_eclasses"] as? [String] == ["c\(canonical.rawValue)"])
        // Every child names a node that exists; AST-size costs: Num 2, Add 1, literal 0.
        for node in nodes.values {
            for child in node["children"] as! [String] { #expect(nodes[child] != nil) }
        }
        #expect(nodes["n0"]?["op"] as? String == "Num")
        #expect(nodes["n0"]?["cost"] as? Double == 2)
        #expect(nodes["n0"]?["children"] as? [String] == ["lit-i64-0"])
        #expect(nodes["lit-i64-0"]?["op"] as? String == "1")
        #expect(nodes["lit-String-1"]?["op"] as? String == "\"x\"")
        #expect(nodes["n2"]?["cost"] as? Double == 1)
        // Deterministic.
        #expect(g.serializedJSON(operators: table, roots: [root]) { _ in "Math" } == text)
    }

    @Test("DOT has one cluster per e-class and one box per live e-node")
    func dot() throws {
        let (g, table, _) = try sample()
        let text = g.graphvizDOT(operators: table)
        #expect(text.hasPrefix("digraph egraph {"))
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.contains("subgraph cluster_") }.count == g.classCount)
        #expect(lines.filter { $0.contains("[label=") && !$0.contains("label=\"e") }.count == g.nodeCount)
        #expect(lines.filter { $0.contains(" -> ") }.count == 4)  // two Add nodes, two children each
        #expect(text.contains("[label=\"Var \\\"x\\\"\"]"))
    }
}
