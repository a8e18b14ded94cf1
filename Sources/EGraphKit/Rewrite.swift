/// A rewrite rule: wherever `lhs` matches, the e-graph learns that the match equals the
/// instantiated right-hand side.
///
/// The right-hand side is a ``Pattern`` (instantiated in the native core, one call per
/// batch of matches) or a ``Rewrite/Applier`` closure for rules a pattern cannot say, such
/// as building derived e-nodes from literals. A ``Rewrite/Condition`` filters matches in
/// batches before anything is applied.
///
/// ```swift
/// let rules = [
///     try Rewrite("comm-add", "(Add a b)", "(Add b a)"),
///     try Rewrite("zero-add", "(Add a (Const 0))", "a"),
/// ] + (try Rewrite.bidirectional("distribute", "(Mul a (Add b c))", "(Add (Mul a b) (Mul a c))"))
/// ```
public struct Rewrite {
    /// Decides, for each match of a batch, whether the rule applies to it.
    ///
    /// Called once per batch of matches, on the e-graph as the iteration's search saw it;
    /// returns one `Bool` per match (a shorter array means `false` for the rest). Read
    /// e-class analysis data through an ``AnalysisData`` the closure captures.
    public typealias Condition = (MatchBatch) throws -> [Bool]

    /// Applies the rule to a batch of matches itself: adds whatever e-nodes it needs
    /// through the ``EGraph`` and returns the pairs of e-classes to union.
    public typealias Applier = (MatchBatch) throws -> [(EClassID, EClassID)]

    /// What a rule does with its matches.
    public enum Action {
        /// Instantiate this pattern and union it with the match.
        case pattern(Pattern)
        /// Call this closure.
        case custom(Applier)
        /// Instantiate this numbered pattern (over the variables of a numbered left-hand
        /// side) and union it with the match.
        case numbered(OperatorPattern.Term)
    }

    /// A left-hand side as written: with names, or numbered.
    enum LeftHandSide {
        case named(Pattern)
        case numbered(OperatorPattern)
    }

    /// What a rule with probes learns per batch of matches: for each match whose
    /// right-hand side root node it created, that node and the classes its probe terms
    /// were found in (see ``init(_:_:_:mapping:through:probes:created:)``).
    public struct CreatedNodes {
        /// The number of matches in the batch.
        public let count: Int
        /// The number of probes per match.
        public let probeCount: Int
        let nodes: [UInt32]
        let probeClasses: [UInt32]

        /// The number of matches that created their node.
        public var createdCount: Int { nodes.reduce(0) { $0 + ($1 == UInt32.max ? 0 : 1) } }

        /// The node match `index` created (its class), or `nil` when the node existed.
        public func node(_ index: Int) -> EClassID? {
            nodes[index] == UInt32.max ? nil : EClassID(nodes[index])
        }

        /// The class probe `probe` was found in for match `index` (which created its node),
        /// or `nil` when no such e-node exists.
        public func probe(_ probe: Int, _ index: Int) -> EClassID? {
            let c = probeClasses[index * probeCount + probe]
            return c == UInt32.max ? nil : EClassID(c)
        }
    }

    /// The payload derivation and probes of a rule made with
    /// ``init(_:_:_:mapping:through:probes:created:)`` (a class, immutable: a copy of the
    /// rule, or a runner reading it per search, shares it).
    final class Derivation {
        let variable: Int
        let map: (inout [UInt64]) -> Void
        let probes: [OperatorPattern.Term]
        let created: (CreatedNodes) -> Void
        /// The right-hand side and probes compiled once, when the rule was made from them.
        let compiled: OperatorPattern.RightHandSide?

        init(variable: Int, map: @escaping (inout [UInt64]) -> Void, probes: [OperatorPattern.Term],
             created: @escaping (CreatedNodes) -> Void, compiled: OperatorPattern.RightHandSide? = nil) {
            self.variable = variable
            self.map = map
            self.probes = probes
            self.created = created
            self.compiled = compiled
        }
    }

    /// The rule's name (reports and logs use it).
    public let name: String
    /// The left-hand side (a numbered one with its variables named `c<k>` and `p<j>`).
    public var lhs: Pattern {
        switch left {
        case .named(let pattern): pattern
        case .numbered(let pattern): pattern.pattern
        }
    }
    let left: LeftHandSide
    /// The right-hand side.
    public let action: Action
    /// The condition, if any.
    public let condition: Condition?
    /// The payload derivation and probes, if any.
    let derivation: Derivation?

