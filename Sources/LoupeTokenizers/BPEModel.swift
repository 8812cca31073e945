import Foundation

/// A BPE vocabulary and its ranked merges, applied to one pre-token ("word") at a time the way Hugging
/// Face `tokenizers`' `BPE::merge_word` does: start from one symbol per character (or per byte for
/// byte-level vocabularies), then repeatedly merge the adjacent pair of lowest rank, leftmost first.
final class BPEModel: @unchecked Sendable {
    /// token -> id (exact bytes), and id -> token (nil where the ids have a hole).
    let vocab: [ExactString: Int]
    let idToToken: [String?]
    /// (left id, right id) -> (rank, merged id).
    let merges: PairTable
    let unkID: Int?
    let fuseUnk: Bool
    let byteFallback: Bool
    /// Llama 3's shortcut: a word that is itself in the vocabulary is not merged.
    let ignoreMerges: Bool
    /// Characters that are a token by themselves: scalar value -> id, an array for the Basic
    /// Multilingual Plane (-1: none) and a dictionary above it; and by byte for byte-level spelling.
    let singleScalarIDs: [UInt32: Int32]
    let bmpScalarIDs: [Int32]
    let byteLevelIDs: [Int32]
    /// `<0xAB>` byte-fallback token ids by byte, when the vocabulary has all of them.
    let byteFallbackIDs: [Int32]?


    private var cache: [ExactString: [Int]] = [:]
    private let cacheLock = NSLock()
    private static let cacheLimit = 200_000
    /// Words this long are not cached (as in `tokenizers`).
    private static let cacheMaxWordLength = 256

    /// Ranks by position in `merges`, best first (tokenizer.json, merges.txt, GGUF).
    convenience init(vocab: [ExactString: Int], merges: [(String, String)], unkToken: String?, fuseUnk: Bool,
                     byteFallback: Bool, ignoreMerges: Bool, source: String) throws {
        var table = PairTable(capacity: merges.count)
        for (rank, pair) in merges.enumerated() {
            guard let left = vocab[ExactString(pair.0)], let right = vocab[ExactString(pair.1)] else {
                throw TokenizerError(source: source, location: "model.merges[\(rank)]",
                                     "merge \"\(pair.0) \(pair.1)\" uses a token that is not in the vocabulary")
            }
            guard let merged = vocab[ExactString(pair.0 + pair.1)] else {
                throw TokenizerError(source: source, location: "model.merges[\(rank)]",
                                     "merge \"\(pair.0) \(pair.1)\" makes \"\(pair.0 + pair.1)\", which is not in the vocabulary")
            }
            // A repeated pair keeps its last rank, as `tokenizers` collecting into a HashMap does.
            table.set(PairTable.key(Int32(left), Int32(right)), rank: Int32(rank), id: Int32(merged))
        }
        try self.init(vocab: vocab, pairs: table, unkToken: unkToken, fuseUnk: fuseUnk, byteFallback: byteFallback,
                      ignoreMerges: ignoreMerges, source: source)
    }

    /// `pairs` gives each mergeable pair its rank and merged id directly (tiktoken's ranks, where every
    /// way of making one token has that token's rank).
    init(vocab: [ExactString: Int], pairs: PairTable, unkToken: String?, fuseUnk: Bool, byteFallback: Bool,
         ignoreMerges: Bool, source: String) throws {
        self.vocab = vocab
        let count = (vocab.values.max() ?? -1) + 1
        var idToToken = [String?](repeating: nil, count: count)
        for (token, id) in vocab {
            guard id >= 0, id < Int(Int32.max) else {
                throw TokenizerError(source: source, location: "model.vocab[\(token.text.debugDescription)]",
                                     "id \(id) is out of range")
            }
            idToToken[id] = token.text
        }
        self.idToToken = idToToken
        merges = pairs
        if let unkToken {
            guard let id = vocab[ExactString(unkToken)] else {
                throw TokenizerError(source: source, location: "model.unk_token",
                                     "unknown token \(unkToken.debugDescription) is not in the vocabulary")
            }
            unkID = id
        } else {
            unkID = nil
        }
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        var single: [UInt32: Int32] = [:]
        for (token, id) in vocab {
            var scalars = token.text.unicodeScalars.makeIterator()
            if let first = scalars.next(), scalars.next() == nil { single[first.value] = Int32(id) }
        }
        singleScalarIDs = single
        var bmp = [Int32](repeating: -1, count: 0x10000)
        for (value, id) in single where value < 0x10000 { bmp[Int(value)] = id }
        bmpScalarIDs = bmp
        byteLevelIDs = ByteLevel.byteToScalar.map { single[$0.value] ?? -1 }
        let fallback = (0..<256).compactMap { vocab[ExactString(String(format: "<0x%02X>", $0))].map(Int32.init) }
        byteFallbackIDs = fallback.count == 256 ? fallback : nil
    }

