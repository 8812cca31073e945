import Foundation

/// One item's stable id in a sweep: given by the notebook (ints or strings), or the item's index.
public enum SweepID: Hashable, Comparable, Codable, CustomStringConvertible, Sendable {
    case int(Int)
    case string(String)

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return "\"\(s)\""
        }
    }

    public static func < (a: SweepID, b: SweepID) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y
        case let (.string(x), .string(y)): return x < y
        case (.int, .string): return true
        case (.string, .int): return false
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) { self = .int(i) } else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }
}

/// Shard K of N (0-based K, as Slurm's array task ids): a contiguous range of the sorted item ids.
public struct ShardSpec: Equatable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw SweepError("--shard \(index)/\(count): K must be 0 ≤ K < N (N ≥ 1)")
        }
        self.index = index
        self.count = count
    }

    /// `K/N`, e.g. `3/8`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw SweepError("--shard \(text): expected K/N, e.g. 0/8 (K counts from 0, as SLURM_ARRAY_TASK_ID)")
        }
        try self.init(index: k, count: n)
    }

    /// The folder name under `out/shards/`: `3-of-8`.
    public var directoryName: String { "\(index)-of-\(count)" }
    public var description: String { directoryName }

    /// The positions (in sorted order) of this shard's items among `total`: ⌊K·n/N⌋ ..< ⌊(K+1)·n/N⌋.
    public func range(total: Int) -> Range<Int> {
        (index * total / count)..<((index + 1) * total / count)
    }
}
