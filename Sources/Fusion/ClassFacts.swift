import EGraphKit
import TensorGraph

/// What the fusion rules' conditions need to know about an e-class: its output type and,
/// if it holds a `Parameter`, which one.
struct ClassFacts {
    /// The interned output type (every e-node of a class has the same type).
    var typeID: UInt32
    /// The payload of the class's `Parameter` e-node, or `UInt64.max`.
    var parameter: UInt64

    /// Whether the class holds a `Parameter`.
    var isParameter: Bool { parameter != .max }
}

/// The class facts of every e-class, read from the e-nodes themselves.
///
/// Every payload carries its e-node's output type, and rules only union e-nodes of equal
/// type, so a class's type is its root e-node's. The facts are kept per e-node id (a
/// class id is the id of its root e-node) and extended from the core's node arrays when a
/// rule asks about an id added since: one flat pass, no per-merge work. A `Parameter`
/// merged into another class by a simplification (`Neg(Neg(W))`) is seen only when it is
/// that class's root; the derived-weight rules then skip the match.
final class ClassFactsTable {
    let graph: EGraph
    let language: FusionLanguage
    private var facts: [ClassFacts] = []

    /// Reads nothing yet: the facts are read when a condition first asks (most runs never
    /// ask).
    init(graph: EGraph, language: FusionLanguage) {
        self.graph = graph
        self.language = language
    }

    /// Reads the facts of the e-nodes added since the last call.
    ///
    /// - Complexity: O(new e-nodes).
    func sync() {
        graph.withNodeStorage { storage in
            guard storage.count > facts.count else { return }
            // Filled in a local array (no access check of the property per e-node).
            var table: [ClassFacts] = []
            swap(&table, &facts)
            let start = table.count
            table.reserveCapacity(storage.count)
            let parameter = language.parameter
            // Only the type id of each payload is read (no copy of its op and type).
            language.payloads.withUnsafeBufferPointer { payloads in
                for n in start..<storage.count {
                    let payload = storage.payloads[n]
                    table.append(ClassFacts(typeID: payloads[Int(payload)].typeID,
                                            parameter: storage.ops[n] == parameter ? payload : .max))
                }
            }
            swap(&table, &facts)
        }
    }

    /// The facts of the class `c` (a canonical class id).
    subscript(c: EClassID) -> ClassFacts {
        if Int(c.rawValue) >= facts.count { sync() }
        return facts[Int(c.rawValue)]
    }
}
