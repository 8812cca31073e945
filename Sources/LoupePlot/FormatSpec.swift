// matplotlib's plot format strings, "[marker][line][color]" in any order: "ko", "s-", "r--", "wh", ".-".

public struct FormatSpec: Equatable, Sendable {
    public var color: Color?
    public var marker: Marker?
    public var lineStyle: LineStyle?

    /// nil when the string is not a valid format (an unknown character, or two of one kind).
    public static func parse(_ fmt: String) -> FormatSpec? {
        var spec = FormatSpec()
        var chars = Array(fmt)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let two = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
            if two == "--" || two == "-." {
                if spec.lineStyle != nil { return nil }
                spec.lineStyle = LineStyle(rawValue: two); i += 2; continue
            }
            if c == "C", i + 1 < chars.count, let d = chars[i + 1].wholeNumberValue {
                if spec.color != nil { return nil }
                spec.color = Color.cycle(d); i += 2; continue
            }
            if c == "-" || c == ":" {
                if spec.lineStyle != nil { return nil }
                spec.lineStyle = LineStyle(rawValue: String(c)); i += 1; continue
            }
            if let m = Marker(rawValue: String(c)), m != .none {
                if spec.marker != nil { return nil }
                spec.marker = m; i += 1; continue
            }
            if let col = Color.baseColors[String(c)] {
                if spec.color != nil { return nil }
                spec.color = col; i += 1; continue
            }
            return nil
        }
        chars.removeAll()
        return spec
    }
}
