import Foundation

// LayerNorm and RMSNorm in the stages TransformerLens exposes as hook points:
//   scale = sqrt(mean((x − μ)²) + eps)        ln.hook_scale       (μ = row mean for LayerNorm, 0 for RMSNorm)
//   normalized = (x − μ) / scale              ln.hook_normalized
//   out = normalized ⊙ weight (+ bias)
// The forward pass calls the stages one by one so a hook can read or replace each result.

extension Kernels {
    /// The statistics stage, row by row: centred[r, :] = x[r, :] − μ_r and scale[r] = sqrt(mean(centred²) + eps),
    /// μ_r the row mean when `centre` (LayerNorm) and 0 otherwise (RMSNorm). Sums in Double.
    /// x, centred: [rows, dim] (centred may alias x); scale: [rows].
    public static func normScale(_ x: UnsafePointer<Float>, centre: Bool, eps: Float, centred: UnsafeMutablePointer<Float>,
                                 scale: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
        for r in 0..<rows {
            let xr = x + r * dim, cr = centred + r * dim
            var mean: Double = 0
            if centre {
                for i in 0..<dim { mean += Double(xr[i]) }
                mean /= Double(dim)
            }
            var ss: Double = 0
            for i in 0..<dim { let v = Double(xr[i]) - mean; ss += v * v }
            scale[r] = Float((ss / Double(dim) + Double(eps)).squareRoot())
            let m = Float(mean)
            for i in 0..<dim { cr[i] = xr[i] - m }
        }
    }

    /// out[r, :] = x[r, :] · (1 / scale[r]). x, out: [rows, dim] (out may alias x); scale: [rows].
    public static func divideRows(_ x: UnsafePointer<Float>, by scale: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                  rows: Int, dim: Int) {
        for r in 0..<rows {
            let xr = x + r * dim, o = out + r * dim
            let inv = 1 / scale[r]
            for i in 0..<dim { o[i] = xr[i] * inv }
        }
    }

    /// The norm's learned part: out[r, :] = x[r, :] ⊙ weight (+ bias).
    /// x, out: [rows, dim] (out may alias x); weight, bias: [dim].
    public static func scaleShift(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                  out: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
        for r in 0..<rows {
            let xr = x + r * dim, o = out + r * dim
            if let bias {
                for i in 0..<dim { o[i] = xr[i] * weight[i] + bias[i] }
            } else {
                for i in 0..<dim { o[i] = xr[i] * weight[i] }
            }
        }
    }

    /// Subtracts each row's mean in place (TransformerLens's centred writing weights, applied to what
    /// they write). x: [rows, dim]. Sums in Double.
    public static func centreRows(_ x: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
        for r in 0..<rows {
            let v = x + r * dim
            var s: Double = 0
            for i in 0..<dim { s += Double(v[i]) }
            let m = Float(s / Double(dim))
            for i in 0..<dim { v[i] -= m }
        }
    }
}
