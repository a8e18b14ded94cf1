import ArgumentParser
import EGraphKit
import Foundation

/// `fusion-bench extract`: times tree and DAG extraction on a synthetic fusion-like
/// e-graph (a residual chain of matmul+add blocks, each with a fused alternative, a third
/// of the matmuls shared with a second consumer).
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Time tree and DAG extraction on a synthetic e-graph of about --nodes e-nodes.")

    @Option(help: "Approximate number of e-nodes.")
    var nodes = 100_000

    @Option(help: "Runs; the times printed are their medians.")
    var runs = 5

    @Flag(help: "Start the DAG extraction from the nodes created first instead of the cheapest trees.")
    var firstCreated = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    mutating func run() throws {
        let table = OperatorTable()
        let input = try table.declare("Input", literals: [.string])
        let matmul = try table.declare("MatMul", arity: 2)
        let add = try table.declare("Add", arity: 2)
        let fused = try table.declare("Fused", arity: 3)
        let relu = try table.declare("Relu", arity: 1)
        let graph = EGraph()
        var x = try graph.add(op: input.rawValue, payload: table.encode([.string("x")], for: input))
        var extraRoots: [EClassID] = []
        var block = 0
        // 8 e-nodes per block (+1 every third block).
        while graph.totalNodeCount < nodes {
            let w = try graph.add(op: input.rawValue, payload: table.encode([.string("w\(block)")], for: input))
            let b = try graph.add(op: input.rawValue, payload: table.encode([.string("b\(block)")], for: input))
            let mm = try graph.add(op: matmul.rawValue, children: [x, w])
            let sum = try graph.add(op: add.rawValue, children: [mm, b])
            let fusedNode = try graph.add(op: fused.rawValue, children: [x, w, b])
            _ = try graph.union(sum, fusedNode)
            if block % 3 == 0 { extraRoots.append(try graph.add(op: relu.rawValue, children: [mm])) }
            let activated = try graph.add(op: relu.rawValue, children: [sum])
            x = try graph.add(op: add.rawValue, children: [activated, x])
            block += 1
        }
        try graph.rebuild()
        let roots = [x] + extraRoots
        let names = table.operators.map(\.name)
        let cost = ClosureCost { node in
            switch names[Int(node.op.rawValue)] {
            case "MatMul": return 10
            case "Fused": return 11
            case "Add": return 3
            case "Relu": return 1
            default: return 0
            }
        }
        var treeTimes: [Double] = [], dagTimes: [Double] = []
        var dagCost = 0.0, switches = 0, needed = 0
        let clock = ContinuousClock()
        for _ in 0..<max(1, runs) {
            var start = clock.now
            let tree = try TreeExtractor(graph, cost: cost)
            _ = tree.cost(of: x)
            treeTimes.append(Self.seconds(clock.now - start))
            start = clock.now
            let result = try DAGExtractor(graph, cost: cost, start: firstCreated ? .firstCreated : .cheapestTree)
                .extract(roots: roots)
            dagTimes.append(Self.seconds(clock.now - start))
            dagCost = result.totalCost
            switches = result.switches
            needed = result.classes.count
        }
        let tree = treeTimes.sorted()[treeTimes.count / 2] * 1000
        let dag = dagTimes.sorted()[dagTimes.count / 2] * 1000
        if json {
            print("{\"enodes\": \(graph.nodeCount), \"eclasses\": \(graph.classCount), \"tree_ms\": \(tree), "
                  + "\"dag_ms\": \(dag), \"dag_cost\": \(dagCost), \"switches\": \(switches), \"needed_classes\": \(needed)}")
        } else {
            print("e-nodes \(graph.nodeCount), e-classes \(graph.classCount)")
            print(String(format: "tree extraction (all classes): %.2f ms", tree))
            print(String(format: "DAG extraction (%d roots, %d classes needed, %d switches, cost %.0f): %.2f ms",
                         roots.count, needed, switches, dagCost, dag))
        }
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) * 1e-18
    }
}
