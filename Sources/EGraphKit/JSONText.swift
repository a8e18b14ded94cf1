/// Minimal JSON text helpers (deterministic key order is kept by writing text directly).
enum JSONText {
    /// A finite number as JSON (`1.0`, `2.5`); non-finite values become `null`.
    static func number(_ value: Double) -> String {
        value.isFinite ? String(value) : "null"
    }

    /// `value` as a JSON string literal.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
