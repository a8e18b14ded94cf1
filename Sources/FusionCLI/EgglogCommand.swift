import ArgumentParser
import Foundation
import Logging

/// `fusion egglog`: run an egglog program on the native engine.
struct EgglogCommand: ParsableCommand, LoggingOptionsProvider {
    static let configuration = CommandConfiguration(
        commandName: "egglog",
        abstract: "Run an egglog program on the native engine.",
        discussion: """
            Without --json, prints what egglog prints for extract, print-size and check. \
            With --json, prints one JSON object with counts, timings and the extracted terms.
            """
    )

    @Argument(help: "An egglog program (.egg).")
    var program: String

    @Flag(help: "Print one JSON object instead of egglog's output.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        throw CommandFailure.usage("egglog: not available in this build yet")
    }
}
