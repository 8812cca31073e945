import Foundation
import LoupeInterpreter
import LoupeTensor

/// How a notebook's `sweep(...)` loops run in one process:
/// - `single`: every item, the reduce after the loop reads what `record` collected in memory;
/// - `shard`: only shard K's items; the run stops when the loop ends and the caller publishes the shard;
/// - `merge`: no item runs; the sweep reads the shards' files and the reduce runs once.
public final class SweepSession: @unchecked Sendable {
    public enum Mode {
        case single
        case shard(ShardSpec)
        case merge(MergePlan)
    }

    public let mode: Mode
    /// Sweeps by name, in creation order.
    private(set) var sweeps: [SweepObject] = []
    /// The sweep whose loop `record` writes to (the last one iterated).
    var active: SweepObject?
    /// How many times a sweep was iterated; the shard runner watches it to end the run after the loop.
    public private(set) var iterations = 0
    /// The models loaded when the sweep was created, as `summary @ fingerprint`.
    public private(set) var models: [String] = []

    public init(mode: Mode) { self.mode = mode }

    public var isShard: Bool { if case .shard = mode { return true }; return false }

    /// The sweep a shard run ran (there is one per notebook).
    var shardSweep: SweepObject? { sweeps.first }

    func add(_ sweep: SweepObject, models: [String]) throws {
        if sweeps.contains(where: { $0.name == sweep.name }) {
            throw LoupeError("a sweep named \"\(sweep.name)\" already exists in this run", hint: "give each sweep its own name")
        }
        if !isShard || sweeps.isEmpty { self.models = models }
        sweeps.append(sweep)
    }

    func sweep(named name: String) -> SweepObject? { sweeps.first { $0.name == name } }

    func noteIteration(_ sweep: SweepObject) {
        iterations += 1
        active = sweep
    }

    // MARK: one session per interpreter

    private static var sessions: [ObjectIdentifier: SweepSession] = [:]
    private static let lock = NSLock()

    /// Makes `interpreter`'s `sweep(...)` calls run in this session.
    public func attach(to interpreter: Interpreter) {
        Self.lock.lock(); defer { Self.lock.unlock() }
        Self.sessions[ObjectIdentifier(interpreter)] = self
    }

    public static func detach(from interpreter: Interpreter) {
        lock.lock(); defer { lock.unlock() }
        sessions[ObjectIdentifier(interpreter)] = nil
    }

    /// The interpreter's session; a REPL or a plain script gets a single-machine one on first use.
    static func of(_ interpreter: Interpreter) -> SweepSession {
        lock.lock(); defer { lock.unlock() }
        if let s = sessions[ObjectIdentifier(interpreter)] { return s }
        let s = SweepSession(mode: .single)
        sessions[ObjectIdentifier(interpreter)] = s
        return s
    }

    /// Writes every sweep's merged rows and tensors under `directory/sweeps/`: `NAME.csv` and
    /// `NAME-KEY.safetensors` (items on axis 0). A single-machine run and a merge write the same bytes.
    public func writeResults(to directory: URL) throws -> [URL] {
        var written: [URL] = []
        let folder = directory.appendingPathComponent("sweeps")
        for sweep in sweeps {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let table = try sweep.table()
            if table.columnCount > 0 {
                let url = folder.appendingPathComponent("\(sweep.name).csv")
                try table.writeCSV(to: url)
                written.append(url)
            }
            for key in try sweep.tensorKeys() {
                let url = folder.appendingPathComponent("\(sweep.name)-\(key).safetensors")
                try Safetensors.encode([(key, try sweep.tensor(key))]).write(to: url)
                written.append(url)
            }
        }
        return written
    }
}
