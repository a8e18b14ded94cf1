import ArgumentParser
import Foundation
import Logging

/// The `fusion` executable: optimize ML computation graphs by equality saturation.
///
/// The interface (commands, options, output shapes and exit statuses) is fixed by the
/// package's `CLI.md`; scripts are written against it.
@main
struct FusionTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusion",
        abstract: "Optimize ML computation graphs by equality saturation on a native e-graph.",
        discussion: """
            Exit status: 0 success; 1 the input was read but is invalid (the message on \
            standard error names the file, line and column, or the node id); 2 a usage error.
            """,
        subcommands: [OptimizeCommand.self, ModelsCommand.self, EgglogCommand.self]
    )

    /// Runs the command line and exits with the status `CLI.md` fixes.
    ///
    /// ArgumentParser's own usage errors end with `EX_USAGE` (64); the contract says 2,
    /// so the parse and the run are driven here rather than by the default `main()`.
    static func main() {
        Foundation.exit(run(arguments: Array(CommandLine.arguments.dropFirst())))
    }

    /// Parses `arguments`, runs the chosen command and returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if command is FusionTool {
                // `fusion` alone names no job: show what there is, as a usage error.
                StandardStreams.err(helpMessage())
                return 2
            }
            if let withOptions = command as? any LoggingOptionsProvider {
                bootstrapLogging(level: withOptions.logging.level)
            }
            try command.run()
            return 0
        } catch let failure as CommandFailure {
            StandardStreams.err("fusion: " + failure.message)
            return failure.exitStatus
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                // --help, --version: asked for, so it goes to standard output.
                if !message.isEmpty { StandardStreams.out(message) }
                return 0
            }
            if !message.isEmpty { StandardStreams.err(message) }
            // Anything ArgumentParser rejects is a usage error; an unexpected error from a
            // command is reported as a failure of the input it was working on.
            return code == .validationFailure ? 2 : 1
        }
    }

    /// Routes swift-log to standard error (standard output carries only results).
    private static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Options every command that logs shares.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Log level on standard error.", valueName: "level"))
    var logLevel: Logger.Level = .warning

    @Flag(name: .shortAndLong, help: "Log progress on standard error (same as --log-level info).")
    var verbose = false

    /// The effective level: `--verbose` raises the default to `info`.
    var level: Logger.Level { verbose ? min(logLevel, .info) : logLevel }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A command that takes ``LoggingOptions``.
protocol LoggingOptionsProvider {
    var logging: LoggingOptions { get }
}
