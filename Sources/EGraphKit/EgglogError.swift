/// An error in an egglog program: what went wrong, where, and in which command.
///
/// Every error the front end reports names a line and column of the program text.
/// `description` reads `line:column: message`; ``message(file:)`` prefixes a file name.
public struct EgglogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// Text that is not well-formed s-expressions (unbalanced parentheses, an
        /// unterminated string, a bad number).
        case syntax(String)
        /// A top-level form that is not a parenthesised command.
        case notACommand(String)
        /// A command the front end does not implement (a top-level form whose head is
        /// neither a supported command nor a declared constructor).
        case unknownCommand(String)
        /// A command whose shape is wrong (missing or extra arguments, bad option).
        case malformedCommand(command: String, detail: String)
        /// A constructor name that no `datatype` declared.
        case unknownConstructor(String)
        /// A sort name that is neither a declared datatype nor `i64`, `f64` or `String`.
        case unknownSort(String)
        /// A name declared twice (constructor, datatype or `let` binding).
        case duplicateName(String)
        /// A constructor applied to the wrong number of arguments.
        case arityMismatch(constructor: String, expected: Int, found: Int)
        /// An argument of the wrong sort.
        case sortMismatch(expected: String, found: String)
        /// A name that is not bound (not a `let` global, nor a variable bound on the left).
        case unboundName(String)
        /// A `check` whose facts do not hold.
        case checkFailed(String)
        /// An `extract` of a class with no finite term (every term in it is cyclic).
        case noFiniteTerm(String)
        /// The underlying e-graph reported an error.
        case engine(String)
    }

    /// What went wrong.
    public var kind: Kind
    /// Where the offending text starts.
    public var location: SourceLocation
    /// The command the error happened in (`rewrite`, `let`, …), when known.
    public var command: String?

    /// Creates an error of `kind` at `location`, inside `command` when given.
    public init(_ kind: Kind, at location: SourceLocation, command: String? = nil) {
        self.kind = kind
        self.location = location
        self.command = command
    }

    /// `line:column: message`, naming the command when known.
    public var description: String {
        let place = command.map { "in `\($0)`: " } ?? ""
        return "\(location): \(place)\(kindDescription)"
    }

    /// `file:line:column: message`.
    public func message(file: String) -> String { "\(file):\(description)" }

    private var kindDescription: String {
        switch kind {
        case .syntax(let m): return m
        case .notACommand(let t): return "expected a command in parentheses, found `\(t)`"
        case .unknownCommand(let c):
            return "unknown command `\(c)` (neither a supported command nor a declared constructor)"
        case .malformedCommand(let c, let d): return "malformed `\(c)`: \(d)"
        case .unknownConstructor(let n): return "unknown constructor `\(n)`"
        case .unknownSort(let n): return "unknown sort `\(n)`"
        case .duplicateName(let n): return "`\(n)` is already declared"
        case .arityMismatch(let c, let e, let f):
            return "`\(c)` takes \(e) argument\(e == 1 ? "" : "s"), found \(f)"
        case .sortMismatch(let e, let f): return "expected a value of sort \(e), found \(f)"
        case .unboundName(let n): return "unbound name `\(n)`"
        case .checkFailed(let f): return "check failed: \(f)"
        case .noFiniteTerm(let e): return "`\(e)` has no finite term (every term in its e-class is cyclic)"
        case .engine(let m): return m
        }
    }
}
