import Foundation
import Testing
@testable import TensorGraph

/// Every fixture graph reads, validates and writes back byte for byte.
@Suite struct FixtureRoundTripTests {
    @Test func fixtureFolderHoldsTheGraphs() {
        // 12 configurations: 12 forward, 12 optimized, 2 inference-passes, 8 full,
        // 8 full.optimized graph files.
        #expect(Fixtures.graphFiles.count == 42)
    }

    @Test(arguments: Fixtures.graphFiles)
    func readsValidatesAndWritesBackIdentically(file: String) throws {
        let original = try Fixtures.bytes(file)
        let graph = try Graph(json: original, file: file)
        try graph.validate()
        let written = try graph.jsonBytes()
        if written != original {
            let a = String(decoding: original, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let b = String(decoding: written, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("\(file) differs at line \(line + 1):\n  fixture: \(line < a.count ? a[line] : "<end>")\n  written: \(line < b.count ? b[line] : "<end>")")
        }
        let reread = try Graph(json: written)
        #expect(reread == graph)
    }
}
