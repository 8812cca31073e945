/// One thing a cell showed, in the order it showed it. The runtime emits these; the report writer,
/// the .ipynb writer and the terminal each render them their own way.
public enum CellOutput: Sendable, Equatable {
    /// Text printed by the cell (`print`), already joined with newlines as printed.
    case stream(String)
    /// The plain-text form of a value the cell evaluated to (like Jupyter's `execute_result`).
    case value(String)
    /// A figure as a complete SVG document; `name` is a file-name stem such as "03-attention".
    case figure(svg: String, name: String)
    /// An interactive view: a self-contained HTML fragment plus a static SVG fallback for the .ipynb
    /// and for readers without JavaScript.
    case view(html: String, fallbackSVG: String, title: String)
    /// A table: column names, rows of already-formatted cells, and the total row count when `rows`
    /// holds only the first ones.
    case table(columns: [String], rows: [[String]], totalRows: Int)
    /// A Markdown fragment the code asked to show (e.g. `figure(..., description=)`).
    case markdown(String)
    /// An error that stopped the cell: a one-line message and the full text (location, source line,
    /// caret, call stack).
    case error(message: String, detail: String)
}

/// A cell as the report sees it.
public struct ReportCell: Sendable, Equatable {
    public enum Kind: String, Sendable { case code, markdown }
    public var kind: Kind
    public var source: String
    public var title: String?
    public var tags: [String]
    public var outputs: [CellOutput]
    /// Wall-clock seconds the cell took to run; nil for Markdown or cells that didn't run.
    public var seconds: Double?
    /// 1-based execution count for code cells that ran.
    public var executionCount: Int?

    public init(kind: Kind, source: String, title: String? = nil, tags: [String] = [],
                outputs: [CellOutput] = [], seconds: Double? = nil, executionCount: Int? = nil) {
        self.kind = kind
        self.source = source
        self.title = title
        self.tags = tags
        self.outputs = outputs
        self.seconds = seconds
        self.executionCount = executionCount
    }
}

/// A whole executed notebook: what the HTML report and the .ipynb writer take.
public struct ReportDocument: Sendable, Equatable {
    public var title: String
    public var sourcePath: String
    public var cells: [ReportCell]
    /// Models used, as shown in the footer (e.g. "SmolLM2-135M-Instruct (Q4_1 GGUF)").
    public var models: [String]
    public var loupeVersion: String
    public var parameters: [(String, String)] { parameterList.map { ($0.name, $0.value) } }
    public var parameterList: [Parameter]

    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    public init(title: String, sourcePath: String, cells: [ReportCell], models: [String] = [],
                loupeVersion: String, parameterList: [Parameter] = []) {
        self.title = title
        self.sourcePath = sourcePath
        self.cells = cells
        self.models = models
        self.loupeVersion = loupeVersion
        self.parameterList = parameterList
    }
}
