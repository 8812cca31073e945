import Foundation

/// A BPE tokenizer that gives exactly the ids of Hugging Face `tokenizers` for the vocabularies Loupe
/// supports: byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM) and SentencePiece-style BPE (Llama 2).
///
/// The encoding pipeline is the one of `tokenizers`: added tokens found in the raw text, the rest
/// normalised, added tokens found again in the normalised text, pre-tokenised into words, each word
/// run through BPE, and the post-processor's special tokens (BOS) put around the result.
/// Load one with `init(tokenizerJSON:config:)`, `init(vocab:merges:)`, `init(gguf:)` or
/// `init(tiktokenFile:)` (Meta's Llama 3 `tokenizer.model`).
public final class Tokenizer: @unchecked Sendable {
    let model: BPEModel
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let decoder: TokenDecoder?
    let postProcessor: PostProcessor
    /// Special or not, by id.
    let addedTokens: [Int: AddedToken]
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher
    let byteLevel: Bool
    /// id -> token string for every id (model vocabulary and added tokens).
    private let idToToken: [String?]
    private let tokenToID: [ExactString: Int]

    public let bosID: Int?
    public let eosID: Int?
    public let padID: Int?
    /// The ids that end a generated reply (Llama 3's end of text, end of message and end of turn);
    /// EOS alone unless the tokenizer file names more.
    public let stopIDs: [Int]
    /// Cuts the text into pieces encoded one after the other, or nil for the whole text at once.
    let chunker: TextChunker?
    /// The chat template the model's files carry, if any (see `ChatFormat`).
    public let chatTemplate: ChatTemplate?

    struct Parts {
        var model: BPEModel
        var normalizer: Normalizer?
        var preTokenizer: PreTokenizer?
        var decoder: TokenDecoder?
        var postProcessor: PostProcessor
        var addedTokens: [AddedToken]
        var bosID: Int?
        var eosID: Int?
        var padID: Int?
        var stopIDs: [Int]?
        var chunker: TextChunker?
        var chatTemplate: ChatTemplate?
    }

    init(_ parts: Parts) {
        model = parts.model
        normalizer = parts.normalizer
        preTokenizer = parts.preTokenizer
        decoder = parts.decoder
        postProcessor = parts.postProcessor
        byteLevel = parts.preTokenizer?.isByteLevel ?? false
        var added: [Int: AddedToken] = [:]
        for token in parts.addedTokens { added[token.id] = token }
        addedTokens = added
        let normalizer = parts.normalizer
        rawMatcher = AddedTokenMatcher(parts.addedTokens.filter { !$0.normalized }) {
            Array($0.content.unicodeScalars)
        }
        normalizedMatcher = AddedTokenMatcher(parts.addedTokens.filter { $0.normalized }) {
            let content = Array($0.content.unicodeScalars)
            return normalizer?.apply(content) ?? content
        }
        var table = parts.model.idToToken
        var lookup = parts.model.vocab
        // A normalised added token decodes as its normalised content, as in `tokenizers`
        // ("<think>" after Llama 2's Prepend normaliser decodes as "▁<think>", i.e. " <think>").
        for token in parts.addedTokens {
            if token.id >= table.count { table += repeatElement(nil, count: token.id + 1 - table.count) }
            var spelled = Array(token.content.unicodeScalars)
            if token.normalized, let normalizer = parts.normalizer { spelled = normalizer.apply(spelled) }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: spelled)
            table[token.id] = String(view)
            lookup[ExactString(token.content)] = token.id
        }
        idToToken = table
        tokenToID = lookup
        bosID = parts.bosID
        eosID = parts.eosID
        padID = parts.padID
        stopIDs = parts.stopIDs ?? parts.eosID.map { [$0] } ?? []
        chunker = parts.chunker
        chatTemplate = parts.chatTemplate
    }

    // MARK: - Vocabulary

    /// Number of ids (model vocabulary and added tokens).
    public var vocabSize: Int { idToToken.count }

    /// The token's string as the vocabulary spells it (byte-level symbols such as "Ġthe" included).
    public func token(for id: Int) -> String? {
        guard id >= 0, id < idToToken.count else { return nil }
        return idToToken[id]
    }

    /// The id of a token spelled exactly so (byte-level symbols included), or nil.
    public func id(for token: String) -> Int? { tokenToID[ExactString(token)] }

    /// Whether `encode(_, addSpecial: true)` puts the BOS token first.
    public var addBOS: Bool {
        guard let bosID, let first = postProcessor.prefix.first else { return false }
        return first == bosID
    }

    /// Whether `id` is a special added token (such as `<|im_start|>`).
    public func isSpecial(_ id: Int) -> Bool { addedTokens[id]?.special ?? false }

    // MARK: - Encoding

    /// The token ids of `text`; `addSpecial` adds what the post-processor adds (e.g. BOS).
    public func encode(_ text: String, addSpecial: Bool = true) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count / 3)
        let chunks = chunker?.chunks(scalars) ?? []
        if chunks.count > 1 {
            for chunk in chunks { encodeText(Array(scalars[chunk]), into: &ids) }
        } else {
            encodeText(scalars, into: &ids)
        }
        return addSpecial ? postProcessor.apply(ids) : ids
    }

    private func encodeText(_ scalars: [Unicode.Scalar], into ids: inout [Int]) {
        for segment in rawMatcher.segments(scalars) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let range):
                var piece = Array(scalars[range])
                if let normalizer { piece = normalizer.apply(piece) }
                for inner in normalizedMatcher.segments(piece) {
                    switch inner {
                    case .token(let id):
                        ids.append(id)
                    case .text(let innerRange):
                        encodeWords(piece[innerRange], startsText: range.lowerBound == 0 && innerRange.lowerBound == 0,
                                    into: &ids)
                    }
                }
            }
        }
    }

    func encodeWords(_ text: ArraySlice<Unicode.Scalar>, startsText: Bool, into ids: inout [Int]) {
        let words = preTokenizer?.apply([text], startsText: startsText) ?? [text]
        for word in words where !word.isEmpty {
            ids.append(contentsOf: model.tokenize(word, byteLevel: byteLevel))
        }
    }

    // MARK: - Decoding

    /// The text of `ids`, as `tokenizers`' `decode` gives it (byte-level symbols back to UTF-8, invalid
    /// bytes as U+FFFD, "▁" back to spaces). Unknown ids are skipped.
    public func decode(_ ids: [Int], skipSpecial: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if skipSpecial && isSpecial(id) { continue }
            if let token = token(for: id) { tokens.append(token) }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens).joined()
    }

    /// Each token decoded on its own: what TransformerLens' `to_str_tokens` shows.
    public func tokenStrings(_ ids: [Int]) -> [String] {
        ids.map { decode([$0]) }
    }
}
