import Testing
@testable import EGraphKit

@Suite("egglog literal printing")
struct EgglogFormatTests {
    /// Each pair is what egglog 13 prints for `(extract (F value))`, checked by running
    /// egglog from PyPI.
    @Test("floats print as egglog prints f64", arguments: [
        (1.5, "1.5"), (-0.0, "-0.0"), (1e-7, "0.0000001"), (123456789.125, "123456789.125"),
        (1e16, "10000000000000000.0"), (1e15, "1000000000000000.0"), (-3.0, "-3.0"),
        (0.1, "0.1"), (1e20, "100000000000000000000"), (9e18, "9000000000000000000.0"),
        (-9.3e18, "-9300000000000000000"), (Double.infinity, "inf"), (-Double.infinity, "-inf"),
        (1000.0, "1000.0"), (0.5, "0.5"),
    ])
    func floats(value: Double, expected: String) {
        #expect(EgglogFormat.float(value) == expected)
    }

    @Test("NaN prints as NaN; strings print quoted and unescaped")
    func others() {
        #expect(EgglogFormat.float(.nan) == "NaN")
        #expect(EgglogFormat.string("a\"b") == "\"a\"b\"")
    }
}
