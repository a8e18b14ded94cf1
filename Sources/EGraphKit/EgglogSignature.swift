/// The sort of an egglog value: a declared datatype or one of the primitive sorts.
public enum EgglogSort: Hashable, Sendable, CustomStringConvertible {
    /// The datatype with this index in declaration order.
    case datatype(Int)
    /// A 64-bit signed integer.
    case i64
    /// A 64-bit float.
    case f64
    /// A string.
    case string

    /// Whether values of this sort are literals (carried in an e-node's payload).
    public var isPrimitive: Bool {
        if case .datatype = self { return false }
        return true
    }

    /// The sort's egglog name for primitives, `datatype#i` otherwise (use
    /// ``EgglogSignature/sortName(_:)`` for the declared name).
    public var description: String {
        switch self {
        case .datatype(let i): return "datatype#\(i)"
        case .i64: return "i64"
        case .f64: return "f64"
        case .string: return "String"
        }
    }
}

/// The declarations of an egglog program: datatypes and their constructors.
///
/// Constructor `i` becomes e-graph operator `i`. Its datatype-sorted arguments become
/// the e-node's children, in order; its literal arguments are carried in the payload
/// (one literal directly, several as an interned tuple).
public struct EgglogSignature: Sendable {
    /// A constructor: name, result datatype and argument sorts.
    public struct Constructor: Hashable, Sendable {
        /// The constructor's name.
        public var name: String
        /// The index of the datatype it builds.
        public var datatype: Int
        /// Its argument sorts, in order.
        public var arguments: [EgglogSort]
        /// How many arguments are datatype-sorted (the e-node's children).
        public var childCount: Int
        /// How many arguments are literals.
        public var literalCount: Int { arguments.count - childCount }
    }

    /// Datatype names in declaration order.
    public private(set) var datatypes: [String] = []
    /// Constructors in declaration order; the index is the e-graph operator id.
    public private(set) var constructors: [Constructor] = []
    private var datatypeIndex: [String: Int] = [:]
    private var constructorIndex: [String: Int] = [:]

    /// An empty signature.
    public init() {}

    /// The datatype index for `name`.
    public func datatype(named name: String) -> Int? { datatypeIndex[name] }

    /// The constructor index (operator id) for `name`.
    public func constructor(named name: String) -> Int? { constructorIndex[name] }

    /// The printed name of a sort.
    public func sortName(_ sort: EgglogSort) -> String {
        if case .datatype(let i) = sort { return datatypes[i] }
        return sort.description
    }

    /// Resolves a sort name: a declared datatype, `i64`, `f64` or `String`.
    public func sort(named name: String) -> EgglogSort? {
        switch name {
        case "i64": return .i64
        case "f64": return .f64
        case "String": return .string
        default: return datatypeIndex[name].map(EgglogSort.datatype)
        }
    }

    /// Declares a datatype and its constructors.
    ///
    /// - Throws: ``EgglogError`` for a name declared twice or an unknown argument sort.
    mutating func declare(datatype name: String, constructors declarations: [EgglogConstructorDeclaration],
                          at location: SourceLocation) throws(EgglogError) {
        guard datatypeIndex[name] == nil, sort(named: name) == nil else {
            throw EgglogError(.duplicateName(name), at: location, command: "datatype")
        }
        let index = datatypes.count
        datatypes.append(name)
        datatypeIndex[name] = index
        for declaration in declarations {
            guard constructorIndex[declaration.name] == nil, datatypeIndex[declaration.name] == nil else {
                throw EgglogError(.duplicateName(declaration.name), at: declaration.location, command: "datatype")
            }
            var arguments: [EgglogSort] = []
            for (sortName, sortLocation) in zip(declaration.argumentSorts, declaration.argumentLocations) {
                guard let sort = sort(named: sortName) else {
                    throw EgglogError(.unknownSort(sortName), at: sortLocation, command: "datatype")
                }
                arguments.append(sort)
            }
            let childCount = arguments.count { !$0.isPrimitive }
            constructorIndex[declaration.name] = constructors.count
            constructors.append(Constructor(name: declaration.name, datatype: index,
                                            arguments: arguments, childCount: childCount))
        }
    }
}
