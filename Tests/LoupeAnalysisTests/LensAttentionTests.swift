import Foundation
import LoupeTensor
import XCTest
@testable import LoupeAnalysis

final class LensAttentionTests: XCTestCase {
    var fx: [String: Any] = [:]
    override func setUpWithError() throws { fx = try fixtureJSON("analysis/lens_attention.json") }
    func t(_ key: String, _ shape: [Int]) -> Tensor { Tensor(shape: shape, data: floats(fx[key])) }
    func ints(_ key: String) -> [Int] { fx[key] as? [Int] ?? [] }

    func testLogitLensMatchesNumpy() throws {
        let r = try LogitLens.topK(stack: t("stack", [3, 5, 16]), W_U: t("W_U", [16, 40]), b_U: t("b_U", [40]), k: 3)
        XCTAssertEqual(r.ids.flatMap { $0.flatMap { $0 } }, ints("top3"))
        let expected = floats(fx["top3_probs"])
        let got = r.probs.flatMap { $0.flatMap { $0 } }
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        let table = try r.table { "t\($0)" }
        XCTAssertEqual(table.rowCount, 3 * 5 * 3)
        XCTAssertEqual(table.columnNames, ["layer", "position", "rank", "token", "token_str", "prob"])
    }

    func testLogitLensPositionsAndErrors() throws {
        let r = try LogitLens.topK(stack: t("stack", [3, 5, 16]), W_U: t("W_U", [16, 40]), b_U: t("b_U", [40]), k: 3,
                                   positions: [-1])
        XCTAssertEqual(r.positions, [4])
        XCTAssertEqual(r.ids[2][0], Array(ints("top3")[(2 * 15 + 12)..<(2 * 15 + 15)]))
        XCTAssertThrowsError(try LogitLens.topK(stack: t("stack", [3, 5, 16]), W_U: t("W_U", [16, 40]), k: 3, positions: [9]))
        XCTAssertThrowsError(try LogitLens.topK(stack: t("W_U", [16, 40]), W_U: t("W_U", [16, 40]), k: 3))
    }

    func testAttentionTokensMatchNumpy() throws {
        let d = try AttentionTokens.compute(layer: 1, head: 2, input: [7, 8, 9, 10, 11],
                                            q: t("q", [5, 4]), k: t("k", [5, 4]), v: t("v", [5, 4]),
                                            pattern: t("pattern", [5, 5]), W_Q: t("W_Q", [16, 4]),
                                            W_K: t("W_K", [16, 4]), W_O: t("W_O", [4, 16]), W_U: t("W_U", [16, 40]))
        XCTAssertEqual(d.q, ints("q_tok"))
        XCTAssertEqual(d.k, ints("k_tok"))
        XCTAssertEqual(d.v, ints("v_tok"))
        XCTAssertEqual(d.qk.flatMap { $0 }, ints("qk_tok"))
        let rows = d.rows(prompt: 0)
        XCTAssertEqual(rows.count, 15)
        XCTAssertEqual(rows[0].count, AttentionTokenData.columns.count)
    }

    func testHistogramMatchesNumpy() {
        let values = floats(fx["hist_values"])
        let edges = fx["hist_edges"] as? [Double] ?? []
        XCTAssertEqual(Histogram.counts(values, edges: edges), (fx["hist_counts"] as? [Int] ?? []).map(Double.init))
        for (a, b) in zip(Histogram.counts(values, edges: edges, density: true), fx["hist_density"] as? [Double] ?? []) {
            XCTAssertEqual(a, b, accuracy: 1e-12)
        }
    }

    func testWindowsCoverTheSequence() {
        XCTAssertEqual(AttentionWindows.starts(length: 42, size: 32, stride: 5), [0, 5, 10])
        XCTAssertEqual(AttentionWindows.starts(length: 20), [0])
        XCTAssertEqual(AttentionWindows.starts(length: 40, size: 32, stride: 5), [0, 5, 8])
    }

    func testGenerationGridMarksMatches() {
        let lens = [["a", " The", "x", " The"], ["b", "cat", "cat", "cat"]]
        let g = GenerationGrid.grid(lensTop1: lens, generated: ["The", " cat"])
        XCTAssertEqual(g.layers, [0, 2])
        XCTAssertEqual(g.tokens, [["a", "b"], ["x", "cat"]])
        XCTAssertEqual(g.matches, [[false, false], [false, true]])
    }

    func testTokenFrequencyAndShared() throws {
        let rows: [[TableValue]] = [
            [.int(0), .int(0), .int(5)], [.int(0), .int(0), .int(5)], [.int(0), .int(0), .int(6)],
            [.int(0), .int(1), .int(5)], [.int(1), .int(0), .int(7)], [.int(1), .int(0), .int(5)],
        ]
        let data = try Table(columnNames: ["layer", "head", "hp"], rows: rows)
        let f = try TokenFrequency.table(data, column: "hp", nHeads: 2) { "tok\($0)" }
        XCTAssertEqual(try f.column("Head"), .int([0, 0, 1, 2, 2]))
        XCTAssertEqual(try f.column("Frequency"), .int([2, 1, 1, 1, 1]))
        XCTAssertEqual(try f.column("Rank"), .int([1, 2, 1, 1, 1]))
        XCTAssertEqual(try f.column("Token str"), .string(["tok5", "tok6", "tok5", "tok5", "tok7"]))
        let u = try TokenFrequency.uniquePerHead(f)
        XCTAssertEqual(try u.column("Token"), .int([2, 1, 2]))
        let s = try TokenFrequency.shared(f)
        XCTAssertEqual(s.rowCount, 3)
        XCTAssertEqual(try s.column("Shared Tokens"), .int([1, 1, 1]))
        let m = try TokenFrequency.sharedMatrix(f, heads: 3)
        XCTAssertEqual(m[0][0], 2)
        XCTAssertEqual(m[0][2], 1)
    }
}
