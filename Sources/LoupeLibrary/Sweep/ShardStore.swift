import Foundation
import LoupeAnalysis
import LoupeInterpreter
import LoupeTensor

/// A shard's folder, `out/shards/K-of-N/`:
///
///     NAME.sqlite          the rows record() kept (table NAME), when there were any
///     KEY.safetensors      one file per tensor key, tensor KEY, records on axis 0
///     manifest.json        ShardManifest, written last
///
/// It is built as `out/shards/.K-of-N.tmp-PID-RANDOM/` and published by one rename(2), which fails when
/// the folder exists: readers never see a half-written shard, and of two writers one publishes and the
/// other compares its bytes with what was published.
public enum ShardStore {
    public static func shardsDirectory(_ out: URL) -> URL { out.appendingPathComponent("shards") }

    public static func directory(_ out: URL, _ spec: ShardSpec) -> URL {
        shardsDirectory(out).appendingPathComponent(spec.directoryName)
    }

    /// The published shard's manifest after checking every file's hash; nil when it is not there.
    public static func published(_ out: URL, _ spec: ShardSpec) throws -> ShardManifest? {
        let dir = directory(out, spec)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("manifest.json").path) else { return nil }
        return try verified(dir)
    }

    /// Reads `dir/manifest.json` and checks the SHA-256 of each file it lists.
    public static func verified(_ dir: URL) throws -> ShardManifest {
        let manifest = try ShardManifest.read(dir.appendingPathComponent("manifest.json"))
        for (file, expected) in manifest.files.sorted(by: { $0.key < $1.key }) {
            let url = dir.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw SweepError("shard \(dir.path): field files: \(file) is listed in manifest.json but missing")
            }
            let actual = try Digest.sha256(file: url)
            guard actual == expected else {
                throw SweepError("shard \(dir.path): field files: \(file) has SHA-256 \(actual), manifest.json says \(expected)")
            }
        }
        return manifest
    }

    public enum Outcome { case published, alreadyIdentical }

    /// Writes the shard's records and publishes the folder. `base` carries the run's fields; files
    /// and items are filled in here.
    public static func publish(_ session: SweepSession, spec: ShardSpec, base: ShardManifest, out: URL) throws -> Outcome {
        guard let sweep = session.shardSweep else {
            throw SweepError("the notebook ran to its end without a `for … in sweep(...)` loop; --shard needs one")
        }
        let fm = FileManager.default
        let shards = shardsDirectory(out)
        let final = directory(out, spec)
        let temp = shards.appendingPathComponent(".\(spec.directoryName).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        var manifest = base
        manifest.sweep = sweep.name
        manifest.totalItems = sweep.ids.count
        manifest.allItemsSHA256 = ShardManifest.idsHash(sweep.ids)
        manifest.items = Array(sweep.ids[sweep.runRange])
        manifest.models = session.models
        do {
            try fm.createDirectory(at: temp, withIntermediateDirectories: true)
            var files: [String: String] = [:]
            let table = try sweep.table()
            if table.columnCount > 0 {
                let url = temp.appendingPathComponent("\(sweep.name).sqlite")
                try table.writeSQLite(to: url, table: sweep.name)
                files[url.lastPathComponent] = try Digest.sha256(file: url)
            }
            for key in try sweep.tensorKeys() {
                let url = temp.appendingPathComponent("\(key).safetensors")
                try Safetensors.encode([(key, try sweep.tensor(key))]).write(to: url)
                files[url.lastPathComponent] = try Digest.sha256(file: url)
            }
            manifest.files = files
            try manifest.encoded().write(to: temp.appendingPathComponent("manifest.json"))
        } catch let e as SweepError {
            try? fm.removeItem(at: temp)
            throw e
        } catch let e as LoupeError {
            try? fm.removeItem(at: temp)
            throw SweepError(e.message)
        } catch {
            try? fm.removeItem(at: temp)
            throw SweepError("cannot write shard \(spec) under \(shards.path): \(error)", retryable: true)
        }
        if rename(temp.path, final.path) == 0 { return .published }
        let code = errno
        defer { try? fm.removeItem(at: temp) }
        guard code == ENOTEMPTY || code == EEXIST else {
            throw SweepError("cannot publish \(final.path): \(String(cString: strerror(code)))", retryable: true)
        }
        let existing = try verified(final)
        guard existing == manifest else {
            let differing = Set(existing.files.keys).union(manifest.files.keys)
                .filter { existing.files[$0] != manifest.files[$0] }.sorted()
            throw SweepError("shard \(spec) was already published at \(final.path) with different contents (\(differing.isEmpty ? "manifest fields" : differing.joined(separator: ", "))): the notebook is not deterministic, or its inputs changed")
        }
        return .alreadyIdentical
    }

    /// The shard's records: its table (nil when it kept no rows) and its tensors.
    static func records(_ dir: URL, manifest: ShardManifest) throws -> (Table?, [(String, TensorValue)]) {
        var table: Table?
        var tensors: [(String, TensorValue)] = []
        for file in manifest.files.keys.sorted() {
            let url = dir.appendingPathComponent(file)
            if file == "\(manifest.sweep).sqlite" {
                let quoted = "\"" + manifest.sweep.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                do { table = try Table.readSQLite(url, query: "SELECT * FROM \(quoted) ORDER BY rowid") } catch {
                    throw SweepError("shard \(dir.lastPathComponent): \(error)")
                }
            } else if file.hasSuffix(".safetensors") {
                let data: Data
                do { data = try Data(contentsOf: url) } catch {
                    throw SweepError("cannot read \(url.path): \(error.localizedDescription)", retryable: true)
                }
                do { tensors += try Safetensors.decode(data, name: url.path) } catch let e as LoupeError {
                    throw SweepError(e.message)
                }
            }
        }
        return (table, tensors)
    }
}
