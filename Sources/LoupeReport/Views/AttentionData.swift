import Foundation
import LoupeFormats

/// Attention for one layer, validated: `pattern` is [head, dest, src] row-major with dest == src ==
/// tokens.count. Encoded for the page as quantized little-endian integers in base64 (16 bits while
/// the data is under 2M values, else 8), which keeps 1000-token views in megabytes, not hundreds.
struct AttentionData {
    var tokens: [String]
    var pattern: [Float]  // [head, dest, src]
    var heads: Int
    var n: Int
    var headNames: [String]
    var lo: Float
    var hi: Float

    /// `shape` is [dest, src] for one head or [head, dest, src].
    init(function: String, tokens: [String], pattern: [Float], shape: [Int], headNames: [String]?,
         minValue: Float? = nil, maxValue: Float? = nil) throws {
        let dims: (Int, Int, Int)
        switch shape.count {
        case 2: dims = (1, shape[0], shape[1])
        case 3: dims = (shape[0], shape[1], shape[2])
        default:
            throw ViewError("\(function): attention has shape \(shape); expected [heads, dest, src] or [dest, src]")
        }
        guard dims.0 > 0, dims.1 > 0 else { throw ViewError("\(function): attention is empty (shape \(shape))") }
        guard dims.0 * dims.1 * dims.2 == pattern.count else {
            throw ViewError("\(function): shape \(shape) needs \(dims.0 * dims.1 * dims.2) values but got \(pattern.count)")
        }
        guard dims.1 == dims.2 else {
            throw ViewError("\(function): attention must be square over positions; got shape \(shape)")
        }
        guard tokens.count == dims.1 else {
            throw ViewError("\(function): \(tokens.count) tokens but attention covers \(dims.1) positions (shape \(shape)); "
                + "pass the same positions, e.g. tokens[-40:] with pattern[:, -40:, -40:]")
        }
        if let names = headNames, names.count != dims.0 {
            throw ViewError("\(function): \(names.count) head names for \(dims.0) heads")
        }
        self.tokens = tokens
        self.pattern = pattern
        self.heads = dims.0
        self.n = dims.1
        self.headNames = headNames ?? (0..<dims.0).map { "Head \($0)" }
        var dataLo = Float.infinity, dataHi = -Float.infinity
        pattern.withUnsafeBufferPointer { p in
            for v in p where v.isFinite {
                if v < dataLo { dataLo = v }
                if v > dataHi { dataHi = v }
            }
        }
        if dataLo > dataHi { dataLo = 0; dataHi = 1 }
        self.lo = minValue ?? min(0, dataLo)
        self.hi = maxValue ?? (dataHi <= 1 && dataLo >= 0 ? 1 : dataHi)
        if self.hi <= self.lo { self.hi = self.lo + 1 }
    }

    var bits: Int { pattern.count <= 2_000_000 ? 16 : 8 }

    /// The quantized values, base64: q = round((v - lo) / (hi - lo) * (2^bits - 1)), clamped.
    func encoded() -> String {
        let levels = Float(bits == 16 ? 65535 : 255)
        let scale = levels / (hi - lo), lo = self.lo
        let width = bits / 8
        var bytes = [UInt8](repeating: 0, count: pattern.count * width)
        pattern.withUnsafeBufferPointer { src in
            bytes.withUnsafeMutableBufferPointer { dst in
                for i in 0..<src.count {
                    let v = src[i]
                    let q = v.isFinite ? Int(max(0, min(levels, ((v - lo) * scale).rounded()))) : 0
                    if width == 2 {
                        dst[2 * i] = UInt8(q & 0xFF)
                        dst[2 * i + 1] = UInt8(q >> 8)
                    } else {
                        dst[i] = UInt8(q)
                    }
                }
            }
        }
        return Data(bytes).base64EncodedString()
    }

    func json(extra: [(String, JSONValue)] = []) -> JSONValue {
        .pairs([
            ("tokens", .array(tokens.map { .string($0) })),
            ("heads", .int(heads)),
            ("n", .int(n)),
            ("headNames", .array(headNames.map { .string($0) })),
            ("lo", .double(Double(lo))),
            ("hi", .double(Double(hi))),
            ("bits", .int(bits)),
            ("data", .string(encoded())),
        ] + extra)
    }

    /// [dest, src] mean over heads.
    func meanOverHeads() -> [Float] {
        var mean = [Float](repeating: 0, count: n * n)
        for h in 0..<heads {
            for i in 0..<(n * n) { mean[i] += pattern[h * n * n + i] }
        }
        return mean.map { $0 / Float(heads) }
    }
}
