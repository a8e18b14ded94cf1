/// Why an ``EGraph`` operation failed. The graph is unchanged unless a case says otherwise.
public enum EGraphError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An id the graph never issued.
    case unknownID(UInt32)
    /// Entry `index` of a batch is malformed (an unknown id, a reference to a later entry,
    /// or an operator out of range); nothing of the batch was applied.
    case invalidBatchEntry(index: Int, reason: String)
    /// An argument is out of range (the message names it).
    case invalidArgument(String)
    /// The native core could not allocate memory. Batch operations may have applied the
    /// entries before the failing one.
    case outOfMemory
    /// The id space (2^31 - 1 nodes) or a 32-bit size is exhausted.
    case capacityExceeded
    /// The operation is not valid now (e.g. a rollback without a checkpoint).
    case invalidState(String)
    /// ``EGraph/checkInvariants()`` found a broken invariant; the message says which.
    case invariantViolated(String)

    /// A one-line description naming the id, entry or argument concerned.
    ///
    /// - Complexity: O(length of the message).
    public var description: String {
        switch self {
        case .unknownID(let id): "unknown e-class id \(id)"
        case .invalidBatchEntry(let index, let reason): "batch entry \(index): \(reason)"
        case .invalidArgument(let message): "invalid argument: \(message)"
        case .outOfMemory: "out of memory in the e-graph core"
        case .capacityExceeded: "e-graph capacity exceeded"
        case .invalidState(let message): "invalid state: \(message)"
        case .invariantViolated(let message): "e-graph invariant violated: \(message)"
        }
    }
}
