import Foundation
import TensorGraph
@testable import Fusion

/// The shared fixtures (`Tests/FusionTests/Fixtures`) and the optimize stages their
/// `<slug>.expected.json` summaries describe.
enum FixtureCases {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// One optimize call of the reference pipeline.
    struct Stage: CustomStringConvertible, Sendable {
        var slug: String
        var stage: String
        var inputFile: String
        var outputFile: String
        var mode: OptimizationMode
        /// `(label, node id)` in the order the reference applied them.
        var fusions: [(String, Int)]

        var description: String { "\(slug) \(stage)" }

        /// Label → count.
        var fusionCounts: [String: Int] {
            fusions.reduce(into: [:]) { $0[$1.0, default: 0] += 1 }
        }
    }

    /// Every stage of every fixture: `forward` (training-mode passes), `inference-passes`
    /// (inference mode on the forward input: the fixpoint loop, then E and F) and `full`.
    static let stages: [Stage] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var result: [Stage] = []
        for file in files.sorted() where file.hasSuffix(".expected.json") {
            let slug = String(file.dropLast(".expected.json".count))
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(file)),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let stages = object["stages"] as? [[String: Any]] else { continue }
            var forward: Stage?
            for stage in stages {
                let name = stage["stage"] as? String ?? "?"
                let fusions = (stage["fusions"] as? [[Any]] ?? []).map { ($0[0] as! String, $0[1] as! Int) }
                let input = stage["input_file"] as? String ?? ""
                let output = stage["output_file"] as? String
                switch name {
                case "inference-passes":
                    guard let forward else { continue }
                    result.append(Stage(slug: slug, stage: name, inputFile: forward.inputFile,
                                        outputFile: output ?? forward.outputFile, mode: .inference,
                                        fusions: forward.fusions + fusions))
                default:
                    let s = Stage(slug: slug, stage: name, inputFile: input, outputFile: output ?? input,
                                  mode: .training, fusions: fusions)
                    if name == "forward" { forward = s }
                    result.append(s)
                }
            }
        }
        return result
    }()

    /// Reads a fixture graph.
    static func graph(_ file: String) throws -> Graph {
        try Graph(contentsOfFile: folder.appendingPathComponent(file).path)
    }
}

/// Structural comparison of graphs that may number their nodes differently.
enum GraphShape {
    /// A hash of each live node's op, type and (recursively) its inputs' hashes.
    static func signatures(_ graph: Graph) -> [Int] {
        let nodes = graph.nodes
        var memo = [Int?](repeating: nil, count: nodes.count)
        func signature(_ index: Int) -> Int {
            if let known = memo[index] { return known }
            var hasher = Hasher()
            let node = nodes[index]
            hasher.combine(node.op)
            hasher.combine(node.type)
            for input in node.inputs { hasher.combine(signature(input.index)) }
            let value = hasher.finalize()
            memo[index] = value
            return value
        }
        return nodes.indices.map { signature($0) }
    }

    /// Whether the live parts of two graphs are isomorphic: the same multiset of node
    /// signatures and the same output signatures in order.
    static func isomorphic(_ a: Graph, _ b: Graph) -> Bool {
        let (sa, sb) = (signatures(a), signatures(b))
        let liveA = a.nodes.indices.filter { !a.nodes[$0].isNop }.map { sa[$0] }.sorted()
        let liveB = b.nodes.indices.filter { !b.nodes[$0].isNop }.map { sb[$0] }.sorted()
        return liveA == liveB && a.outputs.map { sa[$0.index] } == b.outputs.map { sb[$0.index] }
            && a.paramGradOutputs == b.paramGradOutputs
    }
}
