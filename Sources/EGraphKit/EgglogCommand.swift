/// One command of an egglog program, as the parser read it (names not yet resolved).
///
/// The front end implements this subset of egglog: `datatype`, `rewrite`, `birewrite`,
/// `let`, top-level expressions, `union`, `run N`, `check`, `extract` and `print-size`.
public enum EgglogCommand: Hashable, Sendable {
    /// `(datatype Name (Ctor Arg…)…)`: a sort and its constructors.
    case datatype(name: String, constructors: [EgglogConstructorDeclaration])
    /// `(rewrite lhs rhs)` or, when `bidirectional`, `(birewrite lhs rhs)`.
    case rewrite(lhs: SExpression, rhs: SExpression, bidirectional: Bool)
    /// `(let name expr)`: adds `expr` and names its e-class.
    case letBinding(name: String, expression: SExpression)
    /// A top-level expression: adds it to the e-graph.
    case expression(SExpression)
    /// `(union a b)`: adds both and merges their e-classes.
    case union(SExpression, SExpression)
    /// `(run N)`: runs the rules for at most `N` iterations.
    case run(iterations: Int)
    /// `(check fact…)`: each fact is `(= a b …)` (all in one e-class) or an expression
    /// (present in the e-graph). Checking adds nothing.
    case check([SExpression])
    /// `(extract expr)`: adds `expr` and prints the cheapest term of its e-class.
    case extract(SExpression)
    /// `(print-size)` or `(print-size Name)`: the number of e-nodes per constructor.
    case printSize(String?)

    /// The command's keyword as written in egglog (`"expression"` for a top-level term).
    public var keyword: String {
        switch self {
        case .datatype: return "datatype"
        case .rewrite(_, _, let bidirectional): return bidirectional ? "birewrite" : "rewrite"
        case .letBinding: return "let"
        case .expression: return "expression"
        case .union: return "union"
        case .run: return "run"
        case .check: return "check"
        case .extract: return "extract"
        case .printSize: return "print-size"
        }
    }
}

/// A constructor of a `datatype`: `(Name ArgSort…)`.
public struct EgglogConstructorDeclaration: Hashable, Sendable {
    /// The constructor's name.
    public var name: String
    /// The sort names of its arguments, in order (`i64`, `f64`, `String` or a datatype).
    public var argumentSorts: [String]
    /// Where the declaration starts.
    public var location: SourceLocation
    /// Where each argument sort is written.
    public var argumentLocations: [SourceLocation]

    /// Creates a declaration.
    public init(name: String, argumentSorts: [String], location: SourceLocation,
                argumentLocations: [SourceLocation]) {
        self.name = name
        self.argumentSorts = argumentSorts
        self.location = location
        self.argumentLocations = argumentLocations
    }
}

/// A command and the place it starts in the program text.
public struct EgglogStatement: Hashable, Sendable {
    /// The command.
    public var command: EgglogCommand
    /// Where its opening parenthesis is.
    public var location: SourceLocation

    /// Creates a statement.
    public init(command: EgglogCommand, location: SourceLocation) {
        self.command = command
        self.location = location
    }
}
