/// A token matched in the text as a whole before any pre-tokenisation (`added_tokens` of
/// tokenizer.json: special tokens such as `<|im_start|>`, and user-added ones).
public struct AddedToken: Sendable {
    public var id: Int
    public var content: String
    public var special: Bool
    /// Matched in the normalised text (true) or in the raw text (false).
    public var normalized: Bool
    /// Swallow whitespace on the left / right of the match.
    public var lstrip: Bool
    public var rstrip: Bool
    /// Only match where it is not inside a word.
    public var singleWord: Bool

    public init(id: Int, content: String, special: Bool, normalized: Bool? = nil, lstrip: Bool = false,
                rstrip: Bool = false, singleWord: Bool = false) {
        self.id = id
        self.content = content
        self.special = special
        self.normalized = normalized ?? !special
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.singleWord = singleWord
    }
}

/// Finds added tokens in text the way `tokenizers`' AddedVocabulary does: leftmost match, the longest
/// of those starting there, then `single_word` / `lstrip` / `rstrip` applied.
struct AddedTokenMatcher {
    enum Segment {
        case text(Range<Int>)
        case token(Int)
    }

    private struct Candidate {
        var scalars: [Unicode.Scalar]
        var token: AddedToken
    }

    /// first scalar -> candidates, longest first.
    private var byFirst: [UInt32: [Candidate]] = [:]
    /// Whether an ASCII scalar starts some token (skips the dictionary for most text).
    private var asciiStarts = [Bool](repeating: false, count: 128)

    var isEmpty: Bool { byFirst.isEmpty }

    /// `contents` gives each token's text as it appears in the searched text (normalised or not).
    init(_ tokens: [AddedToken], contents: (AddedToken) -> [Unicode.Scalar]) {
        for token in tokens {
            let scalars = contents(token)
            guard let first = scalars.first else { continue }
            byFirst[first.value, default: []].append(Candidate(scalars: scalars, token: token))
            if first.value < 128 { asciiStarts[Int(first.value)] = true }
        }
        for key in byFirst.keys { byFirst[key]?.sort { $0.scalars.count > $1.scalars.count } }
    }

    func segments(_ text: [Unicode.Scalar]) -> [Segment] {
        if byFirst.isEmpty { return text.isEmpty ? [] : [.text(0..<text.count)] }
        var out: [Segment] = []
        var textStart = 0
        var i = 0
        while i < text.count {
            let value = text[i].value
            guard value >= 128 || asciiStarts[Int(value)], let candidates = byFirst[value],
                  let found = candidates.first(where: { matches($0.scalars, text, at: i) }) else {
                i += 1
                continue
            }
            var start = i
            var stop = i + found.scalars.count
            let token = found.token
            if token.singleWord {
                let before = start == 0 || !UnicodeClasses.isWordCharacter(text[start - 1])
                let after = stop == text.count || !UnicodeClasses.isWordCharacter(text[stop])
                if !(before && after) {
                    i = stop
                    continue
                }
            }
            if token.lstrip {
                var k = start
                while k > textStart && UnicodeClasses.isWhitespace(text[k - 1]) { k -= 1 }
                start = k
            }
            let matchEnd = stop
            if token.rstrip {
                while stop < text.count && UnicodeClasses.isWhitespace(text[stop]) { stop += 1 }
            }
            if textStart < start { out.append(.text(textStart..<start)) }
            out.append(.token(token.id))
            textStart = stop
            i = max(matchEnd, stop)
        }
        if textStart < text.count { out.append(.text(textStart..<text.count)) }
        return out
    }

    private func matches(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + pattern.count <= text.count else { return false }
        for k in 0..<pattern.count where text[i + k] != pattern[k] { return false }
        return true
    }
}
