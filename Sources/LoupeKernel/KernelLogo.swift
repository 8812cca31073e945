import LoupeImage

/// Loupe's kernel logo, a magnifying glass: a ring and a handle on a rounded square. The same shapes
/// as an SVG and rasterized into the PNG sizes Jupyter looks for (logo-32x32.png, logo-64x64.png).
enum KernelLogo {
    // In a unit square: the lens ring, the handle from the ring to the corner, the tile behind them.
    static let ringCenter = (x: 0.42, y: 0.42), ringRadius = 0.24, ringWidth = 0.08
    static let handleFrom = (x: 0.60, y: 0.60), handleTo = (x: 0.84, y: 0.84), handleWidth = 0.11
    static let tileRadius = 0.18
    static let tile: (UInt8, UInt8, UInt8) = (0x1f, 0x3b, 0x73), ink: (UInt8, UInt8, UInt8) = (0xf5, 0xb7, 0x00)

    static var svg: String {
        let s = 64.0
        func f(_ v: Double) -> String { String(Int((v * s).rounded())) }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
        <rect width="64" height="64" rx="\(f(tileRadius))" fill="#1f3b73"/>
        <circle cx="\(f(ringCenter.x))" cy="\(f(ringCenter.y))" r="\(f(ringRadius))" fill="none" stroke="#f5b700" stroke-width="\(f(ringWidth))"/>
        <line x1="\(f(handleFrom.x))" y1="\(f(handleFrom.y))" x2="\(f(handleTo.x))" y2="\(f(handleTo.y))" stroke="#f5b700" stroke-width="\(f(handleWidth))" stroke-linecap="round"/>
        </svg>

        """
    }

    /// A size × size RGBA PNG, each pixel's coverage from 4 × 4 samples.
    static func png(size: Int) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: size * size * 4)
        let samples = 4
        for py in 0..<size {
            for px in 0..<size {
                var tileHits = 0, inkHits = 0
                for sy in 0..<samples {
                    for sx in 0..<samples {
                        let x = (Double(px) + (Double(sx) + 0.5) / Double(samples)) / Double(size)
                        let y = (Double(py) + (Double(sy) + 0.5) / Double(samples)) / Double(size)
                        if inTile(x, y) { tileHits += 1 }
                        if inInk(x, y) { inkHits += 1 }
                    }
                }
                let total = Double(samples * samples)
                let inkShare = Double(inkHits) / total
                let i = (py * size + px) * 4
                pixels[i] = blend(tile.0, ink.0, inkShare)
                pixels[i + 1] = blend(tile.1, ink.1, inkShare)
                pixels[i + 2] = blend(tile.2, ink.2, inkShare)
                pixels[i + 3] = UInt8((Double(max(tileHits, inkHits)) / total * 255).rounded())
            }
        }
        return try Image(width: size, height: size, mode: .RGBA, pixels: pixels).pngData()
    }

    private static func blend(_ a: UInt8, _ b: UInt8, _ t: Double) -> UInt8 {
        UInt8((Double(a) * (1 - t) + Double(b) * t).rounded())
    }

    private static func inTile(_ x: Double, _ y: Double) -> Bool {
        let r = tileRadius
        let cx = min(max(x, r), 1 - r), cy = min(max(y, r), 1 - r)
        return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r
    }

    private static func inInk(_ x: Double, _ y: Double) -> Bool {
        let d = ((x - ringCenter.x) * (x - ringCenter.x) + (y - ringCenter.y) * (y - ringCenter.y)).squareRoot()
        if abs(d - ringRadius) <= ringWidth / 2 { return true }
        // Distance to the handle's segment (round caps).
        let vx = handleTo.x - handleFrom.x, vy = handleTo.y - handleFrom.y
        let t = min(max(((x - handleFrom.x) * vx + (y - handleFrom.y) * vy) / (vx * vx + vy * vy), 0), 1)
        let dx = x - (handleFrom.x + t * vx), dy = y - (handleFrom.y + t * vy)
        return dx * dx + dy * dy <= handleWidth * handleWidth / 4
    }
}
