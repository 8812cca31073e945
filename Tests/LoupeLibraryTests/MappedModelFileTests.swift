import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import CKernels

/// A loaded model's files changing on disk: `save` refuses to write over them, and a file truncated by
/// another process ends the next forward pass with an error instead of a SIGBUS.
final class MappedModelFileTests: XCTestCase {
    /// A copy of the gpt2-tiny fixture in a fresh temporary folder.
    func modelCopy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-mapped-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: modelFixtures.appendingPathComponent("gpt2-tiny"), to: dir)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func run(_ code: String, model: URL) throws -> Interpreter {
        let interp = Library.interpreter(sink: CollectingSink())
        interp.define("DIR", .string(model.path))
        _ = try interp.execute(code, file: "test.loupe")
        return interp
    }

    func testSaveOverAMappedFileIsRefused() throws {
        let dir = try modelCopy()
        let weights = dir.appendingPathComponent("model.safetensors")
        let before = try Data(contentsOf: weights)
        let interp = try run("m = load(DIR)\n", model: dir)
        XCTAssertThrowsError(try interp.execute("save(DIR + \"/model.safetensors\", {\"x\": zeros(2)})", file: "t.loupe")) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("is mapped by the model loaded from"), text)
            XCTAssertTrue(text.contains("t.loupe:1:"), text)
        }
        XCTAssertEqual(try Data(contentsOf: weights), before, "the file was written")
        // the model still runs, and once it is gone the file can be written
        _ = try interp.execute("m(\"hello\")\ndel m\nsave(DIR + \"/model.safetensors\", {\"x\": zeros(2)})", file: "t.loupe")
    }

    func testTruncatedWeightsGiveAnErrorNotSIGBUS() throws {
        let dir = try modelCopy()
        let interp = try run("m = load(DIR)\nm(\"hello\")\n", model: dir)
        let weights = dir.appendingPathComponent("model.safetensors")
        XCTAssertEqual(truncate(weights.path, 1000), 0)
        XCTAssertThrowsError(try interp.execute("m(\"hello\")", file: "t.loupe")) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("model.safetensors"), text)
            XCTAssertTrue(text.contains("truncated on disk after it was loaded"), text)
        }
        // the interpreter is still usable
        XCTAssertEqual(try interp.execute("1 + 1", file: "t.loupe").map(Repr.repr), "2")
    }

    func testWeightsTruncatedDuringAPassGiveAnErrorNotSIGBUS() throws {
        // a hook on the first block truncates the weights file while the pass runs: the later blocks'
        // reads of the lost pages fault (SIGBUS), read zeros instead, and the pass ends with an error. One
        // position, so the products read the mapped weights (prompt passes use the packed copies made by the
        // first pass, which live in memory and cannot fault).
        let dir = try modelCopy()
        let weights = dir.appendingPathComponent("model.safetensors")
        let path = weights.path
        let interp = try run("m = load(DIR, fold_ln=False, center_writing_weights=False, center_unembed=False)\nm(\"hello\")\n", model: dir)
        interp.define("truncate_weights", .builtin(Builtins.function("truncate_weights()", doc: "test only") { _, _ in
            .int(Int(truncate(path, 0)))
        }))
        let before = loupe_mapping_total_faults()
        XCTAssertThrowsError(try interp.execute("""
            def cut(x, hook):
                truncate_weights()
            m.run_with_hooks(m.to_tokens("hello")[:, :1], fwd_hooks=[("blocks.0.hook_resid_post", cut)])
            """, file: "t.loupe")) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("model.safetensors"), text)
            XCTAssertTrue(text.contains("changed on disk while it was being read"), text)
            XCTAssertTrue(text.contains("t.loupe:3:"), text)
        }
        XCTAssertGreaterThan(loupe_mapping_total_faults(), before, "no read of the truncated file faulted")
        // the interpreter is still usable, and the model keeps refusing to run on the lost file
        XCTAssertEqual(try interp.execute("1 + 1", file: "t.loupe").map(Repr.repr), "2")
        XCTAssertThrowsError(try interp.execute("m(\"hello\")", file: "t.loupe")) { XCTAssertTrue("\($0)".contains("model.safetensors"), "\($0)") }
    }

    func testLoadOfAFIFOIsRefusedAtOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("model.gguf")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        let start = Date()
        XCTAssertThrowsError(try run("m = load(\"\(fifo.path)\")", model: dir)) { e in
            XCTAssertTrue("\(e)".contains("is a FIFO (named pipe), not a regular file"), "\(e)")
        }
        // a FIFO standing in for config.json inside a model folder
        let folder = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("config.json").path, 0o600), 0)
        XCTAssertThrowsError(try run("m = load(DIR + \"/model\")", model: dir)) { e in
            XCTAssertTrue("\(e)".contains("config.json") && "\(e)".contains("FIFO"), "\(e)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }
}
