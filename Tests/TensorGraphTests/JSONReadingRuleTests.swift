import Foundation
import Testing
import TensorGraph

/// One test per reading rule of the tensor-graph format: each breaks one rule in an
/// otherwise valid file and checks that the error names the node, the field and the
/// line:column of the offending text.
@Suite struct JSONReadingRuleTests {
    static let valid = """
        {
          "format": "tensor-graph",
          "version": 1,
          "nodes": [
            {"id": 0, "op": "Input", "name": "x", "dtype": "f32", "shape": [4, 8], "inputs": []},
            {"id": 1, "op": "Parameter", "name": "w", "dtype": "f32", "shape": [8], "inputs": []},
            {"id": 2, "op": "RmsNorm", "eps": 1e-5, "dtype": "f32", "shape": [4, 8], "inputs": [0, 1]},
            {"id": 3, "op": "Constant", "fill": 0.5, "dtype": "f32", "shape": [4, 8], "inputs": []},
            {"id": 4, "op": "Add", "dtype": "f32", "shape": [4, 8], "inputs": [2, 3]}
          ],
          "outputs": [4],
          "param_grad_outputs": 0,
          "derived_params": []
        }

        """

    /// `valid` with `old` (which must occur once) replaced by `new`.
    static func breaking(_ old: String, with new: String) -> String {
        precondition(valid.components(separatedBy: old).count == 2, "\(old) must occur once")
        return valid.replacingOccurrences(of: old, with: new)
    }

    /// 1-based line and column of the first occurrence of `needle` in `text`.
    static func position(of needle: String, in text: String) -> (line: Int, column: Int) {
        let prefix = text.components(separatedBy: needle)[0]
        let lines = prefix.components(separatedBy: "\n")
        return (lines.count, lines.last!.utf8.count + 1)
    }

    /// Reads `text`, which must fail, and returns the error.
    static func failure(_ text: String) -> GraphFormatError? {
        do {
            _ = try Graph(jsonString: text, file: "graph.json")
            return nil
        } catch {
            return error
        }
    }

