// A compact DEFLATE encoder (RFC 1951) for embedded PNGs: one final block with the fixed Huffman
// codes (BTYPE 01) and LZ77 matches found through 3-byte hash chains over a 32 KiB window.
// zlib framing (RFC 1950): 0x78 0x9C, the deflate stream, Adler-32 big-endian.

enum Deflate {
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x9C]
        out += deflate(data)
        let a = Adler32.checksum(data)
        out += [UInt8(a >> 24), UInt8((a >> 16) & 0xFF), UInt8((a >> 8) & 0xFF), UInt8(a & 0xFF)]
        return out
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var acc: UInt64 = 0
        var count: UInt64 = 0
        mutating func write(_ value: UInt32, _ n: Int) {
            acc |= UInt64(value) << count
            count += UInt64(n)
            while count >= 8 { bytes.append(UInt8(acc & 0xFF)); acc >>= 8; count -= 8 }
        }
        /// Huffman codes go most-significant bit first.
        mutating func writeCode(_ code: UInt32, _ n: Int) {
            var rev: UInt32 = 0
            for i in 0..<n { rev |= ((code >> UInt32(i)) & 1) << UInt32(n - 1 - i) }
            write(rev, n)
        }
        mutating func flush() { if count > 0 { bytes.append(UInt8(acc & 0xFF)); acc = 0; count = 0 } }
    }

    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                    67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                  1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func writeSymbol(_ w: inout BitWriter, _ sym: Int) {
        switch sym {
        case 0...143: w.writeCode(UInt32(0x30 + sym), 8)
        case 144...255: w.writeCode(UInt32(0x190 + sym - 144), 9)
        case 256...279: w.writeCode(UInt32(sym - 256), 7)
        default: w.writeCode(UInt32(0xC0 + sym - 280), 8)
        }
    }

    static func writeMatch(_ w: inout BitWriter, length: Int, distance: Int) {
        var li = lengthBase.count - 1
        while lengthBase[li] > length { li -= 1 }
        writeSymbol(&w, 257 + li)
        if lengthExtra[li] > 0 { w.write(UInt32(length - lengthBase[li]), lengthExtra[li]) }
        var di = distBase.count - 1
        while distBase[di] > distance { di -= 1 }
        w.writeCode(UInt32(di), 5)
        if distExtra[di] > 0 { w.write(UInt32(distance - distBase[di]), distExtra[di]) }
    }

    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var w = BitWriter()
        w.bytes.reserveCapacity(data.count / 4 + 16)
        w.write(1, 1)  // BFINAL
        w.write(1, 2)  // BTYPE = 01, fixed Huffman
        let n = data.count
        let hashBits = 15, hashSize = 1 << 15, window = 32768, maxChain = 24
        var head = [Int32](repeating: -1, count: hashSize)
        var prev = [Int32](repeating: -1, count: window)
        @inline(__always) func hash(_ i: Int) -> Int {
            let v = (Int(data[i]) << 16) | (Int(data[i + 1]) << 8) | Int(data[i + 2])
            return ((v &* 2654435761) >> (32 - hashBits)) & (hashSize - 1)
        }
        @inline(__always) func insert(_ i: Int) {
            let h = hash(i)
            prev[i & (window - 1)] = head[h]
            head[h] = Int32(i)
        }
        var i = 0
        data.withUnsafeBufferPointer { p in
            while i < n {
                var bestLen = 0, bestDist = 0
                if i + 2 < n {
                    var cand = Int(head[hash(i)])
                    var chain = 0
                    let maxLen = min(258, n - i)
                    while cand >= 0 && i - cand <= window - 1 && chain < maxChain {
                        if p[cand + bestLen] == p[i + bestLen] || bestLen == 0 {
                            var l = 0
                            while l < maxLen && p[cand + l] == p[i + l] { l += 1 }
                            if l > bestLen { bestLen = l; bestDist = i - cand; if l == maxLen { break } }
                        }
                        let nxt = Int(prev[cand & (window - 1)])
                        if nxt >= cand { break }
                        cand = nxt
                        chain += 1
                    }
                }
                if bestLen >= 3 {
                    writeMatch(&w, length: bestLen, distance: bestDist)
                    let end = i + bestLen
                    while i < end { if i + 2 < n { insert(i) }; i += 1 }
                } else {
                    writeSymbol(&w, Int(p[i]))
                    if i + 2 < n { insert(i) }
                    i += 1
                }
            }
        }
        writeSymbol(&w, 256)
        w.flush()
        return w.bytes
    }
}
