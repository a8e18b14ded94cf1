import ArgumentParser
import Foundation
import EGraphKit
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

    @Argument(help: ArgumentHelp("An egglog program.", valueName: "program.egg"))
    var program: String

    @Flag(help: "Print one JSON object instead of egglog's output.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    /// Reads and checks the program: names, sorts and arities are resolved before
    /// anything runs, so a bad program fails with nothing printed.
    func parsedProgram() throws(CommandFailure) -> EgglogProgram {
        let text: String
        do {
            text = try String(contentsOfFile: program, encoding: .utf8)
        } catch {
            throw .usage("cannot read \(program): \((error as NSError).localizedDescription)")
        }
        do {
            return try EgglogProgram(parsing: text)
        } catch {
            throw .invalidInput(error.message(file: program))
        }
    }

    func run() throws {
        let parsed = try parsedProgram()
        let interpreter = EgglogInterpreter(logger: Logger(label: "fusion.egglog"))
        // Without --json, each command's output is printed as soon as the command
        // completes, as egglog does: a later failure leaves only complete output behind.
        let result: EgglogRunResult
        do {
            result = try interpreter.run(parsed) { text in
                if !json { StandardStreams.outRaw(text) }
            }
        } catch {
            throw CommandFailure.invalidInput(error.message(file: program))
        }
        if json { StandardStreams.out(result.json) }
    }
}
