import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeReport

/// The value an interactive view builtin returns: shows itself as the view (in a report, its HTML
/// with scripts; in the .ipynb, HTML plus the static SVG), and can be saved on its own.
final class ViewObject: HostObject {
    let typeName = "view"
    let function: String
    let summary: String
    let output: CellOutput

    init(function: String, summary: String, output: CellOutput) {
        self.function = function
        self.summary = summary
        self.output = output
    }

    var parts: (html: String, svg: String, title: String) {
        if case let .view(html, svg, title) = output { return (html, svg, title) }
        return ("", "", "")
    }

    func display() -> CellOutput? { output }
    func repr() -> String { "<view \(function): \(summary)>" }
    var memberNames: [String] { ["html", "svg", "title"] }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "html": return .string(parts.html)
        case "svg": return .string(parts.svg)
        case "title": return .string(parts.title)
        default: return nil
        }
    }

    var help: String {
        """
        view (from \(function)): an interactive view. Shown when it is a cell's value; in the HTML report
        it is interactive, in the .ipynb it also carries a static SVG.
          v.save("attn.html")   a standalone page (or "attn.svg" for the static picture)
          v.html, v.svg, v.title, v._repr_html_() (the standalone page as a string)
        """
    }
}

/// The view's methods, declared once: `v.save(path)` and `v._repr_html_()`.
enum ViewMethods {
    static func receiver(_ v: Value) throws -> ViewObject { try hostReceiver(v, "a view") }

    static func install() {
        // circuitsvis users write `open(path, "w").write(view._repr_html_())`.
        Builtins.registerMethod(type: "view", "v._repr_html_()", doc: "The view as a standalone HTML page (a string), as circuitsvis' _repr_html_.",
                                example: "open(\"attn.html\", \"w\").write(v._repr_html_())") { _, recv, _ in
            let view = try receiver(recv)
            return .string(StandalonePage.html(view.output, title: view.parts.title))
        }
        Builtins.registerMethod(type: "view", "v.save(path)", doc: "Writes the view as a standalone page (.html) or its static picture (.svg); returns the path.",
                                example: "v.save(\"attn.html\")") { interp, recv, args in
            let view = try receiver(recv)
            let url = try FileBuiltins.writeURL(try args.string("path"), interp)
            let text = url.pathExtension.lowercased() == "svg" ? view.parts.svg : StandalonePage.html(view.output, title: view.parts.title)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            } catch {
                throw LoupeError("save: cannot write \(url.path): \(error.localizedDescription)",
                                 hint: "check that the directory is writable")
            }
            return .string(url.path)
        }
    }
}
