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

    /// GELU, exact (PyTorch's default `gelu`, LLaVA's projector): 0.5·x·(1 + erf(x/√2)).
    /// x, out: [count] (out may alias x).
    public static func gelu(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            out[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752))
        }
    }

    /// CLIP's `quick_gelu`: x · σ(1.702·x). x, out: [count] (out may alias x).
    public static func quickGelu(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            out[i] = v / (1 + expf(-1.702 * v))
        }
    }
}
