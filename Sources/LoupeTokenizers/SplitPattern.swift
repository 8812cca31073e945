/// The pre-tokenizer regexes byte-level BPE vocabularies were trained with, as hand-written scanners
/// over Unicode scalars. Each `nextEnd` returns where the regex's leftmost match starting at `start`
/// ends, trying the alternatives in the regex's order with Oniguruma's backtracking semantics. Every
/// scalar belongs to some alternative, so the matches tile the text with no gaps.
public enum SplitPattern: String, Sendable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// Llama 3's pattern with `\p{N}` (one digit at a time) instead of `\p{N}{1,3}`.
    case qwen2

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The pattern a `Split` pre-tokenizer's regex string stands for, if it is one we implement.
    public init?(regex: String) {
        switch regex {
        case SplitPattern.gpt2Regex: self = .gpt2
        case SplitPattern.llama3Regex: self = .llama3
        case SplitPattern.qwen2Regex: self = .qwen2
        default: return nil
        }
    }

    /// The ranges of `text` the regex matches, in order; together they cover all of `text`.
    func split(_ text: ArraySlice<Unicode.Scalar>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(text.count / 3 + 1)
        text.withUnsafeBufferPointer { buffer in
            var classes = [ScalarClass](repeating: .other, count: buffer.count)
            for k in 0..<buffer.count { classes[k] = UnicodeClasses.of(buffer[k]) }
            let base = text.startIndex
            var start = 0
            while start < buffer.count {
                let end: Int
                switch self {
                case .gpt2: end = SplitPattern.gpt2End(buffer, classes, start)
                case .llama3: end = SplitPattern.llamaEnd(buffer, classes, start, maxDigits: 3)
                case .qwen2: end = SplitPattern.llamaEnd(buffer, classes, start, maxDigits: 1)
                }
                ranges.append((base + start)..<(base + end))
                start = end
            }
        }
        return ranges
    }

    // MARK: - Scanners

    /// `'s|'t|'re|'ve|'m|'ll|'d`, case-folded when `ignoringCase` (Oniguruma folds `ſ` to `s` too).
    @inline(__always)
    static func contractionEnd(_ s: UnsafeBufferPointer<Unicode.Scalar>, _ i: Int, ignoringCase: Bool) -> Int? {
        guard s[i] == "'", i + 1 < s.count else { return nil }
        func folded(_ k: Int) -> UInt32 {
            guard k < s.count else { return 0 }
            let v = s[k].value
            guard ignoringCase else { return v }
            if v >= 65 && v <= 90 { return v + 32 }
            if v == 0x17F { return 115 }  // LATIN SMALL LETTER LONG S folds to s
            return v
        }
        switch folded(i + 1) {
        case 115, 116, 109, 100: return i + 2  // s t m d
        case 114, 118: return folded(i + 2) == 101 ? i + 3 : nil  // re ve
        case 108: return folded(i + 2) == 108 ? i + 3 : nil  // ll
        default: return nil
        }
    }

    @inline(__always)
    static func runEnd(_ classes: [ScalarClass], _ i: Int, _ cls: ScalarClass, limit: Int = .max) -> Int {
        var j = i
        while j < classes.count && classes[j] == cls && j - i < limit { j += 1 }
        return j
    }

    /// `\s+(?!\S)|\s+` at a whitespace scalar: a run followed by a non-space gives its last space away.
    @inline(__always)
    static func spaceEnd(_ classes: [ScalarClass], _ i: Int) -> Int {
        let j = runEnd(classes, i, .space)
        if j == classes.count || j - i == 1 { return j }
        return j - 1
    }

    static func gpt2End(_ s: UnsafeBufferPointer<Unicode.Scalar>, _ classes: [ScalarClass], _ i: Int) -> Int {
        if let end = contractionEnd(s, i, ignoringCase: false) { return end }
        let n = s.count
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
        var first = i
        if s[i] == " " && i + 1 < n && classes[i + 1] != .space { first = i + 1 }
        let cls = classes[first]
        if cls != .space { return runEnd(classes, first, cls) }
        return spaceEnd(classes, i)
    }

    static func llamaEnd(_ s: UnsafeBufferPointer<Unicode.Scalar>, _ classes: [ScalarClass], _ i: Int,
                         maxDigits: Int) -> Int {
        if let end = contractionEnd(s, i, ignoringCase: true) { return end }
        let n = s.count
        let c = s[i]
        let cls = classes[i]
        let isLineBreak = c == "\r" || c == "\n"
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        if cls == .letter { return runEnd(classes, i, .letter) }
        if !isLineBreak && cls != .number && i + 1 < n && classes[i + 1] == .letter {
            return runEnd(classes, i + 1, .letter)
        }
        // `\p{N}{1,3}` (or `\p{N}`)
        if cls == .number { return runEnd(classes, i, .number, limit: maxDigits) }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var first = i
        if c == " " && i + 1 < n && classes[i + 1] == .other { first = i + 1 }
        if classes[first] == .other {
            var j = runEnd(classes, first, .other)
            while j < n && (s[j] == "\r" || s[j] == "\n") { j += 1 }
            return j
        }
        // `\s*[\r\n]+`: the whitespace run up to its last line break.
        let runEnd = runEnd(classes, i, .space)
        var k = runEnd - 1
        while k >= i {
            if s[k] == "\r" || s[k] == "\n" { return k + 1 }
            k -= 1
        }
        // `\s+(?!\S)|\s+`
        return spaceEnd(classes, i)
    }
}
