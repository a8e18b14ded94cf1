import Foundation
import Testing
@testable import EGraphKit

@Suite("egglog front end: running programs")
struct EgglogInterpreterTests {
    private func run(_ text: String, keepGoing: Bool = false) throws -> EgglogRunResult {
        var options = EgglogInterpreter.Options()
        options.continueAfterFailedCheck = keepGoing
        return try EgglogInterpreter().run(EgglogProgram(parsing: text), options: options)
    }

    /// x * 1 = x and commutativity: the outputs derived by hand (and what egglog 13 prints).
    private let math = """
        (datatype Math (Num i64) (Var String) (Add Math Math) (Mul Math Math))
        (rewrite (Add a b) (Add b a))
        (rewrite (Mul ?x (Num 1)) ?x)
        (let e (Add (Num 1) (Mul (Var "x") (Num 1))))
        (run 5)
        (check (= e (Add (Var "x") (Num 1))))
        (extract e)
        (print-size)
        (print-size Mul)
        """

    @Test("a small program prints what egglog prints for extract and print-size")
    func smallProgram() throws {
        var chunks: [String] = []
        let result = try EgglogInterpreter().run(EgglogProgram(parsing: math)) { chunks.append($0) }
        // Both Add orders cost 5; the one created first (by the let) is printed.
        #expect(chunks == [
            "(Add (Num 1) (Var \"x\"))\n",
            "((Add 2)\n (Mul 1)\n (Num 1)\n (Var 1))\n",
            "1\n",
        ])
        #expect(result.output == chunks.joined())
        #expect(result.extracted.map(\.cost) == [5])
        #expect(result.extracted.first?.location == SourceLocation(line: 7, column: 1))
        // Iteration 1 adds (Add x 1) and merges x*1 with x; iteration 2 changes nothing.
        #expect(result.iterations == 2)
        #expect(result.stopReason == .saturated)
        #expect(result.checksPassed == 1 && result.checksFailed == 0)
        #expect(result.commands == 9)
        // Num 1, Var x, Mul, two Adds; classes: 1, {x, x*1}, {both Adds}.
        #expect(result.enodes == 5)
        #expect(result.eclasses == 3)
    }

    @Test("run N stops after N iterations when rules keep firing")
    func iterationLimit() throws {
        let result = try run("""
            (datatype N (Z) (S N) (P N))
            (rewrite (S x) (S (P x)))
            (let one (S (Z)))
            (run 3)
            (print-size S)
            (print-size P)
            """)
        // Each iteration wraps one more P: S(Z), S(P Z), S(P P Z), S(P P P Z).
        #expect(result.iterations == 3)
        #expect(result.stopReason == .iterationLimit)
        #expect(result.output == "4\n3\n")
        // (S x) → (S (S x)) instead merges S(Z) with S(S(Z)) at once: saturated after 2.
        let merging = try run("""
            (datatype N (Z) (S N))
            (rewrite (S x) (S (S x)))
            (let one (S (Z)))
            (run 5)
            (print-size S)
            """)
        #expect(merging.iterations == 2)
        #expect(merging.stopReason == .saturated)
        #expect(merging.output == "2\n")
    }

    @Test("a failing check stops with an error at its line and column")
    func failingCheck() throws {
        let text = "(datatype T (K i64))\n(K 1)\n(K 2)\n  (check (= (K 1) (K 2)))\n(print-size)"
        var printed: [String] = []
        do {
            _ = try EgglogInterpreter().run(EgglogProgram(parsing: text)) { printed.append($0) }
            Issue.record("the check should have failed")
        } catch {
            #expect(error.location == SourceLocation(line: 4, column: 3))
            #expect(error.command == "check")
            if case .checkFailed(let fact) = error.kind {
                #expect(fact == "(= (K 1) (K 2))")
            } else {
                Issue.record("expected checkFailed, got \(error)")
            }
        }
        #expect(printed.isEmpty)  // nothing after the failed check ran
        let counted = try run(text, keepGoing: true)
        #expect(counted.checksPassed == 0 && counted.checksFailed == 1)
        #expect(counted.output == "((K 2))\n")
    }

    @Test("check looks terms up without adding them; union merges; birewrite works both ways")
    func checkUnionBirewrite() throws {
        let result = try run("""
            (datatype T (A) (B T) (C T) (D T))
            (birewrite (B ?x) (C ?x))
            (let q (C (A)))
            (check (B (A)))
            (run 1)
            (check (B (A)))
            (check (= q (B (A))))
            (let d (D (A)))
            (check (= d q))
            (union d q)
            (check (= d (B (A)) (C (A))))
            """, keepGoing: true)
        #expect(result.checks.map(\.passed) == [false, true, true, false, true])
        #expect(result.checks.map(\.location.line) == [4, 6, 7, 9, 11])
    }

    @Test("payload variables carry a literal from the left side to the right")
    func payloadVariables() throws {
        let result = try run("""
            (datatype T (K i64) (W i64) (P String T))
            (rewrite (K ?n) (W ?n))
            (rewrite (P s (K n)) (P s (W n)))
            (let a (K 7))
            (let b (P "s" (K 7)))
            (run 2)
            (check (= a (W 7)))
            (check (= a (W 8)))
            (check (= b (P "s" (W 7))))
            """, keepGoing: true)
        #expect(result.checks.map(\.passed) == [true, false, true])
    }

    @Test("extract of literals and floats prints them as egglog does")
    func literals() throws {
        let result = try run("""
            (datatype F (G f64) (H String))
            (extract 5)
            (extract "s")
            (extract (G 1e16))
            (extract (G 0.5))
            (extract (H "a b"))
            """)
        #expect(result.output == "5\n\"s\"\n(G 10000000000000000.0)\n(G 0.5)\n(H \"a b\")\n")
        #expect(result.extracted.map(\.cost) == [1, 1, 2, 2, 2])
    }

    @Test("a let-bound global follows its class through unions")
    func globalsFollowUnions() throws {
        let result = try run("""
            (datatype T (A) (B) (F T))
            (let a (A))
            (let fa (F a))
            (union a (B))
            (check (= fa (F (B))))
            (extract fa)
            """)
        #expect(result.checksPassed == 1)
        #expect(result.output == "(F (A))\n")
    }

    @Test("the JSON object has the fields of `fusion egglog --json`")
    func json() throws {
        let result = try run(math)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any])
        #expect(object["commands"] as? Int == 9)
        #expect(object["iterations"] as? Int == 2)
        #expect(object["stop_reason"] as? String == "saturated")
        #expect(object["enodes"] as? Int == 5)
        #expect(object["eclasses"] as? Int == 3)
        #expect(object["run_ms"] is Double)
        #expect(object["total_ms"] is Double)
        #expect((object["peak_bytes"] as? Int ?? 0) > 0)
        let extracted = try #require(object["extracted"] as? [[String: Any]])
        #expect(extracted.count == 1)
        #expect(extracted[0]["term"] as? String == "(Add (Num 1) (Var \"x\"))")
        #expect(extracted[0]["cost"] as? Int == 5)
        #expect(object["checks"] as? [String: Int] == ["passed": 1, "failed": 0])
        #expect(result.json.hasPrefix("{\"commands\": 9, \"iterations\": 2, \"stop_reason\": \"saturated\""))
    }

    @Test("egraph-serialize export of a run types classes by datatype and roots the globals")
    func export() throws {
        let interpreter = EgglogInterpreter()
        _ = try interpreter.run(EgglogProgram(parsing: math))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(interpreter.serializedJSON().utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [String: Any])
        #expect(nodes.keys.filter { $0.hasPrefix("n") }.count == 5)
        #expect((object["root_eclasses"] as? [String])?.count == 1)
        let classData = try #require(object["class_data"] as? [String: [String: String]])
        #expect(classData.values.filter { $0["type"] == "Math" }.count == 3)
    }

    @Test("a program in the seed's form: fusion rules fire and extract prints the fused term")
    func seedForm() throws {
        let result = try run("""
            (datatype Op
            ; --- Leaf nodes ---
            (Input String)
            (Parameter String)
            (Const i64)
            (MatMul Op Op)
            (FusedMatMulAdd Op Op Op)
            (Add Op Op)
            (Neg Op)
            (ScatterAdd i64 Op Op)
            )
            (rewrite (Neg (Neg ?x)) ?x)
            (rewrite (Add (MatMul ?a ?b) ?d) (FusedMatMulAdd ?a ?b ?d))
            (rewrite (Add ?d (MatMul ?a ?b)) (FusedMatMulAdd ?a ?b ?d))
            (let n0 (Input "x"))
            (let n1 (Parameter "w"))
            (let n2 (Const 2))
            (let n3 (MatMul n0 n1))
            (let n4 (Add n2 n3))
            (let n5 (Neg (Neg n4)))
            (let n6 (ScatterAdd 49152 n5 n0))
            (run 1)

            (extract n6)
            """)
        // Add 1 + Const 2 + MatMul (1 + 2 + 2) = 8 against Fused 1 + 2 + 2 + 2 = 7.
        #expect(result.output
                == "(ScatterAdd 49152 (FusedMatMulAdd (Input \"x\") (Parameter \"w\") (Const 2)) (Input \"x\"))\n")
        let expectedCost: Double = 11  // ScatterAdd 1 + literal 1 + fused 7 + Input 2
        #expect(result.extracted.map(\.cost) == [expectedCost])
        #expect(result.iterations == 1)
        #expect(result.stopReason == .iterationLimit)
    }

    @Test("the math benchmark program runs; after (run 6) its sizes are egglog's")
    func mathBenchmark() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../bench/math.egg")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "(run 11)", with: "(run 6)")
        let result = try run(text)
        // What egglog 13.2 prints for the same text.
        #expect(result.output == """
            ((Add 646)
             (Const 5)
             (Cos 1)
             (Diff 77)
             (Div 3)
             (Integral 135)
             (Ln 1)
             (Mul 614)
             (Pow 2)
             (Sin 1)
             (Sqrt 1)
             (Sub 87)
             (Var 3))

            """)
        #expect(result.enodes == 1576)
        #expect(result.iterations == 6)
    }

    @Test("a term too large to write out as a tree is printed with each shared subterm once")
    func sharedForm() throws {
        let program = try EgglogProgram(parsing: """
            (datatype T (X) (P T T))
            (let a (P (X) (X)))
            (let b (P a a))
            (extract b)
            """)
        var options = EgglogInterpreter.Options()
        options.maxPrintedTreeSize = 6  // the tree has 7 nodes, the DAG 3
        let result = try EgglogInterpreter().run(program, options: options)
        #expect(result.output == "(let-terms (($0 (X)) ($1 (P $0 $0)) ($2 (P $1 $1))) $2)\n")
        #expect(result.extracted.map(\.cost) == [7])
        options.maxPrintedTreeSize = 7
        let full = try EgglogInterpreter().run(program, options: options)
        #expect(full.output == "(P (P (X) (X)) (P (X) (X)))\n")
    }
}
