import Foundation
import Testing

/// `fusion egglog`: egglog's output, the `--json` object of `CLI.md`, and failures.
@Suite struct EgglogCommandTests {
    static let program = """
        (datatype Math (Num i64) (Var String) (Add Math Math) (Mul Math Math))
        (rewrite (Add a b) (Add b a))
        (rewrite (Mul a (Num 1)) a)
        (let e (Add (Mul (Var "x") (Num 1)) (Num 2)))
        (run 5)
        (check (= e (Add (Num 2) (Var "x"))))
        (extract e)
        (print-size Add)

        """

    static func write(_ text: String, in folder: TemporaryFolder, as name: String = "p.egg") throws -> String {
        let path = folder.url.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func printsWhatEgglogPrints() throws {
        let folder = try TemporaryFolder()
        let result = try FusionExecutable.run(["egglog", try Self.write(Self.program, in: folder)])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // The cheapest term (either order of the Add's arguments), then print-size.
        #expect(lines.count == 2)
        #expect(["(Add (Var \"x\") (Num 2))", "(Add (Num 2) (Var \"x\"))"].contains(lines.first ?? ""))
        #expect(lines.last == "2")
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let folder = try TemporaryFolder()
        let result = try FusionExecutable.run(["egglog", try Self.write(Self.program, in: folder), "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["commands", "iterations", "stop_reason", "enodes", "eclasses", "run_ms",
                    "total_ms", "peak_bytes", "extracted", "checks"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["commands"] as? Int == 8)
        #expect(object["stop_reason"] as? String == "saturated")
        let extracted = try #require(object["extracted"] as? [[String: Any]])
        #expect(extracted.count == 1)
        // Add, Var, "x", Num, 2: egglog counts each constructor and each literal as 1.
        #expect(extracted.first?["cost"] as? Int == 5)
        #expect(object["checks"] as? [String: Int] == ["passed": 1, "failed": 0])
    }

    @Test func failedCheckExitsWith1AfterTheCompleteOutput() throws {
        let folder = try TemporaryFolder()
        let text = """
            (datatype Math (Num i64) (Add Math Math))
            (let e (Add (Num 1) (Num 2)))
            (extract e)
            (check (= e (Num 3)))
            (extract e)

            """
        let path = try Self.write(text, in: folder, as: "failing.egg")
        let result = try FusionExecutable.run(["egglog", path])
        #expect(result.status == 1)
        // The first extract completed before the check failed; nothing after it.
        #expect(result.stdout == "(Add (Num 1) (Num 2))\n")
        #expect(result.stderr.contains("failing.egg:4:"))

        let json = try FusionExecutable.run(["egglog", path, "--json"])
        #expect(json.status == 1)
        #expect(json.stdout.isEmpty)
    }

    @Test func runsTheMathBenchmarkProgramText() throws {
        // bench/math.egg at 5 iterations (the full 11 is a release-build benchmark).
        let folder = try TemporaryFolder()
        let math = try String(contentsOf: Repository.root.appendingPathComponent("bench/math.egg"),
                              encoding: .utf8)
        let path = try Self.write(math.replacingOccurrences(of: "(run 11)", with: "(run 5)"), in: folder)
        let result = try FusionExecutable.run(["egglog", path, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["iterations"] as? Int == 5)
        #expect((object["enodes"] as? Int ?? 0) > 0)
    }
}
