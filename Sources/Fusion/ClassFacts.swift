import EGraphKit
import TensorGraph

/// What the fusion rules' conditions need to know about an e-class: its output type and,
/// if it holds a `Parameter`, which one.
struct ClassFacts {
    /// The interned output type (every e-node of a class has the same type).
    var typeID: UInt32
    /// The payload of a `Parameter` e-node in the class, or `UInt64.max`.
    var parameter: UInt64

    /// Whether the class holds a `Parameter`.
    var isParameter: Bool { parameter != .max }
}

/// The e-class analysis that keeps ``ClassFacts`` per class. Types never conflict (rules
/// only union e-nodes of equal type); when two classes with a `Parameter` merge, the
/// lower payload wins, so the result does not depend on the order of unions.
struct ClassFactsAnalysis: EClassAnalysis {
    let language: FusionLanguage

    func make(operator: OperatorID, payload: UInt64, children: [ClassFacts]) -> ClassFacts {
        ClassFacts(typeID: language[payload].typeID,
                   parameter: `operator`.rawValue == language.parameter ? payload : .max)
    }

    func merge(_ a: ClassFacts, _ b: ClassFacts) -> ClassFacts {
        ClassFacts(typeID: a.typeID, parameter: min(a.parameter, b.parameter))
    }
}
