import Foundation

/// str methods: join, split, strip, replace, startswith, endswith, format, upper, lower, find, count, …
enum StringMethods {
    static func s(_ v: Value) -> String { if case .string(let x) = v { return x }; return "" }

    static func install() {
        func m(_ header: String, _ doc: String, _ ex: String, _ body: @escaping (Interpreter, String, BoundArguments) throws -> Value) {
            Builtins.registerMethod(type: "str", "str.\(header)", doc: doc, example: ex) { rt, recv, args in
                try body(rt, s(recv), args)
            }
        }
        m("join(items)", "The items (strings) joined with this string between them.", "\", \".join([\"a\", \"b\"])  # 'a, b'") { _, str, args in
            let parts = try Ops.iterate(args.value("items")).map { v -> String in
                guard case .string(let x) = v else { throw LoupeError("join() items must be strings, found \(v.typeName)", hint: "use \"sep\".join(str(x) for x in xs)") }
                return x
            }
            return .string(parts.joined(separator: str))
        }
        m("split(sep=None, maxsplit=-1)", "Splits on `sep` (on runs of whitespace when None).", "\"a b  c\".split()  # ['a', 'b', 'c']") { _, str, args in
            let maxSplit = try args.int("maxsplit")
            if let sep = try args.optionalString("sep") {
                if sep.isEmpty { throw LoupeError("empty separator") }
                var parts = str.components(separatedBy: sep)
                if maxSplit >= 0 && parts.count > maxSplit + 1 {
                    parts = Array(parts.prefix(maxSplit)) + [parts.dropFirst(maxSplit).joined(separator: sep)]
                }
                return .list(parts.map { .string($0) })
            }
            var parts = str.split(whereSeparator: { $0.isWhitespace }).map(String.init)
            if maxSplit >= 0 && parts.count > maxSplit + 1 {
                // keep the remainder after maxSplit words, with its original spacing
                var rest = Substring(str)
                for _ in 0..<maxSplit {
                    rest = rest.drop(while: { $0.isWhitespace }).drop(while: { !$0.isWhitespace })
                }
                parts = Array(parts.prefix(maxSplit)) + [String(rest.drop(while: { $0.isWhitespace }))]
            }
            return .list(parts.map { .string($0) })
        }
        m("splitlines()", "The lines, without their line breaks.", "\"a\\nb\".splitlines()  # ['a', 'b']") { _, str, _ in
            .list(str.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" }).map { .string(String($0)) }.dropLast(str.hasSuffix("\n") ? 1 : 0))
        }
        for (name, which) in [("strip", 0), ("lstrip", 1), ("rstrip", 2)] {
            m("\(name)(chars=None)", "Removes leading/trailing whitespace (or the given characters)\(which == 1 ? " from the start" : which == 2 ? " from the end" : "").",
              "\"  hi \".\(name)()  # '\(which == 1 ? "hi " : which == 2 ? "  hi" : "hi")'") { _, str, args in
                let chars = try args.optionalString("chars").map { Set($0) }
                let isStrip: (Character) -> Bool = { c in chars?.contains(c) ?? c.isWhitespace }
                var sub = Substring(str)
                if which != 2 { sub = sub.drop(while: isStrip) }
                if which != 1 { while let l = sub.last, isStrip(l) { sub = sub.dropLast() } }
                return .string(String(sub))
            }
        }
        m("replace(old, new, count=-1)", "A copy with occurrences of `old` replaced by `new`.", "\"a-b-c\".replace(\"-\", \"+\")  # 'a+b+c'") { _, str, args in
            let old = try args.string("old"), new = try args.string("new")
            let count = try args.int("count")
            if count < 0 { return .string(old.isEmpty ? str : str.replacingOccurrences(of: old, with: new)) }
            var out = str
            var n = 0
            var searchStart = out.startIndex
            while n < count, !old.isEmpty, let r = out.range(of: old, range: searchStart..<out.endIndex) {
                out.replaceSubrange(r, with: new)
                searchStart = out.index(r.lowerBound, offsetBy: new.count)
                n += 1
            }
            return .string(out)
        }
        m("startswith(prefix)", "True if the string starts with `prefix` (or any of a tuple of prefixes).", "\"hook_z\".startswith(\"hook\")  # True") { _, str, args in
            let ps = try prefixes(args.value("prefix"))
            return .bool(ps.contains { str.hasPrefix($0) })
        }
        m("endswith(suffix)", "True if the string ends with `suffix` (or any of a tuple of suffixes).", "\"a.npy\".endswith(\".npy\")  # True") { _, str, args in
            let ps = try prefixes(args.value("suffix"))
            return .bool(ps.contains { str.hasSuffix($0) })
        }
        m("upper()", "Upper-case copy.", "\"ab\".upper()  # 'AB'") { _, str, _ in .string(str.uppercased()) }
        m("lower()", "Lower-case copy.", "\"AB\".lower()  # 'ab'") { _, str, _ in .string(str.lowercased()) }
        m("title()", "Each word capitalised.", "\"hello world\".title()  # 'Hello World'") { _, str, _ in .string(str.capitalized) }
        m("capitalize()", "First character upper-case, the rest lower-case.", "\"hELLO\".capitalize()  # 'Hello'") { _, str, _ in
            .string(str.prefix(1).uppercased() + str.dropFirst().lowercased())
        }
        m("find(sub)", "Index of the first occurrence of `sub`, or -1.", "\"banana\".find(\"an\")  # 1") { _, str, args in
            let sub = try args.string("sub")
            guard let r = str.range(of: sub) else { return .int(-1) }
            return .int(str.distance(from: str.startIndex, to: r.lowerBound))
        }
        m("index(sub)", "Index of the first occurrence of `sub`; an error if absent.", "\"banana\".index(\"n\")  # 2") { _, str, args in
            let sub = try args.string("sub")
            guard let r = str.range(of: sub) else { throw LoupeError("substring \(Repr.quote(sub)) not found") }
            return .int(str.distance(from: str.startIndex, to: r.lowerBound))
        }
        m("count(sub)", "Number of non-overlapping occurrences of `sub`.", "\"banana\".count(\"a\")  # 3") { _, str, args in
            let sub = try args.string("sub")
            if sub.isEmpty { return .int(str.count + 1) }
            return .int(str.components(separatedBy: sub).count - 1)
        }
        m("format(*args, **kwargs)", "Fills `{}` / `{0}` / `{name}` fields (with format specs) from the arguments.",
          "\"{} has {n:.1f}\".format(\"x\", n=2)  # 'x has 2.0'") { _, str, args in
            .string(try formatMethod(str, positional: args.varArgs, keywords: args.varKeywords))
        }
        m("isdigit()", "True if non-empty and all characters are digits.", "\"123\".isdigit()  # True") { _, str, _ in
            .bool(!str.isEmpty && str.allSatisfy { $0.isNumber })
        }
        m("isalpha()", "True if non-empty and all characters are letters.", "\"abc\".isalpha()  # True") { _, str, _ in
            .bool(!str.isEmpty && str.allSatisfy { $0.isLetter })
        }
        m("isspace()", "True if non-empty and all characters are whitespace.", "\" \".isspace()  # True") { _, str, _ in
            .bool(!str.isEmpty && str.allSatisfy { $0.isWhitespace })
        }
        m("zfill(width)", "Pads with zeros on the left to `width`.", "\"7\".zfill(3)  # '007'") { _, str, args in
            let w = try args.int("width")
            return .string(String(repeating: "0", count: max(0, w - str.count)) + str)
        }
        for (name, align) in [("ljust", "<"), ("rjust", ">"), ("center", "^")] {
            m("\(name)(width, fillchar=\" \")", "Pads to `width` (\(name == "ljust" ? "left-aligned" : name == "rjust" ? "right-aligned" : "centred")).",
              "\"ab\".\(name)(4)") { _, str, args in
                let w = try args.int("width")
                let fill = try args.string("fillchar")
                return .string(try Format.format(.string(str), spec: "\(fill.first ?? " ")\(align)\(w)"))
            }
        }
    }

    static func prefixes(_ v: Value) throws -> [String] {
        if case .tuple(let t) = v { return try t.map { try $0.asString("prefix") } }
        return [try v.asString("prefix")]
    }

    static func formatMethod(_ str: String, positional: [Value], keywords: [(String, Value)]) throws -> String {
        var out = ""
        let c = Array(str)
        var i = 0
        var auto = 0
        while i < c.count {
            if c[i] == "{" {
                if i + 1 < c.count && c[i + 1] == "{" { out.append("{"); i += 2; continue }
                guard let close = c[i...].firstIndex(of: "}") else { throw LoupeError("unmatched `{` in format string") }
                let field = String(c[(i + 1)..<close])
                i = close + 1
                var name = field, spec = "", conv: Character? = nil
                if let colon = field.firstIndex(of: ":") { name = String(field[..<colon]); spec = String(field[field.index(after: colon)...]) }
                if let bang = name.firstIndex(of: "!") { conv = name[name.index(after: bang)...].first; name = String(name[..<bang]) }
                var v: Value
                if name.isEmpty {
                    guard auto < positional.count else { throw LoupeError("format(): not enough positional arguments") }
                    v = positional[auto]; auto += 1
                } else if let n = Int(name) {
                    guard n < positional.count else { throw LoupeError("format(): no positional argument \(n)") }
                    v = positional[n]
                } else {
                    guard let kv = keywords.first(where: { $0.0 == name })?.1 else { throw LoupeError("format(): no argument named `\(name)`") }
                    v = kv
                }
                if conv == "r" { v = .string(Repr.repr(v)) }
                out += try Format.format(v, spec: spec)
                continue
            }
            if c[i] == "}" && i + 1 < c.count && c[i + 1] == "}" { out.append("}"); i += 2; continue }
            out.append(c[i])
            i += 1
        }
        return out
    }
}
