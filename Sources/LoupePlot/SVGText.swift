import Foundation

// Text and numbers as they appear inside an SVG document: XML escaping that keeps hostile token
// strings inert, and a fixed, locale-free number format so the same figure gives the same bytes.

enum SVGText {
    /// Escapes `s` for use as XML character data or inside a double- or single-quoted attribute.
    /// `<`, `&`, quotes stay visible as text; control characters (C0, DEL, C1) are shown as
    /// `\n`, `\t`, `\r` or `\uXXXX` instead of being written (most are illegal in XML 1.0).
    /// Everything else (RTL marks, emoji, combining marks) is kept as it is.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&#39;"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x00..<0x20, 0x7F..<0xA0, 0xFFFE, 0xFFFF:
                out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789ABCDEF")
        var s = ""
        for shift in stride(from: 12, through: 0, by: -4) { s.append(digits[Int((v >> UInt32(shift)) & 0xF)]) }
        return s
    }
}

/// Fixed-point number formatting without Foundation: at most `decimals` digits after the point,
/// trailing zeros and a trailing point removed, `-0` written as `0`, non-finite values as `0`.
@inline(__always)
func fmt(_ x: Double, _ decimals: Int = 2) -> String {
    guard x.isFinite else { return "0" }
    let scale: Double
    switch decimals {
    case 0: scale = 1
    case 1: scale = 10
    case 2: scale = 100
    case 3: scale = 1000
    default: scale = pow(10, Double(decimals))
    }
    let scaled = (abs(x) * scale).rounded()
    if scaled >= 9.0e15 { return x < 0 ? "-9e15" : "9e15" }  // far outside any canvas
    var units = UInt64(scaled)
    if units == 0 { return "0" }
    var s = x < 0 ? "-" : ""
    let unit = UInt64(scale)
    s += String(units / unit)
    units %= unit
    if units != 0 && decimals > 0 {
        var frac = String(units)
        while frac.count < decimals { frac = "0" + frac }
        while frac.hasSuffix("0") { frac.removeLast() }
        s += "." + frac
    }
    return s
}

/// Appends SVG elements to a string. Attribute values are escaped by the caller through `SVGText`.
struct SVGBuilder {
    var out = ""
    private var nextID = 0

    /// Element ids carry a placeholder that `finish()` replaces with a hash of the document, so
    /// several figures inlined in one HTML page never share an id, and the bytes stay deterministic.
    mutating func uniqueID(_ prefix: String) -> String {
        nextID += 1
        return "\(prefix)\(SVGBuilder.idPlaceholder)-\(nextID)"
    }

    /// U+0001 never survives escaping, so it cannot come from user text.
    static let idPlaceholder = "\u{1}"

    func finish() -> String {
        guard nextID > 0 else { return out }
        var h: UInt64 = 0xcbf29ce484222325   // FNV-1a 64
        for byte in out.utf8 { h = (h ^ UInt64(byte)) &* 0x100000001b3 }
        let tag = String(h >> 24, radix: 36)  // 40 bits: short enough for many <use> references
        return out.replacingOccurrences(of: SVGBuilder.idPlaceholder, with: tag)
    }

    mutating func line(_ s: String) { out += s; out += "\n" }
}
