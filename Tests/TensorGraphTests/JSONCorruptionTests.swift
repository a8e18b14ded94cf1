import Testing
import TensorGraph

/// Damaged files are rejected with a typed error or read as a valid graph, never a trap;
/// what is read writes back and reads again to the same graph.
@Suite struct JSONCorruptionTests {
    @Test func randomEditsNeverCrashTheReader() throws {
        let original = try Fixtures.bytes("smollm2-small-test-training.full.optimized.json")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state >> 1)
        }
        let alphabet = Array(#"{}[],:"0123456789-.eE truefalsnl\u"#.utf8)
        var accepted = 0
        var rejected = 0
        for _ in 0..<1000 {
            var bytes = original
            for _ in 0..<(1 + next() % 4) {
                let position = next() % bytes.count
                switch next() % 4 {
                case 0: bytes[position] = alphabet[next() % alphabet.count]
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(alphabet[next() % alphabet.count], at: position)
                default: bytes = Array(bytes[..<position])
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            let graph: Graph
            do {
                graph = try Graph(json: bytes)
            } catch {
                rejected += 1
                #expect(error.line >= 1 && error.column >= 1)
                continue
            }
            accepted += 1
            #expect(try Graph(json: graph.jsonBytes()) == graph)
        }
        #expect(accepted + rejected == 1000)
        #expect(rejected > 0)
    }
}
