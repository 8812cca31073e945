import Foundation

/// A model found on disk: a Hugging Face–style directory (config.json, safetensors or pytorch_model.bin,
/// tokenizer files), Meta's original layout (params.json, consolidated.NN.pth, tokenizer.model) or a
/// single `.gguf` file. Small JSON files are parsed when the location is made; weights are mapped on demand.
public struct ModelLocation: Sendable {
    public enum Kind: String, Sendable {
        case huggingface   // a directory with config.json and safetensors
        case gguf          // one .gguf file holding weights, hyper-parameters and tokenizer
        case meta          // Meta's original checkpoint: params.json and consolidated.NN.pth shards
    }

    public private(set) var kind: Kind
    /// The directory (huggingface) or the .gguf file.
    public let url: URL
    /// The directory holding the model's files.
    public var directory: URL { kind == .gguf ? url.deletingLastPathComponent() : url }

    public let config: JSONValue?
    public let generationConfig: JSONValue?
    public let tokenizerConfig: JSONValue?
    public let configURL: URL?
    public let generationConfigURL: URL?
    public let tokenizerJSONURL: URL?
    public let tokenizerConfigURL: URL?
    public let specialTokensMapURL: URL?
    public let vocabJSONURL: URL?
    public let mergesURL: URL?
    /// SentencePiece model (`tokenizer.model`), when present (for `.meta`, a tiktoken BPE file).
    public let sentencePieceURL: URL?
    /// Meta's `params.json` (`.meta` only).
    public private(set) var paramsURL: URL? = nil
    /// Meta's `consolidated.NN.pth` model-parallel shards in rank order (`.meta` only).
    public private(set) var metaShardURLs: [URL] = []

    /// A .gguf file.
    public init(gguf url: URL) {
        kind = .gguf
        self.url = url
        config = nil; generationConfig = nil; tokenizerConfig = nil
        configURL = nil; generationConfigURL = nil; tokenizerJSONURL = nil; tokenizerConfigURL = nil
        specialTokensMapURL = nil; vocabJSONURL = nil; mergesURL = nil; sentencePieceURL = nil
    }

    /// A Hugging Face–style directory; parses config.json, generation_config.json and tokenizer_config.json.
    public init(huggingface directory: URL) throws {
        kind = .huggingface
        url = directory
        func file(_ name: String) throws -> URL? { try ModelLocation.regularFile(directory.appendingPathComponent(name)) }
        configURL = try file("config.json")
        generationConfigURL = try file("generation_config.json")
        tokenizerJSONURL = try file("tokenizer.json")
        tokenizerConfigURL = try file("tokenizer_config.json")
        specialTokensMapURL = try file("special_tokens_map.json")
        vocabJSONURL = try file("vocab.json")
        mergesURL = try file("merges.txt")
        sentencePieceURL = try file("tokenizer.model")
        config = try configURL.map(JSONValue.load)
        generationConfig = try generationConfigURL.map(JSONValue.load)
        tokenizerConfig = try tokenizerConfigURL.map(JSONValue.load)
        if let config, config.object == nil {
            throw FormatError(.invalidValue, file: configURL?.path ?? "config.json", "config.json is a JSON \(config.typeName), expected an object")
        }
    }

