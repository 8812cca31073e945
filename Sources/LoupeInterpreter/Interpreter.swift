import Foundation
import LoupeScript
import LoupeNotebook
import LoupeTensor

/// Runs Loupe code. One interpreter holds one program's state (globals persist across `execute` calls,
/// so REPL lines and notebook cells share it).
public final class Interpreter {
    public let sink: OutputSink
    public let scriptDirectory: URL?
    var globals = Globals()
    var builtinTable: [String: Value] = [:]
    /// Set from any thread by `interrupt()`; checked in loops, comprehensions and calls.
    public nonisolated(unsafe) var interruptRequested = false
    var depth = 0
    public var maxDepth = 1000
    var sources: [String: (text: String, firstLine: Int)] = [:]
    /// torch's CPU generator behind random tensors (`torch.manual_seed`, `seed(n)`); `pyRandom` backs the
    /// `random` module.
    public let torchGenerator = TorchGenerator()
    public var pyRandom = Xoshiro256(seed: 0)

    func reseed(_ seed: UInt64) {
        torchGenerator.manualSeed(seed)
        pyRandom = Xoshiro256(seed: seed)
    }

    public init(sink: OutputSink, scriptDirectory: URL? = nil) {
        self.sink = sink
        self.scriptDirectory = scriptDirectory
        Builtins.installLanguage()
        for (name, b) in Builtins.functions { builtinTable[name] = .builtin(b) }
        for (name, v) in Builtins.values { builtinTable[name] = v.value }
    }

    // MARK: public API

    /// Runs `source`; returns the value of a final bare expression (nil if there is none or it is None).
    public func execute(_ source: String, file: String, firstLine: Int = 1) throws -> Value? {
        sources[file] = (source, firstLine)
        interruptRequested = false
        do {
            // parsing, compiling, running and freeing the trees all recurse: all on the large stack
            let result: Value? = try Interpreter.onLargeStack {
                let stmts: [Stmt]
                do { stmts = try Parser.parse(source, file: file, firstLine: firstLine) }
                catch let e as SyntaxError { throw LoupeError(syntax: e) }
                let scope = Scope(isFunction: false, parent: nil)
                var compiler = Compiler(self, file: file, scope: scope)
                var body: [StmtNode] = []
                var last: ExprNode? = nil
                if case .expr(let e)? = stmts.last?.kind {
                    body = try compiler.compileBlock(Array(stmts.dropLast()))
                    last = try compiler.compileExpr(e)
                } else {
                    body = try compiler.compileBlock(stmts)
                }
                let frame = Frame(size: scope.size, parent: nil)
                _ = try runBlock(body, frame)
                return try last?.eval(frame)
            }
            if case .none? = result { return nil }
            return result
        } catch let e as LoupeError {
            throw finalize(e)
        }
    }

    /// True when the parser stopped at the end of the input (an open bracket, a block header with no
    /// body, an unterminated triple-quoted string) or the input ends inside an indented block: the REPL
    /// should read another line (a blank line ends a block).
    public func isIncomplete(_ source: String) -> Bool {
        enum Outcome { case parsed, error(atEnd: Bool) }
        let outcome = (try? Interpreter.onLargeStack { () -> Outcome in
            do { _ = try Parser.parse(source, file: "<input>"); return .parsed }
            catch let e as SyntaxError { return .error(atEnd: e.atEndOfInput) }
        }) ?? .error(atEnd: false)
        if case .error(let atEnd) = outcome { return atEnd }
        var text = source
        if text.hasSuffix("\n") { text.removeLast() }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let lastLine = lines.last else { return false }
        if lastLine.trimmingCharacters(in: .whitespaces).isEmpty { return false }
        let firstIndented = lines.contains { $0.first == " " || $0.first == "\t" }
        return firstIndented && lines.count > 1
    }

