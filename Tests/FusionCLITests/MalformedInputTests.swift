import Foundation
import Testing

/// Each input of the malformed corpus (`Malformed/`) is read, found invalid, and rejected
/// with exit status 1, a message on standard error that names the file and the place
/// (line:column, or the node id), and nothing on standard output.
@Suite struct MalformedInputTests {
    /// One malformed file and where its fault is.
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        /// The command that reads it.
        var arguments: [String]
        /// A regular expression the message must match: the file name and the place.
        var place: String

        var testDescription: String { "\(arguments.joined(separator: " ")) \(file)" }
    }

    static let cases: [Case] = [
        // The text ends inside node 2's object, on line 7.
        Case(file: "truncated.json", arguments: ["optimize"], place: #"truncated\.json:7:\d+"#),
        Case(file: "truncated.json", arguments: ["optimize", "--format", "json"],
             place: #"truncated\.json:7:\d+"#),
        Case(file: "unknown-op.json", arguments: ["optimize"],
             place: #"unknown-op\.json.*node 3\b"#),
        Case(file: "wrong-arity.json", arguments: ["optimize"],
             place: #"wrong-arity\.json.*node 2\b"#),
        Case(file: "wrong-arity.json", arguments: ["optimize", "--strategy", "patterns"],
             place: #"wrong-arity\.json.*node 2\b"#),
        // Nodes 1 → 2 → 3 → 1 form the cycle; the message must name one of them.
        Case(file: "cycle.json", arguments: ["optimize"], place: #"cycle\.json.*node [123]\b"#),
        // `(frobnicate a)` opens line 9.
        Case(file: "unknown-command.egg", arguments: ["egglog"],
             place: #"unknown-command\.egg:9:[12]\b"#),
        Case(file: "unknown-command.egg", arguments: ["egglog", "--json"],
             place: #"unknown-command\.egg:9:[12]\b"#),
        // The `(rewrite` on line 6 is never closed.
        Case(file: "unbalanced.egg", arguments: ["egglog"], place: #"unbalanced\.egg:6:1\b"#),
        Case(file: "unbalanced.egg", arguments: ["egglog", "--json"],
             place: #"unbalanced\.egg:6:1\b"#),
    ]

    @Test(arguments: cases)
    func malformedInputExitsWithStatus1(_ input: Case) throws {
        let path = Repository.malformed.appendingPathComponent(input.file).path
        let arguments = [input.arguments[0], path] + input.arguments.dropFirst()
        let result = try FusionExecutable.run(arguments)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        let place = try Regex(input.place)
        #expect(result.stderr.contains(place), "stderr: \(result.stderr)")
    }

    @Test func everyCorpusFileIsExercised() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.malformed.path)
        #expect(Set(files) == Set(Self.cases.map(\.file)))
    }
}
