/// A position in source text: 1-based line and column (columns count characters).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a location.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// A syntax error in s-expression text, with the place it was found.
public struct SyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the error is.
    public var location: SourceLocation
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    /// `line:column: message`.
    public var description: String { "\(location): \(message)" }
}

/// An s-expression as egglog writes it: atoms (symbols, numbers, strings) and lists,
/// each with the location it starts at.
public indirect enum SExpression: Hashable, Sendable {
    /// A bare symbol such as `Add`, `?x`, `x` or `-`.
    case symbol(String, SourceLocation)
    /// An integer literal such as `-1`.
    case int(Int64, SourceLocation)
    /// A float literal such as `1.5`, `1e-5`, `inf` or `NaN`.
    case float(Double, SourceLocation)
    /// A string literal, unescaped.
    case string(String, SourceLocation)
    /// A parenthesised list.
    case list([SExpression], SourceLocation)

    /// Where the expression starts.
    public var location: SourceLocation {
        switch self {
        case .symbol(_, let l), .int(_, let l), .float(_, let l), .string(_, let l), .list(_, let l):
            return l
        }
    }

    /// Reads every top-level s-expression in `text`. `;` starts a comment to the end of
    /// the line.
    ///
    /// - Throws: ``SyntaxError`` naming the line and column of an unbalanced parenthesis,
    ///   an unterminated string, a bad number, or a list nested deeper than
    ///   ``maximumNesting`` levels.
    /// - Complexity: O(length of text).
    public static func parseAll(_ text: String) throws(SyntaxError) -> [SExpression] {
        if SExpressionReader<UInt8>.isPlain(text) {
            return try readAll(SExpressionReader<UInt8>(Array(text.utf8)))
        }
        return try readAll(SExpressionReader<Character>(Array(text)))
    }

    private static func readAll<Unit>(_ reader: SExpressionReader<Unit>) throws(SyntaxError) -> [SExpression] {
        var reader = reader
        var result: [SExpression] = []
        while let expression = try reader.next() { result.append(expression) }
        return result
    }

    /// The deepest list nesting the reader accepts (a list inside 1,000 lists is
    /// rejected). Reading, checking and evaluating a term recurse once per level, so a
    /// bound keeps hostile or generated text from overflowing the stack; real programs
    /// nest a few dozen levels at most.
    public static let maximumNesting = 1_000

    /// Reads exactly one s-expression.
    ///
    /// - Throws: ``SyntaxError`` when the text holds none, more than one, or bad syntax.
    public static func parse(_ text: String) throws(SyntaxError) -> SExpression {
        if SExpressionReader<UInt8>.isPlain(text) {
            return try readOne(SExpressionReader<UInt8>(Array(text.utf8)))
        }
        return try readOne(SExpressionReader<Character>(Array(text)))
    }

    private static func readOne<Unit>(_ reader: SExpressionReader<Unit>) throws(SyntaxError) -> SExpression {
        var reader = reader
        guard let first = try reader.next() else {
            throw SyntaxError("expected an expression", at: reader.location)
        }
        if let extra = try reader.next() {
            throw SyntaxError("unexpected text after the expression", at: extra.location)
        }
        return first
    }
}

/// One unit the reader steps over: a `Character`, or a byte of plain text (ASCII
/// without carriage returns, where bytes and characters coincide and lines and columns
/// count the same).
protocol SExpressionUnit: Equatable {
    /// The unit of an ASCII byte.
    init(asciiByte: UInt8)
    /// Whether the unit is whitespace (as `Character.isWhitespace`).
    var isWhitespace: Bool { get }
    /// The unit as a character.
    var character: Character { get }
    /// The text of a run of units.
    static func text(_ units: ArraySlice<Self>) -> String
}

extension Character: SExpressionUnit {
    init(asciiByte: UInt8) { self = Character(Unicode.Scalar(asciiByte)) }
    var character: Character { self }
    static func text(_ units: ArraySlice<Character>) -> String { String(units) }
}

extension UInt8: SExpressionUnit {
    init(asciiByte: UInt8) { self = asciiByte }
    var isWhitespace: Bool { self == 32 || (self >= 9 && self <= 13) }
    var character: Character { Character(Unicode.Scalar(self)) }
    static func text(_ units: ArraySlice<UInt8>) -> String { String(decoding: units, as: UTF8.self) }
}

