import Foundation

extension Graph {
    /// Reads a graph from the tensor-graph JSON format (version 1).
    ///
    /// The reader rejects, with a ``GraphFormatError`` naming the line:column, the node
    /// and the field: malformed or truncated JSON, an unknown `op`, a missing or
    /// mistyped field or parameter, an `id` that differs from its index, an input id out
    /// of range, a wrong number of inputs, a cycle, an output id out of range,
    /// `param_grad_outputs` larger than `outputs`, and a `Constant` whose `data` length
    /// differs from its element count. With `validate` (the default) it then runs
    /// ``validate()`` and reports shape, dtype and parameter errors the same way.
    /// Unknown extra fields are ignored; `format` and `version`, when present, must be
    /// `"tensor-graph"` and 1; `param_grad_outputs` and `derived_params` default to 0 and
    /// `[]`.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text.
    ///   - file: the path to name in errors, if the text came from a file.
    ///   - validate: whether to check every op's shape and dtype rules too.
    /// - Complexity: O(file size + nodes + total inputs).
    public init(json bytes: [UInt8], file: String? = nil, validate: Bool = true) throws(GraphFormatError) {
        var reader = GraphReader(scanner: JSONScanner(bytes: bytes, file: file))
        self = try reader.read(validate: validate)
    }

    /// Reads a graph from JSON text; see ``init(json:file:validate:)``.
    public init(jsonString: String, file: String? = nil, validate: Bool = true) throws(GraphFormatError) {
        try self.init(json: Array(jsonString.utf8), file: file, validate: validate)
    }

    /// Reads a graph from a JSON file; see ``init(json:file:validate:)``.
    ///
    /// - Throws: ``GraphFormatError`` (`unreadable`) when the file cannot be read.
    public init(contentsOfFile path: String, validate: Bool = true) throws(GraphFormatError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw GraphFormatError(.unreadable, file: path, line: 1, column: 1,
                                   message: "cannot read the file: \(error.localizedDescription)")
        }
        try self.init(json: [UInt8](data), file: path, validate: validate)
    }

}

/// A node's fields other than `id`, `op`, `dtype`, `shape` and `inputs`, kept raw
/// until the op says which parameters it needs.
private struct NodeParameters: ParameterSource {
    enum Raw {
        case number(Range<Int>)
        case string(String)
        case bool(Bool)
        case floats([Float])
        case other(String)
    }

    struct Entry {
        var key: String
        var value: Raw
        var offset: Int
    }

    var entries: [Entry] = []
    let scanner: JSONScanner
    let node: Int
    let nodeStart: Int

    func entry(_ key: String) throws(GraphFormatError) -> Entry {
        guard let entry = entries.first(where: { $0.key == key }) else {
            throw scanner.error(.missingField, at: nodeStart, node: node, field: key,
                                "missing parameter \"\(key)\"")
        }
        return entry
    }

    func mistyped(_ entry: Entry, _ expected: String) -> GraphFormatError {
        let got: String = switch entry.value {
        case .number(let range): String(decoding: scanner.bytes[range], as: UTF8.self)
        case .string(let s): "\"\(s)\""
        case .bool(let b): "\(b)"
        case .floats: "an array"
        case .other(let kind): kind
        }
        return scanner.error(.mistypedField, at: entry.offset, node: node, field: entry.key,
                             "expected \(expected), got \(got)")
    }

    func int(_ key: String) throws(GraphFormatError) -> Int {
        let entry = try entry(key)
        guard case .number(let range) = entry.value, let value = scanner.integer(range) else {
            throw mistyped(entry, "a non-negative integer")
        }
        return value
    }

    func float(_ key: String) throws(GraphFormatError) -> Float {
        let entry = try entry(key)
        guard case .number(let range) = entry.value, let value = scanner.float(range) else {
            throw mistyped(entry, "a finite 32-bit float")
        }
        return value
    }

