import XCTest
@testable import LoupeInterpreter

/// Every builtin the language defines is declared with a `Signature`, and help, errors and
/// completion read from it.
final class BuiltinSignatureTests: XCTestCase {
    override func setUp() {
        Builtins.installLanguage()
    }

    /// Runs a program and returns what it printed.
    func run(_ source: String) throws -> String {
        let sink = CollectingSink()
        let interpreter = Interpreter(sink: sink)
        _ = try interpreter.execute(source, file: "test.loupe")
        return sink.text
    }

    func runError(_ source: String) -> LoupeError? {
        do { _ = try run(source); return nil } catch { return error as? LoupeError }
    }

    func testEveryLanguageFunctionIsDeclared() {
        XCTAssertFalse(Builtins.languageFunctions.isEmpty)
        var undeclared: [String] = []
        for name in Builtins.languageFunctions.sorted() {
            guard let function = Builtins.functions[name] else { undeclared.append(name); continue }
            let declared = function.declared
            XCTAssertTrue(declared.text.hasPrefix("\(name)("), declared.text)
            XCTAssertEqual(function.signature, declared.text)
            XCTAssertFalse(function.doc.isEmpty, name)
        }
        XCTAssertEqual(undeclared, [], "functions without a declared signature")
    }

    func testEveryLanguageMethodIsDeclared() {
        var undeclared: [String] = []
        for member in Builtins.languageMembers.sorted() {
            let parts = member.split(separator: ".", maxSplits: 1).map(String.init)
            guard let def = Builtins.member(parts[0], parts[1]) else { XCTFail("\(member) is not registered"); continue }
            XCTAssertFalse(def.doc.isEmpty, member)
            if def.attribute != nil { continue }
            guard let declared = def.declared else { undeclared.append(member); continue }
            XCTAssertTrue(declared.text.hasPrefix("\(member)("), declared.text)
            XCTAssertEqual(def.signature, declared.text)
        }
        XCTAssertEqual(undeclared, [], "methods without a declared signature")
    }

    func testModuleFunctionsAreDeclared() {
        for module in ["math", "random"] {
            guard case .host(let host)? = Builtins.values[module]?.value, let object = host as? ModuleObject else {
                XCTFail("no module \(module)"); continue
            }
            for (name, value) in object.members {
                guard case .builtin(let function) = value else { continue }
                XCTAssertNotNil(function.declared, "\(module).\(name)")
                XCTAssertFalse(function.doc.isEmpty, "\(module).\(name)")
                XCTAssertEqual(function.name, name)
            }
        }
        XCTAssertEqual(Builtins.function("random.seed(n)", doc: "d") { _, _ in .none }.signature, "random.seed(n)")
    }

    func testHelpPrintsTheSignatureThenTheDoc() throws {
        let len = try run("help(len)")
        XCTAssertTrue(len.hasPrefix("len(x)\n    The number of items"), len)
        let topk = try run("help(zeros(3).topk)")
        XCTAssertTrue(topk.hasPrefix("tensor.topk(k, dim=-1, largest=True, sorted=True)\n    The k largest"), topk)
        let append = try run("help([].append)")
        XCTAssertTrue(append.hasPrefix("list.append(x)\n    Adds `x`"), append)
        let seed = try run("help(random.seed)")
        XCTAssertTrue(seed.hasPrefix("random.seed(n)\n"), seed)
        let functional = try run("help(softmax)")
        XCTAssertTrue(functional.hasPrefix("softmax(t, dim=-1)\n"), functional)
    }

    func testUnexpectedKeywordSaysDidYouMean() {
        let error = runError("sorted([2, 1], revers=True)")
        XCTAssertEqual(error?.message, "sorted() got an unexpected keyword argument `revers`")
        XCTAssertTrue(error?.hint?.contains("reverse") ?? false, error?.hint ?? "no hint")
        let method = runError("zeros(3).softmax(dimm=0)")
        XCTAssertEqual(method?.message, "tensor.softmax() got an unexpected keyword argument `dimm`")
        XCTAssertTrue(method?.hint?.contains("dim") ?? false, method?.hint ?? "no hint")
    }

    func testBehaviourKeptThroughBinding() throws {
        XCTAssertEqual(try run("print(1, 2, sep='-', end='!')"), "1-2!")
        XCTAssertEqual(try run("print(dict([('a', 1)], pairs=2))"), "{'a': 1, 'pairs': 2}\n")
        XCTAssertEqual(try run("d = {}\nd.update(other=3)\nprint(d)"), "{'other': 3}\n")
        XCTAssertEqual(try run("print({'a': 1}.pop('b', None))"), "None\n")
        XCTAssertEqual(try run("print(getattr(1, 'nope', None))"), "None\n")
        XCTAssertEqual(try run("print(max([3, 1], key=lambda x: -x), min([], default=7))"), "1 7\n")
        XCTAssertEqual(try run("print(list(range(1, 7, 2)), arange(3).tolist(), arange(1, 3).tolist())"), "[1, 3, 5] [0, 1, 2] [1, 2]\n")
        XCTAssertEqual(try run("print(softmax(zeros(2), dim=0).tolist(), topk(arange(4), 2).values.tolist())"), "[0.5, 0.5] [3, 2]\n")
        XCTAssertEqual(try run("print(reshape(arange(6), 2, 3).shape, zeros(2, 3).permute(dims=(1, 0)).shape)"), "(2, 3) (3, 2)\n")
        XCTAssertEqual(try run("print(zeros(2, 3).transpose().shape, sum(ones(2, 3), dim=1).tolist())"), "(3, 2) [3.0, 3.0]\n")
        XCTAssertEqual(try run("print('{} {x}'.format(1, x=2), 'a,b'.split(','), math.log(8, 2))"), "1 2 ['a', 'b'] 3.0\n")
        XCTAssertEqual(runError("range(1, x=2)")?.message, "range() got an unexpected keyword argument `x`")
    }
}
