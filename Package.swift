// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// jemalloc is on by default only where its header is installed, so that a fresh
/// machine without libjemalloc-dev still builds (with the system allocator).
let jemallocHeaderInstalled = ["/usr/include/jemalloc/jemalloc.h",
                               "/usr/local/include/jemalloc/jemalloc.h"]
    .contains { FileManager.default.fileExists(atPath: $0) }

let package = Package(
    name: "swift-egraph-fusion",
    products: [
        .library(name: "EGraphKit", targets: ["EGraphKit"]),
        .library(name: "TensorGraph", targets: ["TensorGraph"]),
        .library(name: "Fusion", targets: ["Fusion"]),
        .executable(name: "fusion", targets: ["FusionCLI"]),
        .executable(name: "fusion-bench", targets: ["FusionBench"]),
    ],
    traits: [
        .trait(
            name: "Jemalloc",
            description: "Link jemalloc and route the native core's allocations through it. "
                + "jemalloc then replaces malloc for the whole process."
        ),
        .default(enabledTraits: jemallocHeaderInstalled ? ["Jemalloc"] : []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "CEGraph",
            path: "CSources/CEGraph",
            cSettings: [
                .define("EG_USE_JEMALLOC", .when(traits: ["Jemalloc"])),
                .unsafeFlags(["-std=c11", "-O2"]),
            ],
            linkerSettings: [
                .linkedLibrary("jemalloc", .when(traits: ["Jemalloc"])),
            ]
        ),
        .target(
            name: "EGraphKit",
            dependencies: [
                "CEGraph",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TensorGraph"),
        .target(
            name: "Fusion",
            dependencies: [
                "EGraphKit",
                "TensorGraph",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "FusionCLI",
            dependencies: [
                "Fusion",
                "EGraphKit",
                "TensorGraph",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "FusionBench",
            dependencies: [
                "Fusion",
                "EGraphKit",
                "TensorGraph",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "EGraphKitTests", dependencies: ["EGraphKit"]),
        // Fixtures live in Tests/FusionTests/Fixtures and are read through #filePath,
        // so both test targets share one copy.
        .testTarget(name: "TensorGraphTests", dependencies: ["TensorGraph"],
                    exclude: []),
        .testTarget(name: "FusionTests", dependencies: ["Fusion", "TensorGraph", "EGraphKit"],
                    exclude: ["Fixtures"]),
        // FusionCLITests runs the built `fusion` binary; it also compiles the README's
        // library sample, hence Fusion and TensorGraph.
        .testTarget(name: "FusionCLITests", dependencies: ["FusionCLI", "Fusion", "TensorGraph"],
                    exclude: ["Malformed"]),
    ],
    swiftLanguageModes: [.v6]
)
