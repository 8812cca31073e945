import XCTest
@testable import LoupeScript

/// `import` and `from … import` parse to the module paths and names they bind.
final class ImportParsingTests: XCTestCase {
    func parse(_ source: String) throws -> StmtKind {
        let stmts = try Parser.parse(source, file: "t")
        XCTAssertEqual(stmts.count, 1)
        return stmts[0].kind
    }

    func testImportWithDottedPathsAndAliases() throws {
        guard case .importModules(let modules) = try parse("import torch.nn.functional as F, numpy as np, einops") else {
            return XCTFail("not an import")
        }
        XCTAssertEqual(modules.map(\.path), [["torch", "nn", "functional"], ["numpy"], ["einops"]])
        XCTAssertEqual(modules.map(\.alias), ["F", "np", nil])
        XCTAssertEqual(modules.map(\.boundName), ["F", "np", "einops"])
        guard case .importModules(let plain) = try parse("import transformer_lens.utils") else { return XCTFail() }
        XCTAssertEqual(plain[0].boundName, "transformer_lens")
    }

    func testFromImportNamesAndParentheses() throws {
        guard case .importFrom(let path, let names) = try parse("from transformer_lens import HookedTransformer, utils as u") else {
            return XCTFail("not a from-import")
        }
        XCTAssertEqual(path, ["transformer_lens"])
        XCTAssertEqual(names.map(\.name), ["HookedTransformer", "utils"])
        XCTAssertEqual(names.map(\.boundName), ["HookedTransformer", "u"])
        guard case .importFrom(let p2, let n2) = try parse("from tqdm.auto import (\n    tqdm,\n)") else { return XCTFail() }
        XCTAssertEqual(p2, ["tqdm", "auto"])
        XCTAssertEqual(n2.map(\.name), ["tqdm"])
    }

    func testImportErrorsPointAtTheProblem() {
        XCTAssertThrowsError(try Parser.parse("from . import x", file: "t")) {
            XCTAssertTrue("\($0)".contains("relative imports"), "\($0)")
        }
        XCTAssertThrowsError(try Parser.parse("from torch import *", file: "t")) {
            XCTAssertTrue("\($0)".contains("import *` is not supported"), "\($0)")
        }
        XCTAssertThrowsError(try Parser.parse("import torch as", file: "t")) {
            XCTAssertTrue("\($0)".contains("expected a name after `as`"), "\($0)")
        }
        XCTAssertThrowsError(try Parser.parse("from torch stack", file: "t")) {
            XCTAssertTrue("\($0)".contains("expected `import` after `from torch`"), "\($0)")
        }
    }
}
