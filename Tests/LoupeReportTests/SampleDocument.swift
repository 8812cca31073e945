import LoupeNotebook
import Foundation
@testable import LoupeReport

/// A report holding every kind of output, with hostile tokens everywhere a model's text can go.
enum Sample {
    static let evil = "</script><img src=x onerror=alert(1)>"

    /// Causal attention over `n` tokens for `heads` heads: [head, dest, src], each row a softmax.
    static func attention(heads: Int, n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: heads * n * n)
        for h in 0..<heads {
            for i in 0..<n {
                var row = [Float](repeating: 0, count: i + 1)
                for j in 0...i {
                    let prevToken: Float = j == i - 1 ? 3 : 0
                    let bos: Float = j == 0 ? 2 : 0
                    let local = -Float(i - j) * 0.3
                    row[j] = exp(h % 3 == 0 ? prevToken : (h % 3 == 1 ? bos : local) + Float((i * 7 + j * 3 + h) % 5) * 0.2)
                }
                let sum = row.reduce(0, +)
                for j in 0...i { out[h * n * n + i * n + j] = row[j] / sum }
            }
        }
        return out
    }

    /// Cheap big attention: each row puts 0.6 on a head-dependent earlier token and 0.4 on the first.
    static func sparseAttention(heads: Int, n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: heads * n * n)
        out.withUnsafeMutableBufferPointer { p in
            for h in 0..<heads {
                for i in 0..<n {
                    let row = h * n * n + i * n
                    p[row + max(0, i - 1 - h % 3)] += 0.6
                    p[row] += 0.4
                }
            }
        }
        return out
    }

    /// A long report of two cells: an attention-patterns view and an attention-heads view over `tokens`,
    /// with `attention(heads, n)` for the patterns.
    static func attentionReport(title: String, sourcePath: String, tokens: [String], patternHeads: Int, heads: Int,
                                sources: (String, String), attention: (_ heads: Int, _ n: Int) -> [Float]) throws -> ReportDocument {
        let n = tokens.count
        let patterns = try AttentionPatternsView(tokens: tokens, pattern: attention(patternHeads, n), shape: [patternHeads, n, n])
        let headsView = try AttentionHeadsView(tokens: tokens, attention: attention(heads, n), shape: [heads, n, n])
        return ReportDocument(title: title, sourcePath: sourcePath, cells: [
            ReportCell(kind: .code, source: sources.0, outputs: [patterns.output], executionCount: 1),
            ReportCell(kind: .code, source: sources.1, outputs: [headsView.output], executionCount: 2),
        ], loupeVersion: "0")
    }

    static let tokens = ["<|im_start|>", "The", " cat", " sat", " on", " the", " mat", evil, " and", "\n", " it", " purred", "."]

    static func svg(_ label: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 320 160">
        <defs><clipPath id="clip0"><rect x="40" y="10" width="270" height="130"/></clipPath></defs>
        <rect width="320" height="160" fill="#fff"/>
        <g clip-path="url(#clip0)"><polyline fill="none" stroke="#1f77b4" stroke-width="2" points="40,130 100,90 160,100 220,40 300,20"/></g>
        <line x1="40" y1="140" x2="310" y2="140" stroke="#333"/><line x1="40" y1="10" x2="40" y2="140" stroke="#333"/>
        <text x="170" y="156" text-anchor="middle" font-size="11" font-family="sans-serif">\(Escape.html(label))</text>
        </svg>
        """
    }

    static func document() throws -> ReportDocument {
        let n = tokens.count
        let patterns = try AttentionPatternsView(tokens: tokens, pattern: attention(heads: 4, n: n), shape: [4, n, n],
                                                 title: "Layer 1 attention patterns")
        let heads = try AttentionHeadsView(tokens: tokens, attention: attention(heads: 6, n: n), shape: [6, n, n],
                                           headNames: (0..<6).map { "L1H\($0)" }, title: "Layer 1 heads")
        let colored = try ColoredTokensView(tokens: tokens, values: tokens.indices.map { sin(Double($0)) * 2.5 },
                                            title: "Direct logit attribution")
        let layers = ["0", "1", "2"]
        let topk = try TopkTokensView(
            tokens: Array(tokens.prefix(5)), rowLabels: layers,
            topTokens: layers.indices.map { l in (0..<5).map { p in [" cat", evil, " dog"].map { $0 + (l == 2 && p == 1 ? "" : "") } } },
            topValues: layers.indices.map { l in (0..<5).map { p in [0.5 + 0.1 * Double(l), 0.2 - 0.01 * Double(p), 0.05] } },
            targets: [" cat", " cat", " dog", " mat", " cat"], title: "Logit lens")
        let rows = (0..<120).map { i in ["\(i)", i % 7 == 0 ? evil : "tok\(i)", String(format: "%.4f", Double(i) / 7), "\(i * 13 % 50)"] }
        let cells: [ReportCell] = [
            ReportCell(kind: .markdown, source: "# Loupe sample report\n\nEvery output kind, with a hostile token: `\(evil)` and raw <b>bold</b> and <script>alert(2)</script>.\n\n## Setup"),
            ReportCell(kind: .code, source: "model = load(\"smollm2\")  # the default model\nprompt = f\"The cat {1 + 2}\"\nfor i in range(3):\n    print(i, 'x' * 2, 3.5e-3)",
                       title: "Load the model", outputs: [.stream("0 xx 0.0035\n1 xx 0.0035\n2 xx 0.0035"), .value("HookedTransformer(smollm2, 30 layers)")],
                       seconds: 1.234, executionCount: 1),
            ReportCell(kind: .markdown, source: "## Attention\n\nHover a token below."),
            ReportCell(kind: .code, source: "attention_patterns(cache[\"pattern\", 1], tokens=tokens)", outputs: [patterns.output],
                       seconds: 0.05, executionCount: 2),
            ReportCell(kind: .code, source: "attention_heads(cache[\"pattern\", 1], tokens=tokens)", outputs: [heads.output],
                       seconds: 0.04, executionCount: 3),
            ReportCell(kind: .code, source: "colored_tokens(tokens, dla)\ntopk_tokens(...)", outputs: [colored.output, topk.output],
                       seconds: 0.02, executionCount: 4),
            ReportCell(kind: .markdown, source: "## Figures and tables"),
            ReportCell(kind: .code, source: "plot(losses)\nfigure(fig, title=\"Loss\", description=\"A *small* line.\", footer=\"Input: x\")",
                       outputs: [.figure(svg: svg("step " + evil), name: "01-loss"),
                                 FigureSection.make(svg: svg("second"), title: "Attention tokens for 0.1 " + evil,
                                                    description: "\n    Each cell is **q⊙k**.\n    Brighter is later.\n    ",
                                                    footer: "Input: " + evil)],
                       seconds: 0.3, executionCount: 5),
            ReportCell(kind: .code, source: "df", outputs: [.table(columns: ["index", "token", "attn", "count"], rows: rows, totalRows: 2_509_053)],
                       seconds: 0.01, executionCount: 6),
            ReportCell(kind: .code, source: "show_md()", outputs: [.markdown("**Bold** note with " + evil)], seconds: 0.001, executionCount: 7),
            ReportCell(kind: .code, source: "cache[\"blocks.99.attn.hook_z\"]",
                       outputs: [.stream("before the error"),
                                 .error(message: "KeyError: no hook point 'blocks.99.attn.hook_z' " + evil,
                                        detail: "sample.loupe:12:7: KeyError: no hook point 'blocks.99.attn.hook_z'\n    cache[\"blocks.99.attn.hook_z\"]\n          ^\nhint: the model has 30 layers (0…29)")],
                       seconds: 0.002, executionCount: 8),
        ]
        return ReportDocument(title: "Loupe sample report", sourcePath: "notebooks/sample.loupe", cells: cells,
                              models: ["SmolLM2-135M-Instruct (Q4_1 GGUF)"], loupeVersion: "0.1.0",
                              parameterList: [.init(name: "prompt", value: "\"The cat\""), .init(name: "top_k", value: "5")])
    }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/report")
    }
}
