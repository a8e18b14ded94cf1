import Foundation
import TensorGraph

/// Where `fusion optimize` gets its graph: a tensor-graph JSON file or a built-in model.
enum InputGraph {
    /// Reads and validates a tensor-graph JSON file.
    ///
    /// - Throws: ``CommandFailure/usage(_:)`` when the file cannot be opened (nothing was
    ///   read); ``CommandFailure/invalidInput(_:)`` with `file:line:column: node N, field …`
    ///   when it was read but is not a valid graph.
    static func read(path: String) throws(CommandFailure) -> Graph {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .usage("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        do {
            return try Graph(json: bytes, file: path)
        } catch {
            throw .invalidInput(error.description)
        }
    }

    /// Builds a built-in model's graph.
    ///
    /// - Throws: ``CommandFailure/usage(_:)`` for an unknown model or an option the model
    ///   does not take (`--seq` on an image model, `--layers` on a fixed-depth model).
    static func build(model name: String, training: Bool, sequenceLength: Int?,
                      layers: Int?) throws(CommandFailure) -> Graph
    {
        guard let model = ModelName(rawValue: name) else {
            let known = ModelName.allCases.map(\.rawValue).joined(separator: ", ")
            throw .usage("unknown model '\(name)'; known models: \(known)")
        }
        do {
            return try model.build(training: training, sequenceLength: sequenceLength,
                                   layers: layers)
        } catch let error as ModelConfigurationError {
            throw .usage(error.description.replacingOccurrences(of: "field sequenceLength",
                                                                with: "--seq")
                .replacingOccurrences(of: "field layers", with: "--layers"))
        } catch {
            throw .invalidInput("model \(name): \(error)")
        }
    }
}
