import Foundation
import LoupeFormats

/// The decoders of `tokenizers` (a chain that turns token strings back into text).
indirect enum TokenDecoder {
    case sequence([TokenDecoder])
    /// Byte-level symbols back to bytes, then UTF-8 with invalid bytes as U+FFFD.
    case byteLevel
    case replace(pattern: String, content: String)
    /// Runs of `<0xAB>` tokens back to the bytes they stand for (U+FFFD per token if not valid UTF-8).
    case byteFallback
    /// All tokens joined into one.
    case fuse
    /// Remove up to `start` / `stop` copies of `content` from each token's ends.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// "▁" back to spaces; the first token loses its leading space unless the scheme is "never".
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme)

    func decode(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(tokens) { $1.decode($0) }
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                if let spelled = ByteLevel.bytes(of: token) {
                    bytes.append(contentsOf: spelled)
                } else {
                    bytes.append(contentsOf: token.utf8)
                }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .replace(let pattern, let content):
            let from = Array(pattern.unicodeScalars), to = Array(content.unicodeScalars)
            guard let first = from.first else { return tokens }
            return tokens.map { token in
                guard token.unicodeScalars.contains(first) else { return token }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: Normalizer.replace(Array(token.unicodeScalars), from, to))
                return String(view)
            }
        case .byteFallback:
            return TokenDecoder.byteFallback(tokens)
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                var scalars = Array(token.unicodeScalars)
                var removed = 0
                while removed < start, scalars.first == content {
                    scalars.removeFirst()
                    removed += 1
                }
                removed = 0
                while removed < stop, scalars.last == content {
                    scalars.removeLast()
                    removed += 1
                }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                return String(view)
            }
        case .metaspace(let replacement, let prepend):
            return tokens.enumerated().map { index, token in
                var scalars = token.unicodeScalars.map { $0 == replacement ? " " : $0 }
                if index == 0 && prepend != .never && scalars.first == " " { scalars.removeFirst() }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                return String(view)
            }
        }
    }

    /// `<0x41>` -> 0x41.
    static func fallbackByte(_ token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == 60, utf8[1] == 48, utf8[2] == 120, utf8[5] == 62 else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    static func byteFallback(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                out.append(text)
            } else {
                out.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = fallbackByte(token) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }

    /// Parse a `decoder` object of tokenizer.json.
    static func parse(_ json: JSONValue?, source: String, path: String) throws -> TokenDecoder? {
        try PipelineJSON.parse(json, source: source, path: path, sequenceKey: "decoders", sequence: TokenDecoder.sequence) { type, object, path in
            switch type {
            case "ByteLevel": return .byteLevel
            case "ByteFallback": return .byteFallback
            case "Fuse": return .fuse
            case "Replace":
                guard let pattern = object["pattern"]?.object, let string = pattern["String"]?.string else {
                    throw TokenizerError(source: source, location: path, "only Replace with a literal String pattern is supported")
                }
                return .replace(pattern: string, content: object["content"]?.string ?? "")
            case "Strip":
                let content = (object["content"]?.string)?.unicodeScalars.first ?? " "
                return .strip(content: content, start: object["start"]?.int ?? 0, stop: object["stop"]?.int ?? 0)
            case "Metaspace":
                let replacement = (object["replacement"]?.string)?.unicodeScalars.first ?? "\u{2581}"
                var scheme = PrependScheme.always
                if let name = object["prepend_scheme"]?.string, let parsed = PrependScheme(rawValue: name) {
                    scheme = parsed
                } else if let add = object["add_prefix_space"]?.bool {
                    scheme = add ? .always : .never
                }
                return .metaspace(replacement: replacement, prepend: scheme)
            default:
                throw TokenizerError(source: source, location: path,
                                     "decoder \"\(type)\" is not supported (supported: Sequence, ByteLevel, ByteFallback, Fuse, Replace, Strip, Metaspace)")
            }
        }
    }
}
