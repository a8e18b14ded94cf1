import Testing
import TensorGraph
@testable import Fusion

@Test func scratchDebug() throws {
    let g = try FixtureCases.graph("smolvla-base-training.full.json")
    let (o, _) = try Fusion.optimize(g)
    try o.write(toFile: "/tmp/dbg/mine.json")
}
