import Foundation
import XCTest
@testable import LoupeTokenizers

/// The fast paths against naive twins: heap BPE against the textbook loop, the hand-written regex
/// scanners against the same regexes run by NSRegularExpression (ICU) on random text.
final class TwinTests: XCTestCase {
    /// Textbook BPE: merge the lowest-ranked adjacent pair, leftmost among equals, until none is left.
    func naiveMerge(_ initial: [Int32], _ merges: PairTable) -> [Int32] {
        var symbols = initial
        while symbols.count > 1 {
            var best: (rank: Int32, index: Int, id: Int32)?
            for k in 0..<(symbols.count - 1) {
                if let merge = merges.get(symbols[k], symbols[k + 1]), merge.rank < (best?.rank ?? .max) {
                    best = (merge.rank, k, merge.id)
                }
            }
            guard let best else { break }
            symbols[best.index] = best.id
            symbols.remove(at: best.index + 1)
        }
        return symbols
    }

    func testHeapBPEMatchesNaiveLoop() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<200 {
            // 4 base symbols (ids 0..3), random merges creating ids 4...
            var merges = PairTable(capacity: 2)  // small on purpose, so the table has to grow
            var nextID: Int32 = 4
            for rank in 0..<next(30) {
                let left = Int32(next(Int(nextID))), right = Int32(next(Int(nextID)))
                if merges.get(left, right) == nil {
                    merges.set(PairTable.key(left, right), rank: Int32(rank), id: nextID)
                    nextID += 1
                }
            }
            let word = (0..<next(40)).map { _ in Int32(next(4)) }
            XCTAssertEqual(BPEModel.mergeWord(word, merges), naiveMerge(word, merges), "\(word)")
        }
    }

    /// ICU's \s is not Unicode White_Space (Oniguruma's), so the twin spells the class out.
    func icuPattern(_ pattern: SplitPattern) -> String {
        let regex: String
        switch pattern {
        case .gpt2: regex = SplitPattern.gpt2Regex
        case .llama3: regex = SplitPattern.llama3Regex
        case .qwen2: regex = SplitPattern.qwen2Regex
        }
        return regex.replacingOccurrences(of: "[^\\s\\p{L}\\p{N}]", with: "[^\\p{White_Space}\\p{L}\\p{N}]")
            .replacingOccurrences(of: "\\s", with: "\\p{White_Space}")
            .replacingOccurrences(of: "\\S", with: "\\P{White_Space}")
    }

    func testScannersMatchRegexEngine() throws {
        let alphabet: [String] = ["a", "Z", "é", "'", "s", "S", "t", "L", "l", "d", "D", "m", "r", "E", "v", "V", "0", "1",
                                  "9", " ", " ", " ", "\t", "\n", "\r", "\u{a0}", "\u{3000}", "\u{2581}", "\u{301}",
                                  "中", "😀", "\u{200d}", "²", "½", "٣", "!", "?", ".", "-", "_", "(", "|", "Ġ", "\u{b}", "\u{85}"]
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for pattern in [SplitPattern.gpt2, .llama3, .qwen2] {
            let regex = try NSRegularExpression(pattern: icuPattern(pattern))
            for _ in 0..<300 {
                let text = (0..<(1 + next(20))).map { _ in alphabet[next(alphabet.count)] }.joined()
                let scalars = Array(text.unicodeScalars)
                let ours: [String] = pattern.split(scalars[...]).map { range in
                    var view = String.UnicodeScalarView()
                    view.append(contentsOf: scalars[range])
                    return String(view)
                }
                let ns = text as NSString
                let theirs = regex.matches(in: text, range: NSRange(location: 0, length: ns.length))
                    .map { ns.substring(with: $0.range) }
                XCTAssertEqual(ours, theirs, "\(pattern) on \(text.debugDescription)")
            }
        }
    }
}