    /// Meta's original layout: `params.json` beside `consolidated.00.pth` (… `.NN.pth`).
    public init(meta directory: URL) throws {
        try self.init(huggingface: directory)
        kind = .meta
        let fm = FileManager.default
        let params = directory.appendingPathComponent("params.json")
        guard fm.fileExists(atPath: params.path) else {
            throw FormatError(.notFound, file: directory.path, "no params.json beside the .pth shards")
        }
        paramsURL = params
        let names = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? []).filter(ModelLocation.isMetaShard).sorted()
        guard !names.isEmpty else {
            throw FormatError(.notFound, file: directory.path, "params.json but no consolidated.NN.pth")
        }
        for (i, name) in names.enumerated() where name != String(format: "consolidated.%02d.pth", i) {
            throw FormatError(.notFound, file: directory.appendingPathComponent(name).path,
                              "shards must be numbered consolidated.00.pth … consolidated.\(String(format: "%02d", names.count - 1)).pth without gaps")
        }
        metaShardURLs = names.map { directory.appendingPathComponent($0) }
    }

    /// `u` when it is a regular file (after symlinks), nil when nothing is there; a FIFO, device, socket
    /// or directory in its place is refused at once (opening a FIFO would wait for a writer forever).
    public static func regularFile(_ u: URL) throws -> URL? {
        var st = stat()
        guard stat(u.path, &st) == 0 else { return nil }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError(.unreadable, file: u.path, "is \(MappedFiles.kindName(st.st_mode)), not a regular file",
                              hint: "a model is a directory of regular files or a single .gguf file")
        }
        return u
    }

    /// `consolidated.NN.pth`.
    public static func isMetaShard(_ name: String) -> Bool {
        name.hasPrefix("consolidated.") && name.hasSuffix(".pth") && name.dropFirst(13).dropLast(4).allSatisfy(\.isNumber)
            && name.count > 17
    }

    /// The checkpoint's shards as mapped state dicts (`.meta`); joining them needs the architecture's
    /// split table (see the model loader).
    public func metaShards() throws -> [PyTorchFile] {
        try MappedFiles.holding(holderName) { try metaShardURLs.map { try PyTorchFile(url: $0) } }
    }

    /// How errors name the model that maps these files.
    var holderName: String { "the model loaded from \(url.path)" }

    /// `config.json`'s `model_type` ("gpt2", "llama" …), or the GGUF architecture is not known here.
    public var modelType: String? { config?["model_type"]?.string }

    /// The checkpoint's weights: the GGUF file, `model.safetensors.index.json` (sharded), or a single
    /// `.safetensors` file, or `pytorch_model.bin` or its sharded `pytorch_model.bin.index.json` (read by
    /// the restricted state-dict reader, never run).
    /// A Meta folder with one shard gives that shard; several are joined by the model loader.
    public func weights() throws -> WeightSource {
        try MappedFiles.holding(holderName) { try mappedWeights() }
    }

    private func mappedWeights() throws -> WeightSource {
        if kind == .gguf { return try GGUFFile(url: url) }
        if kind == .meta {
            guard metaShardURLs.count == 1 else {
                throw FormatError(.unsupportedFormat, file: url.path,
                                  "\(metaShardURLs.count) model-parallel shards: joining them needs the model's split table",
                                  hint: "load the folder as a model")
            }
            return try PyTorchFile(url: metaShardURLs[0])
        }
        let fm = FileManager.default
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if fm.fileExists(atPath: index.path) { return try ShardIndex(url: index) }
        let single = directory.appendingPathComponent("model.safetensors")
        if fm.fileExists(atPath: single.path) { return try SafetensorsFile(url: single) }
        let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        let safetensors = names.filter { $0.hasSuffix(".safetensors") }.sorted()
        if safetensors.count == 1 { return try SafetensorsFile(url: directory.appendingPathComponent(safetensors[0])) }
        if safetensors.count > 1 {
            throw FormatError(.notFound, file: directory.path,
                              "several .safetensors files (\(safetensors.joined(separator: ", "))) but no model.safetensors.index.json",
                              hint: "add the index file, or point at one file's directory")
        }
        let bin = directory.appendingPathComponent("pytorch_model.bin")
        if fm.fileExists(atPath: bin.path) { return try PyTorchFile(url: bin) }
        let binIndex = directory.appendingPathComponent("pytorch_model.bin.index.json")
        if fm.fileExists(atPath: binIndex.path) { return try ShardIndex(url: binIndex) }
        let pickles = names.filter { $0.hasSuffix(".pt") || $0.hasSuffix(".pth") }
        if !pickles.isEmpty {
            throw FormatError(.unsupportedFormat, file: directory.appendingPathComponent(pickles.sorted()[0]).path,
                              "unnamed PyTorch checkpoints are not loaded (only pytorch_model.bin, its sharded index, or Meta's consolidated.NN.pth)",
                              hint: "convert to safetensors: python -c \"from transformers import AutoModel; AutoModel.from_pretrained('\(directory.path)').save_pretrained('\(directory.path)', safe_serialization=True)\"")
        }
        throw FormatError(.notFound, file: directory.path, "no weights: expected model.safetensors, model.safetensors.index.json or a .gguf file")
    }
}
