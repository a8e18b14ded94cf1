import ArgumentParser
import Foundation
import TensorGraph

/// `fusion models`: list the built-in model names, one per line, with node counts.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the built-in model names, one per line, with node counts.",
        discussion: """
            Each line: the name, the node count of its inference graph and of its training \
            graph (with the loss). Node counts do not depend on --seq.
            """
    )

    func run() throws {
        let width = ModelName.allCases.map(\.rawValue.count).max() ?? 0
        func rightAligned(_ n: Int) -> String {
            let text = String(n)
            return String(repeating: " ", count: max(0, 4 - text.count)) + text
        }
        var lines: [String] = []
        for model in ModelName.allCases {
            let name = model.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "\(name)  \(rightAligned(model.nodeCount())) nodes, training "
                + rightAligned(model.nodeCount(training: true))
            if let layers = model.defaultLayers {
                line += " (--layers \(layers); any depth)"
            }
            lines.append(line)
        }
        StandardStreams.out(lines.joined(separator: "\n"))
    }
}