/// A character-level reader that produces one top-level s-expression at a time.
struct SExpressionReader<Unit: SExpressionUnit> {
    private let characters: [Unit]
    private var index = 0
    private var line = 1
    private var column = 1
    /// The number of lists open around the current position.
    private var depth = 0

    init(_ units: [Unit]) { characters = units }

    private static var open: Unit { Unit(asciiByte: UInt8(ascii: "(")) }
    private static var close: Unit { Unit(asciiByte: UInt8(ascii: ")")) }
    private static var semicolon: Unit { Unit(asciiByte: UInt8(ascii: ";")) }
    private static var quote: Unit { Unit(asciiByte: UInt8(ascii: "\"")) }
    private static var backslash: Unit { Unit(asciiByte: UInt8(ascii: "\\")) }
    private static var newline: Unit { Unit(asciiByte: UInt8(ascii: "\n")) }

    /// Whether `text` can be read byte by byte: ASCII without carriage returns.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 && $0 != 13 }
    }

    var location: SourceLocation { SourceLocation(line: line, column: column) }

    mutating func next() throws(SyntaxError) -> SExpression? {
        skipTrivia()
        guard index < characters.count else { return nil }
        if characters[index] == Self.close { throw SyntaxError("unexpected ')'", at: location) }
        return try readExpression()
    }

    private mutating func advance() {
        if characters[index] == Self.newline {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func skipTrivia() {
        while index < characters.count {
            let c = characters[index]
            if c == Self.semicolon {
                while index < characters.count && characters[index] != Self.newline { advance() }
            } else if c.isWhitespace {
                advance()
            } else {
                return
            }
        }
    }

    private mutating func readExpression() throws(SyntaxError) -> SExpression {
        let start = location
        let c = characters[index]
        if c == Self.open {
            guard depth < SExpression.maximumNesting else {
                throw SyntaxError("lists nested deeper than \(SExpression.maximumNesting) levels", at: start)
            }
            depth += 1
            defer { depth -= 1 }
            advance()
            var items: [SExpression] = []
            while true {
                skipTrivia()
                guard index < characters.count else {
                    throw SyntaxError("unbalanced '(': missing ')'", at: start)
                }
                if characters[index] == Self.close {
                    advance()
                    return .list(items, start)
                }
                items.append(try readExpression())
            }
        }
        if c == Self.quote { return try readString(start) }
        let first = index
        while index < characters.count {
            let d = characters[index]
            if d.isWhitespace || d == Self.open || d == Self.close || d == Self.semicolon || d == Self.quote { break }
            advance()
        }
        return try classify(Unit.text(characters[first..<index]), at: start)
    }

    private mutating func readString(_ start: SourceLocation) throws(SyntaxError) -> SExpression {
        advance()
        var value = ""
        while index < characters.count {
            let c = characters[index]
            if c == Self.quote {
                advance()
                return .string(value, start)
            }
            if c == Self.backslash {
                advance()
                guard index < characters.count else { break }
                switch characters[index].character {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "\"": value.append("\"")
                case "\\": value.append("\\")
                default:
                    throw SyntaxError("unknown escape '\\\(characters[index].character)'", at: location)
                }
                advance()
                continue
            }
            value.append(c.character)
            advance()
        }
        throw SyntaxError("unterminated string", at: start)
    }

    private func classify(_ token: String, at start: SourceLocation) throws(SyntaxError) -> SExpression {
        guard let first = token.first else { throw SyntaxError("empty token", at: start) }
        let numeric = first.isNumber
            || ((first == "-" || first == "+") && token.count > 1 && token.dropFirst().first!.isNumber)
        if numeric {
            if let value = Int64(token) { return .int(value, start) }
            if let value = Double(token), value.isFinite { return .float(value, start) }
            throw SyntaxError("bad number '\(token)'", at: start)
        }
        switch token {
        case "inf", "+inf": return .float(.infinity, start)
        case "-inf": return .float(-.infinity, start)
        case "NaN": return .float(.nan, start)
        default: return .symbol(token, start)
        }
    }
}
