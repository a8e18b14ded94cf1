/// Builders for the real model graphs the optimizer is measured on.
///
/// Each model family has a configuration struct (depth, widths, heads, …) with its
/// published presets, and a builder that emits the forward graph node by node in the
/// same order as the reference implementation, so that the result can be compared with
/// the reference fixtures slot for slot. With `training: true` a builder appends the
/// model's training loss and makes it `outputs[0]`.
///
/// Builders call the checked ``Graph`` builder methods, so a configuration whose shapes
/// do not fit together throws a ``GraphError`` naming the op; a configuration that is
/// nonsense on its face (zero layers, heads that do not divide the width) throws a
/// ``ModelConfigurationError`` before any node is built.
///
/// - Complexity: every builder is O(nodes): a constant amount of work per node.
public enum Models {}

/// A model configuration that cannot be built, found before building.
public struct ModelConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The model family (`"Llama"`, `"ResNet"`, …).
    public var model: String
    /// The configuration field at fault (`"layers"`, `"sequenceLength"`, …).
    public var field: String
    /// What is wrong with it.
    public var message: String

    /// Creates an error naming the model, the field and the problem.
    public init(model: String, field: String, message: String) {
        self.model = model
        self.field = field
        self.message = message
    }

    /// `Llama configuration, field layers: must be positive (got 0)`.
    public var description: String { "\(model) configuration, field \(field): \(message)" }
}

extension Models {
    /// Throws unless `value > 0`.
    static func requirePositive(_ value: Int, _ field: String, model: String) throws {
        guard value > 0 else {
            throw ModelConfigurationError(model: model, field: field,
                                          message: "must be positive (got \(value))")
        }
    }
}
