import Foundation
import LoupeFormats

/// Loading from a GGUF file's metadata, building the tokenizer the way transformers'
/// `gguf_tokenizer_mapping.py` does (`AutoTokenizer.from_pretrained(dir, gguf_file=...)`), so ids match
/// what a user of transformers gets from the same file:
///
///   tokenizer.ggml.model        "gpt2" (byte-level BPE) or "llama" (SentencePiece-style BPE)
///   tokenizer.ggml.tokens       [string]   the vocabulary, id = index
///   tokenizer.ggml.merges       [string]   "a b", best first (gpt2; optional for llama)
///   tokenizer.ggml.scores       [f32]      llama: merges are rebuilt from these when there are none
///   tokenizer.ggml.token_type   [i32]      3 = control (special added token), 4 = user-defined
///   tokenizer.ggml.pre          string     which split regex (gpt2 only)
///   tokenizer.ggml.{bos,eos,unknown,padding}_token_id, add_bos_token, add_eos_token, add_space_prefix
extension Tokenizer {
    public convenience init(gguf: GGUFFile) throws {
        let source = gguf.url.path
        func key(_ name: String) -> String { "tokenizer.ggml.\(name)" }
        guard let kind = gguf[key("model")]?.string else {
            throw TokenizerError(source: source, location: key("model"),
                                 "missing; this GGUF has no tokenizer (convert it with llama.cpp's convert_hf_to_gguf.py)")
        }
        guard let tokens = gguf[key("tokens")]?.stringArray, !tokens.isEmpty else {
            throw TokenizerError(source: source, location: key("tokens"), "missing or not an array of strings")
        }
        var tokenTypes: [Int] = []
        if let value = gguf[key("token_type")] {
            guard let types = value.intArray, types.count == tokens.count else {
                throw TokenizerError(source: source, location: key("token_type"),
                                     "expected \(tokens.count) integers, one per token")
            }
            tokenTypes = types
        }
        func tokenID(_ name: String) throws -> Int? {
            guard let value = gguf[key(name)] else { return nil }
            guard let id = value.int, id >= 0, id < tokens.count else {
                throw TokenizerError(source: source, location: key(name),
                                     "\(value) is not a token id (the vocabulary has \(tokens.count) tokens)")
            }
            return id
        }
        let bos = try tokenID("bos_token_id"), eos = try tokenID("eos_token_id")
        let unk = try tokenID("unknown_token_id"), pad = try tokenID("padding_token_id")
        let mergeStrings: [String]?
        if let value = gguf[key("merges")] {
            guard let strings = value.stringArray else {
                throw TokenizerError(source: source, location: key("merges"), "not an array of strings")
            }
            mergeStrings = strings
        } else {
            mergeStrings = nil
        }
        let merges = try mergeStrings.map { try Tokenizer.mergeList($0.map(JSONValue.string), source: source) }

        var parts: Parts
        switch kind {
        case "gpt2":
            guard let merges else {
                throw TokenizerError(source: source, location: key("merges"), "missing; byte-level BPE needs its merges")
            }
            parts = try Tokenizer.byteLevelParts(tokens: tokens, types: tokenTypes, merges: merges,
                                                 pre: gguf[key("pre")]?.string, source: source)
            if let add = gguf[key("add_bos_token")]?.bool, add, let bos { parts.postProcessor.prefix = [bos] }
        case "llama":
            let scores = gguf[key("scores")]?.floatArray
            if merges == nil && scores?.count != tokens.count {
                throw TokenizerError(source: source, location: key("scores"),
                                     "expected \(tokens.count) scores to rebuild the merges from (the file has no merges)")
            }
            parts = try Tokenizer.sentencePieceParts(tokens: tokens, types: tokenTypes, merges: merges, scores: scores,
                                                     addPrefixSpace: gguf[key("add_space_prefix")]?.bool ?? true,
                                                     source: source)
            // llama.cpp adds BOS to a SentencePiece vocabulary that does not say otherwise.
            if gguf[key("add_bos_token")]?.bool ?? true, let bos { parts.postProcessor.prefix = [bos] }
        default:
            throw TokenizerError(source: source, location: key("model"),
                                 "tokenizer \"\(kind)\" is not supported (supported: gpt2, llama)")
        }
        if let add = gguf[key("add_eos_token")]?.bool, add, let eos { parts.postProcessor.suffix = [eos] }
        // The named special tokens are special added tokens too.
        var addedIDs = Set(parts.addedTokens.map(\.id))
        for id in [bos, eos, unk, pad].compactMap({ $0 }) where !addedIDs.contains(id) {
            parts.addedTokens.append(AddedToken(id: id, content: tokens[id], special: true, normalized: false))
            addedIDs.insert(id)
        }
        parts.bosID = bos
        parts.eosID = eos
        parts.padID = pad
        parts.chatTemplate = gguf["tokenizer.chat_template"]?.string.map { ChatTemplate(text: $0, source: "\(source): tokenizer.chat_template") }
        self.init(parts)
    }

