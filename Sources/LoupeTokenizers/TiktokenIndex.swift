/// Token bytes -> rank for a tiktoken vocabulary, looked up by slices of other tokens: building the
/// merge table asks it about every cut of every token (about 1.4 million prefixes and suffixes for
/// Llama 3). Keys are a polynomial hash that extends one byte at either end in O(1), so all prefixes
/// and suffixes of a token hash in O(length); every hit is confirmed against the token's bytes.
struct TiktokenIndex {
    let tokens: [[UInt8]]
    private var byHash: [UInt64: Int32] = [:]
    /// Tokens whose hash an earlier token already took (practically never; kept so lookups stay exact).
    private var collided: [[UInt8]: Int32] = [:]

    static let base: UInt64 = 0x100000001B3

    /// The hash of `bytes`: Σ (bytes[i] + 1)·base^(n-1-i), wrapping (the + 1 makes zero bytes count).
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0
        for byte in bytes { h = h &* base &+ UInt64(byte) &+ 1 }
        return h
    }

    /// `tokens[rank]`; the first of two equal tokens keeps its rank (TiktokenFile rejects repeats).
    init(_ tokens: [[UInt8]]) {
        self.tokens = tokens
        byHash.reserveCapacity(tokens.count)
        for (rank, token) in tokens.enumerated() {
            let h = TiktokenIndex.hash(token)
            if let other = byHash[h] {
                if tokens[Int(other)] != token && collided[token] == nil { collided[token] = Int32(rank) }
            } else {
                byHash[h] = Int32(rank)
            }
        }
    }

    /// The rank of the token spelled by `bytes`, whose hash is `h`.
    func rank(_ bytes: ArraySlice<UInt8>, hash h: UInt64) -> Int32? {
        if let rank = byHash[h], tokens[Int(rank)].elementsEqual(bytes) { return rank }
        return collided.isEmpty ? nil : collided[Array(bytes)]
    }

    func rank(_ bytes: [UInt8]) -> Int32? { rank(bytes[...], hash: TiktokenIndex.hash(bytes)) }

    /// Each cut of `token` into two tokens: (cut, left rank, right rank).
    func cuts(of token: [UInt8], _ body: (Int, Int32, Int32) -> Void) {
        let n = token.count
        guard n > 1 else { return }
        // prefix[k] = hash(token[..<k]); suffix[k] = hash(token[k...]), built from the right with the
        // same polynomial: hash(c + s) = (c + 1)·base^len(s) + hash(s).
        var prefix = [UInt64](repeating: 0, count: n + 1)
        for k in 0..<n { prefix[k + 1] = prefix[k] &* TiktokenIndex.base &+ UInt64(token[k]) &+ 1 }
        var suffix = [UInt64](repeating: 0, count: n + 1)
        var power: UInt64 = 1
        for k in stride(from: n - 1, through: 0, by: -1) {
            suffix[k] = (UInt64(token[k]) &+ 1) &* power &+ suffix[k + 1]
            power = power &* TiktokenIndex.base
        }
        for cut in 1..<n {
            guard let left = rank(token[..<cut], hash: prefix[cut]),
                  let right = rank(token[cut...], hash: suffix[cut]) else { continue }
            body(cut, left, right)
        }
    }
}
