import LoupeInterpreter
import LoupeNotebook

/// IPython's `HTML(data)` / `IFrame(src, width, height)`: HTML shown as a cell's value or through display().
final class HTMLObject: HostObject {
    let typeName = "HTML"
    let data: String

    init(_ data: String) { self.data = data }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        name == "data" ? .string(data) : nil
    }
    var memberNames: [String] { ["data", "_repr_html_"] }
    func repr() -> String { "<IPython.core.display.HTML object>" }
    func display() -> CellOutput? {
        .view(html: data, fallbackSVG: IPythonDisplay.fallbackSVG, title: "HTML")
    }
}

/// `from IPython.display import HTML, IFrame, display`, and circuitsvis's `view.show_code()` (the view's
/// self-contained HTML), so notebooks that compose views as HTML strings run as written.
enum IPythonDisplay {
    /// What the .ipynb shows for raw HTML where it needs a picture.
    static let fallbackSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" width="320" height="24"><text x="4" y="16" font-family="sans-serif" \
        font-size="12">HTML output: see the HTML report</text></svg>
        """

    static func install() {
        let display = Namespace(name: "IPython.display", doc: "IPython's HTML, IFrame and display.",
                                otherwise: "Loupe's IPython.display has HTML, IFrame and display")
        display.set("HTML", .builtin(Builtins.function("HTML(data: str)",
            doc: "Raw HTML shown as the cell's value (or through display()); .data is the text.",
            example: "HTML(\"<h2>Heads</h2>\" + view.show_code())") { _, args in
            .host(HTMLObject(try args.string("data")))
        }))
        display.set("IFrame", .builtin(Builtins.function("IFrame(src: str, width, height)",
            doc: "An <iframe> of src, as HTML.", example: "IFrame(\"attn.html\", width=800, height=600)") { _, args in
            let src = try args.string("src").replacingOccurrences(of: "\"", with: "&quot;")
            let w = Repr.str(args.value("width")), h = Repr.str(args.value("height"))
            return .host(HTMLObject("<iframe src=\"\(src)\" width=\"\(w)\" height=\"\(h)\" frameborder=\"0\"></iframe>"))
        }))
        display.forward(["display"])
        let ipython = Namespace(name: "IPython", doc: "IPython: its display module.", otherwise: "Loupe's IPython has IPython.display")
        ipython.set("display", .host(display))
        Builtins.registerModule("IPython.display", .host(display))
        Builtins.registerModule("IPython", .host(ipython))

        Builtins.registerMethod(type: "view", "v.show_code()",
                                doc: "The view's self-contained HTML (a string), as circuitsvis' show_code(): to compose with other HTML.",
                                example: "HTML(\"<h2>Layer 0</h2>\" + attention_heads(cache[\"pattern\", 0][0], tokens).show_code())") { _, recv, _ in
            let view: ViewObject = try hostReceiver(recv, "a view")
            return .string(view.parts.html)
        }
    }
}
