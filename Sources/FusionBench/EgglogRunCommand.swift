import ArgumentParser
import EGraphKit
import Foundation
import Logging

/// `fusion-bench egglog-run`: runs an egglog program on the native engine and prints a
/// JSON object with the outcome of every `check` and `extract` and each command's printed
/// text, for `scripts/differential.py`.
struct EgglogRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egglog-run",
        abstract: "Run an egglog program and print per-command results (for the differential test).",
        shouldDisplay: false)

    @Argument(help: "An egglog program (.egg).")
    var program: String

    @Flag(help: "Print one JSON object (summary, check results, extracts, printed chunks).")
    var json = false

    @Flag(help: "Record a failing check and continue instead of stopping.")
    var keepGoing = false

    @Option(help: "Write the final e-graph as egraph-serialize JSON to this file.")
    var serialize: String?

    @Option(help: "Write the final e-graph as Graphviz DOT to this file.")
    var dot: String?

    mutating func run() throws {
        let text = try String(contentsOfFile: program, encoding: .utf8)
        let parsed: EgglogProgram
        do {
            parsed = try EgglogProgram(parsing: text)
        } catch {
            FileHandle.standardError.write(Data((error.message(file: program) + "\n").utf8))
            throw ExitCode(1)
        }
        var logger = Logger(label: "fusion-bench.egglog")
        logger.logLevel = .warning
        let interpreter = EgglogInterpreter(logger: logger)
        var options = EgglogInterpreter.Options()
        options.continueAfterFailedCheck = keepGoing
        var chunks: [String] = []
        let result: EgglogRunResult
        do {
            result = try interpreter.run(parsed, options: options) { chunk in
                chunks.append(chunk)
                if !json { print(chunk, terminator: "") }
            }
        } catch {
            FileHandle.standardError.write(Data((error.message(file: program) + "\n").utf8))
            throw ExitCode(1)
        }
        if let serialize {
            try interpreter.serializedJSON().write(toFile: serialize, atomically: true, encoding: .utf8)
        }
        if let dot {
            try interpreter.egraph.graphvizDOT(operators: interpreter.operators)
                .write(toFile: dot, atomically: true, encoding: .utf8)
        }
        guard json else { return }
        func quoted(_ s: String) -> String {
            let data = try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
            let array = data.flatMap { String(data: $0, encoding: .utf8) } ?? "[\"\"]"
            return String(array.dropFirst().dropLast())
        }
        let checks = result.checks.map { $0.passed ? "true" : "false" }.joined(separator: ", ")
        let extracted = result.extracted.map { "{\"term\": \(quoted($0.term)), \"cost\": \($0.cost)}" }
            .joined(separator: ", ")
        print("{\"summary\": \(result.json), \"check_results\": [\(checks)], \"extracted\": [\(extracted)], "
              + "\"print_size\": \(quoted(chunks.last ?? "")), \"output\": \(quoted(result.output))}")
    }
}
