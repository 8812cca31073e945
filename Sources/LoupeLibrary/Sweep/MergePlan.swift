import Foundation
import LoupeInterpreter

/// A published shard found by `loupe merge`.
public struct ShardOnDisk {
    public var directory: URL
    public var manifest: ShardManifest
}

/// The shards of one sweep, checked against each other: same notebook, parameters, models, Loupe
/// version and N; every shard 0..<N present; a shard found in two places only if both copies hash equal.
/// `load(into:)` then checks them against the notebook's own sweep and reads their records.
public struct MergePlan {
    /// One per shard index, in order.
    public let shards: [ShardOnDisk]
    public var manifest: ShardManifest { shards[0].manifest }

    /// Every `DIR/shards/K-of-N/` under the given output folders, verified.
    public init(outputDirectories: [URL]) throws {
        var found: [Int: ShardOnDisk] = [:]
        var reference: ShardOnDisk?
        let fm = FileManager.default
        for out in outputDirectories {
            let shardsDir = ShardStore.shardsDirectory(out)
            guard let names = try? fm.contentsOfDirectory(atPath: shardsDir.path) else {
                throw SweepError("\(shardsDir.path): no shards folder (run `loupe run NOTEBOOK --shard K/N --out \(out.path)` first)")
            }
            for name in names.sorted() where !name.hasPrefix(".") && name.contains("-of-") {
                let dir = shardsDir.appendingPathComponent(name)
                let manifest = try ShardStore.verified(dir)
                guard name == "\(manifest.shard)-of-\(manifest.shards)" else {
                    throw SweepError("shard \(dir.path): field shard: manifest.json says \(manifest.shard)-of-\(manifest.shards)")
                }
                let shard = ShardOnDisk(directory: dir, manifest: manifest)
                if let ref = reference {
                    for ((field, mine), (_, theirs)) in zip(manifest.sharedFields, ref.manifest.sharedFields) where mine != theirs {
                        throw SweepError("shard \(dir.path): field \(field) is \"\(mine)\" but shard \(ref.directory.path) has \"\(theirs)\"")
                    }
                } else {
                    reference = shard
                }
                if let twin = found[manifest.shard] {
                    guard twin.manifest == manifest else {
                        let files = Set(twin.manifest.files.keys).union(manifest.files.keys)
                            .filter { twin.manifest.files[$0] != manifest.files[$0] }.sorted()
                        throw SweepError("shard \(name) is present twice with different bytes: \(twin.directory.path) and \(dir.path) (field files: \(files.isEmpty ? "items" : files.joined(separator: ", ")))")
                    }
                    continue
                }
                found[manifest.shard] = shard
            }
        }
        guard let ref = reference else {
            throw SweepError("no shards under \(outputDirectories.map(\.path).joined(separator: ", "))")
        }
        let n = ref.manifest.shards
        let missing = (0..<n).filter { found[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.map { "\($0)-of-\(n)" }.joined(separator: ", ")
            throw SweepError("items missing: shard\(missing.count == 1 ? "" : "s") \(list) not found; run `loupe run \(ref.manifest.notebook) --shard K/\(n) …` for \(missing.count == 1 ? "it" : "each")")
        }
        var owner: [SweepID: Int] = [:]
        for k in 0..<n {
            for id in found[k]!.manifest.items {
                if let other = owner[id] {
                    throw SweepError("item \(id) is in shard \(other)-of-\(n) and shard \(k)-of-\(n)")
                }
                owner[id] = k
            }
        }
        shards = (0..<n).map { found[$0]! }
    }

    /// Checks the notebook's sweep against the shards (name, models, ids, each shard's slice) and
    /// appends every shard's records to it.
    func load(into sweep: SweepObject, models: [String]) throws {
        let m = manifest
        guard sweep.name == m.sweep else {
            throw SweepError("the notebook's sweep \"\(sweep.name)\" is not the shards' (field sweep: \"\(m.sweep)\"); a shard run covers the notebook's first sweep")
        }
        guard models == m.models else {
            throw SweepError("shard 0-of-\(m.shards): field models: the shards ran on \(m.models) but this run loaded \(models)")
        }
        guard sweep.ids.count == m.totalItems, ShardManifest.idsHash(sweep.ids) == m.allItemsSHA256 else {
            throw SweepError("shard 0-of-\(m.shards): field all_items_sha256: the notebook's sweep has other items (\(sweep.ids.count)) than the shards were run with (\(m.totalItems))")
        }
        for shard in shards {
            let spec = try ShardSpec(index: shard.manifest.shard, count: m.shards)
            let expected = Array(sweep.ids[spec.range(total: sweep.ids.count)])
            guard expected == shard.manifest.items else {
                let missing = expected.filter { !shard.manifest.items.contains($0) }
                throw SweepError("shard \(spec): field items: \(missing.isEmpty ? "holds items outside its range" : "items missing: \(missing.map(\.description).joined(separator: ", "))")")
            }
            let (table, tensors) = try ShardStore.records(shard.directory, manifest: shard.manifest)
            try sweep.append(table: table, tensors: tensors, shard: spec.directoryName)
        }
    }
}
