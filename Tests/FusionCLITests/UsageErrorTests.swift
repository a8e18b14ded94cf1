import Testing

/// Calling `fusion` wrongly ends with exit status 2, a message on standard error and
/// nothing on standard output (`CLI.md`).
@Suite struct UsageErrorTests {
    static let wrongCalls: [[String]] = [
        [],
        ["no-such-command"],
        ["optimize"],
        ["optimize", "a.json", "--model", "smollm2-135m"],
        ["optimize", "a.json", "--training"],
        ["optimize", "a.json", "--seq", "8"],
        ["optimize", "a.json", "--layers", "2"],
        ["optimize", "--model", "smollm2-135m", "--seq", "0"],
        ["optimize", "--model", "llama-synthetic", "--layers", "0"],
        ["optimize", "--model", "smollm2-135m", "--strategy", "greedy"],
        ["optimize", "--model", "smollm2-135m", "--mode", "serving"],
        ["optimize", "--model", "smollm2-135m", "--format", "yaml"],
        ["optimize", "--model", "smollm2-135m", "--enable", "rmsnorm-matmul,fast-math"],
        ["egglog"],
        ["egglog", "a.egg", "--jsn"],
    ]

    @Test(arguments: wrongCalls)
    func wrongCallIsAUsageError(arguments: [String]) throws {
        let result = try FusionExecutable.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(!result.stderr.isEmpty)
    }

    @Test func helpGoesToStandardOutputWithStatus0() throws {
        let result = try FusionExecutable.run(["optimize", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--strategy"))
        #expect(result.stdout.contains("--egglog-program"))
    }
}
