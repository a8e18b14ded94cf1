import TensorGraph
import Testing

/// `fusion models`: every model `CLI.md` names, one per line, with its node counts.
@Suite struct ModelsCommandTests {
    @Test func listsEveryDocumentedModelWithItsNodeCount() throws {
        let result = try FusionExecutable.run(["models"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let names = lines.map { String($0.split(separator: " ")[0]) }
        let documented = ["smollm2-135m", "smollm2-small-test", "smollm2-medium-test", "mistral-7b",
                          "phi3-mini", "gemma4-4b", "smolvla-base", "whisper-tiny", "resnet18",
                          "resnet50", "sd-unet-tiny", "sd-unet-small", "llama-synthetic"]
        for name in documented {
            #expect(names.contains(name), "missing \(name)")
        }
        // SPEC §7's node counts, inference and training.
        let counts: [String: (Int, Int)] = [
            "smollm2-135m": (726, 728), "mistral-7b": (775, 777), "phi3-mini": (775, 777),
            "gemma4-4b": (959, 961), "smolvla-base": (381, 385), "whisper-tiny": (146, 150),
            "resnet18": (112, 114), "resnet50": (284, 286), "sd-unet-tiny": (119, 124),
        ]
        for (name, (inference, training)) in counts {
            let line = try #require(lines.first { $0.hasPrefix(name + " ") })
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            #expect(numbers.contains(inference) && numbers.contains(training), "\(line)")
        }
    }
}
