import Foundation
import LoupeScript

/// help() and dir().
enum HelpBuiltins {
    static func install() {
        Builtins.register("help(x=)",
                          doc: "With no argument, lists every builtin, module and type. help(x) documents a builtin, method, function, type name (\"tensor\") or value.",
                          example: "help(len)\nhelp(\"tensor\")\nhelp(zeros(2).topk)") { rt, args in
            rt.emit(.stream(text(for: args.isGiven("x") ? args.value("x") : nil, rt) + "\n"))
            return .none
        }
        Builtins.register("dir(x=)", doc: "The names of a value's methods and attributes (or, with no argument, the defined globals).",
                          example: "dir(zeros(2))") { rt, args in
            guard args.isGiven("x") else { return .list(rt.globals.definedNames.sorted().map { .string($0) }) }
            return .list(rt.memberNames(of: args.value("x")).map { .string($0) })
        }
    }

    static func overview() -> String {
        var s = "Loupe builtins (help(name) for details):\n"
        for name in Builtins.functions.keys.sorted() {
            guard let b = Builtins.functions[name] else { continue }
            s += "  \(name.padding(toLength: max(14, name.count + 1), withPad: " ", startingAt: 0)) \(b.summary)\n"
        }
        s += "\nModules and constants:\n"
        for name in Builtins.values.keys.sorted() {
            s += "  \(name.padding(toLength: max(14, name.count + 1), withPad: " ", startingAt: 0)) \(Builtins.values[name]?.doc ?? "")\n"
        }
        s += "\nTypes with methods (help(\"tensor\") etc.):\n"
        for type in Builtins.members.keys.sorted() {
            let names = (Builtins.members[type] ?? [:]).keys.sorted()
            s += "  \(type): " + names.joined(separator: ", ") + "\n"
        }
        s += "\nLanguage: Python syntax — if/elif/else, for/while, def, lambda, comprehensions, f-strings, slicing t[0, :, -1]."
        return s
    }

    static func typeHelp(_ type: String) -> String? {
        guard let members = Builtins.members[type] else { return nil }
        var s = "\(type) methods and attributes:\n"
        for name in members.keys.sorted() {
            guard let m = members[name] else { continue }
            let summary = m.doc.split(separator: "\n").first.map(String.init) ?? ""
            s += "  \(m.signature.replacingOccurrences(of: "\(type).", with: ""))  — \(summary)\n"
        }
        return String(s.dropLast())
    }

    static func text(for value: Value?, _ rt: Interpreter) -> String {
        guard let v = value else { return overview() }
        switch v {
        case .builtin(let b): return b.helpText
        case .method(let m):
            if let def = Builtins.member(m.receiver.typeName, m.name) { return def.helpText }
            if case .host(let h) = m.receiver { return "\(h.typeName).\(m.name)\n\n\(h.help)" }
            return "\(m.receiver.typeName).\(m.name)"
        case .function(let f):
            return f.signature + (f.doc.map { "\n    " + $0 } ?? "\n    (no doc string: put a string as the first line of the function)")
        case .string(let topic):
            if let b = Builtins.functions[topic] { return b.helpText + (typeHelp(topic).map { "\n\n" + $0 } ?? "") }
            if let val = Builtins.values[topic] {
                if case .host(let h) = val.value { return h.help }
                return "\(topic): \(val.doc)"
            }
            if let t = typeHelp(topic) { return t }
            let parts = topic.split(separator: ".").map(String.init)
            if parts.count == 2, let def = Builtins.member(parts[0], parts[1]) { return def.helpText }
            let all = Array(Builtins.functions.keys) + Array(Builtins.values.keys) + Array(Builtins.members.keys)
            if let guess = Suggest.closest(to: topic, in: all) { return "no help for \"\(topic)\"; did you mean \"\(guess)\"?" }
            return typeHelp("str") ?? ""
        case .host(let h):
            var s = h.help
            if let t = typeHelp(h.typeName) { s += "\n" + t }
            return s
        default:
            let type = v.typeName
            return "\(Repr.repr(v).prefix(200)) is a \(type).\n" + (typeHelp(type) ?? "")
        }
    }
}
