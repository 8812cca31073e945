/// The colour ramps views use, identical in Swift (static SVG) and JavaScript (views-core.js).
enum ColorScale {
    /// matplotlib's "Blues", light to dark: attention 0 is white, 1 is deep blue.
    static let blues: [(Double, Double, Double)] = [
        (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
        (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
    ]
    /// Diverging red (negative) - white - blue (positive), like circuitsvis' colored_tokens.
    static let redWhiteBlue: [(Double, Double, Double)] = [
        (178, 24, 43), (214, 96, 77), (244, 165, 130), (253, 219, 199), (255, 255, 255),
        (209, 229, 240), (146, 197, 222), (67, 147, 195), (33, 102, 172),
    ]

    /// t in [0, 1] along a ramp.
    static func rgb(_ ramp: [(Double, Double, Double)], _ t: Double) -> (UInt8, UInt8, UInt8) {
        let x = (t.isFinite ? min(1, max(0, t)) : 0) * Double(ramp.count - 1)
        let i = min(ramp.count - 2, Int(x))
        let f = x - Double(i)
        let a = ramp[i], b = ramp[i + 1]
        func mix(_ p: Double, _ q: Double) -> UInt8 { UInt8((p + (q - p) * f).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    static func hex(_ ramp: [(Double, Double, Double)], _ t: Double) -> String {
        let (r, g, b) = rgb(ramp, t)
        return "#" + [r, g, b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Black or white text, whichever reads better on the ramp's colour at t.
    static func textOn(_ ramp: [(Double, Double, Double)], _ t: Double) -> String {
        let (r, g, b) = rgb(ramp, t)
        let luminance = 0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)
        return luminance < 140 ? "#ffffff" : "#111111"
    }
}