    static func expect(_ error: GraphFormatError?, _ kind: GraphFormatError.Kind, node: Int?, field: String?,
                       at needle: String, in text: String, sourceLocation: SourceLocation = #_sourceLocation)
    {
        guard let error else {
            Issue.record("the file was accepted", sourceLocation: sourceLocation)
            return
        }
        let (line, column) = position(of: needle, in: text)
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.node == node, "\(error)", sourceLocation: sourceLocation)
        #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
        #expect(error.file == "graph.json", sourceLocation: sourceLocation)
        #expect(error.line == line && error.column == column,
                "expected \(line):\(column), got \(error.line):\(error.column): \(error)",
                sourceLocation: sourceLocation)
        let description = error.description
        #expect(description.hasPrefix("graph.json:\(line):\(column): "), sourceLocation: sourceLocation)
        if let node { #expect(description.contains("node \(node)"), sourceLocation: sourceLocation) }
        if let field { #expect(description.contains(field), sourceLocation: sourceLocation) }
    }

    @Test func theValidFileReads() throws {
        let graph = try Graph(jsonString: Self.valid)
        #expect(graph.count == 5)
        #expect(graph[4].op == .add)
        #expect(graph[2].op == .rmsNorm(eps: 1e-5))
        #expect(graph[3].op == .constant(.fill(0.5)))
        #expect(graph.outputs == [4])
    }

    @Test func unknownOp() {
        let text = Self.breaking(#""op": "Add""#, with: #""op": "Plus""#)
        Self.expect(Self.failure(text), .unknownOp, node: 4, field: "op", at: #""Plus""#, in: text)
    }

    @Test func missingParameter() {
        let text = Self.breaking(#""eps": 1e-5, "#, with: "")
        Self.expect(Self.failure(text), .missingField, node: 2, field: "eps",
                    at: #"{"id": 2"#, in: text)
    }

    @Test func mistypedParameter() {
        let text = Self.breaking(#""eps": 1e-5"#, with: #""eps": "small""#)
        Self.expect(Self.failure(text), .mistypedField, node: 2, field: "eps", at: #""small""#, in: text)
    }

    @Test func mistypedIntegerParameter() {
        let text = Self.breaking(#""op": "Add""#,
                                 with: #""op": "GlobalAvgPool", "channels": 2.5, "spatial": 4"#)
        Self.expect(Self.failure(text), .mistypedField, node: 4, field: "channels", at: "2.5", in: text)
    }

    @Test func missingNodeField() {
        let text = Self.breaking(#""dtype": "f32", "shape": [8], "#, with: #""shape": [8], "#)
        Self.expect(Self.failure(text), .missingField, node: 1, field: "dtype", at: #"{"id": 1"#, in: text)
    }

    @Test func idDiffersFromIndex() {
        let text = Self.breaking(#""id": 3"#, with: #""id": 7"#)
        Self.expect(Self.failure(text), .idMismatch, node: 3, field: "id", at: "7,", in: text)
    }

    @Test func inputIDOutOfRange() {
        let text = Self.breaking("[2, 3]", with: "[2, 9]")
        let error = Self.failure(text)
        Self.expect(error, .invalidGraph, node: 4, field: "inputs", at: "[2, 9]", in: text)
        #expect(error?.graphError?.kind == .inputOutOfRange)
        #expect(error?.graphError?.input == 1)
    }

    @Test func wrongNumberOfInputs() {
        let text = Self.breaking("[2, 3]", with: "[2]}")
            .replacingOccurrences(of: "[2]}}", with: "[2]}")
        let error = Self.failure(text)
        Self.expect(error, .invalidGraph, node: 4, field: "inputs", at: "[2]}", in: text)
        #expect(error?.graphError?.kind == .arity)
    }

    @Test func cycle() {
        // Node 2 now reads node 4, which reads node 2.
        let text = Self.breaking("[0, 1]", with: "[4, 1]")
        let error = Self.failure(text)
        Self.expect(error, .invalidGraph, node: 2, field: "inputs", at: "[4, 1]", in: text)
        #expect(error?.graphError?.kind == .cycle)
    }

    @Test func outputIDOutOfRange() {
        let text = Self.breaking(#""outputs": [4]"#, with: #""outputs": [4, 5]"#)
        Self.expect(Self.failure(text), .invalidGraph, node: nil, field: "outputs", at: "[4, 5]", in: text)
    }

    @Test func paramGradOutputsExceedOutputs() {
        let text = Self.breaking(#""param_grad_outputs": 0"#, with: #""param_grad_outputs": 2"#)
        Self.expect(Self.failure(text), .invalidGraph, node: nil, field: "param_grad_outputs", at: "2,\n", in: text)
    }

    @Test func constantDataLengthDiffersFromShape() {
        let text = Self.breaking(#""fill": 0.5"#, with: #""data": [1.0, 2.0, 3.0]"#)
        let error = Self.failure(text)
        Self.expect(error, .invalidGraph, node: 3, field: "data", at: "[1.0, 2.0, 3.0]", in: text)
        #expect(error?.graphError?.kind == .constantData)
    }

    @Test func truncatedJSON() {
        let text = String(Self.valid.prefix(while: { $0 != "R" }))  // stops inside node 2's "op" string
        let error = Self.failure(text)
        #expect(error?.kind == .malformedJSON)
        let lines = text.components(separatedBy: "\n")
        #expect(error?.line == lines.count)
        #expect(error?.column == lines.last!.utf8.count + 1)
        #expect(error?.description.contains("unexpected end of input") == true)
    }

    @Test func malformedJSON() {
        let text = Self.breaking("[4, 8], \"inputs\": [2, 3]", with: "[4, 8,], \"inputs\": [2, 3]")
        Self.expect(Self.failure(text), .malformedJSON, node: nil, field: nil, at: "], \"inputs\": [2, 3]", in: text)
    }

    @Test func shapeRuleViolationNamesNodeAndField() {
        let text = Self.breaking(#""shape": [4, 8], "inputs": [2, 3]"#, with: #""shape": [4, 9], "inputs": [2, 3]"#)
        let error = Self.failure(text)
        Self.expect(error, .invalidGraph, node: 4, field: "shape", at: "[4, 9]", in: text)
        #expect(error?.graphError?.kind == .outputType)
    }

    @Test func wrongFormatName() {
        let text = Self.breaking(#""tensor-graph""#, with: #""onnx""#)
        Self.expect(Self.failure(text), .unsupportedFormat, node: nil, field: "format", at: #""onnx""#, in: text)
    }

    @Test func unknownExtraFieldsAreIgnored() throws {
        let text = Self.breaking(#""op": "Add","#, with: #""op": "Add", "note": {"by": ["hand", 1]},"#)
            .replacingOccurrences(of: #""derived_params": []"#, with: #""derived_params": [], "producer": "test""#)
        let graph = try Graph(jsonString: text)
        #expect(graph == (try Graph(jsonString: Self.valid)))
    }

    @Test func errorsInAFileNameThePath() throws {
        // A real fixture with node 11's op renamed: the error carries the path and the
        // position in that file.
        var text = String(decoding: try Fixtures.bytes("smollm2-small-test-training.json"), as: UTF8.self)
        let original = #"{"id": 11, "op": "RoPE""#
        text = text.replacingOccurrences(of: original, with: #"{"id": 11, "op": "Rope""#)
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tensorgraph-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try Graph(contentsOfFile: path)
            Issue.record("accepted an unknown op")
        } catch {
            #expect(error.kind == .unknownOp && error.node == 11 && error.field == "op")
            #expect(error.file == path)
            #expect(error.line == 16 && error.column == 22)
            #expect(error.description.hasPrefix("\(path):16:22: node 11, field \"op\": unknown op \"Rope\""))
        }
    }

    @Test func anUnreadableFileIsAnError() {
        do {
            _ = try Graph(contentsOfFile: "/nonexistent/graph.json")
            Issue.record("read a missing file")
        } catch {
            #expect(error.kind == .unreadable && error.file == "/nonexistent/graph.json")
        }
    }
}
