import Foundation
import LoupeFormats

/// What `add_special_tokens=True` wraps around one sequence: the ids before and after it
/// (TemplateProcessing's `single`, Roberta/Bert's cls ... sep; ByteLevel adds nothing).
struct PostProcessor {
    var prefix: [Int] = []
    var suffix: [Int] = []

    func apply(_ ids: [Int]) -> [Int] {
        prefix.isEmpty && suffix.isEmpty ? ids : prefix + ids + suffix
    }

    /// Parse a `post_processor` object of tokenizer.json.
    static func parse(_ json: JSONValue?, source: String, path: String) throws -> PostProcessor {
        guard let json, !json.isNull else { return PostProcessor() }
        guard let object = json.object, let type = object["type"]?.string else {
            throw TokenizerError(source: source, location: path, "expected an object with a \"type\"")
        }
        switch type {
        case "Sequence":
            var combined = PostProcessor()
            for (index, item) in (object["processors"]?.array ?? []).enumerated() {
                let step = try parse(item, source: source, path: "\(path).processors[\(index)]")
                combined.prefix = step.prefix + combined.prefix
                combined.suffix += step.suffix
            }
            return combined
        case "ByteLevel":
            return PostProcessor()
        case "TemplateProcessing":
            let specials = object["special_tokens"]?.object
            var result = PostProcessor()
            var seenSequence = false
            for (index, piece) in (object["single"]?.array ?? []).enumerated() {
                guard let piece = piece.object else { continue }
                if piece["Sequence"] != nil {
                    seenSequence = true
                    continue
                }
                guard let special = piece["SpecialToken"]?.object, let name = special["id"]?.string,
                      let entry = specials?[name]?.object, let ids = entry["ids"]?.intArray else {
                    throw TokenizerError(source: source, location: "\(path).single[\(index)]",
                                         "template piece names a special token missing from special_tokens")
                }
                if seenSequence { result.suffix += ids } else { result.prefix += ids }
            }
            return result
        case "RobertaProcessing", "BertProcessing":
            guard let cls = object["cls"]?.array, cls.count == 2, let clsID = cls[1].int,
                  let sep = object["sep"]?.array, sep.count == 2, let sepID = sep[1].int else {
                throw TokenizerError(source: source, location: path, "\(type) needs cls and sep as [token, id]")
            }
            return PostProcessor(prefix: [clsID], suffix: [sepID])
        default:
            throw TokenizerError(source: source, location: path,
                                 "post-processor \"\(type)\" is not supported (supported: TemplateProcessing, ByteLevel, Sequence, RobertaProcessing, BertProcessing)")
        }
    }
}
