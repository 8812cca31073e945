/// torch's CPU generator: the 32-bit Mersenne Twister (MT19937) that `at::CPUGeneratorImpl` wraps, seeded
/// from a 64-bit seed's low 32 bits, plus the one cached Box–Muller sample torch keeps for its scalar normal.
/// Same seed, same stream as `torch.manual_seed(seed)` / `torch.Generator().manual_seed(seed)`.
public struct MT19937: Sendable {
    static let n = 624, m = 397
    static let matrixA: UInt32 = 0x9908_B0DF, upperMask: UInt32 = 0x8000_0000, lowerMask: UInt32 = 0x7FFF_FFFF

    var state: [UInt32]      // [624]
    var next = 0
    var left = 1
    /// The full 64-bit seed the engine was built from (torch's `initial_seed()`).
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var s = [UInt32](repeating: 0, count: MT19937.n)
        s[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<MT19937.n { s[j] = 1_812_433_253 &* (s[j - 1] ^ (s[j - 1] >> 30)) &+ UInt32(j) }
        state = s
    }

    @inline(__always)
    static func twist(_ u: UInt32, _ v: UInt32) -> UInt32 {
        (((u & upperMask) | (v & lowerMask)) >> 1) ^ ((v & 1) != 0 ? matrixA : 0)
    }

    /// Regenerates all 624 words of state.
    mutating func refill() {
        let n = MT19937.n, m = MT19937.m
        state.withUnsafeMutableBufferPointer { s in
            for i in 0..<(n - m) { s[i] = s[i + m] ^ MT19937.twist(s[i], s[i + 1]) }
            for i in (n - m)..<(n - 1) { s[i] = s[i + m - n] ^ MT19937.twist(s[i], s[i + 1]) }
            s[n - 1] = s[m - 1] ^ MT19937.twist(s[n - 1], s[0])
        }
        left = n
        next = 0
    }

    /// The next 32-bit output (tempered).
    public mutating func next32() -> UInt32 {
        left -= 1
        if left == 0 { refill() }
        var y = state[next]
        next += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }
}

/// A torch CPU generator: `random()` (32 bits), `random64()` (two draws, the first in the high half) and
/// the cached second Box–Muller sample of torch's double normal. A class so that a Loupe `Generator`
/// object and the interpreter's default generator are shared, as torch's are.
public final class TorchGenerator: @unchecked Sendable {
    /// The seed torch gives a new `torch.Generator()` (`default_rng_seed_val`). torch's default generator
    /// starts from a nondeterministic seed; Loupe's starts here so unseeded runs repeat.
    public static let defaultSeed: UInt64 = 67_280_421_310_721

    var engine: MT19937
    /// The second sample of the last double Box–Muller pair, returned by the next scalar normal draw.
    var nextDoubleNormal: Double?

    public init(seed: UInt64 = TorchGenerator.defaultSeed) {
        engine = MT19937(seed: seed)
    }

    /// `manual_seed(seed)`: a fresh engine and no cached normal sample.
    public func manualSeed(_ seed: UInt64) {
        engine = MT19937(seed: seed)
        nextDoubleNormal = nil
    }

    /// The seed of the current stream (`initial_seed()`).
    public var initialSeed: UInt64 { engine.seed }

    public func random() -> UInt32 { engine.next32() }

    public func random64() -> UInt64 {
        let hi = engine.next32(), lo = engine.next32()
        return UInt64(hi) << 32 | UInt64(lo)
    }

    /// A copy with the same state (`torch.Generator.get_state()` / `clone_state`).
    public func clone() -> TorchGenerator {
        let g = TorchGenerator(seed: engine.seed)
        g.engine = engine
        g.nextDoubleNormal = nextDoubleNormal
        return g
    }

    /// Takes over another generator's state (`set_state`).
    public func restore(_ other: TorchGenerator) {
        engine = other.engine
        nextDoubleNormal = other.nextDoubleNormal
    }
}
