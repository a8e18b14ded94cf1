import Testing
import TensorGraph

/// DOT export: op, parameters and shape per node; outputs marked; Nops dimmed.
@Suite struct DOTExportTests {
    static func graph() throws -> Graph {
        var g = Graph()
        let x = try g.input("x", shape: [4, 8])
        let w = try g.parameter("w", shape: [8])
        let n = try g.rmsNorm(x, w, eps: 1e-5)
        let dead = try g.relu(n)
        let r = try g.rope(n, theta: 10000, headDim: 4)
        try g.setOutputs([r])
        g.makeNop(dead)
        return g
    }

    @Test func labelsCarryOpParametersAndShape() throws {
        let dot = try Self.graph().dot()
        #expect(dot.hasPrefix("digraph tensor_graph {\n"))
        #expect(dot.hasSuffix("}\n"))
        #expect(dot.contains(#"n2 [label="2: RmsNorm\neps=1e-5\nf32 [4, 8]""#))
        #expect(dot.contains(#"n0 [label="0: Input\nname=x\nf32 [4, 8]""#))
        #expect(dot.contains(#"theta=10000.0\npos_offset=0\nhead_dim=4"#))
    }

    @Test func edgesFollowInputs() throws {
        let dot = try Self.graph().dot()
        #expect(dot.contains("  n0 -> n2;\n  n1 -> n2;\n"))
        #expect(dot.contains("  n2 -> n4;\n"))
    }

    @Test func outputsAreMarkedAndNopsDimmed() throws {
        let dot = try Self.graph().dot()
        let lines = dot.split(separator: "\n")
        let output = try #require(lines.first { $0.hasPrefix("  n4 [") })
        #expect(output.contains("output 0"))
        #expect(output.contains("peripheries=2"))
        let nop = try #require(lines.first { $0.hasPrefix("  n3 [") })
        #expect(nop.contains("3: Nop"))
        #expect(nop.contains("style=dashed"))
        #expect(nop.contains("gray"))
        #expect(dot.contains("  n2 -> n3 [style=dashed, color=gray60];"))
        let plain = try #require(lines.first { $0.hasPrefix("  n2 [") })
        #expect(!plain.contains("peripheries") && !plain.contains("dashed"))
    }

    @Test func namesAreEscaped() throws {
        var g = Graph()
        let x = try g.input(#"a "quoted" \ name"#, shape: [1])
        try g.setOutputs([x])
        let dot = g.dot(name: "my graph")
        #expect(dot.hasPrefix(#"digraph "my graph" {"#))
        #expect(dot.contains(#"name=a \"quoted\" \\ name"#))
    }
}
