// Colours as matplotlib accepts them: names, "#rgb"/"#rrggbb"/"#rrggbbaa", grey levels ("0.8"),
// cycle references ("C0".."C9"), single-letter base colours, and RGB(A) tuples in 0...1.

import Foundation

public struct Color: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var r: Double, g: Double, b: Double, a: Double

    public init(r: Double, g: Double, b: Double, a: Double = 1) {
        self.r = min(max(r, 0), 1); self.g = min(max(g, 0), 1); self.b = min(max(b, 0), 1); self.a = min(max(a, 0), 1)
    }

    /// 0xRRGGBB
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(r: Double((hex >> 16) & 0xFF) / 255, g: Double((hex >> 8) & 0xFF) / 255,
                  b: Double(hex & 0xFF) / 255, a: alpha)
    }

    public static let black = Color(hex: 0x000000)
    public static let white = Color(hex: 0xFFFFFF)
    public static let gold = Color(hex: 0xFFD700)
    public static let none = Color(r: 0, g: 0, b: 0, a: 0)

    /// A colour by any name matplotlib understands; nil when the name is unknown.
    public init?(_ spec: String) {
        let s = spec.trimmingSpaces().lowercased()
        if s == "none" || s == "transparent" { self = .none; return }
        if s.hasPrefix("#") {
            let digits = Array(s.dropFirst())
            guard digits.allSatisfy({ $0.isHexDigit }) else { return nil }
            func v(_ i: Int, _ n: Int) -> Double {
                let part = String(digits[i..<(i + n)])
                let x = Double(UInt32(part, radix: 16) ?? 0)
                return n == 1 ? x * 17 / 255 : x / 255
            }
            switch digits.count {
            case 3: self.init(r: v(0, 1), g: v(1, 1), b: v(2, 1))
            case 4: self.init(r: v(0, 1), g: v(1, 1), b: v(2, 1), a: v(3, 1))
            case 6: self.init(r: v(0, 2), g: v(2, 2), b: v(4, 2))
            case 8: self.init(r: v(0, 2), g: v(2, 2), b: v(4, 2), a: v(6, 2))
            default: return nil
            }
            return
        }
        if let grey = Double(s), grey >= 0, grey <= 1 { self.init(r: grey, g: grey, b: grey); return }
        if s.count == 2, s.hasPrefix("c"), let i = Int(s.dropFirst()) {
            self = Color.cycle(i); return
        }
        if s.count == 1, let base = Color.baseColors[s] { self = base; return }
        if let hex = Color.namedLookup[s] { self.init(hex: hex); return }
        if let hex = Color.namedLookup[s.replacingAll("grey", with: "gray")] { self.init(hex: hex); return }
        return nil
    }

    /// The i-th colour of matplotlib's default property cycle (tab10).
    public static func cycle(_ i: Int) -> Color {
        let tab10 = Colormap.tab10
        return tab10.colors[((i % tab10.colors.count) + tab10.colors.count) % tab10.colors.count]
    }

    /// matplotlib's single-letter colours (the "classic" base colours).
    static let baseColors: [String: Color] = [
        "b": Color(r: 0, g: 0, b: 1), "g": Color(r: 0, g: 0.5, b: 0), "r": Color(r: 1, g: 0, b: 0),
        "c": Color(r: 0, g: 0.75, b: 0.75), "m": Color(r: 0.75, g: 0, b: 0.75), "y": Color(r: 0.75, g: 0.75, b: 0),
        "k": Color(r: 0, g: 0, b: 0), "w": Color(r: 1, g: 1, b: 1),
    ]

    static let namedLookup: [String: UInt32] = {
        var d: [String: UInt32] = [:]
        for (name, hex) in ColormapData.named { d[name] = UInt32(hex, radix: 16) ?? 0 }
        return d
    }()

    public func withAlpha(_ alpha: Double) -> Color { Color(r: r, g: g, b: b, a: alpha) }

    /// Relative luminance (sRGB, WCAG), used to pick black or white text over a cell.
    public var luminance: Double {
        func lin(_ c: Double) -> Double { c <= 0.03928 ? c / 12.92 : pow(((c + 0.055) / 1.055), 2.4) }
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// "#rrggbb" (alpha is written separately as an opacity attribute).
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for c in [r, g, b] {
            let v = Int((c * 255).rounded())
            s.append(digits[v >> 4]); s.append(digits[v & 15])
        }
        return s
    }

    public var description: String { a < 1 ? "\(hex)@\(fmt(a, 3))" : hex }

    var rgb8: (UInt8, UInt8, UInt8) {
        (UInt8((r * 255).rounded()), UInt8((g * 255).rounded()), UInt8((b * 255).rounded()))
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        replacingOccurrences(of: target, with: replacement)
    }
}
