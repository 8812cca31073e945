import Foundation

/// How much memory a run may still allocate: `MemAvailable` from /proc/meminfo less a safety margin,
/// or the `LOUPE_MEMORY_LIMIT` environment variable (bytes, or with a K/M/G suffix) when set.
/// Checked before a large allocation (the activation cache, converted weights) so that a request
/// that cannot fit fails with an estimate instead of the kernel killing the process.
public enum MemoryBudget {
    /// Kept free for the rest of the process and the system: 10% of what is available, at least 256 MiB.
    static func margin(_ available: Int) -> Int { max(available / 10, 256 << 20) }

    /// Bytes that may still be allocated, or nil when unknown (no /proc/meminfo and no limit set).
    public static func available() -> Int? {
        if let text = ProcessInfo.processInfo.environment["LOUPE_MEMORY_LIMIT"], let limit = parseBytes(text) {
            return limit
        }
        guard let avail = memAvailable() else { return nil }
        return max(0, avail - margin(avail))
    }

    /// `MemAvailable` in bytes (Linux), nil elsewhere.
    static func memAvailable() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kb = Int(fields[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }

    /// "123", "64K", "512M", "2G", "1.5G" (powers of 1024) → bytes.
    public static func parseBytes(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasSuffix("B") { s.removeLast() }
        var scale = 1.0
        if let last = s.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(last)] {
            scale = pow(1024, Double(power))
            s.removeLast()
        }
        guard let v = Double(s), v >= 0, v * scale < Double(Int.max) else { return nil }
        return Int(v * scale)
    }

    /// "1.5 GiB"-style text.
    public static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", v, units[u])
    }

    /// Below this, requests are not checked against MemAvailable (only against LOUPE_MEMORY_LIMIT): an
    /// allocation that small is not what exhausts a machine, and a busy machine must not fail small runs.
    static let smallestChecked = 64 << 20

    /// Throws when `bytes` would not fit in `available()`; `what` names the allocation, `shrink` says
    /// how to make it smaller.
    static func require(_ bytes: Int, for what: String, shrink: String) throws {
        let explicit = ProcessInfo.processInfo.environment["LOUPE_MEMORY_LIMIT"].flatMap(parseBytes) != nil
        guard explicit || bytes >= smallestChecked, let limit = available(), bytes > limit else { return }
        throw ModelError(.insufficientMemory,
                         "\(what) needs about \(describe(bytes)) but only \(describe(limit)) is available"
                         + " (MemAvailable less a margin, or LOUPE_MEMORY_LIMIT); \(shrink)")
    }
}
