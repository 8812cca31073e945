import Foundation
import LoupeInterpreter
import LoupeLibrary
import LoupeNotebook

/// Tab completion for the REPL. The interpreter completes names and `obj.method`s; this adds what
/// depends on where the cursor is: keyword arguments inside a call's parentheses, and inside a string
/// TransformerLens hook names (`"blocks.3.attn.hook_`) and file paths (`"data/pro`).
struct Completer {
    let interpreter: Interpreter

    /// Candidates that replace `word`, the text libedit will replace (it breaks words at spaces,
    /// quotes, brackets and operators, but not at '.' or '/'); `line` is everything before the cursor.
    func candidates(line: String, word: String) -> [String] {
        if let partial = Self.openString(in: line) {
            // Complete the whole string so far, then hand back only what replaces `word`.
            let whole = hookNames(matching: partial) + paths(matching: partial)
            let kept = String(partial.dropLast(word.count))
            return whole.filter { $0.hasPrefix(kept) }.map { String($0.dropFirst(kept.count)) }
        }
        var result = interpreter.completions(for: word)
        if !word.contains("."), let callee = Self.enclosingCall(in: line) {
            result = keywords(of: callee).map { $0 + "=" }.filter { $0.hasPrefix(word) } + result
        }
        return result
    }

    // MARK: where the cursor is

    /// The text of the string literal the cursor is in (after its opening quote), or nil.
    static func openString(in line: String) -> String? {
        var quote: Character? = nil
        var content = ""
        var escaped = false
        for c in line {
            if let q = quote {
                if escaped { escaped = false; content.append(c); continue }
                if c == "\\" { escaped = true; content.append(c); continue }
                if c == q { quote = nil; continue }
                content.append(c)
            } else if c == "\"" || c == "'" {
                quote = c
                content = ""
            } else if c == "#" {
                return nil  // a comment
            }
        }
        return quote == nil ? nil : content
    }

    /// The dotted name called by the innermost unclosed `(` before the cursor (`model.run_with_cache`).
    static func enclosingCall(in line: String) -> String? {
        var depth = 0
        var quote: Character? = nil
        var opens: [String.Index] = []
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "(" || c == "[" || c == "{" {
                opens.append(i)
                depth += 1
            } else if c == ")" || c == "]" || c == "}" {
                if !opens.isEmpty { opens.removeLast() }
                depth -= 1
            }
            i = line.index(after: i)
        }
        guard let open = opens.last, line[open] == "(" else { return nil }
        let before = line[..<open]
        let name = before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        let callee = String(name.reversed())
        return callee.isEmpty || callee.first?.isNumber == true ? nil : callee
    }

    // MARK: what to offer

    /// Keyword parameters of the builtin or method being called: its declared `keywordNames` (its
    /// parameters, then their aliases).
    func keywords(of callee: String) -> [String] {
        let parts = callee.split(separator: ".").map(String.init)
        guard let first = parts.first, var value = interpreter.lookup(first) else { return [] }
        for part in parts.dropFirst() {
            guard let next = try? interpreter.getAttribute(value, part) else { return [] }
            value = next
        }
        switch value {
        case .builtin(let b): return b.declared.keywordNames
        case .method(let m): return Builtins.member(m.receiver.typeName, m.name)?.declared?.keywordNames ?? []
        default: return []
        }
    }

    /// TransformerLens hook names for the string typed so far: a loaded model's own `hook_names` when
    /// there is one in the globals, else the usual names with the layer the user typed filled in.
    func hookNames(matching partial: String) -> [String] {
        let looksLikeHook = partial.isEmpty || ["blocks", "hook_", "ln_final", "embed", "pos_embed", "unembed"]
            .contains { $0.hasPrefix(partial) || partial.hasPrefix($0) }
        guard looksLikeHook else { return [] }
        if let names = modelHookNames() { return names.filter { $0.hasPrefix(partial) } }
        var layers: [Int] = []
        if partial.hasPrefix("blocks.") {
            let number = partial.dropFirst(7).prefix { $0.isNumber }
            if let n = Int(number), partial.dropFirst(7 + number.count).hasPrefix(".") { layers = [n] }
        }
        var names = ["hook_embed", "hook_pos_embed", "ln_final.hook_scale", "ln_final.hook_normalized"]
        for layer in layers {
            names += Self.blockHooks.map { "blocks.\(layer).\($0)" }
        }
        if layers.isEmpty { names.append("blocks.") }
        return names.filter { $0.hasPrefix(partial) }
    }

    static let blockHooks = [
        "hook_resid_pre", "ln1.hook_scale", "ln1.hook_normalized",
        "attn.hook_q", "attn.hook_k", "attn.hook_v", "attn.hook_rot_q", "attn.hook_rot_k",
        "attn.hook_attn_scores", "attn.hook_pattern", "attn.hook_z", "attn.hook_result",
        "hook_attn_out", "hook_resid_mid", "ln2.hook_scale", "ln2.hook_normalized",
        "mlp.hook_pre", "mlp.hook_pre_linear", "mlp.hook_post", "hook_mlp_out", "hook_resid_post",
    ]

    /// `hook_names` of the first global that has them (a model).
    private func modelHookNames() -> [String]? {
        for name in interpreter.completions(for: "") {
            guard let value = interpreter.lookup(name), case .host = value,
                  let names = try? interpreter.getAttribute(value, "hook_names"),
                  case .list(let box) = names else { continue }
            let strings = box.items.compactMap { item -> String? in
                if case .string(let s) = item { return s }
                return nil
            }
            if !strings.isEmpty { return strings }
        }
        return nil
    }

    /// Files and directories (with a trailing '/') whose path starts with `partial`; `~` is home.
    func paths(matching partial: String) -> [String] {
        let slash = partial.lastIndex(of: "/")
        let directoryPart = slash.map { String(partial[...$0]) } ?? ""
        let namePrefix = slash.map { String(partial[partial.index(after: $0)...]) } ?? partial
        var directory = directoryPart.isEmpty ? "." : directoryPart
        if directory.hasPrefix("~") { directory = NSString(string: directory).expandingTildeInPath }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return entries
            .filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted()
            .map { entry in
                var isDirectory: ObjCBool = false
                let full = (directory as NSString).appendingPathComponent(entry)
                FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
                return directoryPart + entry + (isDirectory.boolValue ? "/" : "")
            }
    }
}