    // MARK: - Encoding one word

    /// The ids of one pre-token. `byteLevel` spells it in GPT-2's byte alphabet first.
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, byteLevel: Bool) -> [Int] {
        var key = String.UnicodeScalarView()
        key.append(contentsOf: word)
        let text = String(key)
        let cacheable = word.count < BPEModel.cacheMaxWordLength
        if cacheable {
            cacheLock.lock()
            let hit = cache[ExactString(text)]
            cacheLock.unlock()
            if let hit { return hit }
        }
        let ids = uncachedTokenize(text, word, byteLevel: byteLevel)
        if cacheable {
            cacheLock.lock()
            if cache.count >= BPEModel.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[ExactString(text)] = ids
            cacheLock.unlock()
        }
        return ids
    }

    private func uncachedTokenize(_ text: String, _ word: ArraySlice<Unicode.Scalar>, byteLevel: Bool) -> [Int] {
        if byteLevel {
            let bytes = Array(text.utf8)
            if ignoreMerges, let id = vocab[ExactString(ByteLevel.spell(bytes))] { return [id] }
            var symbols: [Int32] = []
            symbols.reserveCapacity(bytes.count)
            for byte in bytes {
                // A byte whose character is missing from the vocabulary is dropped, as `tokenizers` does
                // when there is no unknown token.
                let id = byteLevelIDs[Int(byte)]
                if id >= 0 {
                    symbols.append(id)
                } else if let unkID {
                    symbols.append(Int32(unkID))
                }
            }
            return BPEModel.mergeWord(symbols, merges).map(Int.init)
        }
        if ignoreMerges, let id = vocab[ExactString(text)] { return [id] }
        return BPEModel.mergeWord(initialSymbols(word), merges).map(Int.init)
    }

    /// One symbol per character; characters outside the vocabulary become byte-fallback tokens
    /// `<0xAB>` or the unknown token (consecutive ones fused into one with `fuse_unk`).
    private func initialSymbols(_ word: ArraySlice<Unicode.Scalar>) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var pendingUnk = false
        for scalar in word {
            let value = scalar.value
            if let id = value < 0x10000 ? (bmpScalarIDs[Int(value)] >= 0 ? bmpScalarIDs[Int(value)] : nil)
                : singleScalarIDs[value] {
                if pendingUnk, let unkID { symbols.append(Int32(unkID)) }
                pendingUnk = false
                symbols.append(id)
                continue
            }
            if byteFallback, let byteIDs = byteFallbackIDs {
                for byte in String(scalar).utf8 { symbols.append(byteIDs[Int(byte)]) }
                continue
            }
            guard let unkID else { continue }
            if fuseUnk {
                pendingUnk = true
            } else {
                if pendingUnk { symbols.append(Int32(unkID)) }
                pendingUnk = true
            }
        }
        if pendingUnk, let unkID { symbols.append(Int32(unkID)) }
        return symbols
    }

    /// Merge the lowest-ranked adjacent pair, leftmost first, until none is left. A heap of
    /// (rank, position) keeps this O(n log n) for very long words; stale entries are skipped on pop.
    static func mergeWord(_ initial: [Int32], _ merges: PairTable) -> [Int32] {
        let n = initial.count
        if n < 2 { return initial }
        var ids = initial
        var prev = [Int32](repeating: -1, count: n)
        var next = [Int32](repeating: -1, count: n)
        var alive = [Bool](repeating: true, count: n)
        for k in 0..<n {
            prev[k] = Int32(k - 1)
            next[k] = k + 1 < n ? Int32(k + 1) : -1
        }
        var heap = MinHeap()
        for k in 0..<(n - 1) {
            if let merge = merges.get(ids[k], ids[k + 1]) { heap.push(rank: merge.rank, position: Int32(k)) }
        }
        while let (rank, position) = heap.pop() {
            let left = Int(position)
            guard alive[left], next[left] >= 0 else { continue }
            let right = Int(next[left])
            guard let merge = merges.get(ids[left], ids[right]), merge.rank == rank else { continue }
            ids[left] = merge.id
            alive[right] = false
            next[left] = next[right]
            if next[right] >= 0 { prev[Int(next[right])] = Int32(left) }
            if prev[left] >= 0, let before = merges.get(ids[Int(prev[left])], ids[left]) {
                heap.push(rank: before.rank, position: prev[left])
            }
            if next[left] >= 0, let after = merges.get(ids[left], ids[Int(next[left])]) {
                heap.push(rank: after.rank, position: Int32(left))
            }
        }
        var out: [Int32] = []
        var k = 0
        while k >= 0 {
            out.append(ids[k])
            k = Int(next[k])
        }
        return out
    }
}
