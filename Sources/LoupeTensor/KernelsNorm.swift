import Foundation

extension Kernels {
    /// RMSNorm as Hugging Face Llama computes it, row by row:
    /// out[r, :] = x[r, :] / sqrt(mean(x[r, :]²) + eps) * weight   (weight omitted when nil).
    /// x, out: [rows, dim] (out may alias x); weight: [dim].
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, eps: Float,
                               out: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
        for r in 0..<rows {
            let xr = x + r * dim, o = out + r * dim
            var ss: Double = 0
            for i in 0..<dim { let v = Double(xr[i]); ss += v * v }
            let inv = Float(1 / (ss / Double(dim) + Double(eps)).squareRoot())
            if let weight {
                for i in 0..<dim { o[i] = weight[i] * (xr[i] * inv) }
            } else {
                for i in 0..<dim { o[i] = xr[i] * inv }
            }
        }
    }

    /// LayerNorm (biased variance, as torch.nn.LayerNorm): out = (x - mean) / sqrt(var + eps) * weight + bias.
    /// x, out: [rows, dim] (out may alias x); weight, bias: [dim] or nil.
    public static func layerNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                 eps: Float, out: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
        for r in 0..<rows {
            let xr = x + r * dim, o = out + r * dim
            var s: Double = 0
            for i in 0..<dim { s += Double(xr[i]) }
            let mean = s / Double(dim)
            var v: Double = 0
            for i in 0..<dim { let d = Double(xr[i]) - mean; v += d * d }
            let inv = Float(1 / (v / Double(dim) + Double(eps)).squareRoot())
            let m = Float(mean)
            for i in 0..<dim {
                var y = (xr[i] - m) * inv
                if let weight { y *= weight[i] }
                if let bias { y += bias[i] }
                o[i] = y
            }
        }
    }
}
