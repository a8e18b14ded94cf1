import Foundation
internal import CEGraph
import Logging

/// Runs ``EgglogProgram``s on the native e-graph: the egglog front end.
///
/// Each datatype constructor becomes an operator of ``operators``; terms are added to
/// ``egraph``; `rewrite` and `birewrite` become ``Rewrite``s, and `run N` runs all rules
/// declared so far with a ``Runner`` for at most N iterations (stopping early when
/// saturated, as egglog does). `check`, `extract` and `print-size` rebuild first, so they
/// see a congruence-closed graph.
///
/// Output matches egglog's: `extract` prints the cheapest term by AST size (each
/// constructor and each literal costs 1; ties go to the node created first), `print-size`
/// prints `((Name count) …)` sorted by name, or one count; a passing `check` prints
/// nothing. A failing `check` is an ``EgglogError`` (egglog stops there too) unless
/// ``Options/continueAfterFailedCheck`` is set.
///
/// Differences from egglog: `0.0` and `-0.0` are one literal here and print as `0.0`
/// (egglog keeps whichever it saw first); among equal-cost terms the one created first is
/// printed, where egglog's choice depends on its tables; a term larger than
/// ``Options/maxPrintedTreeSize`` as a tree is printed in a shared `(let-terms …)` form
/// (egglog writes it out, which on residual graphs exhausts memory).
///
/// An interpreter runs one program (its operators are that program's constructors).
///
/// ```swift
/// let program = try EgglogProgram(parsing: text)
/// let result = try EgglogInterpreter().run(program) { print($0, terminator: "") }
/// ```
public final class EgglogInterpreter {
    /// How to run a program.
    public struct Options: Sendable {
        /// Record a failing `check` and go on, instead of stopping with an error.
        public var continueAfterFailedCheck = false
        /// Stop a `run` once the e-graph has this many canonical e-nodes (`nil`: no limit).
        public var nodeLimit: Int?
        /// Stop a `run` after this many seconds (`nil`: no limit).
        public var timeLimit: Double?
        /// An extracted term larger than this (as a tree) is printed with sharing
        /// (`(let-terms …)` form) instead of written out in full.
        public var maxPrintedTreeSize: Double = 1_000_000

        /// The defaults: egglog's behaviour.
        public init() {}
    }

    /// The e-graph the program builds.
    public let egraph = EGraph()
    /// The operators: constructor `i` of the program is operator `i`.
    public let operators = OperatorTable()
    private let logger: Logger
    private var rules: [Rewrite] = []
    private var signature = EgglogSignature()
    private var globals: [Value] = []
    private var dirty = false
    private var cachedExtractor: TreeExtractor?

    /// A bound value: an e-class or a literal.
    enum Value {
        case eclass(EClassID)
        case literal(Literal)
    }

    /// Creates an interpreter with an empty e-graph.
    public init(logger: Logger = Logger(label: "EGraphKit.egglog")) {
        self.logger = logger
    }

