import Testing
import TensorGraph

/// `toposort()`: Kahn's algorithm with a FIFO queue seeded in id order, Nops dropped,
/// ids renumbered, outputs remapped.
@Suite struct ToposortTests {
    static let trainingSlugs = Fixtures.graphFiles
        .filter { $0.hasSuffix(".full.json") }
        .map { String($0.dropLast(".full.json".count)) }

    /// The reference pipeline's `<slug>.full.json` starts with
    /// `toposort(<slug>.optimized.json)` (autodiff appends the backward pass).
    @Test(arguments: trainingSlugs)
    func matchesTheReferenceToposortOfTheOptimizedForwardGraph(slug: String) throws {
        let optimized = try Graph(contentsOfFile: Fixtures.path("\(slug).optimized.json"))
        let full = try Graph(contentsOfFile: Fixtures.path("\(slug).full.json"))
        let sorted = try optimized.toposort()
        #expect(sorted.count == optimized.activeCount)
        #expect(sorted.nodes.allSatisfy { !$0.isNop })
        try #require(sorted.count <= full.count)
        for (mine, reference) in zip(sorted.nodes, full.nodes) where mine != reference {
            Issue.record("node \(mine.id): \(mine) != \(reference)")
            break
        }
        #expect(sorted.derivedParams == optimized.derivedParams)
        #expect(full.derivedParams == optimized.derivedParams)
        // The forward loss is the full graph's first output.
        #expect(sorted.outputs.first == full.outputs.first)
        try sorted.validate()
    }

    @Test func fifoOrderIsSeededByIDAndOutputsAreRemapped() throws {
        var g = Graph()
        let a = try g.input("a", shape: [2, 2])        // 0
        let b = try g.input("b", shape: [2, 2])        // 1
        let s = try g.add(a, b)                        // 2
        let dead = try g.relu(s)                       // 3, becomes Nop
        let c = try g.input("c", shape: [2, 2])        // 4
        let m = try g.mul(s, c)                        // 5
        try g.setOutputs([m, s], paramGradOutputs: 1)
        g.makeNop(dead)
        // Make node 1 depend on node 6 (appended later): the order is no longer by id.
        let late = try g.input("late", shape: [2, 2])  // 6
        g.replaceNode(b, op: .neg, inputs: [late], type: .f32([2, 2]))

        let sorted = try g.toposort()
        // Seeds in id order: 0, 4, 6; then 1 (after 6), then 2, then 5.
        #expect(sorted.nodes.map(\.op.name) == ["Input", "Input", "Input", "Neg", "Add", "Mul"])
        #expect(sorted.nodes.map(\.op.leafName) == ["a", "c", "late", nil, nil, nil])
        #expect(sorted[3].inputs == [2])
        #expect(sorted[4].inputs == [0, 3])
        #expect(sorted[5].inputs == [4, 1])
        #expect(sorted.outputs == [5, 4])
        #expect(sorted.paramGradOutputs == 1)
        try sorted.validate()
    }

    @Test func aNopOutputIsAnErrorNotACrash() throws {
        var g = Graph()
        let x = try g.input("x", shape: [1])
        let y = try g.neg(x)
        try g.setOutputs([y])
        g.makeNop(y)
        #expect {
            try g.toposort()
        } throws: { error in
            let error = error as? GraphError
            return error?.kind == .outputIsNop && error?.node == y && error?.field == "outputs"
        }
    }

    @Test func aCycleIsAnError() throws {
        var g = Graph()
        let x = try g.input("x", shape: [1])
        let a = try g.neg(x)
        let b = try g.neg(a)
        g.replaceNode(a, op: .neg, inputs: [b], type: .f32([1]))
        try g.setOutputs([b])
        #expect {
            try g.toposort()
        } throws: { error in
            let error = error as? GraphError
            return error?.kind == .cycle && error?.node == a
        }
    }

    @Test func fwdNodeIsRemapped() throws {
        var g = Graph()
        let unused = try g.input("unused", shape: [1])
        g.makeNop(unused)
        let q = try g.input("q", shape: [4, 8])
        let k = try g.input("k", shape: [4, 8])
        let v = try g.input("v", shape: [4, 8])
        let attention = try g.multiHeadAttn(q, k, v, numHeads: 2, numKVHeads: 2, headDim: 4, isCross: false)
        let dq = try g.multiHeadAttnGradQ(attention, q, k, v, fwdNode: attention, numHeads: 2, numKVHeads: 2,
                                          headDim: 4, isCross: false)
        try g.setOutputs([dq])
        let sorted = try g.toposort()
        guard case .multiHeadAttnGradQ(let fwd, _, _) = sorted[sorted.outputs[0]].op else {
            Issue.record("the output is not the gradient node")
            return
        }
        #expect(fwd.index == attention.index - 1)
        #expect(sorted[fwd].op.name == "MultiHeadAttn")
    }
}