    /// Completion candidates for the text before the cursor's word (`pri` or `t.sha`).
    public func completions(for prefix: String) -> [String] {
        if let dot = prefix.lastIndex(of: ".") {
            let head = String(prefix[..<dot])
            let tail = String(prefix[prefix.index(after: dot)...])
            guard let obj = lookupPath(head) else { return [] }
            return memberNames(of: obj).filter { $0.hasPrefix(tail) }.map { "\(head).\($0)" }
        }
        var names = Set(globals.definedNames)
        names.formUnion(builtinTable.keys)
        names.formUnion(["and", "or", "not", "if", "elif", "else", "for", "while", "in", "def", "return",
                         "lambda", "pass", "break", "continue", "True", "False", "None"])
        return names.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Asks the running `execute` to stop; it throws `LoupeError.interrupted`. Safe from another thread
    /// or a signal handler.
    public func interrupt() { interruptRequested = true }

    /// Defines (or replaces) a global.
    public func define(_ name: String, _ value: Value) {
        globals.slots[globals.slot(for: name)] = value
    }

    /// A global's current value.
    public func lookup(_ name: String) -> Value? { globals.value(name) ?? builtinTable[name] }

    /// How a cell's final value is shown: a host object's rich output, otherwise its repr.
    public func display(_ value: Value) -> CellOutput? {
        switch value {
        case .none: return nil
        case .host(let h): return h.display() ?? .value(h.repr())
        case .tensor(let t) where t.tensor.rank >= 1: return .value(Repr.repr(value) + "\n" + Repr.tensorSummary(t))
        default: return .value(Repr.repr(value))
        }
    }

    /// Sends printed text to the sink.
    public func emit(_ output: CellOutput) { sink.emit(output) }

    // MARK: calls and members

    func builtinValue(_ name: String) -> Value? { builtinTable[name] }

    func suggestName(_ name: String) -> String? {
        Suggest.hint(for: name, in: globals.definedNames + Array(builtinTable.keys))
    }

    /// Calls any callable value.
    public func call(_ callee: Value, _ args: Arguments, site: SourceLocation? = nil) throws -> Value {
        switch callee {
        case .function(let fn): return try callFunction(fn, args, site: site)
        case .builtin(let b):
            if interruptRequested { throw LoupeError.interrupted }
            return try b.body(self, args)
        case .method(let m): return try callMethod(m.receiver, m.name, args, site: site)
        case .host(let h):
            if let r = try h.call(args, interpreter: self) { return r }
            throw LoupeError("\(h.typeName) object is not callable")
        default:
            throw LoupeError("\(callee.typeName) is not callable")
        }
    }

    /// Calls a user function with Python's argument binding.
    func callFunction(_ fn: FunctionValue, _ args: Arguments, site: SourceLocation?) throws -> Value {
        if interruptRequested { throw LoupeError.interrupted }
        if depth >= maxDepth {
            throw LoupeError("maximum recursion depth (\(maxDepth)) exceeded in \(fn.name)()",
                             hint: "check the function's base case")
        }
        let frame = Frame(size: fn.frameSize, parent: fn.closure)
        let p = fn.params
        let pos = args.positional
        let np = p.positionalCount
        if pos.count > np {
            guard let va = p.varArgsSlot else {
                throw LoupeError("\(fn.name)() takes \(np) positional argument\(np == 1 ? "" : "s") but \(pos.count) were given")
            }
            frame.slots[va] = .tuple(Array(pos[np...]))
        } else if let va = p.varArgsSlot {
            frame.slots[va] = .tuple([])
        }
        for i in 0..<min(pos.count, np) { frame.slots[i] = pos[i] }
        if !args.keywords.isEmpty || p.varKeywordsSlot != nil {
            let extra = DictBox()
            for (k, v) in args.keywords {
                if let i = p.names.firstIndex(of: k) {
                    if frame.slots[i] != nil { throw LoupeError("\(fn.name)() got two values for argument `\(k)`") }
                    frame.slots[i] = v
                } else if p.varKeywordsSlot != nil {
                    try extra.set(.string(k), v)
                } else {
                    throw LoupeError("\(fn.name)() got an unexpected keyword argument `\(k)`",
                                     hint: Suggest.hint(for: k, in: p.names))
                }
            }
            if let vk = p.varKeywordsSlot { frame.slots[vk] = .dict(extra) }
        }
        if min(pos.count, np) < p.normalCount {
            for i in min(pos.count, np)..<p.normalCount where frame.slots[i] == nil {
                guard let d = fn.defaultValues[i] else {
                    throw LoupeError("\(fn.name)() is missing required argument `\(p.names[i])`")
                }
                frame.slots[i] = d
            }
        }
        depth += 1
        defer { depth -= 1 }
        do {
            for s in fn.body {
                if try s.exec(frame) == .returned { return frame.returnValue }
            }
            return .none
        } catch var e as LoupeError {
            if let site = site, !e.isInterrupted {
                e.stack.append(LoupeError.StackEntry(function: fn.name, callSite: site, sourceLine: nil))
            }
            throw e
        }
    }

    /// `recv.name(args)`.
    public func callMethod(_ recv: Value, _ name: String, _ args: Arguments, site: SourceLocation? = nil) throws -> Value {
        if let m = Builtins.member(recv.typeName, name) {
            if let body = m.method { return try body(self, recv, args) }
            if let attr = m.attribute { return try call(try attr(self, recv), args, site: site) }
        }
        if case .host(let h) = recv {
            if let r = try h.callMethod(name, args, interpreter: self) { return r }
            if let a = try h.attribute(name, interpreter: self) { return try call(a, args, site: site) }
        }
        throw noMember(recv, name)
    }

    /// `obj.name`.
    public func getAttribute(_ obj: Value, _ name: String) throws -> Value {
        if let m = Builtins.member(obj.typeName, name) {
            if let attr = m.attribute { return try attr(self, obj) }
            return .method(BoundMethod(receiver: obj, name: name))
        }
        if case .host(let h) = obj {
            if let v = try h.attribute(name, interpreter: self) { return v }
            if h.memberNames.contains(name) { return .method(BoundMethod(receiver: obj, name: name)) }
        }
        throw noMember(obj, name)
    }

    func noMember(_ obj: Value, _ name: String) -> LoupeError {
        LoupeError("\(obj.typeName) has no attribute `\(name)`", hint: Suggest.hint(for: name, in: memberNames(of: obj)))
    }

    func memberNames(of v: Value) -> [String] {
        var names = Array(Builtins.members[v.typeName]?.keys ?? [:].keys)
        if case .host(let h) = v { names += h.memberNames }
        return Array(Set(names)).sorted()
    }

    private func lookupPath(_ path: String) -> Value? {
        let parts = path.split(separator: ".").map(String.init)
        guard let first = parts.first, var v = lookup(first) else { return nil }
        for p in parts.dropFirst() {
            guard let next = try? getAttribute(v, p) else { return nil }
            v = next
        }
        return v
    }

    // MARK: errors

    func finalize(_ error: LoupeError) -> LoupeError {
        var e = error
        if let loc = e.location, e.sourceLine == nil { e.sourceLine = sourceLine(loc) }
        for i in e.stack.indices where e.stack[i].sourceLine == nil {
            e.stack[i].sourceLine = sourceLine(e.stack[i].callSite)
        }
        return e
    }

    func sourceLine(_ loc: SourceLocation) -> String? {
        guard let s = sources[loc.file] else { return nil }
        return DiagnosticRenderer.line(loc.line - s.firstLine + 1, of: s.text)
    }

    /// Runs `body` on a thread with a 512 MB stack so deep recursion hits the Loupe depth limit, not
    /// the process's stack.
    static func onLargeStack<T>(_ body: @escaping () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        thread.stackSize = 512 << 20
        thread.start()
        done.wait()
        guard let r = box.result else { throw LoupeError("internal: evaluation thread did not finish") }
        return try r.get()
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
    init() {}
}
