internal import CEGraph

/// One match of a ``Pattern`` in an e-graph: the e-class it matched in and what its
/// variables bound.
public struct PatternMatch: Hashable, Sendable {
    /// The e-class the pattern's root matched in.
    public var root: EClassID
    /// Class variables (named without `?`) and their e-classes.
    public var classes: [String: EClassID]
    /// Payload variables and the raw payload they bound (a multi-literal node's variables
    /// are one entry, their names joined by NUL).
    public var payloads: [String: UInt64]
}

extension Pattern {
    /// Every match of this pattern in `graph`, in the core's search order (by root node
    /// operator index, then depth first).
    ///
    /// The graph is rebuilt first if unions are pending. A match is one choice of e-nodes,
    /// so two choices that bind the same variables are two matches.
    ///
    /// - Throws: ``PatternError`` when the pattern does not fit `table`; ``EGraphError``
    ///   from the core.
    /// - Complexity: the backtracking search's work; O(nodes) for the index.
    public func matches(in graph: EGraph, table: OperatorTable) throws -> [PatternMatch] {
        let compiled = try CompiledPattern(self, table: table)
        if eg_pending_count(graph.handle) > 0 { try graph.rebuild() }
        var matcher: OpaquePointer?
        guard eg_matcher_create(&matcher) == EG_OK else { throw EGraphError.outOfMemory }
        defer { eg_matcher_destroy(matcher) }
        let status = eg_matcher_snapshot(matcher, graph.handle)
        guard status == EG_OK else { throw EGraph.error(status, argument: "snapshot") }
        var result: [PatternMatch] = []
        var cursor: UInt32 = 0
        var finished = false
        while !finished {
            var rows: UnsafePointer<UInt32>?
            var count: UInt32 = 0
            let status = compiled.program.withUnsafeBufferPointer {
                eg_search(matcher, graph.handle, $0.baseAddress, UInt32($0.count), 0, &cursor, 4096,
                          &rows, &count, &finished)
            }
            guard status == EG_OK else { throw EGraph.error(status, argument: "search") }
            guard let rows else { continue }
            for i in 0..<Int(count) {
                let row = rows + i * compiled.stride
                var classes: [String: EClassID] = [:]
                for (k, name) in compiled.classVariables.enumerated() { classes[name] = EClassID(row[1 + k]) }
                var payloads: [String: UInt64] = [:]
                for (k, name) in compiled.payloadVariables.enumerated() {
                    let w = 1 + compiled.classVariables.count + 2 * k
                    payloads[name] = UInt64(row[w]) | UInt64(row[w + 1]) << 32
                }
                result.append(PatternMatch(root: EClassID(row[0]), classes: classes, payloads: payloads))
            }
        }
        return result
    }
}
