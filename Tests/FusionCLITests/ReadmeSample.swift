import Fusion
import TensorGraph

// The README's "Using the library from Swift" sample, verbatim between the markers;
// ReadmeSampleTests checks that the README still shows exactly this code and runs it.

// README sample begin
/// y = relu(x·W1 + b1)·W2 + b2, optimized: the e-graph fuses each MatMul+Add into one kernel.
func optimizeMLP() throws -> (Graph, OptimizeReport) {
    var graph = Graph()
    let x = try graph.input("x", shape: [32, 256])
    let w1 = try graph.parameter("w1", shape: [256, 512])
    let b1 = try graph.parameter("b1", shape: [32, 512])
    let w2 = try graph.parameter("w2", shape: [512, 10])
    let b2 = try graph.parameter("b2", shape: [32, 10])
    let h = try graph.relu(graph.add(graph.matmul(x, w1), b1))
    let y = try graph.add(graph.matmul(h, w2), b2)
    try graph.setOutputs([y])

    let (optimized, report) = try Fusion.optimize(graph)
    print(report)              // the report text: rules fired, fusions, timings, cost
    for fusion in report.fusions {
        print(fusion)          // MatMul+Add→FusedMatMulAdd @node6, then @node9
    }
    return (optimized, report)
}

/// A built-in model for inference, written back as tensor-graph JSON.
func optimizeSmolLM2(writingTo path: String) throws -> OptimizeReport {
    let model = try ModelName.smollm2_135m.build(sequenceLength: 64)
    var options = OptimizeOptions()
    options.mode = .inference
    let (optimized, report) = try Fusion.optimize(model, options: options)
    try optimized.write(toFile: path)
    let reread = try Graph(contentsOfFile: path)
    assert(reread == optimized)
    return report
}
// README sample end
