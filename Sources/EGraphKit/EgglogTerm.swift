/// An egglog expression with names resolved: a constructor application, a literal, a
/// `let`-bound global or (in rules) a pattern variable.
indirect enum EgglogTerm: Hashable, Sendable {
    /// Constructor `constructor` (an operator id) applied to its arguments in order.
    case apply(constructor: Int, arguments: [EgglogTerm])
    /// An `i64` literal.
    case integer(Int64)
    /// An `f64` literal.
    case float(Double)
    /// A `String` literal.
    case string(String)
    /// The `let`-bound global with this index.
    case global(Int)
    /// The rule variable with this index.
    case variable(Int)
}

/// A rewrite rule with resolved names: the variables are numbered in order of first
/// appearance on the left-hand side.
struct EgglogRule: Sendable {
    /// The rule's name: its source text, as egglog names rules.
    var name: String
    var lhs: EgglogTerm
    var rhs: EgglogTerm
    var variableNames: [String]
    var variableSorts: [EgglogSort]
}

/// One executable step of a resolved program.
enum EgglogStep: Sendable {
    /// A datatype declaration (its constructors are known statically; nothing to run).
    case declare
    /// Registers rewrite rules (two for a `birewrite`).
    case rules([EgglogRule])
    /// Adds `term` and binds its e-class (or literal) to global `global`.
    case bind(global: Int, term: EgglogTerm)
    /// Adds `term`.
    case add(EgglogTerm)
    /// Adds both terms and merges their e-classes.
    case union(EgglogTerm, EgglogTerm)
    /// Runs the rules for at most this many iterations.
    case run(Int)
    /// Each group must be in one e-class (a group of one must merely be present).
    case check(groups: [[EgglogTerm]], text: String)
    /// Adds `term` and extracts its cheapest term.
    case extract(EgglogTerm, sort: EgglogSort)
    /// Prints the number of e-nodes of one constructor, or of all of them.
    case printSize(Int?)
}
