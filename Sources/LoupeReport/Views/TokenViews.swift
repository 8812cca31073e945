import LoupeNotebook
import Foundation
import LoupeFormats

/// circuitsvis' `colored_tokens`: one value per token as a colour (diverging red-white-blue around 0
/// when values have both signs, else white to blue), the number on hover.
public struct ColoredTokensView: Sendable {
    public var title: String
    let html: String
    let svg: String

    public init(tokens: [String], values: [Double], minValue: Double? = nil, maxValue: Double? = nil,
                title: String = "Tokens") throws {
        guard tokens.count == values.count else {
            throw ViewError("colored_tokens: \(tokens.count) tokens but \(values.count) values; pass one value per token")
        }
        let finite = values.filter { $0.isFinite }
        let dataLo = finite.min() ?? 0, dataHi = finite.max() ?? 1
        let diverging = (minValue ?? dataLo) < 0 && (maxValue ?? dataHi) > 0
        var lo: Double, hi: Double
        if diverging {
            let m = max(abs(minValue ?? dataLo), abs(maxValue ?? dataHi))
            lo = -m; hi = m
        } else {
            lo = minValue ?? min(0, dataLo); hi = maxValue ?? dataHi
        }
        if hi <= lo { hi = lo + 1 }
        self.title = title
        let ramp = diverging ? ColorScale.redWhiteBlue : ColorScale.blues
        func t(_ v: Double) -> Double { v.isFinite ? (v - lo) / (hi - lo) : (diverging ? 0.5 : 0) }
        let formatted = values.map { ColoredTokensView.format($0) }
        svg = StaticSVG.tokens(tokens, colors: values.map { ColorScale.hex(ramp, t($0)) },
                               textColors: values.map { ColorScale.textOn(ramp, t($0)) }, values: formatted,
                               title: title, legend: "colour scale \(ColoredTokensView.format(lo)) … \(ColoredTokensView.format(hi))")
        let data = JSONValue.pairs([
            ("tokens", .array(tokens.map { .string($0) })),
            ("values", .array(values.map { JSONValue.rounded($0, decimals: 6) })),
            ("lo", .double(lo)), ("hi", .double(hi)),
            ("scale", .string(diverging ? "diverging" : "sequential")),
        ])
        html = ViewFragment.html(kind: "colored-tokens", title: title, data: data, fallbackSVG: svg,
                                 script: "colored-tokens.js")
    }

    static func format(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        return String(format: "%.4g", v)
    }

    public var output: CellOutput { .view(html: html, fallbackSVG: svg, title: title) }
}

/// circuitsvis' `topk_tokens` as the attention-when-generating notebook's logit lens needs it: rows (layers) × positions, each cell
/// the top-k tokens with their probabilities; the number shown is adjustable; cells whose top token
/// equals the position's `target` (e.g. the token finally generated) are marked.
public struct TopkTokensView: Sendable {
    public var title: String
    let html: String
    let svg: String

    /// `topTokens[row][position]` and `topValues[row][position]` are the k best, best first.
    public init(tokens: [String], rowLabels: [String], topTokens: [[[String]]], topValues: [[[Double]]],
                targets: [String]? = nil, rowName: String = "Layer", valueName: String = "prob",
                title: String = "Top-k tokens") throws {
        guard topTokens.count == rowLabels.count, topValues.count == rowLabels.count else {
            throw ViewError("topk_tokens: \(rowLabels.count) row labels but \(topTokens.count) rows of tokens and \(topValues.count) rows of values")
        }
        for (r, row) in topTokens.enumerated() {
            guard row.count == tokens.count, topValues[r].count == tokens.count else {
                throw ViewError("topk_tokens: row \(r) has \(row.count) positions of tokens and \(topValues[r].count) of values; expected \(tokens.count) (one per token)")
            }
            for (p, cell) in row.enumerated() where cell.count != topValues[r][p].count {
                throw ViewError("topk_tokens: row \(r), position \(p) has \(cell.count) tokens but \(topValues[r][p].count) values")
            }
        }
        if let targets, targets.count != tokens.count {
            throw ViewError("topk_tokens: \(targets.count) targets for \(tokens.count) positions")
        }
        self.title = title
        let k = topTokens.flatMap { $0.map(\.count) }.max() ?? 0
        svg = PlotFallback.topkGrid(tokens: tokens, rowLabels: rowLabels, topTokens: topTokens, topValues: topValues,
                                    targets: targets, rowName: rowName, valueName: valueName, title: title)
        var fields: [(String, JSONValue)] = [
            ("tokens", .array(tokens.map { .string($0) })),
            ("rowLabels", .array(rowLabels.map { .string($0) })),
            ("rowName", .string(rowName)), ("valueName", .string(valueName)), ("k", .int(k)),
            ("topTokens", .array(topTokens.map { .array($0.map { .array($0.map { .string($0) }) }) })),
            ("topValues", .array(topValues.map { .array($0.map { .array($0.map { JSONValue.rounded($0, decimals: 5) }) }) })),
        ]
        if let targets { fields.append(("targets", .array(targets.map { .string($0) }))) }
        html = ViewFragment.html(kind: "topk-tokens", title: title, data: .pairs(fields), fallbackSVG: svg,
                                 script: "topk-tokens.js")
    }

    public var output: CellOutput { .view(html: html, fallbackSVG: svg, title: title) }
}
