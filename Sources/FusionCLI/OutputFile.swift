import Foundation

/// Writes the files `--output`, `--dot` and `--egglog-program` name.
enum OutputFile {
    /// Writes `text` (UTF-8) to `path`, replacing the file.
    ///
    /// - Throws: ``CommandFailure/usage(_:)`` naming the path when it cannot be written:
    ///   the command line named a place the command cannot use.
    static func write(_ text: String, to path: String) throws(CommandFailure) {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path`, replacing the file.
    static func write(_ bytes: [UInt8], to path: String) throws(CommandFailure) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .usage("cannot write \(path): \((error as NSError).localizedDescription)")
        }
    }
}
