import Testing
@testable import TensorGraph

/// The f32 formatter writes the texts the format's files use, and every text reads
/// back to the same f32.
@Suite struct ShortestFloatTests {
    /// (bit pattern, the format's text for that f32).
    static let rustReference: [(UInt32, String)] = [
        (0x3727_C5AC, "1e-5"), (0x3880_0000, "6.1035156e-5"), (0x3A23_D70A, "0.000625"),
        (0x3A2E_C33E, "0.00066666666"), (0x461C_4000, "10000.0"), (0x3F80_0000, "1.0"),
        (0x0000_0000, "0.0"), (0x8000_0000, "-0.0"), (0x3FD9_DB23, "1.702"), (0x5A0E_1BCA, "1e16"),
        (0x6102_1AB1, "1.5e20"), (0x4CEB_79A3, "123456790.0"), (0x38D1_B717, "0.0001"),
        (0x3DCC_CCCD, "0.1"), (0x3EAA_AAAB, "0.33333334"), (0x38D1_B716, "9.999999e-5"),
        (0x0080_0000, "1.1754944e-38"), (0x0000_0001, "1e-45"), (0x7F7F_FFFF, "3.4028235e38"),
        (0xEEB9_026E, "-2.8628832e28"), (0xCE91_E590, "-1223870500.0"), (0x050C_368D, "6.592788e-36"),
        (0xA9D3_4942, "-9.3829905e-14"), (0xC49B_D63B, "-1246.6947"), (0x419F_F7CF, "19.996"),
        // Exact ties between two shortest candidates: the one away from zero.
        (0xCA34_0F95, "-2950117.3"), (0x4847_3468, "203985.63"), (0xC846_D768, "-203613.63"),
        (0x4888_F544, "280490.13"), (0xC868_CFC8, "-238399.13"),
    ]

    @Test func matchesTheFormatsTexts() {
        for (bits, expected) in Self.rustReference {
            #expect(ShortestFloat.format(Float(bitPattern: bits)) == expected, "bits \(String(bits, radix: 16))")
        }
    }

    @Test func plainNotationBetween1e4And1e16() {
        #expect(ShortestFloat.format(1e-4) == "0.0001")
        #expect(ShortestFloat.format(1234.5) == "1234.5")
        #expect(ShortestFloat.format(-2.0) == "-2.0")
        #expect(ShortestFloat.format(1e15) == "1000000000000000.0")
        #expect(ShortestFloat.format(3e-7) == "3e-7")
    }

    @Test func everyTextReadsBackToTheSameFloat() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        var checked = 0
        while checked < 20_000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: state >> 20))
            guard value.isFinite else { continue }
            let text = ShortestFloat.format(value)
            #expect(Float(text)?.bitPattern == value.bitPattern, "\(text) for \(value)")
            checked += 1
        }
    }
}
