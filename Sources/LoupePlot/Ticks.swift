// Tick placement and labels, following matplotlib's AutoLocator (MaxNLocator with steps
// [1, 2, 2.5, 5, 10]), LogLocator (decades, thinned when there are many) and ScalarFormatter
// (as few decimals as the ticks need, a shared ×10^n factor for very large or small values,
// U+2212 as the minus sign).

import Foundation

public enum TickLocator {
    /// matplotlib's MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(vmin, vmax):
    /// nice ticks covering [vmin, vmax], possibly one beyond each end (callers keep those inside).
    public static func maxN(_ vmin: Double, _ vmax: Double, nbins: Int, integer: Bool = false, minTicks: Int = 2) -> [Double] {
        var lo = vmin, hi = vmax
        if !lo.isFinite || !hi.isFinite { return [] }
        if hi < lo { swap(&lo, &hi) }
        if hi - lo < 1e-300 * max(1, abs(lo)) || hi == lo {
            // matplotlib's nonsingular expansion
            let d = lo == 0 ? 0.1 : abs(lo) * 0.05
            lo -= d; hi += d
        }
        let (scale, offset) = scaleRange(lo, hi, n: nbins)
        let vlo = lo - offset, vhi = hi - offset
        let base: [Double] = [1, 2, 2.5, 5, 10]
        var steps = [0.1 * base[0], 0.2, 0.25, 0.5] + base + [10 * base[1]]
        steps = steps.map { $0 * scale }
        if integer { steps = steps.filter { $0 >= 1 || abs($0 - $0.rounded()) < 1e-12 } ; if steps.isEmpty { steps = [1] } }
        let rawStep = (vhi - vlo) / Double(max(nbins, 1))
        let istep = steps.firstIndex(where: { $0 >= rawStep }) ?? (steps.count - 1)
        var ticks: [Double] = []
        for step0 in steps[0...istep].reversed() {
            var step = step0
            if integer && floor(vhi) - ceil(vlo) >= Double(minTicks - 1) { step = max(1, step) }
            let bestMin = (vlo / step).rounded(.down) * step
            let low = edgeLE(vlo - bestMin, step: step, offset: offset)
            let high = edgeGE(vhi - bestMin, step: step, offset: offset)
            ticks = []
            var k = low
            while k <= high && ticks.count < 1000 { ticks.append(k * step + bestMin); k += 1 }
            let inside = ticks.filter { $0 <= vhi && $0 >= vlo }.count
            if inside >= minTicks { break }
        }
        return ticks.map { $0 + offset }
    }

    static func scaleRange(_ vmin: Double, _ vmax: Double, n: Int) -> (Double, Double) {
        let dv = abs(vmax - vmin)
        let meanv = (vmax + vmin) / 2
        var offset = 0.0
        if abs(meanv) / dv >= 100 {
            offset = (meanv < 0 ? -1 : 1) * pow(10, floor(log10(abs(meanv))))
        }
        let scale = pow(10, floor(log10(dv / Double(max(n, 1)))))
        return (scale, offset)
    }

    private static func closeTo(_ ms: Double, _ edge: Double, step: Double, offset: Double) -> Bool {
        let tol = offset > 0 ? max(1e-10, pow(10, floor(log10(abs(offset))) - 12) / step) : 1e-10
        return abs(ms - edge) < tol
    }

    private static func edgeLE(_ x: Double, step: Double, offset: Double) -> Double {
        let d = (x / step).rounded(.down), m = x - d * step
        return closeTo(m / step, 1, step: step, offset: offset) ? d + 1 : d
    }

    private static func edgeGE(_ x: Double, step: Double, offset: Double) -> Double {
        let d = (x / step).rounded(.down), m = x - d * step
        return closeTo(m / step, 0, step: step, offset: offset) ? d : d + 1
    }

