import Foundation

/// Writes to the process's standard output and standard error.
///
/// Commands build their whole output first and hand it over once, at the end, so that a
/// failure never leaves half a report on standard output.
enum StandardStreams {
    /// Writes `text` to standard output, adding a final newline when it lacks one.
    static func out(_ text: String) {
        write(text, to: FileHandle.standardOutput)
    }

    /// Writes `text` to standard error, adding a final newline when it lacks one.
    static func err(_ text: String) {
        write(text, to: FileHandle.standardError)
    }

    /// Writes `text` to standard output as it is.
    static func outRaw(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private static func write(_ text: String, to handle: FileHandle) {
        var text = text
        if !text.hasSuffix("\n") { text += "\n" }
        handle.write(Data(text.utf8))
    }
}
