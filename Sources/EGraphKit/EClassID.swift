/// The id of an e-class, and of the e-node that created it.
///
/// Ids are dense 32-bit integers issued from 0 in order of creation. Every e-node's id is
/// the id of the class it was born in; after unions, ``EGraph/find(_:)-(EClassID)`` gives the class's
/// canonical id. Comparison is by raw value, so sorted ids follow creation order.
public struct EClassID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw 32-bit id.
    public let rawValue: UInt32

    /// Wraps a raw id. Any value is accepted; the graph rejects ids it never issued.
    ///
    /// - Complexity: O(1).
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Orders ids by raw value (creation order).
    ///
    /// - Complexity: O(1).
    @inlinable public static func < (lhs: EClassID, rhs: EClassID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// `e` followed by the raw id, e.g. `e42`.
    ///
    /// - Complexity: O(1).
    public var description: String { "e\(rawValue)" }
}
