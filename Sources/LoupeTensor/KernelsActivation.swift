import Foundation

extension Kernels {
    /// GPT-2's `gelu_new` (tanh approximation): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    /// x, out: [count] (out may alias x).
    public static func geluNew(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        let c = Float((2.0 / Double.pi).squareRoot())
        for i in 0..<count {
            let v = x[i]
            out[i] = 0.5 * v * (1 + tanhf(c * (v + 0.044715 * v * v * v)))
        }
    }

    /// SiLU (swish): x · σ(x) = x / (1 + e^(−x)). x, out: [count] (out may alias x).
    public static func silu(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            out[i] = v / (1 + expf(-v))
        }
    }

    /// Llama MLP gate: out[i] = silu(gate[i]) * up[i]. gate, up, out: [count] (out may alias either).
    public static func swiGLU(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            out[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// Row-wise softmax over x[rows, cols] into out (may alias x), numerically stable (max subtracted).
    /// With `causal`, row r sees columns 0...(r + pastLength) only; the rest become exactly 0
    /// (attention scores [query, key] where query r sits at absolute position pastLength + r).
    /// `scale` multiplies x before the softmax (1/√dHead for attention).
    public static func softmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                   scale: Float = 1, causal: Bool = false, pastLength: Int = 0) {
        for r in 0..<rows {
            let xr = x + r * cols, o = out + r * cols
            let visible = causal ? min(cols, max(0, r + pastLength + 1)) : cols
            var mx = -Float.infinity
            for j in 0..<visible { mx = max(mx, xr[j] * scale) }
            var sum: Float = 0
            if mx == -.infinity {  // nothing visible or all -inf: define the row as zeros
                for j in 0..<cols { o[j] = 0 }
                continue
            }
            for j in 0..<visible {
                let e = expf(xr[j] * scale - mx)
                o[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0..<visible { o[j] *= inv }
            for j in visible..<cols { o[j] = 0 }
        }
    }
}
