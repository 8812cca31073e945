import Foundation
import XCTest
import LoupeReport
import LoupeTensor
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

final class InterpreterAPITests: XCTestCase {
    func makeInterpreter() -> (Interpreter, CollectingSink) {
        let sink = CollectingSink()
        return (Library.interpreter(sink: sink), sink)
    }

    func testFinalExpressionValueAndDisplay() throws {
        let (interp, sink) = makeInterpreter()
        let v = try interp.execute("x = 20\nx + 22", file: "cell1")
        XCTAssertEqual(v.map { interp.display($0) }, .value("42"))
        XCTAssertNil(try interp.execute("print('hi')", file: "cell2"))
        XCTAssertEqual(sink.outputs, [.stream("hi\n")])
        // state persists across cells
        XCTAssertEqual(try interp.execute("x * 2", file: "cell3").map(Repr.repr), "40")
        XCTAssertEqual(interp.display(.string("a")), .value("'a'"))
        XCTAssertNil(interp.display(.none))
        let t = try interp.execute("arange(6).reshape(2, 3)", file: "c4")
        XCTAssertEqual(t.map { interp.display($0) }, .value("tensor([[0, 1, 2],\n        [3, 4, 5]])\nshape (2, 3) int64 · min 0 · max 5 · mean 2.5"))
    }

    func testDefineAndLookup() throws {
        let (interp, _) = makeInterpreter()
        interp.define("acts", .tensor(Tensor(shape: [2], data: [1, 2])))
        XCTAssertEqual(try interp.execute("acts.sum().item()", file: "c").map(Repr.repr), "3.0")
    }

    func testIsIncomplete() {
        let (interp, _) = makeInterpreter()
        XCTAssertTrue(interp.isIncomplete("for i in range(3):"))
        XCTAssertTrue(interp.isIncomplete("x = (1,"))
        XCTAssertTrue(interp.isIncomplete("s = \"\"\"abc"))
        XCTAssertTrue(interp.isIncomplete("def f(x):\n    return x\n"))
        XCTAssertFalse(interp.isIncomplete("def f(x):\n    return x\n\n"))
        XCTAssertFalse(interp.isIncomplete("print(1)"))
        XCTAssertFalse(interp.isIncomplete("print(1))"))  // a real error, not incomplete
        XCTAssertFalse(interp.isIncomplete("x = 1 +* 2"))
    }

    func testCompletions() throws {
        let (interp, _) = makeInterpreter()
        _ = try interp.execute("acts = zeros(2, 3)\nactivation = 1", file: "c")
        XCTAssertTrue(interp.completions(for: "pri").contains("print"))
        XCTAssertEqual(interp.completions(for: "act"), ["activation", "acts"])
        XCTAssertTrue(interp.completions(for: "acts.sh").contains("acts.shape"))
        XCTAssertTrue(interp.completions(for: "acts.log_").contains("acts.log_softmax"))
        XCTAssertTrue(interp.completions(for: "random.se").contains("random.seed"))
    }

    func testInterruptStopsLoop() {
        let (interp, _) = makeInterpreter()
        let box = UncheckedBox(interp)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { box.value.interrupt() }
        XCTAssertThrowsError(try interp.execute("n = 0\nwhile True:\n    n += 1", file: "loop")) { e in
            XCTAssertTrue((e as? LoupeError)?.isInterrupted ?? false, "\(e)")
        }
        // state intact and usable afterwards
        XCTAssertNotNil(try? interp.execute("n > 0", file: "after"))
    }

    func testErrorsRenderWithCaretAndNeverCrash() {
        let (interp, _) = makeInterpreter()
        XCTAssertThrowsError(try interp.execute("a = 1\nb = a / 0", file: "t.loupe")) { e in
            guard let err = e as? LoupeError else { return XCTFail("\(e)") }
            XCTAssertEqual(err.location?.line, 2)
            XCTAssertEqual(err.location?.column, 7)
            XCTAssertEqual(err.rendered, "t.loupe:2:7: division by zero\n    b = a / 0\n          ^")
        }
        for bad in ["zeros(-1)", "arange(0, 10, 0)", "tensor([[1], [2, 3]])", "x = [1]\nx[99999999999]", "read('/nonexistent/x.json')",
                    "'%d' % 'a'", "range(1, 2, 0)", "zeros(3)[::0]", "linspace(0, 1, -5)", "eye(-2)", "randint(5, 1, (2,))",
                    "zeros(2).reshape(-1, -1)", "zeros(2, 3).permute(0, 0)", "zeros(2, 3).transpose(0, 5)", "cat([])",
                    "stack([zeros(2), zeros(3)])", "zeros(3).split(0)", "zeros(0).max()", "f'{1:q}'", "int(float('inf'))",
                    "[] + 1", "-zeros(2) @ 3", "{}.pop(1)", "[].pop()", "'x'.join([1])", "max([])", "random.choice([])"] {
            XCTAssertThrowsError(try interp.execute(bad, file: "bad")) { e in
                XCTAssertTrue(e is LoupeError, "\(bad): \(e)")
            }
        }
    }

    func testEveryBuiltinIsDocumented() {
        _ = makeInterpreter()
        XCTAssertGreaterThan(Builtins.functions.count, 60)
        for (name, b) in Builtins.functions {
            XCTAssertFalse(b.doc.isEmpty, "\(name) has no doc")
            XCTAssertFalse(b.example.isEmpty, "\(name) has no example")
            XCTAssertTrue(b.signature.contains(name) || b.signature.contains("("), "\(name) signature \(b.signature)")
        }
        for (type, members) in Builtins.members {
            for (name, m) in members {
                XCTAssertFalse(m.doc.isEmpty, "\(type).\(name) has no doc")
                XCTAssertFalse(m.example.isEmpty, "\(type).\(name) has no example")
            }
        }
        for (name, v) in Builtins.values { XCTAssertFalse(v.doc.isEmpty, "\(name) has no doc") }
    }

    func testHelpListsEverything() throws {
        let (interp, sink) = makeInterpreter()
        _ = try interp.execute("help()", file: "h")
        let text = sink.text
        for name in Builtins.functions.keys { XCTAssertTrue(text.contains("  \(name) "), "help() lacks \(name)") }
        for name in Builtins.values.keys { XCTAssertTrue(text.contains("  \(name) "), "help() lacks \(name)") }
        _ = sink.take()
        _ = try interp.execute("help(len)\nhelp(zeros(2).topk)\nhelp('tensor')\nhelp(random)\nhelp([])\nhelp('tensor.sum')", file: "h")
        let t = sink.text
        for fragment in ["len(x)", "Example:", "tensor.topk(k, dim=-1, largest=True, sorted=True)", "log_softmax", "random.seed(n)",
                         "list methods", "tensor.sum(dim=None, keepdim=False)"] {
            XCTAssertTrue(t.contains(fragment), "help output lacks \(fragment):\n\(t)")
        }
    }

    func testDeepRecursionIsAnErrorNotACrash() {
        let (interp, _) = makeInterpreter()
        XCTAssertThrowsError(try interp.execute("def f(n):\n    return [f(n + 1)]\nf(0)", file: "r")) { e in
            XCTAssertTrue((e as? LoupeError)?.message.contains("maximum recursion depth") ?? false)
        }
        XCTAssertEqual(try interp.execute("def g(n):\n    return 0 if n == 0 else 1 + g(n - 1)\ng(900)", file: "r2").map(Repr.repr), "900")
    }
}

final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
