// Figure styles. `light` is matplotlib's default rcParams; `dark` is the attention-breakdown notebook's dark-mode rcParams
// (#171717 background, #DDE2F4 text and axes, no top/right spines, bold titles and labels).

public struct Theme: Sendable, Equatable {
    public var name: String
    public var figureBackground: Color
    public var axesBackground: Color
    public var edge: Color          // spines
    public var text: Color          // titles, annotations
    public var label: Color         // axis labels
    public var tick: Color          // tick marks and tick labels
    public var gridColor: Color
    public var legendBackground: Color
    public var legendEdge: Color
    public var topRightSpines: Bool
    public var boldTitles: Bool
    public var boldLabels: Bool
    public var fontFamily: String
    /// Base font size in points (matplotlib's font.size).
    public var fontSize: Double

    public static let light = Theme(
        name: "light", figureBackground: .white, axesBackground: .white, edge: .black, text: .black,
        label: .black, tick: .black, gridColor: Color(hex: 0xB0B0B0), legendBackground: .white,
        legendEdge: Color(hex: 0xCCCCCC), topRightSpines: true, boldTitles: false, boldLabels: false,
        fontFamily: "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif", fontSize: 10)

    public static let dark = Theme(
        name: "dark", figureBackground: Color(hex: 0x171717), axesBackground: Color(hex: 0x171717),
        edge: Color(hex: 0xDDE2F4), text: Color(hex: 0xDDE2F4), label: Color(hex: 0xDDE2F4),
        tick: Color(hex: 0xDDE2F4), gridColor: Color(hex: 0x4A4D57), legendBackground: Color(hex: 0x171717),
        legendEdge: Color(hex: 0xCCCCCC), topRightSpines: false, boldTitles: true, boldLabels: true,
        fontFamily: "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif", fontSize: 10)

    /// "light"/"default" or "dark"; nil for other names.
    public static func named(_ name: String) -> Theme? {
        switch name.lowercased() {
        case "light", "default", "classic": return .light
        case "dark", "dark_background", "dark-mode": return .dark
        default: return nil
        }
    }

    public static var names: [String] { ["light", "dark"] }

    /// The theme new figures start with (the language's `theme("dark")` sets it).
    nonisolated(unsafe) public static var current: Theme = .light
}
