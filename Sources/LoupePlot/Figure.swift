// A figure: a grid of Axes on a canvas sized in inches at 100 px per inch (matplotlib's figsize),
// a suptitle, a theme, colour bars; `svg()` renders it, `save(to:)` writes .svg or .png.

import Foundation

public struct PlotError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// A colour bar beside an axes (matplotlib's fig.colorbar); its settings can change until rendering.
public final class Colorbar {
    public var mappable: ScalarMappable
    public var location: Side
    public var label: String
    /// Gap between axes and bar as a fraction of the parent axes size (matplotlib's pad).
    public var pad: Double
    /// Bar length / thickness (matplotlib's aspect).
    public var aspect: Double
    public var shrink: Double

    init(mappable: ScalarMappable, location: Side, label: String, pad: Double, aspect: Double, shrink: Double) {
        self.mappable = mappable; self.location = location; self.label = label
        self.pad = pad; self.aspect = aspect; self.shrink = shrink
    }
}
typealias ColorbarSpec = Colorbar

public final class Figure {
    /// Size in inches (matplotlib's figsize); the SVG is `width * dpi` × `height * dpi` px.
    public var width: Double, height: Double
    public var dpi: Double = 100
    public let rows: Int, columns: Int
    /// [row][column]
    public let axes: [[Axes]]
    public var suptitle = ""
    public var theme: Theme
    /// Extra space between columns / rows as a fraction of the average axes width / height
    /// (matplotlib's subplots_adjust(wspace=, hspace=)); nil: tight layout gaps.
    public var wspace: Double? = nil, hspace: Double? = nil
    /// A short name used for file names when the figure is written by a report.
    public var name: String? = nil

    public init(width: Double = 6.4, height: Double = 4.8, rows: Int = 1, columns: Int = 1,
                sharex: Bool = false, sharey: Bool = false, theme: Theme? = nil) {
        self.width = width > 0 ? width : 6.4
        self.height = height > 0 ? height : 4.8
        self.rows = max(rows, 1); self.columns = max(columns, 1)
        self.theme = theme ?? Theme.current
        var grid: [[Axes]] = []
        for r in 0..<self.rows { grid.append((0..<self.columns).map { Axes(row: r, column: $0) }) }
        axes = grid
        let all = grid.flatMap { $0 }
        if sharex { for a in all { a.sharedX = all.filter { $0 !== a } }; for a in all where a.row < self.rows - 1 { a.showXTickLabels = false } }
        if sharey { for a in all { a.sharedY = all.filter { $0 !== a } }; for a in all where a.column > 0 { a.showYTickLabels = false } }
    }

    /// The first (or only) axes.
    public var ax: Axes { axes[0][0] }

    /// All axes in row-major order.
    public var allAxes: [Axes] { axes.flatMap { $0 } }

    /// Adds a colour bar beside `ax` for its latest image / value-coloured scatter, or for `mappable`.
    /// Throws when there is nothing to show.
    @discardableResult
    public func colorbar(for ax: Axes, mappable: ScalarMappable? = nil, location: Side = .right, label: String = "",
                         pad: Double? = nil, aspect: Double = 20, shrink: Double = 1) throws -> Colorbar {
        guard let m = mappable ?? ax.lastMappable ?? ax.twin?.lastMappable else {
            throw PlotError("colorbar: this axes has no image or value-coloured scatter; pass a colour map and a range")
        }
        let vertical = location == .left || location == .right
        let cb = Colorbar(mappable: m, location: location, label: label,
                          pad: pad ?? (vertical ? 0.05 : 0.15), aspect: aspect, shrink: shrink)
        ax.colorbars.append(cb)
        return cb
    }

    public var pixelWidth: Double { width * dpi }
    public var pixelHeight: Double { height * dpi }

    /// The figure as a standalone SVG document.
    public func svg() -> String { FigureRenderer(figure: self).render() }

    /// Writes `.svg`, or `.png` through `rsvg-convert` (Debian package librsvg2-bin).
    public func save(to path: String) throws {
        let lower = path.lowercased()
        let svgText = svg()
        if lower.hasSuffix(".svg") {
            do { try svgText.write(toFile: path, atomically: true, encoding: .utf8) }
            catch { throw PlotError("cannot write \(path): \(error.localizedDescription)") }
        } else if lower.hasSuffix(".png") {
            try Rasterizer.png(svg: svgText, to: path)
        } else {
            throw PlotError("cannot save \(path): the file name must end in .svg or .png")
        }
    }
}

/// PNG export through the real rasteriser `rsvg-convert`.
public enum Rasterizer {
    public static func findRsvgConvert() -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in paths + ["/usr/bin", "/usr/local/bin"] {
            let p = "\(dir)/rsvg-convert"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    public static func png(svg: String, to path: String) throws {
        guard let tool = findRsvgConvert() else {
            throw PlotError("cannot write \(path): PNG export needs rsvg-convert, which is not installed "
                            + "(on Debian/Ubuntu: apt-get install librsvg2-bin); save as .svg instead")
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: tmp) }
        do { try svg.write(to: tmp, atomically: true, encoding: .utf8) }
        catch { throw PlotError("cannot write a temporary file for PNG export: \(error.localizedDescription)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-f", "png", "-o", path, tmp.path]
        let errPipe = Pipe()
        p.standardError = errPipe
        do { try p.run() } catch { throw PlotError("cannot run \(tool): \(error.localizedDescription)") }
        let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            let msg = String(decoding: errData, as: UTF8.self)
            throw PlotError("rsvg-convert failed writing \(path) (status \(p.terminationStatus)): \(msg)")
        }
    }
}
