/// A JSON tokenizer over UTF-8 bytes that keeps byte offsets (for line:column in
/// errors) and the literal text of numbers (so f32 values are read exactly).
struct JSONScanner {
    let bytes: [UInt8]
    var offset = 0
    let file: String?

    init(bytes: [UInt8], file: String?) {
        self.bytes = bytes
        self.file = file
        // A UTF-8 byte-order mark is not JSON, but editors write it.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
    }

    /// 1-based line and column of a byte offset.
    func location(_ at: Int) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        for i in 0..<min(at, bytes.count) where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return (line, at - lineStart + 1)
    }

    func error(_ kind: GraphFormatError.Kind, at: Int, node: Int? = nil, field: String? = nil,
               _ message: String) -> GraphFormatError
    {
        let (line, column) = location(at)
        return GraphFormatError(kind, file: file, line: line, column: column, node: node, field: field,
                                message: message)
    }

    func malformed(_ message: String) -> GraphFormatError {
        error(.malformedJSON, at: offset, offset >= bytes.count ? "unexpected end of input: \(message)" : message)
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, or `nil` at the end.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(GraphFormatError) {
        guard peek() == byte else { throw malformed("expected \(what)") }
        offset += 1
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        if peek() == byte {
            offset += 1
            return true
        }
        return false
    }

    /// After an element of an object or array: `true` if another follows (a comma was
    /// consumed), `false` if the closing bracket was consumed.
    mutating func nextElement(closing: UInt8) throws(GraphFormatError) -> Bool {
        switch peek() {
        case UInt8(ascii: ","): offset += 1; return true
        case closing: offset += 1; return false
        default: throw malformed("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
        }
    }

    /// Reads `"key":` and returns the key.
    mutating func readKey() throws(GraphFormatError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw malformed("expected a string key") }
        let key = try readString()
        try expect(UInt8(ascii: ":"), "':' after a key")
        return key
    }

    /// Reads a string literal (the scanner is at its opening quote).
    mutating func readString() throws(GraphFormatError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw malformed("expected a string") }
        offset += 1
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return String(decoding: bytes[start..<(offset - 1)], as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw malformed("control character in a string") }
            offset += 1
        }
        // Slow path: escapes.
        var scalars = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                offset += 1
                guard offset < bytes.count else { throw malformed("unterminated escape") }
                let escaped = bytes[offset]
                offset += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try readHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                              bytes[offset + 1] == UInt8(ascii: "u") else { throw malformed("unpaired surrogate") }
                        offset += 2
                        let low = try readHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw malformed("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw malformed("invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    offset -= 1
                    throw malformed("invalid escape")
                }
            default:
                if byte < 0x20 { throw malformed("control character in a string") }
                scalars.append(byte)
                offset += 1
            }
        }
        throw malformed("unterminated string")
    }

    private mutating func readHex4() throws(GraphFormatError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw malformed("truncated \\u escape") }
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw malformed("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            offset += 1
        }
        return value
    }

    /// Reads a number literal per the JSON grammar and returns its byte range.
    mutating func readNumber() throws(GraphFormatError) -> Range<Int> {
        skipWhitespace()
        let start = offset
        func digits(_ s: inout JSONScanner) -> Int {
            let begin = s.offset
            while s.offset < s.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s.bytes[s.offset]) {
                s.offset += 1
            }
            return s.offset - begin
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let intStart = offset
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw malformed("invalid number") }
        if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") {
            offset = intStart
            throw malformed("leading zero in a number")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw malformed("expected digits after '.'") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard digits(&self) > 0 else { throw malformed("expected digits in the exponent") }
        }
        return start..<offset
    }

    /// Reads `true`, `false` or `null` (whichever is next) and returns it as text.
    mutating func readLiteral() throws(GraphFormatError) -> String {
        skipWhitespace()
        for word in ["true", "false", "null"] {
            let utf8 = Array(word.utf8)
            if offset + utf8.count <= bytes.count, bytes[offset..<(offset + utf8.count)].elementsEqual(utf8) {
                offset += utf8.count
                return word
            }
        }
        throw malformed("expected a value")
    }

    /// Skips one value of any type.
    mutating func skipValue(depth: Int = 0) throws(GraphFormatError) {
        guard depth < 512 else { throw malformed("nesting too deep") }
        switch peek() {
        case UInt8(ascii: "{"):
            offset += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try readKey()
                try skipValue(depth: depth + 1)
            } while try nextElement(closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            offset += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat {
                try skipValue(depth: depth + 1)
            } while try nextElement(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            _ = try readString()
        case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
            _ = try readNumber()
        default:
            _ = try readLiteral()
        }
    }

    /// A short name of the JSON type of the next value (for "mistyped" messages).
    mutating func kindOfNext() -> String {
        switch peek() {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case nil: "nothing"
        default: "a number"
        }
    }

    /// Parses a number's text as a non-negative integer, or `nil` if it is not one.
    func integer(_ range: Range<Int>) -> Int? {
        var value = 0
        for i in range {
            let byte = bytes[i]
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = sum
        }
        return range.isEmpty ? nil : value
    }

    /// Parses a number's text as a finite f32 (correctly rounded), or `nil`.
    func float(_ range: Range<Int>) -> Float? {
        guard let value = Float(String(decoding: bytes[range], as: UTF8.self)), value.isFinite else { return nil }
        return value
    }
}
