/// How Meta's Llama 3 tokenizer (`llama_models.llama3.tokenizer.Tokenizer.encode`) feeds text to
/// tiktoken: in slices of at most 400,000 characters, each cut again wherever a run of whitespace or of
/// non-whitespace characters grows past 25,000 (tiktoken issue 195), and every piece encoded on its
/// own. Ordinary text is one piece; only such long runs give other ids than one tiktoken call.
struct TextChunker: Sendable {
    /// `TIKTOKEN_MAX_ENCODE_CHARS`, in Unicode scalars (Python's characters).
    var sliceLength: Int
    /// `MAX_NO_WHITESPACES_CHARS`: the longest run of one kind kept in one piece.
    var maxRun: Int

    static let llama3 = TextChunker(sliceLength: 400_000, maxRun: 25_000)

    /// The pieces of `text`, in order, covering all of it (none for empty text).
    func chunks(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var sliceStart = 0
        while sliceStart < text.count {
            let sliceEnd = min(text.count, sliceStart + sliceLength)
            cutRuns(text, sliceStart..<sliceEnd, into: &out)
            sliceStart = sliceEnd
        }
        return out
    }

    /// `_split_whitespaces_or_nonwhitespaces`: a run longer than `maxRun` starts a new piece at the
    /// character that makes it too long.
    private func cutRuns(_ text: [Unicode.Scalar], _ slice: Range<Int>, into out: inout [Range<Int>]) {
        var pieceStart = slice.lowerBound
        var runLength = 0
        var runIsSpace = TextChunker.isPythonSpace(text[slice.lowerBound])
        for i in slice {
            let isSpace = TextChunker.isPythonSpace(text[i])
            if isSpace != runIsSpace {
                runLength = 1
                runIsSpace = isSpace
            } else {
                runLength += 1
                if runLength > maxRun {
                    out.append(pieceStart..<i)
                    pieceStart = i
                    runLength = 1
                }
            }
        }
        out.append(pieceStart..<slice.upperBound)
    }

    /// Python's `str.isspace()`: bidirectional class WS, B or S, or category Zs. It differs from the
    /// White_Space property the split regex uses (U+001C…U+001F are spaces here, not there).
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
