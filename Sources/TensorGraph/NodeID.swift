/// The id of a node in a ``Graph``: its index in ``Graph/nodes``.
///
/// Ids are dense and start at 0. They are 32-bit so that large graphs (10⁶ nodes and
/// more) stay compact in the optimizer's tables.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The raw 32-bit id.
    public var rawValue: UInt32

    /// Creates an id from its raw value.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Creates the id of the node at `index`.
    ///
    /// - Precondition: `0 <= index <= UInt32.max`.
    @inlinable public init(_ index: Int) {
        precondition(index >= 0 && index <= Int(UInt32.max), "node index \(index) out of range")
        self.rawValue = UInt32(truncatingIfNeeded: index)
    }

    /// Creates an id from an integer literal (handy in tests and examples).
    @inlinable public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// The node's index in ``Graph/nodes``.
    @inlinable public var index: Int { Int(rawValue) }

    /// Orders ids by index.
    @inlinable public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The id as a decimal number, as in the JSON format.
    public var description: String { String(rawValue) }
}
