import Foundation
import LoupeFormats

/// Loading from Hugging Face files: `tokenizer.json` (with an optional `tokenizer_config.json` for the
/// names of BOS/EOS/PAD), and GPT-2's `vocab.json` + `merges.txt`.
extension Tokenizer {
    /// A tokenizer from `tokenizer.json`. Only model type "BPE" is supported; every normaliser,
    /// pre-tokenizer, post-processor and decoder it names must be one Loupe implements, or this throws
    /// naming it.
    public convenience init(tokenizerJSON url: URL, config: URL? = nil) throws {
        let source = url.path
        let root = try Tokenizer.readJSONObject(url)
        guard let modelObject = root["model"]?.object else {
            throw TokenizerError(source: source, location: "model", "missing \"model\" object")
        }
        let type = modelObject["type"]?.string ?? "BPE"
        guard type == "BPE" else {
            throw TokenizerError(source: source, location: "model.type",
                                 "model type \"\(type)\" is not supported; only BPE")
        }
        if let prefix = modelObject["continuing_subword_prefix"]?.string, !prefix.isEmpty {
            throw TokenizerError(source: source, location: "model.continuing_subword_prefix",
                                 "continuing_subword_prefix is not supported")
        }
        if let suffix = modelObject["end_of_word_suffix"]?.string, !suffix.isEmpty {
            throw TokenizerError(source: source, location: "model.end_of_word_suffix", "end_of_word_suffix is not supported")
        }
        guard let vocabObject = modelObject["vocab"]?.object else {
            throw TokenizerError(source: source, location: "model.vocab", "missing vocabulary object")
        }
        let vocab = try Tokenizer.vocabulary(vocabObject, source: source, location: "model.vocab")
        let merges = try Tokenizer.mergeList(modelObject["merges"]?.array ?? [], source: source)
        let model = try BPEModel(vocab: vocab, merges: merges, unkToken: modelObject["unk_token"]?.string,
                                 fuseUnk: modelObject["fuse_unk"]?.bool ?? false,
                                 byteFallback: modelObject["byte_fallback"]?.bool ?? false,
                                 ignoreMerges: modelObject["ignore_merges"]?.bool ?? false, source: source)

        var added: [AddedToken] = []
        for (index, item) in (root["added_tokens"]?.array ?? []).enumerated() {
            guard let object = item.object, let id = object["id"]?.int, id >= 0,
                  let content = object["content"]?.string else {
                throw TokenizerError(source: source, location: "added_tokens[\(index)]", "needs an id and a content")
            }
            let special = object["special"]?.bool ?? false
            added.append(AddedToken(id: id, content: content, special: special,
                                    normalized: object["normalized"]?.bool ?? !special,
                                    lstrip: object["lstrip"]?.bool ?? false, rstrip: object["rstrip"]?.bool ?? false,
                                    singleWord: object["single_word"]?.bool ?? false))
        }

        let postProcessor = try PostProcessor.parse(root["post_processor"], source: source, path: "post_processor")
        var parts = Parts(
            model: model,
            normalizer: try Normalizer.parse(root["normalizer"], source: source, path: "normalizer"),
            preTokenizer: try PreTokenizer.parse(root["pre_tokenizer"], source: source, path: "pre_tokenizer"),
            decoder: try TokenDecoder.parse(root["decoder"], source: source, path: "decoder"),
            postProcessor: postProcessor, addedTokens: added)

        // Special token names: tokenizer_config.json when given, else the usual names.
        let lookup = { (name: String) -> Int? in added.first { $0.content == name }?.id ?? vocab[ExactString(name)] }
        var names: [String: String] = [:]
        parts.chatTemplate = try ChatTemplate.read(directory: url.deletingLastPathComponent())
        if let config {
            let object = try Tokenizer.readJSONObject(config)
            if parts.chatTemplate == nil { parts.chatTemplate = try ChatTemplate.read(config: object, source: config.path) }
            for key in ["bos_token", "eos_token", "pad_token"] {
                if let name = object[key]?.string {
                    names[key] = name
                } else if let entry = object[key]?.object, let name = entry["content"]?.string {
                    names[key] = name
                }
            }
        }
        parts.bosID = names["bos_token"].flatMap(lookup)
            ?? postProcessor.prefix.first
            ?? ["<s>", "<|begin_of_text|>", "<bos>", "<|endoftext|>"].lazy.compactMap(lookup).first
        parts.eosID = names["eos_token"].flatMap(lookup)
            ?? ["</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>", "<|im_end|>"].lazy.compactMap(lookup).first
        parts.padID = names["pad_token"].flatMap(lookup)
        self.init(parts)
    }

