// A naive inflater (RFC 1951 stored and fixed-Huffman blocks only), the test twin of Deflate:
// bit by bit, canonical codes decoded by trying lengths 7, 8, 9 in turn.

struct InflateError: Error { let message: String }

enum Inflate {
    static func zlib(_ data: [UInt8]) throws -> [UInt8] {
        guard data.count >= 6, (Int(data[0]) * 256 + Int(data[1])) % 31 == 0, data[0] & 0x0F == 8 else {
            throw InflateError(message: "bad zlib header")
        }
        return try inflate(Array(data[2..<(data.count - 4)]))
    }

    static func inflate(_ d: [UInt8]) throws -> [UInt8] {
        var pos = 0
        func bit() throws -> Int {
            guard pos / 8 < d.count else { throw InflateError(message: "out of data") }
            let b = Int(d[pos / 8] >> UInt8(pos % 8)) & 1
            pos += 1
            return b
        }
        func bits(_ n: Int) throws -> Int { var v = 0; for i in 0..<n { v |= try bit() << i }; return v }
        func symbol() throws -> Int {
            var code = 0
            for len in 1...9 {
                code = code << 1 | (try bit())
                switch len {
                case 7 where code <= 0b0010111: return 256 + code
                case 8 where code >= 0x30 && code <= 0xBF: return code - 0x30
                case 8 where code >= 0xC0 && code <= 0xC7: return 280 + code - 0xC0
                case 9 where code >= 0x190: return 144 + code - 0x190
                default: continue
                }
            }
            throw InflateError(message: "bad code")
        }
        let lbase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let lextra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        let dbase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        let dextra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
        var out: [UInt8] = []
        var final = 0
        repeat {
            final = try bit()
            let type = try bits(2)
            if type == 0 {
                pos = (pos + 7) / 8 * 8
                let len = try bits(16); _ = try bits(16)
                for _ in 0..<len { out.append(UInt8(try bits(8))) }
            } else if type == 1 {
                while true {
                    let s = try symbol()
                    if s < 256 { out.append(UInt8(s)); continue }
                    if s == 256 { break }
                    let li = s - 257
                    let length = lbase[li] + (try bits(lextra[li]))
                    var dc = 0
                    for _ in 0..<5 { dc = dc << 1 | (try bit()) }
                    let dist = dbase[dc] + (try bits(dextra[dc]))
                    guard dist <= out.count else { throw InflateError(message: "distance too far") }
                    for _ in 0..<length { out.append(out[out.count - dist]) }
                }
            } else { throw InflateError(message: "dynamic blocks not supported by the test inflater") }
        } while final == 0
        return out
    }
}
