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
    var memberNames: [String] { ["html", "svg", "title", "save", "_repr_html_"] }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "html": return .string(parts.html)
        case "svg": return .string(parts.svg)
        case "title": return .string(parts.title)
        default: return nil
        }
    }

    func callMethod(_ name: String, _ args: Arguments, interpreter: Interpreter) throws -> Value? {
        // circuitsvis users write `open(path, "w").write(view._repr_html_())` (seed 000).
        if name == "_repr_html_" {
            _ = try args.bind("_repr_html_", [])
            return .string(StandalonePage.html(output, title: parts.title))
        }
        guard name == "save" else { return nil }
        let a = try args.bind("save", ["path"], required: 1)
        let path = try a[0]!.asString("path")
        let url = try FileBuiltins.writeURL(path, interpreter)
        let text = url.pathExtension.lowercased() == "svg" ? parts.svg : StandalonePage.html(output, title: parts.title)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw LoupeError("save: cannot write \(url.path): \(error.localizedDescription)",
                             hint: "check that the directory is writable")
        }
        return .string(url.path)
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