    /// GPT-2's files: `vocab.json` (token -> id) and `merges.txt` (a `#version` line, then "a b" per line),
    /// read as transformers' GPT2Tokenizer reads them: ByteLevel without prefix space, `<|endoftext|>` special.
    public convenience init(vocab vocabURL: URL, merges mergesURL: URL) throws {
        let vocab = try Tokenizer.vocabulary(Tokenizer.readJSONObject(vocabURL), source: vocabURL.path, location: "")
        guard let data = FileManager.default.contents(atPath: mergesURL.path) else {
            throw TokenizerError(source: mergesURL.path, location: "", "cannot read the file")
        }
        var merges: [(String, String)] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || (index == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError(source: mergesURL.path, location: "line \(index + 1)",
                                     "expected two tokens separated by one space, found \(String(line).debugDescription)")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        let model = try BPEModel(vocab: vocab, merges: merges, unkToken: nil, fuseUnk: false, byteFallback: false,
                                 ignoreMerges: false, source: mergesURL.path)
        let endOfText = vocab[ExactString("<|endoftext|>")]
        let added = endOfText.map { [AddedToken(id: $0, content: "<|endoftext|>", special: true)] } ?? []
        self.init(Parts(model: model, normalizer: nil, preTokenizer: .byteLevel(addPrefixSpace: false, useRegex: true),
                        decoder: .byteLevel, postProcessor: PostProcessor(), addedTokens: added,
                        bosID: endOfText, eosID: endOfText, padID: nil))
    }

    // MARK: - Helpers

    /// The top-level object, read with every key/value pair kept as the file spells it and in file order
    /// (a vocabulary may hold keys that Swift's String equality would merge).
    static func readJSONObject(_ url: URL) throws -> JSONObject {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError(source: url.path, location: "", "cannot read the file (does it exist?)")
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(data, file: url.path, options: .ordered)
        } catch let error as FormatError {
            throw TokenizerError(source: url.path, location: error.offset.map { "byte \($0)" } ?? "",
                                 "not valid JSON: \(error.message)")
        }
        guard let object = parsed.object else {
            throw TokenizerError(source: url.path, location: "", "expected a JSON object at the top level")
        }
        return object
    }

    /// token -> id from the vocabulary's pairs as the file spells them.
    static func vocabulary(_ object: JSONObject, source: String, location: String) throws -> [ExactString: Int] {
        var vocab: [ExactString: Int] = [:]
        vocab.reserveCapacity(object.count)
        for (token, value) in zip(object.keys, object.items) {
            guard case .int(let id) = value, id >= 0, id < 1 << 30 else {
                throw TokenizerError(source: source, location: "\(location)[\(token.debugDescription)]",
                                     "id must be a non-negative integer, found \(value)")
            }
            vocab[ExactString(token)] = id
        }
        return vocab
    }

    /// Merges as "a b" strings (older files) or ["a", "b"] pairs (tokenizers >= 0.20).
    static func mergeList(_ items: [JSONValue], source: String) throws -> [(String, String)] {
        var merges: [(String, String)] = []
        merges.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            if let pair = item.stringArray, pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else if let line = item.string {
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw TokenizerError(source: source, location: "model.merges[\(index)]",
                                         "expected \"a b\", found \(line.debugDescription)")
                }
                merges.append((String(parts[0]), String(parts[1])))
            } else {
                throw TokenizerError(source: source, location: "model.merges[\(index)]",
                                     "expected \"a b\" or [\"a\", \"b\"]")
            }
        }
        return merges
    }
}
