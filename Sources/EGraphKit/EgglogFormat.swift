/// How egglog writes literal values, so that our output matches its output exactly.
enum EgglogFormat {
    /// Formats a float the way egglog prints an `f64`: the shortest digits that read back
    /// to the same value, never in exponent notation, with `.0` appended when the value is
    /// a whole number that fits in an `i64`; `NaN`, `inf` and `-inf` for the others.
    ///
    /// Examples: `1.5`, `-0.0`, `0.0000001`, `10000000000000000.0`,
    /// `100000000000000000000` (too large for an `i64`, so no `.0`).
    static func float(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        var text = plainDecimal(value)
        // A whole number that survives a round trip through Int64 gets ".0".
        if value >= -9.223372036854775808e18, value < 9.223372036854775808e18,
           Double(Int64(value)) == value {
            text += ".0"
        }
        return text
    }

    /// The shortest round-trip digits of `value`, written out without an exponent and
    /// without a trailing `.0` (what Rust's `Display` for `f64` prints).
    static func plainDecimal(_ value: Double) -> String {
        let negative = value.sign == .minus
        var description = Array(String(describing: value.magnitude).utf8)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            exponent = Int(String(decoding: description[(e + 1)...], as: UTF8.self)) ?? 0
            description.removeSubrange(e...)
        }
        var digits: [UInt8] = []
        var pointPosition = description.count
        for (i, c) in description.enumerated() {
            if c == UInt8(ascii: ".") { pointPosition = i } else { digits.append(c) }
        }
        if pointPosition > digits.count { pointPosition = digits.count }
        pointPosition += exponent
        var integerPart: [UInt8]
        var fractionPart: [UInt8]
        if pointPosition <= 0 {
            integerPart = [UInt8(ascii: "0")]
            fractionPart = Array(repeating: UInt8(ascii: "0"), count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            integerPart = digits + Array(repeating: UInt8(ascii: "0"), count: pointPosition - digits.count)
            fractionPart = []
        } else {
            integerPart = Array(digits[..<pointPosition])
            fractionPart = Array(digits[pointPosition...])
        }
        while fractionPart.last == UInt8(ascii: "0") { fractionPart.removeLast() }
        while integerPart.count > 1, integerPart.first == UInt8(ascii: "0") { integerPart.removeFirst() }
        var out = negative ? "-" : ""
        out += String(decoding: integerPart, as: UTF8.self)
        if !fractionPart.isEmpty { out += "." + String(decoding: fractionPart, as: UTF8.self) }
        return out
    }

    /// A string literal as egglog prints it: between double quotes, not escaped.
    static func string(_ value: String) -> String { "\"" + value + "\"" }
}

extension EgglogFormat {
    /// A literal as egglog prints it.
    static func literal(_ literal: Literal) -> String {
        switch literal {
        case .int(let v): return String(v)
        case .float(let v): return float(v)
        case .string(let v): return string(v)
        }
    }

    /// The label of one e-node as egglog prints an application: `(Name args…)`, with the
    /// literals decoded from the payload and `children` in the child positions.
    static func application(_ op: OperatorID, payload: UInt64, children: [String],
                            operators: OperatorTable) -> String {
        operators.format(op, payload: payload, children: children, literal: literal)
    }
}
