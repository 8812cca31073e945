import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// Timing harness, run only with LOUPE_PERF=1 in a release build:
///   swift build -c release -Xswiftc -enable-testing --build-tests
///   LOUPE_PERF=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter PerfTests
final class PerfTests: XCTestCase {
    func median(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
        var ts: [Double] = []
        for _ in 0..<n {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            ts.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        return ts.sorted()[ts.count / 2]
    }

    func rssMB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
        }
        return 0
    }

    func testSmolLM2Timings() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_PERF"] == "1" else { throw XCTSkip("set LOUPE_PERF=1") }
        let t0 = Date()
        let m = try HookedTransformer(path: SmolLM2Tests.modelPath, options: LoadOptions(processing: .none))
        let load = Date().timeIntervalSince(t0) * 1000
        var lines = [String(format: "load %.0f ms, threads %d", load, m.threads)]
        let base = try m.toTokens(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 40), prependBOS: false)
        for n in [32, 256] {
            let toks = Array(base.prefix(n))
            _ = try m.run(toks)
            let plain = try median(5) { _ = try m.run(toks) }
            let cached = try median(5) { _ = try m.runWithCache(toks) }
            lines.append(String(format: "%3d tokens: run %.1f ms, run_with_cache(all) %.1f ms", n, plain, cached))
        }
        for exact in [false, true] {
            let prompt = Array(base.prefix(8))
            let steps = 32
            let t = try median(3) {
                _ = try m.generate(prompt, options: GenerationOptions(maxNewTokens: steps, stopAtEOS: false, exact: exact))
            }
            lines.append(String(format: "generate %d tokens (%@): %.1f tok/s (incl. 8-token prompt)", steps,
                                exact ? "exact" : "quantized matvec", Double(steps) / t * 1000))
        }
        let prompt = Array(base.prefix(40))
        let t = try median(3) {
            _ = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 10, stopAtEOS: false,
                                                                  cacheFilter: .predicate { $0.hasSuffix("hook_pattern") || $0.hasSuffix("resid_pre") || $0.hasSuffix("resid_mid") || $0.hasSuffix("resid_post") }))
        }
        lines.append(String(format: "10 greedy steps caching patterns and residuals: %.1f ms/step", t / 10))
        lines.append(String(format: "peak RSS %.0f MB", rssMB()))
        print("== PERF SmolLM2\n" + lines.joined(separator: "\n"))
    }
}
