import Foundation
import LoupeTokenizers

// TransformerLens's to_tokens / to_str_tokens / to_string over the model's tokenizer.
extension HookedTransformer {
    func requireTokenizer() throws -> Tokenizer {
        guard let t = tokenizer else {
            throw ModelError(.noTokenizer, "\(config.source): no tokenizer was found with this model; pass token ids instead")
        }
        return t
    }

    /// Token ids of `text`. With `prependBOS` (TransformerLens's default) the BOS token starts the
    /// sequence, whether or not the tokenizer adds one itself.
    public func toTokens(_ text: String, prependBOS: Bool = true) throws -> [Int] {
        let tok = try requireTokenizer()
        var ids = tok.encode(text, addSpecial: false)
        if prependBOS, let bos = tok.bosID ?? config.bosTokenID { ids.insert(bos, at: 0) }
        if ids.isEmpty { throw ModelError(.badInput, "the text gives no tokens; prepend BOS or give non-empty text") }
        return ids
    }

    /// Several texts (a batch; `run(batch:)` pads them).
    public func toTokens(_ texts: [String], prependBOS: Bool = true) throws -> [[Int]] {
        try texts.map { try toTokens($0, prependBOS: prependBOS) }
    }

    /// Each token's text.
    public func toStrTokens(_ tokens: [Int]) throws -> [String] {
        let tok = try requireTokenizer()
        try checkIDs(tokens)
        return tok.tokenStrings(tokens)
    }

    public func toStrTokens(_ text: String, prependBOS: Bool = true) throws -> [String] {
        try toStrTokens(try toTokens(text, prependBOS: prependBOS))
    }

    /// The text of token ids.
    public func toString(_ tokens: [Int]) throws -> String {
        let tok = try requireTokenizer()
        try checkIDs(tokens)
        return tok.decode(tokens)
    }

    /// The id of a single-token string (TransformerLens's to_single_token).
    public func toSingleToken(_ text: String) throws -> Int {
        let ids = try toTokens(text, prependBOS: false)
        guard ids.count == 1 else {
            throw ModelError(.badInput, "\"\(text)\" is \(ids.count) tokens, not one")
        }
        return ids[0]
    }

    func checkIDs(_ tokens: [Int]) throws {
        for (i, t) in tokens.enumerated() where t < 0 || t >= config.dVocab {
            throw ModelError(.badInput, "token id \(t) at position \(i) is out of range 0..<\(config.dVocab)")
        }
    }
}
