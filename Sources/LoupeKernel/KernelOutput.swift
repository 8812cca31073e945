import LoupeFormats
import LoupeNotebook
import LoupeReport

/// A cell output as the iopub message Jupyter expects: `stream`, `display_data`, `execute_result` or
/// `error`. Rich outputs carry the same MIME bundle the .ipynb writer records (figures as SVG, views as
/// self-contained HTML with an SVG fallback, tables as HTML), each value one string rather than the
/// notebook file's list of lines.
enum KernelOutput {
    /// `result`: the value a cell ended with (Jupyter's `execute_result`, numbered `executionCount`).
    static func message(_ output: CellOutput, executionCount: Int, result: Bool = false) -> (type: String, content: JSONValue) {
        if case .stream(let text) = output {
            return ("stream", .object(JSONObject(["name": "stdout", "text": .string(text)])))
        }
        let recorded = NotebookWriter.output(output, executionCount: executionCount)
        if recorded["output_type"]?.string == "error" {
            return ("error", .object(JSONObject([
                "ename": recorded["ename"] ?? "LoupeError",
                "evalue": recorded["evalue"] ?? "",
                "traceback": recorded["traceback"] ?? [],
            ])))
        }
        let data = joinedLines(recorded["data"] ?? .object(JSONObject([:])))
        let metadata = recorded["metadata"] ?? .object(JSONObject([:]))
        if result || recorded["output_type"]?.string == "execute_result" {
            return ("execute_result", .object(JSONObject([
                "execution_count": .int(executionCount), "data": data, "metadata": metadata,
            ])))
        }
        return ("display_data", .object(JSONObject(["data": data, "metadata": metadata, "transient": .object(JSONObject([:]))])))
    }

    /// Each MIME value written as a list of lines (nbformat's multi-line string) back as one string.
    static func joinedLines(_ data: JSONValue) -> JSONValue {
        guard case .object(let bundle) = data else { return data }
        return .object(JSONObject(uniquing: bundle.entries.map { key, value in
            if let lines = value.stringArray { return (key, .string(lines.joined())) }
            return (key, value)
        }))
    }

    /// The `error` content for a failure, from its one-line message and full located text.
    static func error(message: String, detail: String) -> JSONValue {
        self.message(.error(message: message, detail: detail), executionCount: 0).content
    }
}
