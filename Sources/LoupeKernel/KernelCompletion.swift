import Foundation
import LoupeFormats
import LoupeInterpreter
import LoupeScript

/// complete_request, inspect_request and is_complete_request. Cursor positions count Unicode code
/// points, as protocol 5.2 and later say.
extension Kernel {
    /// Where a completion word starts: the REPL's word breaks ('.' is not one, so `model.to_` is one word).
    static let wordBreaks: Set<Unicode.Scalar> = Set(" \t\n\"'`@$><=;|&{([,:+-*/%~^!".unicodeScalars)

    func complete(_ content: JSONValue) -> JSONValue {
        let code = Array((content["code"]?.string ?? "").unicodeScalars)
        let cursor = min(max(content["cursor_pos"]?.int ?? code.count, 0), code.count)
        let before = code[..<cursor]
        let lineStart = before.lastIndex(of: "\n").map { $0 + 1 } ?? 0
        let wordStart = before.lastIndex(where: { Self.wordBreaks.contains($0) }).map { $0 + 1 } ?? 0
        let line = String(String.UnicodeScalarView(code[lineStart..<cursor]))
        let word = String(String.UnicodeScalarView(code[max(wordStart, lineStart)..<cursor]))
        let matches = completer(interpreter, line, word)
        return .object(JSONObject([
            "status": "ok",
            "matches": .array(matches.map { .string($0) }),
            "cursor_start": .int(cursor - word.unicodeScalars.count),
            "cursor_end": .int(cursor),
            "metadata": .object(JSONObject([:])),
        ]))
    }

    /// help() for the dotted name at the cursor (or the call the cursor is in, after `name(`).
    func inspect(_ content: JSONValue) -> JSONValue {
        let code = Array((content["code"]?.string ?? "").unicodeScalars)
        let cursor = min(max(content["cursor_pos"]?.int ?? code.count, 0), code.count)
        var text: String?
        if let name = Self.name(in: code, at: cursor), let value = resolve(name), let help = interpreter.lookup("help") {
            sink.captured = []
            _ = try? interpreter.call(help, Arguments([value]))
            let shown = sink.captured ?? []
            sink.captured = nil
            text = shown.map { if case .stream(let s) = $0 { return s }; return "" }.joined()
                .trimmingCharacters(in: .newlines)
        }
        let data: JSONValue = text.map { .object(JSONObject(["text/plain": .string($0)])) } ?? .object(JSONObject([:]))
        return .object(JSONObject([
            "status": "ok", "found": .bool(text?.isEmpty == false), "data": data, "metadata": .object(JSONObject([:])),
        ]))
    }

    /// The dotted name the cursor is on or just after; else the callee of `name(` right before it.
    static func name(in code: [Unicode.Scalar], at cursor: Int) -> String? {
        func isNamePart(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == "." || c.properties.isAlphabetic || ("0"..."9").contains(c)
        }
        var start = cursor, end = cursor
        while start > 0, isNamePart(code[start - 1]) { start -= 1 }
        while end < code.count, isNamePart(code[end]) { end += 1 }
        if start == end, cursor > 0, code[cursor - 1] == "(" { return name(in: code, at: cursor - 1) }
        let name = String(String.UnicodeScalarView(code[start..<end])).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return nil }
        return name
    }

    /// The value a dotted name denotes now, reading attributes one by one.
    private func resolve(_ dotted: String) -> Value? {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let first = parts.first, var value = interpreter.lookup(first) else { return nil }
        for part in parts.dropFirst() {
            guard let next = try? interpreter.getAttribute(value, part) else { return nil }
            value = next
        }
        return value
    }

    /// "complete", "incomplete" (with the indent for the next line), or "invalid" (a syntax error that
    /// more lines cannot fix).
    func isComplete(_ content: JSONValue) -> JSONValue {
        let code = content["code"]?.string ?? ""
        do {
            _ = try Parser.parse(code, file: "<cell>")
        } catch let error as SyntaxError {
            if !error.atEndOfInput { return .object(JSONObject(["status": "invalid"])) }
            return .object(JSONObject(["status": "incomplete", "indent": .string(Self.nextIndent(code))]))
        } catch {
            return .object(JSONObject(["status": "invalid"]))
        }
        if interpreter.isIncomplete(code) {
            return .object(JSONObject(["status": "incomplete", "indent": .string(Self.nextIndent(code))]))
        }
        return .object(JSONObject(["status": "complete"]))
    }

    /// The last non-blank line's indentation, four spaces deeper after a block header's ':'.
    static func nextIndent(_ code: String) -> String {
        let last = code.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let indent = String(last.prefix { $0 == " " || $0 == "\t" })
        return last.trimmingCharacters(in: .whitespaces).hasSuffix(":") ? indent + "    " : indent
    }
}
