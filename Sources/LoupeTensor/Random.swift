import Foundation

/// Loupe's own seedable generators. `SplitMix64` seeds; `Xoshiro256` (xoshiro256**) backs Loupe's seeded
/// analyses (t-SNE, PCA, read_prompts, generation sampling, the `random` module). torch's draws (randn,
/// randint, … after torch.manual_seed) come from `TorchGenerator` instead.
/// Same seed, same numbers on every platform (no Foundation randomness).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public struct Xoshiro256: RandomNumberGenerator, Sendable {
    var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s = (sm.next(), sm.next(), sm.next(), sm.next())
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Xoshiro256.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = Xoshiro256.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller on doubles; one value per call, deterministic).
    public mutating func nextNormal() -> Double {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Unbiased integer in low..<high (Lemire's method via the standard library).
    public mutating func nextInt(_ low: Int, _ high: Int) -> Int { Int.random(in: low..<high, using: &self) }
}

extension Tensor {
    /// Standard normal samples ×std + mean.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout Xoshiro256) -> Tensor {
        let t = Tensor(zeros: shape)
        for i in 0..<t.count { t.storage.pointer[i] = Float(rng.nextNormal()) * std + mean }
        return t
    }

    /// Uniform samples in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout Xoshiro256) -> Tensor {
        let t = Tensor(zeros: shape)
        for i in 0..<t.count { t.storage.pointer[i] = low + (high - low) * rng.nextFloat() }
        return t
    }

    /// Integers in low..<high (as Float).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], using rng: inout Xoshiro256) throws -> Tensor {
        guard high > low else { throw TensorError("randint: empty range \(low)..<\(high)") }
        let t = Tensor(zeros: shape)
        for i in 0..<t.count { t.storage.pointer[i] = Float(rng.nextInt(low, high)) }
        return t
    }

    /// A random permutation of 0..<n (as Float), Fisher–Yates.
    public static func randperm(_ n: Int, using rng: inout Xoshiro256) -> Tensor {
        var a = Array(0..<Swift.max(0, n))
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, rng.nextInt(0, i + 1)) } }
        return Tensor(shape: [a.count], data: a.map(Float.init))
    }
}