    /// transformers' `byte_level_tokenizer`: tokens outside the byte alphabet are re-spelled from their
    /// UTF-8 bytes; control tokens written in the alphabet become special added tokens.
    static func byteLevelParts(tokens: [String], types: [Int], merges: [(String, String)], pre: String?,
                               source: String) throws -> Parts {
        var vocab: [ExactString: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            vocab[ExactString(ByteLevel.isSpelled(token) ? token : ByteLevel.spell(token.utf8))] = id
        }
        var added: [AddedToken] = []
        for (id, type) in types.enumerated() {
            if type == 3 && ByteLevel.isSpelled(tokens[id]) {
                added.append(AddedToken(id: id, content: tokens[id], special: true, normalized: false))
            } else if type == 4 && vocab[ExactString(tokens[id])] != nil {
                added.append(AddedToken(id: id, content: tokens[id], special: false, normalized: false))
            }
        }
        let preTokenizer: PreTokenizer
        switch pre {
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
             "jina-v5-nano", "dbrx", "smaug-bpe":
            preTokenizer = .sequence([.split(.llama3), .byteLevel(addPrefixSpace: false, useRegex: false)])
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez":
            preTokenizer = .sequence([.split(.qwen2), .byteLevel(addPrefixSpace: false, useRegex: false)])
        case "tekken", "qwen35", "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2":
            throw TokenizerError(source: source, location: "tokenizer.ggml.pre",
                                 "pre-tokenizer \"\(pre ?? "")\" uses a split regex Loupe does not implement yet")
        default:
            // Everything else (gpt2, smollm, default, ...) gets GPT-2's ByteLevel regex, as in transformers.
            preTokenizer = .byteLevel(addPrefixSpace: false, useRegex: true)
        }
        let model = try BPEModel(vocab: vocab, merges: merges, unkToken: nil, fuseUnk: false, byteFallback: false,
                                 ignoreMerges: false, source: source)
        return Parts(model: model, normalizer: nil, preTokenizer: preTokenizer, decoder: .byteLevel,
                     postProcessor: PostProcessor(), addedTokens: added)
    }

    /// transformers' `LlamaTokenizer` from a GGUF: Metaspace ("first" or "never"), byte fallback,
    /// fused unknowns, merges from the file or rebuilt from the scores.
    static func sentencePieceParts(tokens: [String], types: [Int], merges: [(String, String)]?, scores: [Float]?,
                                   addPrefixSpace: Bool, source: String) throws -> Parts {
        var vocab: [ExactString: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() { vocab[ExactString(token)] = id }
        let mergeList = merges ?? mergesFromScores(tokens: tokens, vocab: vocab, scores: scores ?? [])
        var added: [AddedToken] = []
        for (id, type) in types.enumerated() {
            if type == 3 {
                added.append(AddedToken(id: id, content: tokens[id], special: true, normalized: false))
            } else if type == 4 {
                added.append(AddedToken(id: id, content: tokens[id], special: false, normalized: false))
            }
        }
        let model = try BPEModel(vocab: vocab, merges: mergeList, unkToken: nil, fuseUnk: true, byteFallback: true,
                                 ignoreMerges: false, source: source)
        var decoders: [TokenDecoder] = [.replace(pattern: "\u{2581}", content: " "), .byteFallback, .fuse]
        if addPrefixSpace { decoders.append(.strip(content: " ", start: 1, stop: 0)) }
        return Parts(model: model, normalizer: nil,
                     preTokenizer: .metaspace(replacement: "\u{2581}", prepend: addPrefixSpace ? .first : .never, split: false),
                     decoder: .sequence(decoders), postProcessor: PostProcessor(), addedTokens: added)
    }

    /// transformers' `generate_merges(vocab, scores)`: every way to cut a token into two tokens of the
    /// vocabulary is a merge ranked by the whole token's score (highest first), then by the lengths of
    /// the left and right parts (longest first), ties in the order found.
    static func mergesFromScores(tokens: [String], vocab: [ExactString: Int], scores: [Float]) -> [(String, String)] {
        // dict(zip(tokens, scores)): first occurrence fixes the order, the last one the score.
        var order: [String] = []
        var scoreOf: [ExactString: Float] = [:]
        for (token, score) in zip(tokens, scores) {
            if scoreOf.updateValue(score, forKey: ExactString(token)) == nil { order.append(token) }
        }
        struct Candidate {
            var leftText: String, rightText: String
            var leftLength: Int, rightLength: Int  // in scalars, as Python's len()
            var score: Float
            var index: Int  // order found, the tie-breaker of Python's stable sort
        }
        var candidates: [Candidate] = []
        for token in order {
            let scalars = Array(token.unicodeScalars)
            guard scalars.count > 1 else { continue }
            var local: [(Candidate, Int, Int)] = []
            for cut in 1..<scalars.count {
                var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
                left.append(contentsOf: scalars[..<cut])
                right.append(contentsOf: scalars[cut...])
                let leftText = String(left), rightText = String(right)
                guard let leftID = vocab[ExactString(leftText)], let rightID = vocab[ExactString(rightText)] else { continue }
                local.append((Candidate(leftText: leftText, rightText: rightText, leftLength: cut,
                                        rightLength: scalars.count - cut, score: scoreOf[ExactString(token)] ?? 0, index: 0),
                              leftID, rightID))
            }
            local.sort { ($0.1, $0.2) < ($1.1, $1.2) }
            for (candidate, _, _) in local {
                var c = candidate
                c.index = candidates.count
                candidates.append(c)
            }
        }
        candidates.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.leftLength != b.leftLength { return a.leftLength > b.leftLength }
            if a.rightLength != b.rightLength { return a.rightLength > b.rightLength }
            return a.index < b.index
        }
        return candidates.map { ($0.leftText, $0.rightText) }
    }
}
