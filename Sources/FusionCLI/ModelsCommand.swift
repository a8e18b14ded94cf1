import ArgumentParser
import Foundation

/// `fusion models`: list the built-in model names, one per line, with node counts.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the built-in model names, one per line, with node counts."
    )

    func run() throws {
        throw CommandFailure.usage("models: not available in this build yet")
    }
}
