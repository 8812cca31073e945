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
    /// The gated MLP is silu(gate) ⊙ up: `silu` then `mul`.
    public static func silu(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            out[i] = v / (1 + expf(-v))
        }
    }
}
