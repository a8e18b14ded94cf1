import Foundation

/// Seconds of this thread's CPU time spent in `body` (wall-clock time where the platform
/// has no per-thread clock). CPU time keeps single-thread rates meaningful on a busy
/// machine; on an idle one the two agree.
func measureSeconds<R>(_ body: () throws -> R) rethrows -> (R, Double) {
    let start = threadCPUSeconds()
    let result = try body()
    return (result, threadCPUSeconds() - start)
}

func threadCPUSeconds() -> Double {
    var t = timespec()
    #if os(Linux)
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    #else
    clock_gettime(CLOCK_MONOTONIC, &t)
    #endif
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The process's resident set now and at its peak, in bytes, from /proc/self/status
/// (nil where that file does not exist).
func residentMemory() -> (current: UInt64, peak: UInt64)? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
        return nil
    }
    func field(_ name: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.dropFirst(name.count + 1).filter(\.isNumber)
            return UInt64(digits).map { $0 * 1024 }
        }
        return nil
    }
    guard let rss = field("VmRSS"), let hwm = field("VmHWM") else { return nil }
    return (rss, hwm)
}

/// A deterministic generator (SplitMix64), so every run measures the same work.
struct BenchRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform integer in 0..<bound (bound > 0), by multiply-shift.
    mutating func below(_ bound: UInt32) -> UInt32 {
        UInt32((UInt64(UInt32(truncatingIfNeeded: next())) &* UInt64(bound)) >> 32)
    }
}

/// Ordered key/value pairs printed as one JSON object on one line.
struct JSONLine {
    private var fields: [(String, String)] = []
    mutating func add(_ key: String, _ value: String) { fields.append((key, "\"\(value)\"")) }
    mutating func add(_ key: String, _ value: Int) { fields.append((key, String(value))) }
    mutating func add(_ key: String, _ value: Double) {
        fields.append((key, value.isFinite ? String(format: "%.6g", value) : "null"))
    }
    var text: String { "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}" }
}

/// `1234567.8` as `1.23 M` etc., for human-readable lines.
func humanRate(_ x: Double) -> String {
    if x >= 1e9 { return String(format: "%.2f G", x / 1e9) }
    if x >= 1e6 { return String(format: "%.2f M", x / 1e6) }
    if x >= 1e3 { return String(format: "%.2f k", x / 1e3) }
    return String(format: "%.2f ", x)
}
