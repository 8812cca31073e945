import LoupeFormats

/// tokenizer.json's pipeline stages (`normalizer`, `pre_tokenizer`, `decoder`) are objects with a "type";
/// a "Sequence" lists stages of the same kind under one key.
enum PipelineJSON {
    /// The stage's object and type, or nil for an absent or null stage.
    static func typed(_ json: JSONValue?, source: String, path: String) throws -> (object: JSONObject, type: String)? {
        guard let json, !json.isNull else { return nil }
        guard let object = json.object, let type = object["type"]?.string else {
            throw TokenizerError(source: source, location: path, "expected an object with a \"type\"")
        }
        return (object, type)
    }

    /// The stages a Sequence lists under `key`, each parsed by `parse(json, source, path)`; null ones are
    /// dropped.
    static func sequence<Stage>(_ object: JSONObject, _ key: String, source: String, path: String,
                                _ parse: (JSONValue?, String, String) throws -> Stage?) throws -> [Stage] {
        try (object[key]?.array ?? []).enumerated().compactMap { try parse($1, source, "\(path).\(key)[\($0)]") }
    }
}
