import Foundation

/// Runs the built `fusion` executable as a subprocess, the way a script or a person does.
///
/// The binary is found next to the test bundle in the build products folder (whatever
/// `--scratch-path` or configuration the tests were built with), so the tests exercise
/// exactly what `swift build` produced, exit status and streams included.
enum FusionExecutable {
    /// What one run printed and how it ended.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The build products folder holding the test bundle and the `fusion` binary.
    static let productsFolder: URL = {
        #if os(Linux)
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent()
        #else
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
        #endif
    }()

    /// The `fusion` binary.
    static var url: URL { productsFolder.appendingPathComponent("fusion") }

    /// Runs `fusion arguments…` to completion.
    ///
    /// The streams go to temporary files rather than pipes, so a large report can never
    /// block the child while the parent waits.
    static func run(_ arguments: [String]) throws -> Result {
        let scratch = try TemporaryFolder()
        let outURL = scratch.url.appendingPathComponent("stdout")
        let errURL = scratch.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try contents(of: outURL), stderr: try contents(of: errURL))
    }

    /// The file's text. Read through a file handle: `String(contentsOf:)` leaks its
    /// buffer for an empty file in this Foundation (LeakSanitizer reports it).
    private static func contents(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    }
}

/// A fresh folder under the system's temporary directory, removed when released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fusion-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Paths inside the repository, found from this source file.
enum Repository {
    /// The package root.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared tensor-graph fixtures.
    static let fixtures = root.appendingPathComponent("Tests/FusionTests/Fixtures")

    /// The malformed-input corpus of these tests.
    static let malformed = root.appendingPathComponent("Tests/FusionCLITests/Malformed")
}
