/// Why a `fusion` command stopped, and so which exit status it ends with.
///
/// The exit statuses are part of the command line's contract (`CLI.md`): scripts tell
/// "you called me wrong" (2) from "your input is broken" (1).
struct CommandFailure: Error, CustomStringConvertible {
    /// The exit status class.
    enum Kind {
        /// The input was read but is invalid: a bad graph, a parse error, a failed
        /// `check`. Exit status 1.
        case invalidInput
        /// The command was called wrongly: an unknown model, conflicting options, a file
        /// that cannot be opened. Exit status 2.
        case usage
    }

    var kind: Kind
    /// The message for standard error; it names the place (`file:line:column`, or the
    /// file and the node id).
    var message: String

    static func invalidInput(_ message: String) -> CommandFailure {
        CommandFailure(kind: .invalidInput, message: message)
    }

    static func usage(_ message: String) -> CommandFailure {
        CommandFailure(kind: .usage, message: message)
    }

    var exitStatus: Int32 {
        switch kind {
        case .invalidInput: 1
        case .usage: 2
        }
    }

    var description: String { message }
}
