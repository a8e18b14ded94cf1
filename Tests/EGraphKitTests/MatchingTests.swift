import Testing
@testable import EGraphKit

/// The core's matching VM against a naive recursive matcher in Swift, on random e-graphs.
@Suite struct MatchingTests {
    static func makeTable() -> OperatorTable {
        let table = OperatorTable()
        _ = try! table.declare("F", arity: 2)
        _ = try! table.declare("G", arity: 1)
        _ = try! table.declare("C", literals: [.int])
        _ = try! table.declare("V", literals: [.string])
        _ = try! table.declare("P", arguments: [.literal(.int), .child])
        _ = try! table.declare("Q", arguments: [.literal(.int), .literal(.string), .child])
        return table
    }

    /// A random e-graph: random terms over the table, random unions, rebuilt.
    static func randomGraph(seed: UInt64, table: OperatorTable) throws -> EGraph {
        var rng = SeededGenerator(seed: seed)
        let graph = EGraph()
        var classes: [EClassID] = []
        func pick() -> EClassID { classes[Int.random(in: 0..<classes.count, using: &rng)] }
        for _ in 0..<12 {
            classes.append(try graph.add(.apply("C", [.literal(.int(Int64.random(in: 0...2, using: &rng)))]), table: table))
            classes.append(try graph.add(.apply("V", [.literal(.string(["x", "y"].randomElement(using: &rng)!))]), table: table))
        }
        for _ in 0..<150 {
            let op = Int.random(in: 0..<4, using: &rng)
            let a = pick(), b = pick()
            let id: EClassID
            switch op {
            case 0: id = try graph.add(op: table.id(named: "F")!.rawValue, children: [a, b])
            case 1: id = try graph.add(op: table.id(named: "G")!.rawValue, children: [a])
            case 2:
                id = try graph.add(op: table.id(named: "P")!.rawValue,
                                   payload: try table.encode([.int(Int64.random(in: 0...1, using: &rng))], for: table.id(named: "P")!),
                                   children: [a])
            default:
                let q = table.id(named: "Q")!
                id = try graph.add(op: q.rawValue,
                                   payload: try table.encode([.int(Int64.random(in: 0...1, using: &rng)), .string("s")], for: q),
                                   children: [a])
            }
            classes.append(id)
        }
        for _ in 0..<40 { try graph.union(pick(), pick()) }
        try graph.rebuild()
        return graph
    }

    static let patterns = [
        "(F ?x ?y)", "(F ?x ?x)", "(G (G ?x))", "(F (G ?x) ?x)", "(F (C 1) ?y)", "(F (C ?n) (C ?n))",
        "(F (C ?n) (G (C ?n)))", "(P ?k (F ?a ?b))", "(P 1 ?a)", "(F (P ?k ?a) (P ?k ?b))",
        "(F ?a (F ?b ?a))", "(G (V \"x\"))", "(Q ?i ?s ?a)", "(F (Q ?i ?s ?a) (Q ?i ?s ?b))", "(Q 1 \"s\" (G ?a))",
    ]

    /// Environment of a naive match.
    struct Env: Hashable {
        var classes: [String: EClassID] = [:]
        var payloads: [String: UInt64] = [:]
    }

    /// Matches `pattern` at node `n` (a member of the class `root`), depth first.
    static func naive(_ pattern: Pattern, node n: EClassID, graph: EGraph, table: OperatorTable, env: Env) throws -> [Env] {
        guard case .apply(let name, let arguments) = pattern else { return [] }
        let op = table.id(named: name)!
        let node = try graph.node(n)
        guard node.op == op.rawValue else { return [] }
        var env = env
        var literals: [Literal] = []
        var payloadVars: [String] = []
        var childPatterns: [Pattern] = []
        for (argument, kind) in zip(arguments, table[op].arguments) {
            switch (kind, argument) {
            case (.child, _): childPatterns.append(argument)
            case (.literal, .literal(let l)): literals.append(l)
            case (.literal, .variable(let v)): payloadVars.append(v)
            default: return []
            }
        }
        if !payloadVars.isEmpty {
            let key = payloadVars.joined(separator: "\u{0}")
            if let bound = env.payloads[key] { guard bound == node.payload else { return [] } }
            else { env.payloads[key] = node.payload }
        } else if !literals.isEmpty {
            guard try table.encode(literals, for: op) == node.payload else { return [] }
        }
        var envs = [env]
        for (child, childClass) in zip(childPatterns, node.children) {
            var next: [Env] = []
            for e in envs { next += try naive(child, inClass: childClass, graph: graph, table: table, env: e) }
            envs = next
        }
        return envs
    }

