/// Formats f32 values the way the tensor-graph format writes them: the shortest
/// decimal that reads back to the same f32, in plain notation (`1.0`, `0.000625`,
/// `10000.0`) when 1e-4 ≤ |v| < 1e16 or v is zero, else in exponent notation without
/// `+` or leading zeros (`1e-5`, `6.1035156e-5`, `1e16`). Swift's `description` picks
/// the same digits but lays them out differently (`1e-05`), and when the value lies
/// exactly halfway between two shortest candidates it takes the even one (`203985.62`)
/// where the format takes the one away from zero (`203985.63`), so ties are settled
/// here.
enum ShortestFloat {
    /// The text of a finite `value`.
    ///
    /// - Precondition: `value.isFinite`.
    static func format(_ value: Float) -> String {
        precondition(value.isFinite, "non-finite floats have no JSON form")
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, exponent) = decompose(value)
        let magnitude = Swift.abs(value)
        var text = negative ? "-" : ""
        if magnitude < 1e-4 || magnitude >= 1e16 {
            text.append(digits[digits.startIndex])
            if digits.count > 1 {
                text.append(".")
                text.append(contentsOf: digits.dropFirst())
            }
            text.append("e")
            text.append(String(exponent))
        } else if exponent >= 0 {
            // value = d.ddd × 10^exponent
            let integerDigits = exponent + 1
            if digits.count <= integerDigits {
                text.append(contentsOf: digits)
                text.append(String(repeating: "0", count: integerDigits - digits.count))
                text.append(".0")
            } else {
                text.append(contentsOf: digits.prefix(integerDigits))
                text.append(".")
                text.append(contentsOf: digits.dropFirst(integerDigits))
            }
        } else {
            text.append("0.")
            text.append(String(repeating: "0", count: -exponent - 1))
            text.append(contentsOf: digits)
        }
        return text
    }

    /// Splits Swift's shortest round-trip text of a finite non-zero `value` into sign,
    /// significant digits (no leading or trailing zeros) and the decimal exponent of
    /// the first digit (value = d.ddd × 10^exponent).
    static func decompose(_ value: Float) -> (negative: Bool, digits: String, exponent: Int) {
        var text = Substring(value.description)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = text[..<e]
        }
        let integerPart: Substring
        let fractionPart: Substring
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fractionPart = text[text.index(after: dot)...]
        } else {
            integerPart = text
            fractionPart = ""
        }
        var all = String(integerPart) + String(fractionPart)
        // Position of the decimal point relative to `all`'s start.
        var pointPosition = integerPart.count + exponent
        while all.first == "0" {
            all.removeFirst()
            pointPosition -= 1
        }
        while all.last == "0" { all.removeLast() }
        var exponent10 = pointPosition - 1
        // An exact tie that Swift settled downwards: take the upper candidate.
        if let (exact, exactExponent) = exactDecimal(value), let shortest = UInt64(all) {
            let exactDigits = String(exact).count
            if exactDigits == all.count + 1, exact % 10 == 5, exact / 10 == shortest,
               exactExponent + exactDigits - 1 == exponent10
            {
                let up = String(shortest + 1)
                if up.count > all.count { exponent10 += 1 }
                all = up
                while all.last == "0" { all.removeLast() }
            }
        }
        return (negative, all, exponent10)
    }

    /// |value| exactly as `significand × 10^exponent` with no trailing zeros in the
    /// significand, when that significand fits in 64 bits (every tie between two
    /// shortest candidates has at most 10 significant digits, so it fits); else `nil`.
    static func exactDecimal(_ value: Float) -> (significand: UInt64, exponent: Int)? {
        let bits = value.bitPattern & 0x7FFF_FFFF
        let biased = Int(bits >> 23)
        var m = UInt64(bits & 0x7F_FFFF)
        var e: Int
        if biased == 0 { e = -149 } else { m |= 0x80_0000; e = biased - 150 }
        guard m != 0 else { return nil }
        while m & 1 == 0 { m >>= 1; e += 1 }
        var significand: UInt64
        var exponent = 0
        if e >= 0 {
            guard e <= 39 else { return nil }
            significand = m << UInt64(e)
        } else {
            // m·2^e = m·5^k / 10^k with k = -e; m is odd, so m·5^k has no factor 10.
            let k = -e
            guard k <= 17 else { return nil }
            var power: UInt64 = 1
            for _ in 0..<k { power *= 5 }
            significand = m * power
            exponent = e
        }
        while significand % 10 == 0 { significand /= 10; exponent += 1 }
        return (significand, exponent)
    }
}
