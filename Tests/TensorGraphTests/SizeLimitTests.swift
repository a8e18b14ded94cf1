import Testing
import TensorGraph

/// Sizes that would overflow are errors, not traps.
@Suite struct SizeLimitTests {
    @Test func hugeShapesAreRejected() {
        var g = Graph()
        let e = BuilderTests.error { _ = try g.input("x", shape: [1 << 40, 1 << 40]) }
        #expect(e?.kind == .outputType && e?.field == "shape")
    }

    @Test func hugeParametersAreRejected() throws {
        var g = Graph()
        let x = try g.input("x", shape: [3 * 8 * 8])
        let w = try g.parameter("w", shape: [27])
        let geometry = Conv2dGeometry(inChannels: 3, inH: 8, inW: 8, outChannels: Int.max / 2, kernelH: 3,
                                      kernelW: 3)
        let e = BuilderTests.error { _ = try g.conv2d(x, w, geometry) }
        #expect(e?.kind == .parameter && e?.field == "out_channels")
        let big = Conv2dGeometry(inChannels: 3, inH: 8, inW: 8, outChannels: 1 << 30, kernelH: 3, kernelW: 3)
        #expect(BuilderTests.error { _ = try g.conv2d(x, w, big) }?.kind != nil)
    }

    @Test func hugeShapesInAFileAreAFieldError() {
        let text = JSONReadingRuleTests.breaking(#""shape": [8], "#, with: #""shape": [4294967296, 4294967296], "#)
        do {
            _ = try Graph(jsonString: text)
            Issue.record("accepted a 2^64-element shape")
        } catch {
            #expect(error.kind == .mistypedField && error.node == 1 && error.field == "shape")
        }
    }
}
