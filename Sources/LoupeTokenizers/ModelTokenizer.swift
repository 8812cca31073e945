import Foundation
import LoupeFormats

extension Tokenizer {
    /// The tokenizer of a model found by `ModelLocator`: the GGUF's metadata, else `tokenizer.json`
    /// (with `tokenizer_config.json`), else GPT-2's `vocab.json` + `merges.txt`, else a tiktoken
    /// `tokenizer.model` (Meta's Llama 3).
    public convenience init(location: ModelLocation) throws {
        if location.kind == .gguf {
            try self.init(gguf: GGUFFile(url: location.url))
        } else if let json = location.tokenizerJSONURL {
            try self.init(tokenizerJSON: json, config: location.tokenizerConfigURL)
        } else if let vocab = location.vocabJSONURL, let merges = location.mergesURL {
            try self.init(vocab: vocab, merges: merges)
        } else if let model = location.sentencePieceURL, Tokenizer.isTiktokenFile(model) {
            try self.init(tiktokenFile: model)
        } else if location.sentencePieceURL != nil {
            throw TokenizerError(source: location.directory.path, location: "tokenizer.model",
                                 "only a SentencePiece tokenizer.model is here; write a tokenizer.json with transformers: AutoTokenizer.from_pretrained(dir).save_pretrained(dir)")
        } else {
            throw TokenizerError(source: location.directory.path, location: "",
                                 "no tokenizer.json, no vocab.json + merges.txt: this model folder has no tokenizer")
        }
    }
}
