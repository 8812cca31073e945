import CKernels
import Foundation

// Activations run in CKernels (Sources/CKernels/activations.c): AVX-512 bodies when the CPU has
// AVX512F, the scalar formulas below otherwise; large arrays are split across the pool's threads. Hook
// values match the scalar formulas to ~1e-6 relative.

extension Kernels {
    /// True while the AVX-512 bodies of the activations and softmax run; false switches them off (tests
    /// compare both against a naive loop). Setting true has no effect on CPUs without AVX512F.
    public static var vectorBodies: Bool {
        get { loupe_avx512_active() != 0 }
        set { loupe_set_avx512(newValue ? 1 : 0) }
    }

    /// GPT-2's `gelu_new` (tanh approximation): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as
    /// x·σ(2·√(2/π)·(x + 0.044715·x³)) by the vector body. x, out: [count] (out may alias x).
    public static func geluNew(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        inChunks(count) { a, n in loupe_gelu_tanh(x + a, out + a, n) }
    }

    /// SiLU (swish): x · σ(x) = x / (1 + e^(−x)). x, out: [count] (out may alias x).
    /// The gated MLP is silu(gate) ⊙ up: `silu` then `mul`.
    public static func silu(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        inChunks(count) { a, n in loupe_silu(x + a, out + a, n, 1) }
    }

    /// SwiGLU's product: out = silu(gate) ⊙ up, on the calling thread (the forward pass runs it on each thread's
    /// rows, or in parts through `inChunks`). gate, up, out: [count] (out may alias gate, not up).
    public static func swiGLU(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                              count: Int) {
        loupe_silu(gate, out, count, 1)
        mul(out, up, out, count: count)
    }

    /// GELU, exact (PyTorch's default `gelu`, LLaVA's projector): 0.5·x·(1 + erf(x/√2)).
    /// x, out: [count] (out may alias x).
    public static func gelu(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        inChunks(count) { a, n in loupe_gelu_erf(x + a, out + a, n) }
    }

    /// CLIP's `quick_gelu`: x · σ(1.702·x). x, out: [count] (out may alias x).
    public static func quickGelu(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        inChunks(count) { a, n in loupe_silu(x + a, out + a, n, 1.702) }
    }

    /// body(start, n) over 0..<count: at once below 64 Ki elements, else in parts of at least 32 Ki claimed by
    /// the pool's threads (a large activation is memory- and exp-bound work the idle thread can share).
    public static func inChunks(_ count: Int, _ body: @escaping (Int, Int) -> Void) {
        let parts = count < 1 << 16 ? 1 : min(8, count >> 15)
        if parts < 2 {
            body(0, count)
            return
        }
        ParallelFor.run(parts) { t in
            let a = count * t / parts
            body(a, count * (t + 1) / parts - a)
        }
    }
}