    func bool(_ key: String) throws(GraphFormatError) -> Bool {
        let entry = try entry(key)
        guard case .bool(let value) = entry.value else { throw mistyped(entry, "a boolean") }
        return value
    }

    func string(_ key: String) throws(GraphFormatError) -> String {
        let entry = try entry(key)
        guard case .string(let value) = entry.value else { throw mistyped(entry, "a string") }
        return value
    }

    func constant() throws(GraphFormatError) -> ConstantValue {
        let fill = entries.first { $0.key == "fill" }
        let data = entries.first { $0.key == "data" }
        switch (fill, data) {
        case (nil, nil):
            throw scanner.error(.missingField, at: nodeStart, node: node, field: "fill",
                                "a Constant needs \"fill\" or \"data\"")
        case (.some, .some):
            throw scanner.error(.mistypedField, at: data!.offset, node: node, field: "data",
                                "a Constant has either \"fill\" or \"data\", not both")
        case (.some, nil):
            return .fill(try float("fill"))
        case (nil, .some(let entry)):
            guard case .floats(let values) = entry.value else { throw mistyped(entry, "an array of numbers") }
            return .data(values)
        }
    }
}

/// Reads the tensor-graph JSON format in one pass over the bytes.
struct GraphReader {
    var scanner: JSONScanner
    private var nodes: [Node] = []
    /// Byte offset of each node's `{`, to locate errors found after reading.
    private var nodeStarts: [Int] = []
    private var outputs: [NodeID]?
    private var outputsOffset = 0
    private var paramGradOutputs = 0
    private var paramGradOffset = 0
    private var derivedParams: [DerivedParam] = []

    init(scanner: JSONScanner) {
        self.scanner = scanner
    }

