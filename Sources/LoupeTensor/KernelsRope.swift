import Foundation

/// `rope_scaling` of a Hugging Face config, the kinds Loupe supports.
public enum RopeScaling: Sendable, Equatable {
    /// Llama 3.1's `rope_type: "llama3"`: long wavelengths divided by `factor`, short ones kept,
    /// a smooth blend between `lowFreqFactor` and `highFreqFactor`.
    case llama3(factor: Float, lowFreqFactor: Float, highFreqFactor: Float, originalMaxPositions: Int)
    /// `rope_type: "linear"`: every frequency divided by `factor`.
    case linear(factor: Float)
}

/// How the two halves of a rotated pair are laid out in a head vector.
public enum RopeStyle: Sendable {
    /// Hugging Face Llama / GPT-NeoX `rotate_half`: pairs (i, i + rotary/2).
    case neox
    /// GPT-J / llama.cpp "normal" mode (Meta's original checkpoints): pairs (2i, 2i + 1).
    case interleaved
}

extension Kernels {
    /// inv_freq[dRot/2] = 1 / base^(2i/dRot), then `scaling` applied as transformers'
    /// `_compute_llama3_parameters` / linear scaling do. Allocates (called once per model).
    public static func ropeInverseFrequencies(rotaryDim: Int, base: Float, scaling: RopeScaling? = nil) -> [Float] {
        let half = rotaryDim / 2
        var inv = (0..<half).map { i in 1 / powf(base, Float(2 * i) / Float(rotaryDim)) }
        switch scaling {
        case nil: break
        case .linear(let factor):
            inv = inv.map { $0 / factor }
        case .llama3(let factor, let low, let high, let original):
            let old = Float(original)
            let lowWavelen = old / low
            let highWavelen = old / high
            inv = inv.map { f in
                let wavelen = 2 * Float.pi / f
                if wavelen < highWavelen { return f }            // high frequency: unchanged
                if wavelen > lowWavelen { return f / factor }    // low frequency: scaled
                let smooth = (old / wavelen - low) / (high - low)
                return (1 - smooth) * f / factor + smooth * f
            }
        }
        return inv
    }

    /// cos/sin tables [positions, dRot/2] for absolute positions start..<start+positions:
    /// angle = Float(pos) * invFreq[i] (Float32, as transformers computes it).
    public static func ropeTables(invFreq: UnsafePointer<Float>, half: Int, start: Int, positions: Int,
                                  cos cosOut: UnsafeMutablePointer<Float>, sin sinOut: UnsafeMutablePointer<Float>) {
        for p in 0..<positions {
            let pos = Float(start + p)
            for i in 0..<half {
                let a = pos * invFreq[i]
                cosOut[p * half + i] = cosf(a)
                sinOut[p * half + i] = sinf(a)
            }
        }
    }

    /// Rotates x[pos, head, dHead] in place (the first `rotaryDim` of each head; the rest untouched).
    /// `rowStride` is the distance in floats between positions (heads*dHead when packed; larger when
    /// q/k sit inside a fused qkv row). cos, sin: [pos, rotaryDim/2] from `ropeTables`.
    ///   neox:        x'[i] = x[i]·cos − x[i+h]·sin,   x'[i+h] = x[i+h]·cos + x[i]·sin
    ///   interleaved: x'[2i] = x[2i]·cos − x[2i+1]·sin, x'[2i+1] = x[2i+1]·cos + x[2i]·sin
    public static func rope(_ x: UnsafeMutablePointer<Float>, positions: Int, heads: Int, dHead: Int,
                            rotaryDim: Int? = nil, rowStride: Int? = nil, style: RopeStyle = .neox,
                            cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let rot = rotaryDim ?? dHead
        let half = rot / 2
        let stride = rowStride ?? heads * dHead
        for p in 0..<positions {
            let c = cos + p * half, s = sin + p * half
            for h in 0..<heads {
                let v = x + p * stride + h * dHead
                switch style {
                case .neox:
                    for i in 0..<half {
                        let a = v[i], b = v[i + half]
                        v[i] = a * c[i] - b * s[i]
                        v[i + half] = b * c[i] + a * s[i]
                    }
                case .interleaved:
                    for i in 0..<half {
                        let a = v[2 * i], b = v[2 * i + 1]
                        v[2 * i] = a * c[i] - b * s[i]
                        v[2 * i + 1] = b * c[i] + a * s[i]
                    }
                }
            }
        }
    }
}
