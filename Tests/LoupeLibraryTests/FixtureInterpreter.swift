import Foundation
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// The model fixtures (Tests/Fixtures/models, made by tools/gen_model_fixtures.py).
let modelFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/models")

/// Runs `code` in a fresh library interpreter with `FIXTURES` naming the model fixtures; returns the
/// interpreter (to read variables) and what the code printed.
func runWithFixtures(_ code: String) throws -> (Interpreter, CollectingSink) {
    let sink = CollectingSink()
    let interp = Library.interpreter(sink: sink)
    interp.define("FIXTURES", .string(modelFixtures.path))
    _ = try interp.execute(code, file: "test.loupe")
    return (interp, sink)
}

/// The repr of `expr` evaluated in `interp` ("None" for a statement or None).
func value(_ interp: Interpreter, _ expr: String) throws -> String {
    guard let v = try interp.execute(expr, file: "expr.loupe") else { return "None" }
    return Repr.str(v)
}
