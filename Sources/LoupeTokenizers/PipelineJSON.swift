import LoupeFormats

/// tokenizer.json's pipeline stages (`normalizer`, `pre_tokenizer`, `decoder`) are objects with a "type";
/// a "Sequence" lists stages of the same kind under one key.
enum PipelineJSON {
    /// Parses a stage at `path`: nil when absent or null; a Sequence becomes `sequence` of its stages
    /// (listed under `sequenceKey`, each parsed the same way); any other type is read by
    /// `stage(type, object, path)`.
    static func parse<Stage>(_ json: JSONValue?, source: String, path: String, sequenceKey: String,
                             sequence: ([Stage]) -> Stage,
                             stage: (_ type: String, _ object: JSONObject, _ path: String) throws -> Stage)
        throws -> Stage? {
        guard let json, !json.isNull else { return nil }
        guard let object = json.object, let type = object["type"]?.string else {
            throw TokenizerError(source: source, location: path, "expected an object with a \"type\"")
        }
        guard type == "Sequence" else { return try stage(type, object, path) }
        return sequence(try (object[sequenceKey]?.array ?? []).enumerated().compactMap {
            try parse($1, source: source, path: "\(path).\(sequenceKey)[\($0)]", sequenceKey: sequenceKey,
                      sequence: sequence, stage: stage)
        })
    }
}
