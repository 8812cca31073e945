// Colour maps as matplotlib defines them: continuous maps are 256-entry lookup tables (value v in
// [0, 1] picks entry min(Int(v * 256), 255), as matplotlib's Colormap.__call__ does), listed maps
// (tab10, tab20) are their colours in order. A "_r" suffix reverses any map.

public struct Colormap: Sendable, Equatable {
    public let name: String
    public let colors: [Color]
    /// Listed (categorical) maps index colours directly; continuous maps are sampled.
    public let isListed: Bool

    public init(name: String, colors: [Color], isListed: Bool = false) {
        self.name = name; self.colors = colors; self.isListed = isListed
    }

    /// A map by matplotlib name (case-sensitive as in matplotlib, with "grey"/"Greys" aliases);
    /// nil for unknown names. `names` lists what exists.
    public static func named(_ name: String) -> Colormap? {
        if name.hasSuffix("_r"), let base = named(String(name.dropLast(2))) {
            return Colormap(name: name, colors: base.colors.reversed(), isListed: base.isListed)
        }
        let key = name == "grey" ? "gray" : name == "Grays" ? "Greys" : name
        return table[key]
    }

    public static var names: [String] {
        ColormapData.continuous.map { $0.0 } + ColormapData.listed.map { $0.0 }
    }

    public static let viridis = named("viridis")!
    public static let magma = named("magma")!
    public static let tab10 = named("tab10")!
    public static let tab20 = named("tab20")!

    /// The colour for a value already normalised to [0, 1]; values outside clip to the ends,
    /// NaN gives a transparent colour (matplotlib's "bad" colour).
    public func color(normalized v: Double) -> Color {
        colors[index(normalized: v) ?? 0].withAlpha(v.isNaN ? 0 : 1)
    }

    /// LUT index for a normalised value (nil for NaN).
    public func index(normalized v: Double) -> Int? {
        if v.isNaN { return nil }
        let n = colors.count
        if v <= 0 { return 0 }
        if v >= 1 { return n - 1 }
        return min(Int(v * Double(n)), n - 1)
    }

    /// The colour for `value` with linear normalisation between vmin and vmax.
    public func color(_ value: Double, vmin: Double, vmax: Double) -> Color {
        color(normalized: Colormap.normalize(value, vmin: vmin, vmax: vmax))
    }

    /// The i-th colour of a listed map (wrapping), or the i/(n-1) sample of a continuous one.
    public func categorical(_ i: Int, of count: Int) -> Color {
        if isListed { return colors[((i % colors.count) + colors.count) % colors.count] }
        return color(normalized: count <= 1 ? 0 : Double(i) / Double(count - 1))
    }

    static func normalize(_ v: Double, vmin: Double, vmax: Double) -> Double {
        if v.isNaN { return .nan }
        if vmax == vmin { return 0 }
        return (v - vmin) / (vmax - vmin)
    }

    private static let table: [String: Colormap] = {
        var d: [String: Colormap] = [:]
        for (name, hex) in ColormapData.continuous { d[name] = Colormap(name: name, colors: decode(hex)) }
        for (name, hex) in ColormapData.listed { d[name] = Colormap(name: name, colors: decode(hex), isListed: true) }
        return d
    }()

    private static func decode(_ hex: String) -> [Color] {
        let bytes = Array(hex.utf8)
        func nibble(_ c: UInt8) -> UInt32 {
            switch c {
            case 48...57: return UInt32(c - 48)
            case 97...102: return UInt32(c - 87)
            default: return 0
            }
        }
        var out: [Color] = []
        out.reserveCapacity(bytes.count / 6)
        var i = 0
        while i + 6 <= bytes.count {
            var v: UInt32 = 0
            for k in 0..<6 { v = v << 4 | nibble(bytes[i + k]) }
            out.append(Color(hex: v))
            i += 6
        }
        return out
    }
}
