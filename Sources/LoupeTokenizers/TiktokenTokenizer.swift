import Foundation

/// Meta's Llama 3 tokenizer from its tiktoken file (`original/tokenizer.model`), giving the ids of
/// `llama_models.llama3.tokenizer.Tokenizer` (tiktoken underneath):
///
/// - the text is cut into Meta's pieces (`TextChunker.llama3`), each encoded on its own;
/// - special tokens written in the text are parsed as special tokens, as Loupe's Hugging Face
///   tokenizers do (Meta's `encode(..., allowed_special="all")`; its default encodes them as plain text);
/// - the rest is split by Llama 3's regex (`SplitPattern.llama3`, the same one Hugging Face's Llama 3
///   tokenizer.json uses) and each piece encoded by tiktoken's BPE: a piece that is a token is that
///   token, otherwise the adjacent pair whose joined bytes have the lowest rank merges first,
///   leftmost among equals;
/// - `encode(_, addSpecial: true)` puts `<|begin_of_text|>` first (Meta's `bos=True`).
///
/// Vocabulary ids are the file's ranks; the 256 special tokens follow them, in Meta's order.
extension Tokenizer {
    public convenience init(tiktokenFile url: URL) throws {
        let file = try TiktokenFile(url: url)
        // Larger tiktoken vocabularies (Llama 4's 200,000, OpenAI's o200k) split text by another regex and
        // have other special tokens: refused rather than tokenised wrongly.
        guard file.tokens.count <= Tokenizer.llama3VocabularySize else {
            throw TokenizerError(source: url.path, location: "",
                                 "\(file.tokens.count) tokens: this is not Llama 3's tiktoken vocabulary (128,000 tokens); larger ones such as Llama 4's use another split regex and special tokens, which Loupe does not implement")
        }
        try self.init(Tokenizer.tiktokenParts(file.index, source: url.path))
    }

    /// Whether `url` is a tiktoken file rather than a SentencePiece model (both are called tokenizer.model).
    public static func isTiktokenFile(_ url: URL) -> Bool { TiktokenFile.looks(at: url) }

    static let llama3VocabularySize = 128_000

    /// The special tokens of `llama_models.llama3.tokenizer.Tokenizer`, numbered from the vocabulary's size.
    static let llama3SpecialTokens: [String] = {
        let named = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                     "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|step_id|>",
                     "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>",
                     "<|image|>"]
        return named + (2..<(2 + 256 - named.count)).map { "<|reserved_special_token_\($0)|>" }
    }()

    static func tiktokenParts(_ index: TiktokenIndex, source: String) throws -> Parts {
        let tokens = index.tokens
        var vocab: [ExactString: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        for (rank, token) in tokens.enumerated() { vocab[ExactString(ByteLevel.spell(token))] = rank }
        let model = try BPEModel(vocab: vocab, pairs: tiktokenPairs(index), unkToken: nil, fuseUnk: false,
                                 byteFallback: false, ignoreMerges: true, source: source)
        let specials = llama3SpecialTokens.enumerated().map {
            AddedToken(id: tokens.count + $0.offset, content: $0.element, special: true, normalized: false)
        }
        func special(_ name: String) -> Int { tokens.count + (llama3SpecialTokens.firstIndex(of: name) ?? 0) }
        let bos = special("<|begin_of_text|>"), eos = special("<|end_of_text|>")
        return Parts(model: model, normalizer: nil,
                     preTokenizer: .sequence([.split(.llama3), .byteLevel(addPrefixSpace: false, useRegex: false)]),
                     decoder: .byteLevel, postProcessor: PostProcessor(prefix: [bos]), addedTokens: specials,
                     bosID: bos, eosID: eos, padID: special("<|finetune_right_pad_id|>"),
                     stopIDs: [eos, special("<|eom_id|>"), special("<|eot_id|>")], chunker: .llama3)
    }

    /// tiktoken's merge rule as a pair table: two adjacent tokens can merge when their joined bytes are
    /// a token, with that token's rank. Every cut of every token into two tokens is such a pair.
    static func tiktokenPairs(_ index: TiktokenIndex) -> PairTable {
        var table = PairTable(capacity: index.tokens.count * 4)
        for (rank, token) in index.tokens.enumerated() {
            index.cuts(of: token) { _, left, right in
                table.set(PairTable.key(left, right), rank: Int32(rank), id: Int32(rank))
            }
        }
        return table
    }
}