    mutating func read(validate: Bool) throws(GraphFormatError) -> Graph {
        var sawNodes = false
        try scanner.expect(UInt8(ascii: "{"), "'{' at the start of the graph")
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.readKey()
                scanner.skipWhitespace()
                let valueOffset = scanner.offset
                switch key {
                case "format":
                    let format = try readString(field: "format")
                    if format != "tensor-graph" {
                        throw scanner.error(.unsupportedFormat, at: valueOffset, field: "format",
                                            "format is \"\(format)\", expected \"tensor-graph\"")
                    }
                case "version":
                    let version = try readInteger(field: "version")
                    if version != 1 {
                        throw scanner.error(.unsupportedFormat, at: valueOffset, field: "version",
                                            "version \(version) is not supported (only 1)")
                    }
                case "nodes":
                    sawNodes = true
                    try readNodes()
                case "outputs":
                    outputsOffset = valueOffset
                    outputs = try readIntegers(field: "outputs", node: nil).map { NodeID(clamping: $0) }
                case "param_grad_outputs":
                    paramGradOffset = valueOffset
                    paramGradOutputs = try readInteger(field: "param_grad_outputs")
                case "derived_params":
                    try readDerivedParams()
                default:
                    try scanner.skipValue()
                }
            } while try scanner.nextElement(closing: UInt8(ascii: "}"))
        }
        if scanner.peek() != nil { throw scanner.malformed("unexpected text after the graph") }
        guard sawNodes else { throw scanner.error(.missingField, at: 0, field: "nodes", "missing \"nodes\"") }
        guard let outputs else { throw scanner.error(.missingField, at: 0, field: "outputs", "missing \"outputs\"") }

        for node in nodes {
            for (slot, input) in node.inputs.enumerated() where input.index >= nodes.count {
                throw invalid(GraphError(.inputOutOfRange, node: node.id, op: node.op.name, input: slot,
                                         inputNode: input, field: "inputs",
                                         message: "inputs[\(slot)] = \(input) is out of range (\(nodes.count) nodes)"))
            }
        }
        for (i, id) in outputs.enumerated() where id.index >= nodes.count {
            throw scanner.error(.invalidGraph, at: outputsOffset, field: "outputs",
                                "outputs[\(i)] = \(id) is out of range (\(nodes.count) nodes)")
        }
        if paramGradOutputs > outputs.count {
            throw scanner.error(.invalidGraph, at: paramGradOffset, field: "param_grad_outputs",
                                "param_grad_outputs \(paramGradOutputs) exceeds the \(outputs.count) outputs")
        }
        let graph = Graph(uncheckedNodes: nodes, outputs: outputs, paramGradOutputs: paramGradOutputs,
                          derivedParams: derivedParams)
        if let node = graph.firstNodeOnCycle() {
            throw invalid(GraphError(.cycle, node: node, op: graph[node].op.name, field: "inputs",
                                     message: "node \(node) depends on itself through its inputs"))
        }
        if validate {
            do {
                try graph.validate()
            } catch {
                throw invalid(error)
            }
        }
        return graph
    }

    /// A ``GraphFormatError`` for a rule the read graph breaks, located at the node's
    /// field (or the graph field) it names.
    private func invalid(_ error: GraphError) -> GraphFormatError {
        var offset = 0
        if let node = error.node, node.index < nodeStarts.count {
            offset = fieldOffset(node: node.index, field: error.field) ?? nodeStarts[node.index]
        } else if error.field == "outputs" {
            offset = outputsOffset
        } else if error.field == "param_grad_outputs" {
            offset = paramGradOffset
        }
        var result = scanner.error(.invalidGraph, at: offset, node: error.node?.index, field: error.field,
                                   error.description)
        result.graphError = error
        return result
    }

    /// The offset of `field`'s value in node `node`'s object, found by scanning it again.
    private func fieldOffset(node: Int, field: String?) -> Int? {
        guard let field else { return nil }
        return fieldOffset(in: nodeStarts[node], field)
    }

    // MARK: Values

    /// A mistyped-field error for the value at the scanner, or a malformed-JSON error
    /// when no JSON value starts there at all.
    private mutating func unexpected(at offset: Int, node: Int? = nil, field: String,
                                     _ message: String) throws(GraphFormatError) -> GraphFormatError
    {
        switch scanner.peek() {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"),
             UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
            return scanner.error(.mistypedField, at: offset, node: node, field: field, message)
        default:
            throw scanner.malformed("expected a value")
        }
    }

    private mutating func readString(field: String, node: Int? = nil) throws(GraphFormatError) -> String {
        guard scanner.peek() == UInt8(ascii: "\"") else {
            throw try unexpected(at: scanner.offset, node: node, field: field,
                                "expected a string, got \(scanner.kindOfNext())")
        }
        return try scanner.readString()
    }

    private mutating func readInteger(field: String, node: Int? = nil) throws(GraphFormatError) -> Int {
        let start = scanner.offset
        switch scanner.peek() {
        case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
            let range = try scanner.readNumber()
            guard let value = scanner.integer(range) else {
                throw scanner.error(.mistypedField, at: range.lowerBound, node: node, field: field,
                                    "expected a non-negative integer, got \(String(decoding: scanner.bytes[range], as: UTF8.self))")
            }
            return value
        default:
            throw try unexpected(at: max(start, scanner.offset), node: node, field: field,
                                "expected a non-negative integer, got \(scanner.kindOfNext())")
        }
    }

    /// Reads a JSON array, calling `element` once per element with the scanner at it;
    /// a mistyped-field error "expected \(what), got …" when no array starts here.
    private mutating func readArray(field: String, node: Int? = nil, of what: String,
                                    _ element: (inout GraphReader) throws(GraphFormatError) -> Void)
        throws(GraphFormatError)
    {
        guard scanner.peek() == UInt8(ascii: "[") else {
            throw try unexpected(at: scanner.offset, node: node, field: field,
                                "expected \(what), got \(scanner.kindOfNext())")
        }
        try readElements(element)
    }

    /// Reads the elements of the array whose `[` is at the scanner.
    private mutating func readElements(_ element: (inout GraphReader) throws(GraphFormatError) -> Void)
        throws(GraphFormatError)
    {
        scanner.offset += 1
        if scanner.consume(UInt8(ascii: "]")) { return }
        repeat {
            try element(&self)
        } while try scanner.nextElement(closing: UInt8(ascii: "]"))
    }

    private mutating func readIntegers(field: String, node: Int?) throws(GraphFormatError) -> [Int] {
        var values: [Int] = []
        try readArray(field: field, node: node, of: "an array of integers") { (reader) throws(GraphFormatError) in
            values.append(try reader.readInteger(field: field, node: node))
        }
        return values
    }

    private mutating func readFloats(field: String, node: Int?) throws(GraphFormatError) -> [Float] {
        // The caller has checked that an array follows.
        var values: [Float] = []
        try readElements { (reader) throws(GraphFormatError) in
            values.append(try reader.readFloat(field: field, node: node))
        }
        return values
    }

    private mutating func readFloat(field: String, node: Int?) throws(GraphFormatError) -> Float {
        let start = scanner.offset
        guard let next = scanner.peek(), next == UInt8(ascii: "-") || (0x30...0x39).contains(next) else {
            throw try unexpected(at: max(start, scanner.offset), node: node, field: field,
                                "expected a number, got \(scanner.kindOfNext())")
        }
        let range = try scanner.readNumber()
        guard let value = scanner.float(range) else {
            throw scanner.error(.mistypedField, at: range.lowerBound, node: node, field: field,
                                "\(String(decoding: scanner.bytes[range], as: UTF8.self)) is not a finite 32-bit float")
        }
        return value
    }

    // MARK: Nodes

    private mutating func readNodes() throws(GraphFormatError) {
        try readArray(field: "nodes", of: "an array of nodes") { (reader) throws(GraphFormatError) in
            try reader.readNode(index: reader.nodes.count)
        }
    }

    private mutating func readNode(index: Int) throws(GraphFormatError) {
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw try unexpected(at: scanner.offset, node: index, field: "nodes",
                                "expected a node object, got \(scanner.kindOfNext())")
        }
        let start = scanner.offset
        scanner.offset += 1
        var id: Int?, idOffset = start
        var opName: String?, opOffset = start
        var dtype: DType?
        var shape: [Int]?
        var inputs: [NodeID]?
        var parameters = NodeParameters(scanner: scanner, node: index, nodeStart: start)
        var seen: UInt8 = 0  // bits for id, op, dtype, shape, inputs
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let keyOffset = scanner.offset
                let key = try scanner.readKey()
                let bit: UInt8 = switch key {
                case "id": 1
                case "op": 2
                case "dtype": 4
                case "shape": 8
                case "inputs": 16
                default: 0
                }
                if seen & bit != 0 || (bit == 0 && parameters.entries.contains { $0.key == key }) {
                    throw scanner.error(.mistypedField, at: keyOffset, node: index, field: key,
                                        "field \"\(key)\" appears twice")
                }
                seen |= bit
                scanner.skipWhitespace()
                let valueOffset = scanner.offset
                switch key {
                case "id":
                    idOffset = valueOffset
                    id = try readInteger(field: "id", node: index)
                case "op":
                    opOffset = valueOffset
                    opName = try readString(field: "op", node: index)
                case "dtype":
                    let name = try readString(field: "dtype", node: index)
                    guard let value = DType(rawValue: name) else {
                        throw scanner.error(.mistypedField, at: valueOffset, node: index, field: "dtype",
                                            "unknown dtype \"\(name)\" (expected f32, f16, u32, q4_0 or q8_0)")
                    }
                    dtype = value
                case "shape":
                    let dims = try readIntegers(field: "shape", node: index)
                    guard Rules.isWithinLimits(TensorType(.f32, dims)) else {
                        throw scanner.error(.mistypedField, at: valueOffset, node: index, field: "shape",
                                            "shape \(dims) must be non-empty with positive dimensions and at most 2^48 elements")
                    }
                    shape = dims
                case "inputs":
                    inputs = try readIntegers(field: "inputs", node: index).map { NodeID(clamping: $0) }
                case "data" where scanner.peek() == UInt8(ascii: "["):
                    parameters.entries.append(.init(key: key, value: .floats(try readFloats(field: key, node: index)),
                                                    offset: valueOffset))
                default:
                    let raw: NodeParameters.Raw
                    switch scanner.peek() {
                    case UInt8(ascii: "\""): raw = .string(try scanner.readString())
                    case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")): raw = .number(try scanner.readNumber())
                    case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                        let word = try scanner.readLiteral()
                        raw = word == "null" ? .other("null") : .bool(word == "true")
                    default:
                        let kind = scanner.kindOfNext()
                        try scanner.skipValue()
                        raw = .other(kind)
                    }
                    parameters.entries.append(.init(key: key, value: raw, offset: valueOffset))
                }
            } while try scanner.nextElement(closing: UInt8(ascii: "}"))
        }

        func missing(_ field: String) -> GraphFormatError {
            scanner.error(.missingField, at: start, node: index, field: field, "missing field \"\(field)\"")
        }
        guard let id else { throw missing("id") }
        guard id == index else {
            throw scanner.error(.idMismatch, at: idOffset, node: index, field: "id",
                                "id \(id) differs from the node's index \(index)")
        }
        guard let opName else { throw missing("op") }
        guard let op = try OpCodec.decode(opName, parameters) else {
            throw scanner.error(.unknownOp, at: opOffset, node: index, field: "op", "unknown op \"\(opName)\"")
        }
        guard let dtype else { throw missing("dtype") }
        guard let shape else { throw missing("shape") }
        guard let inputs else { throw missing("inputs") }
        let nodeID = NodeID(index)
        if let arity = op.arity, !arity.contains(inputs.count) {
            let expected = arity.count == 1 ? "\(arity.lowerBound)" : "\(arity.lowerBound) or \(arity.upperBound)"
            let error = GraphError(.arity, node: nodeID, op: op.name, field: "inputs",
                                   message: "\(op.name) takes \(expected) inputs, got \(inputs.count)")
            var result = scanner.error(.invalidGraph, at: fieldOffset(in: start, "inputs") ?? start, node: index,
                                       field: "inputs", error.description)
            result.graphError = error
            throw result
        }
        let type = TensorType(dtype, shape)
        if case .constant(.data(let values)) = op, values.count != type.elementCount {
            let error = GraphError(.constantData, node: nodeID, op: "Constant", field: "data",
                                   message: "data has \(values.count) values, shape \(shape) has \(type.elementCount) elements")
            var result = scanner.error(.invalidGraph, at: fieldOffset(in: start, "data") ?? start, node: index,
                                       field: "data", error.description)
            result.graphError = error
            throw result
        }
        nodes.append(Node(id: nodeID, op: op, inputs: inputs, type: type))
        nodeStarts.append(start)
    }

    private func fieldOffset(in nodeStart: Int, _ field: String) -> Int? {
        var s = scanner
        s.offset = nodeStart
        do {
            try s.expect(UInt8(ascii: "{"), "{")
            repeat {
                let key = try s.readKey()
                s.skipWhitespace()
                if key == field { return s.offset }
                try s.skipValue()
            } while try s.nextElement(closing: UInt8(ascii: "}"))
        } catch {
            return nil
        }
        return nil
    }

    // MARK: Derived parameters

    private mutating func readDerivedParams() throws(GraphFormatError) {
        try readArray(field: "derived_params", of: "an array") { (reader) throws(GraphFormatError) in
            reader.derivedParams.append(try reader.readDerivedParam(index: reader.derivedParams.count))
        }
    }

    private mutating func readDerivedParam(index: Int) throws(GraphFormatError) -> DerivedParam {
        let prefix = "derived_params[\(index)]"
        let start = scanner.offset
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw try unexpected(at: start, field: prefix, "expected an object, got \(scanner.kindOfNext())")
        }
        scanner.offset += 1
        var name: String?, rows: Int?, sources: [DerivedParam.Source]?, transform: DerivedParam.Transform?
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.readKey()
                switch key {
                case "name": name = try readString(field: "\(prefix).name")
                case "rows": rows = try readInteger(field: "\(prefix).rows")
                case "sources": sources = try readSources(prefix: "\(prefix).sources")
                case "transform": transform = try readTransform(field: "\(prefix).transform")
                default: try scanner.skipValue()
                }
            } while try scanner.nextElement(closing: UInt8(ascii: "}"))
        }
        func missing(_ field: String) -> GraphFormatError {
            scanner.error(.missingField, at: start, field: "\(prefix).\(field)", "missing field \"\(field)\"")
        }
        guard let name else { throw missing("name") }
        guard let sources else { throw missing("sources") }
        guard let rows else { throw missing("rows") }
        guard let transform else { throw missing("transform") }
        return DerivedParam(name: name, sources: sources, rows: rows, transform: transform)
    }

    private mutating func readSources(prefix: String) throws(GraphFormatError) -> [DerivedParam.Source] {
        var sources: [DerivedParam.Source] = []
        try readArray(field: prefix, of: "an array") { (reader) throws(GraphFormatError) in
            sources.append(try reader.readSource(field: "\(prefix)[\(sources.count)]"))
        }
        return sources
    }

    private mutating func readSource(field: String) throws(GraphFormatError) -> DerivedParam.Source {
        let start = scanner.offset
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw try unexpected(at: start, field: field, "expected an object, got \(scanner.kindOfNext())")
        }
        scanner.offset += 1
        var name: String?, cols: Int?
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                switch try scanner.readKey() {
                case "name": name = try readString(field: "\(field).name")
                case "cols": cols = try readInteger(field: "\(field).cols")
                default: try scanner.skipValue()
                }
            } while try scanner.nextElement(closing: UInt8(ascii: "}"))
        }
        guard let name, let cols else {
            throw scanner.error(.missingField, at: start, field: "\(field).\(name == nil ? "name" : "cols")",
                                "a source needs \"name\" and \"cols\"")
        }
        return DerivedParam.Source(name: name, cols: cols)
    }

    private mutating func readTransform(field: String) throws(GraphFormatError) -> DerivedParam.Transform {
        let start = scanner.offset
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw try unexpected(at: start, field: field, "expected an object, got \(scanner.kindOfNext())")
        }
        scanner.offset += 1
        var kind: String?, kindOffset = start, outChannels: Int?, inChannels: Int?
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.readKey()
                scanner.skipWhitespace()
                switch key {
                case "kind":
                    kindOffset = scanner.offset
                    kind = try readString(field: "\(field).kind")
                case "out_channels": outChannels = try readInteger(field: "\(field).out_channels")
                case "in_channels": inChannels = try readInteger(field: "\(field).in_channels")
                default: try scanner.skipValue()
                }
            } while try scanner.nextElement(closing: UInt8(ascii: "}"))
        }
        switch kind {
        case nil:
            throw scanner.error(.missingField, at: start, field: "\(field).kind", "missing field \"kind\"")
        case "horizontal_concat":
            return .horizontalConcat
        case "winograd3x3":
            guard let outChannels, let inChannels else {
                throw scanner.error(.missingField, at: start,
                                    field: "\(field).\(outChannels == nil ? "out_channels" : "in_channels")",
                                    "winograd3x3 needs \"out_channels\" and \"in_channels\"")
            }
            return .winograd3x3(outChannels: outChannels, inChannels: inChannels)
        case let other?:
            throw scanner.error(.mistypedField, at: kindOffset, field: "\(field).kind",
                                "unknown transform kind \"\(other)\"")
        }
    }
}

extension NodeID {
    /// The id of a non-negative integer read from a file, saturating at `UInt32.max`
    /// (which no graph reaches, so the range check rejects it).
    init(clamping value: Int) {
        self.init(rawValue: UInt32(clamping: value))
    }
}
