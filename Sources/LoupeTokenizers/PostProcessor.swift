import Foundation

/// What `add_special_tokens=True` wraps around one sequence: the ids before and after it
/// (TemplateProcessing's `single`, Roberta/Bert's cls ... sep; ByteLevel adds nothing).
struct PostProcessor {
    var prefix: [Int] = []
    var suffix: [Int] = []

    func apply(_ ids: [Int]) -> [Int] {
        prefix.isEmpty && suffix.isEmpty ? ids : prefix + ids + suffix
    }

    /// Parse a `post_processor` object of tokenizer.json.
    static func parse(_ json: Any?, source: String, path: String) throws -> PostProcessor {
        guard let json, !(json is NSNull) else { return PostProcessor() }
        guard let object = json as? [String: Any], let type = object["type"] as? String else {
            throw TokenizerError(source: source, location: path, "expected an object with a \"type\"")
        }
        switch type {
        case "Sequence":
            var combined = PostProcessor()
            for (index, item) in (object["processors"] as? [Any] ?? []).enumerated() {
                let step = try parse(item, source: source, path: "\(path).processors[\(index)]")
                combined.prefix = step.prefix + combined.prefix
                combined.suffix += step.suffix
            }
            return combined
        case "ByteLevel":
            return PostProcessor()
        case "TemplateProcessing":
            let specials = object["special_tokens"] as? [String: Any] ?? [:]
            var result = PostProcessor()
            var seenSequence = false
            for (index, piece) in (object["single"] as? [Any] ?? []).enumerated() {
                guard let piece = piece as? [String: Any] else { continue }
                if piece["Sequence"] != nil {
                    seenSequence = true
                    continue
                }
                guard let special = piece["SpecialToken"] as? [String: Any], let name = special["id"] as? String,
                      let entry = specials[name] as? [String: Any], let ids = entry["ids"] as? [Int] else {
                    throw TokenizerError(source: source, location: "\(path).single[\(index)]",
                                         "template piece names a special token missing from special_tokens")
                }
                if seenSequence { result.suffix += ids } else { result.prefix += ids }
            }
            return result
        case "RobertaProcessing", "BertProcessing":
            guard let cls = object["cls"] as? [Any], cls.count == 2, let clsID = cls[1] as? Int,
                  let sep = object["sep"] as? [Any], sep.count == 2, let sepID = sep[1] as? Int else {
                throw TokenizerError(source: source, location: path, "\(type) needs cls and sep as [token, id]")
            }
            return PostProcessor(prefix: [clsID], suffix: [sepID])
        default:
            throw TokenizerError(source: source, location: path,
                                 "post-processor \"\(type)\" is not supported (supported: TemplateProcessing, ByteLevel, Sequence, RobertaProcessing, BertProcessing)")
        }
    }
}