    /// A rule `lhs => rhs`, optionally conditional.
    public init(_ name: String, _ lhs: Pattern, _ rhs: Pattern, condition: Condition? = nil) {
        self.name = name
        self.left = .named(lhs)
        self.action = .pattern(rhs)
        self.condition = condition
        self.derivation = nil
    }

    /// A rule `lhs => rhs` over operator ids and numbered variables, optionally conditional
    /// (checked when the runner compiles it).
    public init(_ name: String, _ lhs: OperatorPattern, _ rhs: OperatorPattern.Term, condition: Condition? = nil) {
        self.name = name
        self.left = .numbered(lhs)
        self.action = .numbered(rhs)
        self.condition = condition
        self.derivation = nil
    }

    /// A numbered rule whose right-hand side takes a payload derived from the match:
    /// before instantiation, `map` receives payload variable `variable` of every match of
    /// a batch (in match order) and replaces each in place (the right-hand side and the
    /// probes see the results; the left-hand side matched the originals). The unions of a
    /// batch are made after all of its nodes are added.
    ///
    /// For each match whose right-hand side root node is new, the `probes` (numbered
    /// terms of one operator over the left-hand side's variables, such as an inner node
    /// of the left-hand side) are looked up, never added, right after that node is added;
    /// `created` receives the results once per batch.
    public init(_ name: String, _ lhs: OperatorPattern, _ rhs: OperatorPattern.Term,
                mapping variable: Int, through map: @escaping (inout [UInt64]) -> Void,
                probes: [OperatorPattern.Term], created: @escaping (CreatedNodes) -> Void) {
        self.name = name
        self.left = .numbered(lhs)
        self.action = .numbered(rhs)
        self.condition = nil
        self.derivation = Derivation(variable: variable, map: map, probes: probes, created: created)
    }

    /// ``init(_:_:_:mapping:through:probes:created:)`` with the right-hand side and probes
    /// of `rhs` (``OperatorPattern/rightHandSide(_:probes:)``): a runner uses their
    /// compiled form instead of compiling them again when `rhs` was made from a left-hand
    /// side with the variable counts and operators of `lhs` (the rule is otherwise the same).
    public init(_ name: String, _ lhs: OperatorPattern, _ rhs: OperatorPattern.RightHandSide,
                mapping variable: Int, through map: @escaping (inout [UInt64]) -> Void,
                created: @escaping (CreatedNodes) -> Void) {
        self.name = name
        self.left = .numbered(lhs)
        self.action = .numbered(rhs.term)
        self.condition = nil
        self.derivation = Derivation(variable: variable, map: map, probes: rhs.probes, created: created, compiled: rhs)
    }

    /// A rule with a numbered left-hand side and a custom applier.
    public init(_ name: String, _ lhs: OperatorPattern, condition: Condition? = nil, applier: @escaping Applier) {
        self.name = name
        self.left = .numbered(lhs)
        self.action = .custom(applier)
        self.condition = condition
        self.derivation = nil
    }

    /// A rule whose sides are given as text.
    ///
    /// - Throws: ``PatternError`` with the line and column of a syntax error.
    public init(_ name: String, _ lhs: String, _ rhs: String, condition: Condition? = nil) throws(PatternError) {
        self.init(name, try Pattern(parsing: lhs), try Pattern(parsing: rhs), condition: condition)
    }

    /// A rule with a custom applier.
    public init(_ name: String, _ lhs: Pattern, condition: Condition? = nil, applier: @escaping Applier) {
        self.name = name
        self.left = .named(lhs)
        self.action = .custom(applier)
        self.condition = condition
        self.derivation = nil
    }

    /// The two rules `a => b` (named `name`) and `b => a` (named `name-rev`).
    ///
    /// - Precondition: both sides bind the same variables (checked when compiled).
    public static func bidirectional(_ name: String, _ a: Pattern, _ b: Pattern) -> [Rewrite] {
        [Rewrite(name, a, b), Rewrite(name + "-rev", b, a)]
    }

    /// ``bidirectional(_:_:_:)-swift.type.method`` with sides given as text.
    ///
    /// - Throws: ``PatternError`` with the line and column of a syntax error.
    public static func bidirectional(_ name: String, _ a: String, _ b: String) throws(PatternError) -> [Rewrite] {
        bidirectional(name, try Pattern(parsing: a), try Pattern(parsing: b))
    }
}
