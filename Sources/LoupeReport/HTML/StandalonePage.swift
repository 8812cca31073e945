import LoupeNotebook
/// One output as its own page (what circuitsvis users get from `_repr_html_()` written to a file):
/// the report's styles and scripts around a single view, figure or table, self-contained.
public enum StandalonePage {
    public static func html(_ output: CellOutput, title: String, loupeVersion: String = "") -> String {
        let doc = ReportDocument(title: title, sourcePath: "",
                                 cells: [ReportCell(kind: .code, source: "", outputs: [output])],
                                 loupeVersion: loupeVersion)
        return HTMLReport.render(doc, options: ReportOptions(includeInput: false, includeTableOfContents: false))
    }
}
