import Foundation
import LoupeFormats

/// Where Metaspace puts its "▁" in front of the text (`prepend_scheme`).
enum PrependScheme: String {
    case always, first, never
}

/// The pre-tokenizers of `tokenizers` that the supported vocabularies use. Each cuts pieces of text
/// into smaller pieces (slices share the text's storage unless a step has to change characters).
indirect enum PreTokenizer {
    case sequence([PreTokenizer])
    /// GPT-2's ByteLevel: optional prefix space, GPT-2's regex when `useRegex`; the model then spells
    /// each piece in the byte alphabet.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// `Split` with one of the known regexes, behaviour "Isolated".
    case split(SplitPattern)
    /// `Digits`: numbers isolated, one digit at a time when `individual`.
    case digits(individual: Bool)
    /// `Metaspace`: spaces become `replacement`, which is also prepended; `split` cuts before each one.
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)

    typealias Piece = ArraySlice<Unicode.Scalar>

    /// Whether the pieces are to be spelled in GPT-2's byte alphabet before BPE.
    var isByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case .sequence(let steps): return steps.contains { $0.isByteLevel }
        default: return false
        }
    }

    /// `startsText`: the first piece begins at offset 0 of the original input (Metaspace "first").
    func apply(_ pieces: [Piece], startsText: Bool) -> [Piece] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.apply($0, startsText: startsText) }
        case .byteLevel(let addPrefixSpace, let useRegex):
            return pieces.flatMap { piece -> [Piece] in
                var piece = piece
                if addPrefixSpace && piece.first != " " { piece = ArraySlice([" "] + piece) }
                guard useRegex else { return [piece] }
                return SplitPattern.gpt2.split(piece).map { piece[$0] }
            }
        case .split(let pattern):
            return pieces.flatMap { piece in pattern.split(piece).map { piece[$0] } }
        case .digits(let individual):
            return pieces.flatMap { PreTokenizer.splitDigits($0, individual: individual) }
        case .metaspace(let replacement, let prepend, let split):
            var out: [Piece] = []
            for (index, piece) in pieces.enumerated() {
                var text = piece.map { $0 == " " ? replacement : $0 }
                let atStart = startsText && index == 0
                if text.first != replacement && (prepend == .always || (prepend == .first && atStart)) {
                    text.insert(replacement, at: 0)
                }
                guard split else {
                    out.append(ArraySlice(text))
                    continue
                }
                // MergedWithNext: each replacement starts a new piece.
                let whole = ArraySlice(text)
                var start = whole.startIndex
                for k in whole.indices where whole[k] == replacement && k > start {
                    out.append(whole[start..<k])
                    start = k
                }
                if start < whole.endIndex { out.append(whole[start...]) }
            }
            return out
        }
    }

    static func splitDigits(_ piece: Piece, individual: Bool) -> [Piece] {
        var out: [Piece] = []
        var start = piece.startIndex
        var k = piece.startIndex
        while k < piece.endIndex {
            if UnicodeClasses.isNumeric(piece[k]) {
                if start < k { out.append(piece[start..<k]) }
                var end = k + 1
                if !individual {
                    while end < piece.endIndex && UnicodeClasses.isNumeric(piece[end]) { end += 1 }
                }
                out.append(piece[k..<end])
                k = end
                start = end
            } else {
                k += 1
            }
        }
        if start < piece.endIndex { out.append(piece[start...]) }
        return out
    }

    /// Parse a `pre_tokenizer` object of tokenizer.json.
    static func parse(_ json: JSONValue?, source: String, path: String) throws -> PreTokenizer? {
        try PipelineJSON.parse(json, source: source, path: path, sequenceKey: "pretokenizers", sequence: PreTokenizer.sequence) { type, object, path in
            switch type {
            case "ByteLevel":
                return .byteLevel(addPrefixSpace: object["add_prefix_space"]?.bool ?? true,
                                  useRegex: object["use_regex"]?.bool ?? true)
            case "Digits":
                return .digits(individual: object["individual_digits"]?.bool ?? false)
            case "Split":
                let behavior = object["behavior"]?.string ?? "Isolated"
                guard behavior == "Isolated", (object["invert"]?.bool ?? false) == false else {
                    throw TokenizerError(source: source, location: path,
                                         "Split with behavior \(behavior) (or invert) is not supported; only Isolated")
                }
                guard let pattern = object["pattern"]?.object, let regex = pattern["Regex"]?.string else {
                    throw TokenizerError(source: source, location: path, "Split needs a {\"Regex\": ...} pattern")
                }
                guard let known = SplitPattern(regex: regex) else {
                    throw TokenizerError(source: source, location: "\(path).pattern",
                                         "regex \(regex.debugDescription) is not one of the known pre-tokenizer regexes (GPT-2, Llama 3, Qwen2)")
                }
                return .split(known)
            case "Metaspace":
                let replacement = (object["replacement"]?.string)?.unicodeScalars.first ?? "\u{2581}"
                var scheme = PrependScheme.always
                if let name = object["prepend_scheme"]?.string {
                    guard let parsed = PrependScheme(rawValue: name) else {
                        throw TokenizerError(source: source, location: "\(path).prepend_scheme",
                                             "unknown prepend_scheme \(name.debugDescription)")
                    }
                    scheme = parsed
                } else if let add = object["add_prefix_space"]?.bool {
                    scheme = add ? .always : .never
                }
                return .metaspace(replacement: replacement, prepend: scheme, split: object["split"]?.bool ?? true)
            default:
                throw TokenizerError(source: source, location: path,
                                     "pre-tokenizer \"\(type)\" is not supported (supported: Sequence, ByteLevel, Split, Digits, Metaspace)")
            }
        }
    }
}
