import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary

/// Values nested 30 000 deep in every way a script can nest them (lists, tuples, dict values and keys,
/// closures, default values, bound methods, `partial`) are freed without deep recursion. Scripts run on
/// the interpreter's 512 MB thread, but their values are often freed elsewhere (the globals when the
/// interpreter goes, on whichever thread drops it last: the main thread's 8 MB overflowed about half
/// the time). Here each chain is taken out of the globals and dropped on a thread with a 1 MB stack,
/// where freeing any of them recursively (a few hundred bytes per level) overflows every time.
final class DeepReleaseTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/deep/chains.loupe")

    func testDeepChainsAreFreedOnASmallStack() throws {
        let source = try String(contentsOf: Self.script, encoding: .utf8)
        let names = ["x", "t", "d", "f", "m", "p", "key", "defaults", "receiver", "keywords"]
        for run in 0..<2 {
            let sink = CollectingSink()
            let interp = Library.interpreter(sink: sink)
            _ = try interp.execute(source + """

                key = ()
                for i in range(98):
                    key = (key,)
                key = {(key, 1): t}
                defaults = None
                for i in range(N):
                    defaults = lambda y=defaults: y
                receiver = None
                for i in range(N):
                    receiver = partial(first, receiver)
                keywords = None
                for i in range(N):
                    keywords = partial(first, 1, k=keywords)
                """, file: "chains.loupe")
            XCTAssertEqual(sink.text, "built 29999 1\n", "run \(run)")
            let chains = HeldValues(names.map { interp.lookup($0) })
            for name in names { interp.define(name, .none) }
            XCTAssertEqual(chains.values.compactMap { $0 }.count, names.count)
            try Self.onSmallStack {
                chains.values = []  // frees every chain here
                return ""
            }
        }
    }

    func testReleaseDepthIsBoundedDirectly() throws {
        // no interpreter: a 100 000-deep tuple of lists of dicts built in Swift, freed on the small stack
        try Self.onSmallStack {
            var v: Value = .none
            for i in 0..<100_000 {
                switch i % 3 {
                case 0: v = .tuple([v])
                case 1: v = .list([v])
                default: v = .dict(DictBox([("next", v)]))
                }
            }
            v = .none
            return ""
        }
    }

    /// Runs `body` on a thread with a 1 MB stack and waits for it.
    static func onSmallStack(_ body: @escaping @Sendable () throws -> String) throws -> String {
        nonisolated(unsafe) var result: Result<String, Error> = .success("")
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result = Result { try body() }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        done.wait()
        return try result.get()
    }
}

/// Values handed to another thread to be dropped there.
final class HeldValues: @unchecked Sendable {
    var values: [Value?]
    init(_ values: [Value?]) { self.values = values }
}
