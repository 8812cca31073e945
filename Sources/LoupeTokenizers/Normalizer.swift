import Foundation
import LoupeFormats

/// The text normalisers of `tokenizers` that the supported vocabularies use.
indirect enum Normalizer {
    case sequence([Normalizer])
    /// Prepend this string to non-empty text (Llama 2's "▁").
    case prepend(String)
    /// Replace every occurrence of a literal string.
    case replace(pattern: String, content: String)
    case nfc, nfd, nfkc, nfkd
    case lowercase

    func apply(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(text) { $1.apply($0) }
        case .prepend(let prefix):
            return text.isEmpty ? text : Array(prefix.unicodeScalars) + text
        case .replace(let pattern, let content):
            return Normalizer.replace(text, Array(pattern.unicodeScalars), Array(content.unicodeScalars))
        case .nfc: return Normalizer.map(text) { $0.precomposedStringWithCanonicalMapping }
        case .nfd: return Normalizer.map(text) { $0.decomposedStringWithCanonicalMapping }
        case .nfkc: return Normalizer.map(text) { $0.precomposedStringWithCompatibilityMapping }
        case .nfkd: return Normalizer.map(text) { $0.decomposedStringWithCompatibilityMapping }
        case .lowercase: return Normalizer.map(text) { $0.lowercased() }
        }
    }

    private static func map(_ text: [Unicode.Scalar], _ transform: (String) -> String) -> [Unicode.Scalar] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        return Array(transform(String(view)).unicodeScalars)
    }

    static func replace(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar], _ content: [Unicode.Scalar])
        -> [Unicode.Scalar] {
        guard let first = pattern.first else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count + text.count / 8)
        var i = 0
        while i < text.count {
            if text[i] == first && i + pattern.count <= text.count
                && text[i..<(i + pattern.count)].elementsEqual(pattern) {
                out.append(contentsOf: content)
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// Parse a `normalizer` object of tokenizer.json.
    static func parse(_ json: JSONValue?, source: String, path: String) throws -> Normalizer? {
        try PipelineJSON.parse(json, source: source, path: path, sequenceKey: "normalizers", sequence: Normalizer.sequence) { type, object, path in
            switch type {
            case "Prepend":
                return .prepend(object["prepend"]?.string ?? "")
            case "Replace":
                guard let pattern = object["pattern"]?.object, let string = pattern["String"]?.string else {
                    throw TokenizerError(source: source, location: path,
                                         "only Replace with a literal String pattern is supported")
                }
                return .replace(pattern: string, content: object["content"]?.string ?? "")
            case "NFC": return .nfc
            case "NFD": return .nfd
            case "NFKC": return .nfkc
            case "NFKD": return .nfkd
            case "Lowercase": return .lowercase
            default:
                throw TokenizerError(source: source, location: path,
                                     "normalizer \"\(type)\" is not supported (supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase)")
            }
        }
    }
}