    /// Major ticks of a base-10 log axis: every decade, or every k-th when more than `maxTicks`.
    public static func logMajor(_ vmin: Double, _ vmax: Double, maxTicks: Int = 9) -> [Double] {
        guard vmin > 0, vmax > 0, vmin.isFinite, vmax.isFinite else { return [] }
        let lo = floor(log10(min(vmin, vmax)) + 1e-9), hi = ceil(log10(max(vmin, vmax)) - 1e-9)
        let decades = Int(hi - lo)
        let stride = max(1, Int(ceil(Double(decades + 1) / Double(max(maxTicks, 1)))))
        var out: [Double] = []
        var e = Int(lo) - (Int(lo) % stride + stride) % stride
        while Double(e) <= hi { out.append(pow(10, Double(e))); e += stride }
        return out
    }

    /// Minor ticks of a log axis: 2..9 × each decade (only when decades are not thinned).
    public static func logMinor(_ vmin: Double, _ vmax: Double) -> [Double] {
        guard vmin > 0, vmax > 0, vmin.isFinite, vmax.isFinite else { return [] }
        let lo = Int(floor(log10(min(vmin, vmax)))), hi = Int(ceil(log10(max(vmin, vmax))))
        if hi - lo > 9 { return [] }
        var out: [Double] = []
        for e in lo...hi { for m in 2...9 { out.append(Double(m) * pow(10, Double(e))) } }
        return out
    }
}

public enum TickFormatter {
    /// Labels for linear-axis ticks as matplotlib's ScalarFormatter writes them, plus the
    /// shared exponent shown at the axis end ("1e6"-style, as "×10^k"), if any.
    public static func scalar(_ ticks: [Double]) -> (labels: [String], exponent: Int?) {
        guard !ticks.isEmpty else { return ([], nil) }
        let maxAbs = ticks.map { abs($0) }.max() ?? 0
        var exponent: Int? = nil
        var values = ticks
        if maxAbs > 0 {
            let oom = Int(floor(log10(maxAbs)))
            if oom >= 6 || oom <= -5 {
                exponent = oom
                values = ticks.map { $0 / pow(10, Double(oom)) }
            }
        }
        let decimals = decimalsNeeded(values)
        return (values.map { number($0, decimals: decimals) }, exponent)
    }

    /// The fewest decimals (0...10) that represent every value to within 1e-6 of the spacing.
    static func decimalsNeeded(_ values: [Double]) -> Int {
        var spacing = Double.infinity
        for i in 1..<max(values.count, 1) where i < values.count {
            let d = abs(values[i] - values[i - 1]); if d > 0 { spacing = min(spacing, d) }
        }
        if !spacing.isFinite { spacing = max(values.map { abs($0) }.max() ?? 1, 1) }
        for d in 0...10 {
            let s = pow(10, Double(d))
            if values.allSatisfy({ abs(($0 * s).rounded() / s - $0) <= spacing * 1e-6 }) { return d }
        }
        return 10
    }

    /// Fixed decimals, U+2212 minus, no "-0".
    public static func number(_ v: Double, decimals: Int) -> String {
        var s = String(format: "%.\(decimals)f", abs(v))
        let isZero = s.allSatisfy { $0 == "0" || $0 == "." }
        if v < 0 && !isZero { s = "\u{2212}" + s }
        return s
    }

    /// A compact general label for values in text (colorbar-free contexts, annotations):
    /// up to `sig` significant digits, no trailing zeros.
    public static func compact(_ v: Double, sig: Int = 4) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v < 0 ? "\u{2212}inf" : "inf") }
        if v == 0 { return "0" }
        let oom = Int(floor(log10(abs(v))))
        if oom >= 6 || oom <= -5 {
            var m = String(format: "%.\(max(sig - 1, 0))e", v)
            if let e = m.firstIndex(of: "e") {
                var mant = String(m[..<e]); let ex = Int(m[m.index(after: e)...]) ?? 0
                if mant.contains(".") { while mant.hasSuffix("0") { mant.removeLast() }; if mant.hasSuffix(".") { mant.removeLast() } }
                m = mant + "e" + String(ex)
            }
            return m.replacingOccurrences(of: "-", with: "\u{2212}")
        }
        let decimals = max(0, sig - 1 - oom)
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s.replacingOccurrences(of: "-", with: "\u{2212}")
    }
}
