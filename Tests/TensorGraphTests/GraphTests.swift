import Testing
import TensorGraph

/// Outputs, consumer counts and raw editing of a `Graph`.
@Suite struct GraphTests {
    @Test func outputsSplitIntoUserAndGradientOutputs() throws {
        var g = Graph()
        let w = try g.parameter("w", shape: [2])
        let x = try g.input("x", shape: [2])
        let loss = try g.sumAll(try g.mul(w, x))
        let grad = try g.neg(x)
        try g.setOutputs([loss, grad], paramGradOutputs: 1)
        #expect(Array(g.userOutputs) == [loss])
        #expect(Array(g.gradientOutputs) == [grad])
        #expect(g.isOutput(loss) && g.isOutput(grad) && !g.isOutput(w))
    }

    @Test func setOutputsRejectsBadIDsAndCounts() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2])
        #expect(throws: GraphError.self) { try g.setOutputs([x, NodeID(3)]) }
        do {
            try g.setOutputs([x], paramGradOutputs: 2)
            Issue.record("accepted param_grad_outputs > outputs")
        } catch {
            #expect(error.kind == .paramGradOutputs && error.field == "param_grad_outputs")
        }
        #expect(g.outputs.isEmpty, "a rejected call changes nothing")
    }

    @Test func consumerCountsCountConsumersNotSlotsAndIgnoreNops() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2])
        let square = try g.mul(x, x)          // one consumer of x, two slots
        let a = try g.neg(square)
        let b = try g.relu(square)
        let dead = try g.abs(a)
        g.makeNop(dead)                       // a Nop consumer does not count
        try g.setOutputs([b])
        let counts = g.consumerCounts()
        #expect(counts[x.index] == 1)
        #expect(counts[square.index] == 2)
        #expect(counts[a.index] == 0)
        #expect(g.consumers()[square.index] == [a, b])
        #expect(g.consumers()[x.index] == [square])
        #expect(g.activeCount == 4)
        #expect(g.count == 5)
    }

    @Test func rawEditingKeepsIDsAndNopsKeepTheirInputs() throws {
        var g = Graph()
        let a = try g.input("a", shape: [4, 8])
        let b = try g.parameter("b", shape: [8, 4])
        let d = try g.input("d", shape: [4, 4])
        let mm = try g.matmul(a, b)
        let sum = try g.add(mm, d)
        g.replaceNode(sum, op: .fusedMatMulAdd, inputs: [a, b, d], type: g[sum].type)
        g.makeNop(mm)
        #expect(g[mm].op == .nop && g[mm].inputs == [a, b] && g[mm].type == .f32([4, 4]))
        #expect(g[sum].id == sum)
        try g.setOutputs([sum])
        try g.validate()
        let appended = g.addRawNode(op: .relu, inputs: [sum], type: .f32([4, 4]))
        #expect(appended == NodeID(5))
        #expect(g.parameterNode(named: "b") == b)
        #expect(g.parameterNode(named: "a") == nil)
    }

    @Test func validateFindsAWrongDeclaredType() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let y = g.addRawNode(op: .transpose, inputs: [x], type: .f32([4, 8]))
        try g.setOutputs([y])
        do {
            try g.validate()
            Issue.record("accepted a wrong declared shape")
        } catch {
            #expect(error.kind == .outputType && error.node == y && error.op == "Transpose" && error.field == "shape")
        }
    }

    @Test func validateFindsAWrongArity() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let y = g.addRawNode(op: .add, inputs: [x], type: .f32([4, 8]))
        do {
            try g.validate()
            Issue.record("accepted Add with one input")
        } catch {
            #expect(error.kind == .arity && error.node == y && error.field == "inputs")
        }
    }

    @Test func validateFindsAnInputTypeError() throws {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let w = try g.parameter("w", shape: [8])
        let n = try g.rmsNorm(x, w, eps: 1e-5)
        g.replaceNode(n, op: .rmsNorm(eps: 1e-5), inputs: [x, x], type: .f32([4, 8]))
        do {
            try g.validate()
            Issue.record("accepted RmsNorm with a matrix weight")
        } catch {
            #expect(error.kind == .inputType && error.node == n && error.input == 1 && error.inputNode == x)
        }
    }

    @Test func validateFindsACycleAndABadFwdNode() throws {
        var g = Graph()
        let x = try g.input("x", shape: [2])
        let a = try g.neg(x)
        let b = try g.neg(a)
        g.replaceNode(a, op: .neg, inputs: [b], type: .f32([2]))
        do {
            try g.validate()
            Issue.record("accepted a cycle")
        } catch {
            #expect(error.kind == .cycle && error.node == a)
        }

        var h = Graph()
        let q = try h.input("q", shape: [2, 4])
        let dq = h.addRawNode(op: .multiHeadAttnGradQ(fwdNode: NodeID(99), AttentionHeads(numHeads: 1, numKVHeads: 1,
                                                                                           headDim: 4),
                                                      isCross: false),
                              inputs: [q, q, q, q], type: .f32([2, 4]))
        do {
            try h.validate()
            Issue.record("accepted fwd_node out of range")
        } catch {
            #expect(error.node == dq && error.field == "fwd_node")
        }
    }
}