    static func naive(_ pattern: Pattern, inClass c: EClassID, graph: EGraph, table: OperatorTable, env: Env) throws -> [Env] {
        let c = try graph.find(c)
        switch pattern {
        case .variable(let v):
            if let bound = env.classes[v] { return bound == c ? [env] : [] }
            var e = env
            e.classes[v] = c
            return [e]
        case .literal: return []
        case .apply:
            var result: [Env] = []
            for member in try graph.members(of: c) {
                result += try naive(pattern, node: member, graph: graph, table: table, env: env)
            }
            return result
        }
    }

    static func key(_ root: EClassID, _ env: Env) -> String {
        "\(root.rawValue)|" + env.classes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: ",")
            + "|" + env.payloads.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    @Test(arguments: 0..<12)
    func vmAgreesWithNaiveMatcher(seed: Int) throws {
        let table = Self.makeTable()
        let graph = try Self.randomGraph(seed: UInt64(seed) &* 7919 &+ 1, table: table)
        var classes: [EClassID] = []
        graph.forEachClass { classes.append($0) }
        var total = 0
        for text in Self.patterns {
            let pattern = try Pattern(parsing: text)
            let vm = try pattern.matches(in: graph, table: table)
                .map { Self.key($0.root, Env(classes: $0.classes, payloads: $0.payloads)) }.sorted()
            var expected: [String] = []
            for c in classes {
                for member in try graph.members(of: c) {
                    for env in try Self.naive(pattern, node: member, graph: graph, table: table, env: Env()) {
                        expected.append(Self.key(c, env))
                    }
                }
            }
            expected.sort()
            #expect(vm == expected, "pattern \(text), seed \(seed)")
            total += vm.count
        }
        #expect(total > 0)
    }

    @Test func nonLinearAndPayloadVariablesBindConsistently() throws {
        let table = Self.makeTable()
        let graph = EGraph()
        let same = try graph.add(try Pattern(parsing: "(F (C 3) (C 3))"), table: table)
        _ = try graph.add(try Pattern(parsing: "(F (C 3) (C 4))"), table: table)
        let p = try Pattern(parsing: "(F ?a ?a)")
        let matches = try p.matches(in: graph, table: table)
        #expect(matches.map(\.root) == [same])
        let q = try Pattern(parsing: "(F (C ?n) (C ?m))")
        let bindings = try q.matches(in: graph, table: table).map { [$0.payloads["n"]!, $0.payloads["m"]!] }.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(bindings == [[3, 3], [3, 4]])
    }

    @Test func compileErrorsNameTheProblem() throws {
        let table = Self.makeTable()
        let graph = EGraph()
        #expect(throws: PatternError.self) { try Pattern(parsing: "?x").matches(in: graph, table: table) }
        #expect(throws: PatternError.self) { try Pattern(parsing: "(F 1 ?x)").matches(in: graph, table: table) }
        #expect(throws: PatternError.self) { try Pattern(parsing: "(F (C ?x) ?x)").matches(in: graph, table: table) }
        #expect(throws: PatternError.self) { try Pattern(parsing: "(Q 1 ?s ?a)").matches(in: graph, table: table) }
        #expect(throws: PatternError.self) { try Pattern(parsing: "(H ?x)").matches(in: graph, table: table) }
    }
}
