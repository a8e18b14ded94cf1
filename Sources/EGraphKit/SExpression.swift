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
    ///   an unterminated string or a bad number.
    /// - Complexity: O(length of text).
    public static func parseAll(_ text: String) throws(SyntaxError) -> [SExpression] {
        var reader = SExpressionReader(text)
        var result: [SExpression] = []
        while let expression = try reader.next() { result.append(expression) }
        return result
    }

    /// Reads exactly one s-expression.
    ///
    /// - Throws: ``SyntaxError`` when the text holds none, more than one, or bad syntax.
    public static func parse(_ text: String) throws(SyntaxError) -> SExpression {
        var reader = SExpressionReader(text)
        guard let first = try reader.next() else {
            throw SyntaxError("expected an expression", at: reader.location)
        }
        if let extra = try reader.next() {
            throw SyntaxError("unexpected text after the expression", at: extra.location)
        }
        return first
    }
}

/// A character-level reader that produces one top-level s-expression at a time.
struct SExpressionReader {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ text: String) { characters = Array(text) }

    var location: SourceLocation { SourceLocation(line: line, column: column) }

    mutating func next() throws(SyntaxError) -> SExpression? {
        skipTrivia()
        guard index < characters.count else { return nil }
        if characters[index] == ")" { throw SyntaxError("unexpected ')'", at: location) }
        return try readExpression()
    }

    private mutating func advance() {
        if characters[index] == "\n" {
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
            if c == ";" {
                while index < characters.count && characters[index] != "\n" { advance() }
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
        if c == "(" {
            advance()
            var items: [SExpression] = []
            while true {
                skipTrivia()
                guard index < characters.count else {
                    throw SyntaxError("unbalanced '(': missing ')'", at: start)
                }
                if characters[index] == ")" {
                    advance()
                    return .list(items, start)
                }
                items.append(try readExpression())
            }
        }
        if c == "\"" { return try readString(start) }
        var token = ""
        while index < characters.count {
            let d = characters[index]
            if d.isWhitespace || d == "(" || d == ")" || d == ";" || d == "\"" { break }
            token.append(d)
            advance()
        }
        return try classify(token, at: start)
    }

    private mutating func readString(_ start: SourceLocation) throws(SyntaxError) -> SExpression {
        advance()
        var value = ""
        while index < characters.count {
            let c = characters[index]
            if c == "\"" {
                advance()
                return .string(value, start)
            }
            if c == "\\" {
                advance()
                guard index < characters.count else { break }
                switch characters[index] {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "\"": value.append("\"")
                case "\\": value.append("\\")
                default:
                    throw SyntaxError("unknown escape '\\\(characters[index])'", at: location)
                }
                advance()
                continue
            }
            value.append(c)
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