    /// Runs `program`, calling `output` with each piece of text egglog would print, as
    /// soon as its command completes.
    ///
    /// - Throws: ``EgglogError`` naming the command and line:column (a failed `check`,
    ///   an `extract` of a class with no finite term, an engine error).
    public func run(_ program: EgglogProgram, options: Options = Options(),
                    output: (String) -> Void = { _ in }) throws(EgglogError) -> EgglogRunResult {
        let start = DispatchTime.now().uptimeNanoseconds
        var result = EgglogRunResult()
        egraph.resetPeakMemory()
        signature = program.signature
        try declare(program.signature)
        for (statement, step) in zip(program.statements, program.steps) {
            let text = try execute(step, at: statement, program: program, options: options, result: &result)
            result.commands += 1
            if !text.isEmpty {
                result.output += text
                output(text)
            }
        }
        try rebuildIfNeeded(at: program.statements.last?.location ?? SourceLocation(line: 1, column: 1))
        result.enodes = egraph.nodeCount
        result.eclasses = egraph.classCount
        result.peakBytes = max(result.peakBytes, egraph.memoryStats.peakBytes)
        result.totalSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

    private func declare(_ signature: EgglogSignature) throws(EgglogError) {
        for constructor in signature.constructors {
            let arguments: [ArgumentKind] = constructor.arguments.map { sort in
                switch sort {
                case .datatype: return .child
                case .i64: return .literal(.int)
                case .f64: return .literal(.float)
                case .string: return .literal(.string)
                }
            }
            do {
                try operators.declare(constructor.name, arguments: arguments)
            } catch {
                throw EgglogError(.engine(error.description), at: SourceLocation(line: 1, column: 1))
            }
        }
    }

    private func execute(_ step: EgglogStep, at statement: EgglogStatement, program: EgglogProgram,
                         options: Options, result: inout EgglogRunResult) throws(EgglogError) -> String {
        let location = statement.location
        let keyword = statement.command.keyword
        func engine(_ body: () throws -> Void) throws(EgglogError) {
            do {
                try body()
            } catch let error as EgglogError {
                throw error
            } catch {
                throw EgglogError(.engine(String(describing: error)), at: location, command: keyword)
            }
        }
        switch step {
        case .declare:
            return ""
        case .rules(let newRules):
            rules += newRules.map { Self.rewrite($0, signature: program.signature) }
            return ""
        case .bind(_, let term):
            try engine { globals.append(try add(term)) }
            return ""
        case .add(let term):
            try engine { _ = try add(term) }
            return ""
        case .union(let a, let b):
            try engine {
                guard case .eclass(let x) = try add(a), case .eclass(let y) = try add(b) else { return }
                _ = try egraph.union(x, y)
                dirty = true
            }
            return ""
        case .run(let limit):
            try engine {
                let runner = try Runner(graph: egraph, table: operators, rules: rules, iterationLimit: limit,
                                        nodeLimit: options.nodeLimit, timeLimit: options.timeLimit,
                                        logger: logger)
                let report = try runner.run()
                result.iterations += report.iterations.count
                result.stopReason = report.stopReason
                result.runSeconds += report.totalTime
                result.peakBytes = max(result.peakBytes, report.peakBytes)
                cachedExtractor = nil
                dirty = false
            }
            return ""
        case .check(let groups, let text):
            try rebuildIfNeeded(at: location)
            var holds = true
            try engine { holds = try check(groups) }
            result.checks.append(.init(passed: holds, location: location))
            if !holds && !options.continueAfterFailedCheck {
                throw EgglogError(.checkFailed(text), at: location, command: keyword)
            }
            return ""
        case .extract(let term, _):
            var value = Value.literal(.int(0))
            try engine { value = try add(term) }
            try rebuildIfNeeded(at: location)
            let (text, cost) = try extract(value, statement: statement, options: options)
            result.extracted.append(.init(term: text, cost: cost, location: location))
            return text + "\n"
        case .printSize(let constructor):
            try rebuildIfNeeded(at: location)
            return printSize(constructor, signature: program.signature)
        }
    }

    // MARK: Terms

    /// Adds a ground term (constructor applications, literals, globals) and returns its
    /// class, or the literal it denotes.
    private func add(_ term: EgglogTerm) throws -> Value {
        guard let value = try resolve(term, adding: true) else {
            preconditionFailure("adding a ground term always yields a value")
        }
        return value
    }

    /// Finds a ground term's class without adding anything; `nil` when it is absent.
    private func lookup(_ term: EgglogTerm) throws -> Value? {
        try resolve(term, adding: false)
    }

    /// The value of a ground term: with `adding`, missing nodes are added (never `nil`);
    /// without, `nil` as soon as a node is absent.
    private func resolve(_ term: EgglogTerm, adding: Bool) throws -> Value? {
        switch term {
        case .integer(let v): return .literal(.int(v))
        case .float(let v): return .literal(.float(v))
        case .string(let v): return .literal(.string(v))
        case .global(let index):
            if case .eclass(let id) = globals[index] { return .eclass(try egraph.find(id)) }
            return globals[index]
        case .variable:
            preconditionFailure("a checked program has no variables outside rules")
        case .apply(let constructor, let arguments):
            let op = OperatorID(rawValue: UInt32(constructor))
            var children: [EClassID] = []
            var literals: [Literal] = []
            for argument in arguments {
                switch try resolve(argument, adding: adding) {
                case .none: return nil
                case .eclass(let id): children.append(id)
                case .literal(let literal): literals.append(literal)
                }
            }
            let payload = try operators.encode(literals, for: op)
            guard adding else {
                return try egraph.lookup(ENode(op: op.rawValue, payload: payload, children: children)).map(Value.eclass)
            }
            cachedExtractor = nil
            return .eclass(try egraph.add(op: op.rawValue, payload: payload, children: children))
        }
    }

    private func check(_ groups: [[EgglogTerm]]) throws -> Bool {
        for group in groups {
            var first: Value?
            for term in group {
                guard let value = try lookup(term) else { return false }
                guard let reference = first else {
                    first = value
                    continue
                }
                switch (reference, value) {
                case (.eclass(let a), .eclass(let b)):
                    if try egraph.find(a) != egraph.find(b) { return false }
                case (.literal(let a), .literal(let b)):
                    if a != b { return false }
                default:
                    return false
                }
            }
        }
        return true
    }

    private func rebuildIfNeeded(at location: SourceLocation) throws(EgglogError) {
        guard dirty || egraph.pendingUnionCount > 0 else { return }
        do {
            try egraph.rebuild()
        } catch {
            throw EgglogError(.engine(error.description), at: location)
        }
        dirty = false
        cachedExtractor = nil
    }

    // MARK: Extraction and sizes

    private func extract(_ value: Value, statement: EgglogStatement,
                         options: Options) throws(EgglogError) -> (String, Double) {
        guard case .eclass(let id) = value else {
            if case .literal(let literal) = value { return (EgglogFormat.literal(literal), 1) }
            return ("", 0)
        }
        do {
            let extractor = try cachedExtractor ?? TreeExtractor(egraph, cost: ASTSize(operators: operators))
            cachedExtractor = extractor
            let term = try extractor.term(of: id)
            let cost = extractor.cost(of: id) ?? .infinity
            return (render(term, options: options), cost)
        } catch {
            let what: String
            if case .extract(let e) = statement.command { what = egglogText(e) } else { what = "term" }
            throw EgglogError(.noFiniteTerm(what), at: statement.location, command: "extract")
        }
    }

    /// The term as egglog prints it; a term too large to write out as a tree is printed
    /// with each shared subterm named once: `(let-terms (($0 …) ($1 …)) $k)`.
    private func render(_ term: ExtractedTerm, options: Options) -> String {
        let root = term.roots[0]
        if term.treeSize(of: root) <= options.maxPrintedTreeSize {
            return term.render(root) { node, children in self.label(node, children) }
        }
        var lines: [String] = []
        for (i, node) in term.nodes.enumerated() where i <= root {
            lines.append("($\(i) " + label(node, node.children.map { "$\($0)" }) + ")")
        }
        return "(let-terms (" + lines.joined(separator: " ") + ") $\(root))"
    }

    private func label(_ node: ExtractedTerm.Node, _ children: [String]) -> String {
        EgglogFormat.application(node.op, payload: node.payload, children: children, operators: operators)
    }

    private func printSize(_ constructor: Int?, signature: EgglogSignature) -> String {
        let counts = signature.constructors.indices.map { egraph.liveNodeCount(op: UInt32($0)) }
        if let constructor { return "\(counts[constructor])\n" }
        let rows = signature.constructors.indices
            .sorted { Array(signature.constructors[$0].name.utf8).lexicographicallyPrecedes(signature.constructors[$1].name.utf8) }
            .map { "(\(signature.constructors[$0].name) \(counts[$0]))" }
        return "(" + rows.joined(separator: "\n ") + ")\n"
    }
}

extension EgglogInterpreter {
    /// The e-graph as egraph-serialize JSON, with each class typed by its datatype and the
    /// `let`-bound globals as roots.
    ///
    /// - Complexity: O(N + E) for N e-nodes and E child edges.
    public func serializedJSON() -> String {
        let roots = globals.compactMap { value -> EClassID? in
            if case .eclass(let id) = value { return id }
            return nil
        }
        let datatypeOfOp = signature.constructors.map { signature.datatypes[$0.datatype] }
        let graph = ExtractionGraph(egraph)
        var typeOfClass = [String?](repeating: nil, count: graph.classBound)
        for n in 0..<graph.nodeCount where graph.nodeClass[n] != ExtractionGraph.dead {
            let op = Int(graph.ops[n])
            if op < datatypeOfOp.count { typeOfClass[Int(graph.nodeClass[n])] = datatypeOfOp[op] }
        }
        return egraph.serializedJSON(operators: operators, roots: roots) { typeOfClass[Int($0.rawValue)] }
    }
}

extension EGraph {
    /// The number of live e-nodes with operator `op`, from the core's operator index.
    /// - Complexity: O(1).
    func liveNodeCount(op: UInt32) -> Int {
        var nodes: UnsafePointer<UInt32>?
        var count: UInt32 = 0
        guard eg_op_nodes(handle, op, &nodes, &count) == EG_OK else { return 0 }
        return Int(count)
    }
}
