// Approximate text extents for layout, using DejaVu Sans advance widths (matplotlib's default font,
// generated into FontMetricsData). Characters outside ASCII get 0.62 em, wide East Asian characters
// and emoji 1.0 em, combining marks and zero-width format characters nothing.

enum FontMetrics {
    /// Width in px of `text` set at `size` px.
    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        let table = bold ? FontMetricsData.bold : FontMetricsData.regular
        var units = 0.0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x20...0x7E: units += Double(table[Int(v - 0x20)])
            case 0x00..<0x20, 0x7F..<0xA0: units += 600 * 6  // shown as a \uXXXX escape
            case 0x0300...0x036F, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0xFE00...0xFE0F: break
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60,
                 0x1F300...0x1FAFF, 0x20000...0x3FFFD: units += 1000
            default: units += 620
            }
        }
        return units / 1000 * size
    }

    /// Height of a line of text at `size` px (ascent + descent of DejaVu Sans).
    static func lineHeight(_ size: Double) -> Double { size * 1.17 }
}
