import Foundation
import LoupeFormats

/// A view's input didn't fit (shape mismatch, empty tokens, non-finite data); says what was expected.
public struct ViewError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The JS/CSS files views need, read from the module's bundle (Sources/LoupeReport/Assets).
public enum ReportAssets {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: String] = [:]

    /// The text of `Assets/NAME`; a missing asset is a packaging bug, shown as a comment in the page.
    public static func text(_ name: String) -> String {
        lock.lock(); defer { lock.unlock() }
        if let hit = cache[name] { return hit }
        let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        let url = Bundle.module.url(forResource: stem, withExtension: ext, subdirectory: "Assets")
            ?? Bundle.module.url(forResource: stem, withExtension: ext)
        let text = url.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? "/* missing asset \(name) */"
        cache[name] = text
        return text
    }

    /// An asset wrapped in markers, so a page holding many views keeps one copy (see `HTMLReport`).
    /// The markers can't be forged by data: every string in a page is escaped, so no `<!--` survives.
    static func block(_ name: String) -> String {
        let body = text(name)
        let element = name.hasSuffix(".css") ? "<style>\(body)</style>" : "<script>\(body)</script>"
        return "<!--loupe-asset:\(name)-->\(element)<!--/loupe-asset:\(name)-->"
    }

    /// Keeps the first copy of each marked asset block in `html`, drops the rest.
    public static func deduplicate(_ html: String) -> String {
        var seen: Set<String> = []
        var out = ""
        var rest = Substring(html)
        while let open = rest.range(of: "<!--loupe-asset:") {
            out += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let nameEnd = afterOpen.range(of: "-->") else { out += rest[open.lowerBound...]; return out }
            let name = String(afterOpen[..<nameEnd.lowerBound])
            let closeMarker = "<!--/loupe-asset:\(name)-->"
            guard let close = afterOpen.range(of: closeMarker) else { out += rest[open.lowerBound...]; return out }
            if !seen.contains(name) {
                seen.insert(name)
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = afterOpen[close.upperBound...]
        }
        out += rest
        return out
    }
}

/// Builds the HTML every view shares: a container with a page-unique id, the data as escaped JSON,
/// the static SVG (shown until the script draws, and forever without JavaScript), the assets, and a
/// call that mounts any view not yet drawn.
enum ViewFragment {
    /// "lv-<hash of kind, title and data>": the same view always gets the same id (deterministic pages
    /// and notebooks); `HTMLReport` renames the rare exact repeat so ids stay unique on a page.
    static func uniqueID(kind: String, title: String, json: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in (kind + "\u{0}" + title + "\u{0}" + json).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return "lv-" + String(hash, radix: 16)
    }

    static func html(kind: String, title: String, data: JSONValue, fallbackSVG: String, script: String) -> String {
        let json = data.serialized(.script)
        let id = uniqueID(kind: kind, title: title, json: json)
        var s = "<div class=\"loupe-view loupe-\(kind)\" id=\"\(id)\" data-loupe-view=\"\(kind)\">"
        if !title.isEmpty { s += "<div class=\"loupe-view-title\">\(Escape.html(title))</div>" }
        s += "<script type=\"application/json\" class=\"loupe-view-data\">\(Escape.jsonForScript(json))</script>"
        // Prefixed ids: LoupePlot's clip paths would otherwise clash with other pictures on the page.
        s += "<div class=\"loupe-view-fallback\">\(SVGInline.html(fallbackSVG, prefix: id, alt: title))</div>"
        s += "<div class=\"loupe-view-root\"></div>"
        s += "</div>"
        s += ReportAssets.block("views.css")
        s += ReportAssets.block("views-core.js")
        s += ReportAssets.block(script)
        s += "<script>window.LoupeViews&&window.LoupeViews.mountAll();</script>"
        return s
    }
}
