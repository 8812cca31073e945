import Foundation
import LoupeTensor

// model.safetensors.index.json / pytorch_model.bin.index.json:
//   { "metadata": { "total_size": … }?, "weight_map": { TENSOR_NAME: "model-00001-of-00002.safetensors", … } }
// Shard names are file names in the same directory as the index.

/// One file of a sharded checkpoint: a safetensors file or a PyTorch state dict.
public protocol ShardFile: WeightSource {
    var url: URL { get }
    /// Tensors of dtypes Loupe does not load: name → dtype.
    var otherTensors: [String: String] { get }
}

extension SafetensorsFile: ShardFile {}
extension PyTorchFile: ShardFile {}

/// A sharded checkpoint: every tensor in `weight_map`, found in its shard, with nothing left over. The
/// index's name says what the shards are: `pytorch_model.bin.index.json` lists PyTorch state dicts (read
/// by the restricted reader, never run), any other index safetensors files.
public final class ShardIndex: WeightSource, @unchecked Sendable {
    public let url: URL
    /// Shards in the order they are first named by the weight map.
    public let shards: [any ShardFile]
    public let metadata: JSONObject
    public let tensorNames: [String]
    private let shardOf: [String: Int]

    public convenience init(path: String) throws { try self.init(url: URL(fileURLWithPath: path)) }

    public init(url: URL) throws {
        self.url = url
        let path = url.path
        let json = try JSONValue.load(url)
        guard case .object(let weightMap) = json["weight_map"] ?? .null else {
            throw FormatError(.invalidValue, file: path, item: "weight_map", "missing or not an object")
        }
        metadata = json["metadata"]?.object ?? JSONObject(keys: [], values: [:])
        let directory = url.deletingLastPathComponent()
        var shardNames: [String] = []
        var shardIndex: [String: Int] = [:]
        var listed: [String: Int] = [:]
        for (tensor, value) in weightMap.entries {
            guard let shard = value.string else {
                throw FormatError(.invalidValue, file: path, item: tensor, "weight_map value is a \(value.typeName), expected a file name")
            }
            guard !shard.isEmpty, !shard.hasPrefix("/"), !shard.split(separator: "/").contains("..") else {
                throw FormatError(.invalidValue, file: path, item: tensor, "shard name \"\(shard)\" must be a file name next to the index")
            }
            if shardIndex[shard] == nil {
                shardIndex[shard] = shardNames.count
                shardNames.append(shard)
            }
            listed[tensor] = shardIndex[shard]
        }
        let pickled = url.lastPathComponent.hasPrefix("pytorch_model")
        let shards: [any ShardFile] = try shardNames.map {
            let shard = directory.appendingPathComponent($0)
            return pickled ? try PyTorchFile(url: shard) : try SafetensorsFile(url: shard)
        }
        // Every listed tensor is in its shard; every shard tensor is listed there.
        for (tensor, s) in listed {
            let shard = shards[s]
            guard shard.info(tensor) != nil || shard.otherTensors[tensor] != nil else {
                throw FormatError(.noSuchTensor, file: shard.url.path, item: tensor,
                                  "the index \(url.lastPathComponent) places this tensor here, but the shard does not contain it")
            }
        }
        for (s, shard) in shards.enumerated() {
            for name in shard.tensorNames + shard.otherTensors.keys.sorted() where listed[name] != s {
                let other = listed[name].map { "the index places it in \(shardNames[$0])" } ?? "the index does not list it"
                throw FormatError(.invalidValue, file: shard.url.path, item: name, "tensor found in this shard but \(other)")
            }
        }
        self.shards = shards
        self.shardOf = listed
        self.tensorNames = shards.flatMap(\.tensorNames)
    }

    /// Tensors of dtypes Loupe does not load, over all shards: name → dtype.
    public var otherTensors: [String: String] {
        shards.reduce(into: [:]) { acc, s in acc.merge(s.otherTensors) { a, _ in a } }
    }

    public func info(_ name: String) -> TensorInfo? { shardOf[name].flatMap { shards[$0].info(name) } }

    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer { try shard(name).bytes(name) }

    public func loadFloat32(_ name: String) throws -> Tensor { try shard(name).loadFloat32(name) }

    private func shard(_ name: String) throws -> any ShardFile {
        guard let s = shardOf[name] else {
            throw FormatError(.noSuchTensor, file: url.path, item: name, "no tensor of this name in the index (\(shardOf.count) tensors)")
        }
        return shards[s]
    }
}
