import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary

/// Every builtin that opens a path a script names refuses a FIFO at once with an error saying what the
/// path is, instead of waiting forever for a writer (or, for `save`, a reader). A watchdog unblocks a
/// FIFO after 5 s (by opening its other end), so a regression fails the test instead of hanging it.
final class FIFOPathTests: XCTestCase {
    func testScriptFileBuiltinsRefuseAFIFO() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-fifo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = [
            ("p.txt", "read(\"p.txt\")"), ("p.npy", "read(\"p.npy\")"), ("p.npz", "read(\"p.npz\")"),
            ("p.json", "read(\"p.json\")"), ("p.jsonl", "read(\"p.jsonl\")"), ("p.csv", "read(\"p.csv\")"),
            ("p.safetensors", "read(\"p.safetensors\")"), ("n.npy", "np.load(\"n.npy\")"),
            ("p.png", "read_image(\"p.png\")"), ("i.jpg", "Image.open(\"i.jpg\")"),
            ("c.json", "image_processor(\"c.json\")"), ("w.npy", "save(\"w.npy\", zeros(2))"),
            ("w.txt", "save(\"w.txt\", \"text\")"), ("w.json", "save(\"w.json\", [1])"),
        ]
        for (name, call) in calls {
            let fifo = dir.appendingPathComponent(name).path
            XCTAssertEqual(mkfifo(fifo, 0o600), 0, "mkfifo \(fifo)")
            let watchdog = DispatchWorkItem {
                for flags in [O_WRONLY | O_NONBLOCK, O_RDONLY | O_NONBLOCK] {
                    let fd = open(fifo, flags)
                    if fd >= 0 { close(fd) }
                }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + 5, execute: watchdog)
            let start = Date()
            let interp = Library.interpreter(sink: CollectingSink(), scriptDirectory: dir)
            let source = "import numpy as np\nfrom PIL import Image\n" + call
            do {
                _ = try interp.execute(source, file: "fifo.loupe")
                XCTFail("\(call) read or wrote a FIFO")
            } catch let e as LoupeError {
                XCTAssertTrue(e.message.contains("is a FIFO (named pipe), not a regular file"), "\(call): \(e.message)")
                XCTAssertTrue(e.message.contains(fifo), "\(call) does not name the file: \(e.message)")
                XCTAssertEqual(e.location?.line, 3, "\(call): error not located")
            }
            watchdog.cancel()
            XCTAssertLessThan(Date().timeIntervalSince(start), 2, "\(call) waited on the FIFO")
            var st = stat()
            XCTAssertEqual(stat(fifo, &st), 0)
            XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "\(call) replaced the FIFO")
            // the interpreter is still usable
            XCTAssertNoThrow(try interp.execute("x = 1 + 1", file: "after.loupe"))
        }
    }
}
