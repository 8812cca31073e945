import Foundation

/// `out/shards/K-of-N/manifest.json`: what a shard was computed from and the SHA-256 of every file
/// beside it. Written last, deterministically (sorted keys, no times or host names), so two writers of
/// one shard produce identical bytes.
public struct ShardManifest: Codable, Equatable {
    public var format = "loupe-shard-1"
    /// The notebook's absolute path and the SHA-256 of its bytes.
    public var notebook: String
    public var notebookSHA256: String
    /// `-p` assignments as `name=value` (Loupe literals), in the order given.
    public var parameters: [String]
    /// The models the notebook held when the sweep started (`summary @ fingerprint`).
    public var models: [String]
    public var loupeVersion: String
    /// OpenBLAS threads the shard ran with (recorded: GEMM results do not depend on it in Loupe's kernels,
    /// but a report of a mismatch starts here).
    public var blasThreads: Int
    public var sweep: String
    public var shard: Int
    public var shards: Int
    /// Every item of the sweep: their count and the SHA-256 of their sorted ids as JSON.
    public var totalItems: Int
    public var allItemsSHA256: String
    /// This shard's ids, sorted.
    public var items: [SweepID]
    /// File name → SHA-256, for every file in the shard folder but the manifest.
    public var files: [String: String]

    /// A shard run's fields; the sweep's (name, items, models, files) are filled in when it publishes.
    public init(notebook: String, notebookSHA256: String, parameters: [String], loupeVersion: String,
                blasThreads: Int, spec: ShardSpec) {
        self.notebook = notebook
        self.notebookSHA256 = notebookSHA256
        self.parameters = parameters
        self.models = []
        self.loupeVersion = loupeVersion
        self.blasThreads = blasThreads
        self.sweep = ""
        self.shard = spec.index
        self.shards = spec.count
        self.totalItems = 0
        self.allItemsSHA256 = ""
        self.items = []
        self.files = [:]
    }

    enum CodingKeys: String, CodingKey {
        case format, notebook, parameters, models, sweep, shard, shards, items, files
        case notebookSHA256 = "notebook_sha256"
        case loupeVersion = "loupe_version"
        case blasThreads = "blas_threads"
        case totalItems = "total_items"
        case allItemsSHA256 = "all_items_sha256"
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    public static func read(_ url: URL) throws -> ShardManifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SweepError("cannot read \(url.path): \(error.localizedDescription)", retryable: true)
        }
        do { return try JSONDecoder().decode(ShardManifest.self, from: data) } catch {
            throw SweepError("\(url.path): not a shard manifest (\(error))")
        }
    }

    static func idsHash(_ ids: [SweepID]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Digest.sha256((try? encoder.encode(ids)) ?? Data())
    }

    /// The fields that must agree across a sweep's shards, each with its name as the manifest spells it.
    var sharedFields: [(String, String)] {
        [("notebook_sha256", notebookSHA256), ("parameters", parameters.joined(separator: ", ")),
         ("models", models.joined(separator: "; ")), ("loupe_version", loupeVersion), ("sweep", sweep),
         ("shards", String(shards)), ("total_items", String(totalItems)), ("all_items_sha256", allItemsSHA256)]
    }
}
