import Foundation
import XCTest
import LoupeAnalysis
import LoupePlot
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// The analysis figure builders on small hand-made inputs: what each figure must contain (gold cells,
/// discovery order, borders, bars per head). Set LOUPE_FIGURE_DIR to also write the SVGs there to look at.
final class AnalysisFigureTests: XCTestCase {
    func keep(_ fig: Figure, _ name: String) throws -> String {
        let svg = fig.svg()
        if let dir = ProcessInfo.processInfo.environment["LOUPE_FIGURE_DIR"] {
            try svg.write(toFile: "\(dir)/\(name).svg", atomically: true, encoding: .utf8)
        }
        XCTAssertTrue(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"), name)
        return svg
    }

    func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    func testGenerationGridGoldWhereLensMatchesGenerated() throws {
        let lens: [[String]] = (0..<5).map { step in (0..<16).map { l in l >= 10 - step ? ["The", " cat", " is", " black", "."][step] : "ing" } }
        let g = GenerationGrid.grid(lensTop1: lens, generated: ["The", " cat", " is", " black", "."], every: 2)
        XCTAssertEqual(g.layers, [0, 2, 4, 6, 8, 10, 12, 14])
        let fig = GenerationGridFigure.figure(tokens: g.tokens, matches: g.matches, layers: g.layers, title: "Predicted Tokens for question: what is it?")
        let svg = try keep(fig, "generation_grid")
        let gold = g.matches.flatMap { $0 }.filter { $0 }.count
        XCTAssertEqual(gold, 3 + 3 + 4 + 4 + 5) // layers ≥ 10 - step among the even ones
        XCTAssertEqual(count("#FFD700", in: svg.uppercased()), gold)
        XCTAssertTrue(svg.contains("Layer 14"))
        XCTAssertTrue(svg.contains("&apos;cat&apos;") || svg.contains("'cat'") || svg.contains("&#39;cat&#39;"))
    }

    func syntheticHead(n: Int, head: Int, vocab: Int, seed: UInt64) -> AttentionTokenData {
        var rng = SplitMix(seed: seed)
        var qk = [[Int]](repeating: [Int](repeating: -1, count: n), count: n)
        var attn = [[Float]](repeating: [Float](repeating: 0, count: n), count: n)
        for i in 0..<n {
            var w: [Float] = (0...i).map { _ in Float(rng.nextDouble()) }
            w[i] += 1
            let s = w.reduce(0, +)
            for j in 0...i { qk[i][j] = 100 + Int(rng.next() % UInt64(vocab)); attn[i][j] = w[j] / s }
        }
        let ids = (0..<n).map { _ in Int(rng.next() % 50) }
        return AttentionTokenData(layer: 0, head: head, q: ids.map { $0 + 1 }, k: ids.map { $0 + 2 }, v: ids.map { $0 + 3 },
                                  qk: qk, attn: attn, input: ids)
    }

    func testAttentionTokenDiscoveryOrderAndBorders() throws {
        let order = AttentionTokenFigure.discoveryOrder([[7, -1, -1], [9, 7, -1], [9, 4, 7]])
        XCTAssertEqual(order.order, [[0, -1, -1], [1, 0, -1], [1, 2, 0]])
        XCTAssertEqual(order.distinct, 3)
        let d = syntheticHead(n: 12, head: 1, vocab: 6, seed: 3)
        let fig = AttentionTokenFigure.figure(data: d, tokenText: { "t\($0)" }, title: "Attention tokens for 0.1")
        let svg = try keep(fig, "attention_tokens")
        XCTAssertTrue(svg.contains("Attention tokens for 0.1"))
        for label in ["t\(d.q[0])", "t\(d.k[0])", "t\(d.v[0])", "t\(d.input[0])"] { XCTAssertTrue(svg.contains(label), label) }
        let grid = AttentionTokenFigure.layerFigure(heads: (0..<12).map { syntheticHead(n: 16, head: $0, vocab: 2 + $0, seed: UInt64($0)) },
                                                    tokenText: { "t\($0)" }, title: "Attention token plots for each head in layer 0")
        let gsvg = try keep(grid, "attention_tokens_layer")
        XCTAssertTrue(gsvg.contains("Head 11"))
        XCTAssertFalse(gsvg.contains(">t\(d.input[0])<"))
    }

    func syntheticDataset() throws -> Table {
        var rng = SplitMix(seed: 11)
        var layer: [Int] = [], head: [Int] = [], hp: [Int] = []
        for l in 0..<12 { for h in 0..<12 { for _ in 0..<60 {
            layer.append(l); head.append(h)
            let width = 2 + (l * 7 + h * 3) % 25
            hp.append(1000 * l + Int(Double(width) * pow(rng.nextDouble(), 2)))
        } } }
        return try Table(columns: [("layer", .int(layer)), ("head", .int(head)), ("hp", .int(hp))])
    }

    func testTokenFrequencyFigures() throws {
        let freq = try TokenFrequency.table(syntheticDataset(), column: "hp", nHeads: 12, tokenText: { "t\($0)" })
        let rows = try TokenFrequencyFigures.rows(freq)
        let fig = Figure(width: 16, height: 4.5, rows: 1, columns: 3)
        TokenFrequencyFigures.drawFrequencies(into: fig.axes[0][0], rows)
        TokenFrequencyFigures.drawUniqueByHead(into: fig.axes[0][1], rows)
        TokenFrequencyFigures.drawUniqueByLayerHead(into: fig.axes[0][2], rows)
        _ = try keep(fig, "token_frequencies")
        let bars = fig.axes[0][1].marks.compactMap { if case .bar(let b) = $0 { return b } else { return nil } }
        XCTAssertEqual(bars.first?.positions.count, 144)
        let unique = try TokenFrequency.uniquePerHead(freq)
        guard case .int(let counts) = try unique.column("Token") else { return XCTFail("Token column") }
        XCTAssertEqual(bars.first?.lengths, counts.map(Double.init))
        let shared = try TokenFrequency.sharedMatrix(freq, heads: 144)
        _ = try keep(EmbeddingFigures.sharedFigure(matrix: shared, nHeadsPerLayer: 12, title: "Shared tokens"), "shared_tokens")
    }

    func testEmbeddingScatterAndAttentionMap() throws {
        var rng = SplitMix(seed: 5)
        var x: [Double] = [], y: [Double] = [], layers: [Int] = []
        for l in 0..<12 { for _ in 0..<40 {
            x.append(cos(Double(l)) * 10 + rng.nextGaussian()); y.append(sin(Double(l)) * 10 + rng.nextGaussian()); layers.append(l)
        } }
        let svg = try keep(EmbeddingFigures.scatterFigure(x: x, y: y, layers: layers, nLayers: 12, title: "t-SNE of q⊙k attention tokens"), "tsne")
        XCTAssertTrue(svg.contains("Layer"))
        let nL = 30, w = 32
        let attn: [[Float]] = (0..<nL).map { l in (0..<w).map { c in c == w - 1 ? 0.3 : (c == (l * 3) % w ? 0.5 : 0.02) } }
        let labels = [(0..<w).map { " in\($0)" }] + (0..<nL).map { l in (0..<w).map { c in l < 20 ? "x\(c)" : " tok\(c % 7)" } }
        let fig = try AttentionMapFigure.figure(attention: attn, labels: labels, firstPosition: 5)
        let msvg = try keep(fig, "attention_map")
        // Rows numbered 0…layers (the last: the prediction), columns by position, as the viewer's heatmap.
        XCTAssertTrue(msvg.contains(">30<") && msvg.contains(">36<") && !msvg.contains(">37<"), "row 30 and positions 5…36")
    }
}
