import Foundation

/// torch's CPU sampling transforms over a `TorchGenerator`, step for step, so a seeded draw gives torch's
/// float32 values: uniform_ (24 random bits per float), normal_ (Box–Muller in blocks of 16 for float
/// tensors of 16 or more elements, else the double Box–Muller with its cached second sample), random_
/// (`random() % range + low`), randperm (a forward Fisher–Yates swap per position).
extension TorchGenerator {
    /// `uniform_real_distribution<float>(from, to)`: the low 24 bits of one draw, scaled (torch's build fuses
    /// the scale and shift into one FMA).
    public func uniformFloat(_ from: Float, _ to: Float) -> Float {
        let x = Float(random() & 0xFF_FFFF) * 0x1p-24
        return from.addingProduct(x, to - from)
    }

    /// `uniform_real_distribution<double>(from, to)`: the low 53 bits of a 64-bit draw, scaled.
    public func uniformDouble(_ from: Double, _ to: Double) -> Double {
        let x = Double(random64() & (1 << 53 - 1)) * 0x1p-53
        return from.addingProduct(x, to - from)
    }

    /// `normal_distribution<double>(mean, std)`: Box–Muller over two doubles; the sine half is cached and
    /// returned by the next call (until the generator is reseeded).
    public func normalDouble(mean: Double, std: Double) -> Double {
        if let cached = nextDoubleNormal {
            nextDoubleNormal = nil
            return mean.addingProduct(cached, std)
        }
        let u1 = uniformDouble(0, 1), u2 = uniformDouble(0, 1)
        let r = (-2.0 * Foundation.log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        nextDoubleNormal = r * Foundation.sin(theta)
        return mean.addingProduct(r * Foundation.cos(theta), std)
    }

    /// `random_(low, high)` for one element: ranges of 2^28 or more take a 64-bit draw.
    public func intInRange(_ low: Int64, range: UInt64) -> Int64 {
        let v: UInt64 = range >= 1 << 28 ? random64() : UInt64(random())
        return Int64(bitPattern: (v % range) &+ UInt64(bitPattern: low))
    }
}

extension Tensor {
    /// `t.uniform_(from, to)`: every element in row-major order, a value that rounds to `to` becoming `from`.
    public func fillUniform(from: Double, to: Double, using g: TorchGenerator) {
        let lo = Float(from), hi = Float(to)
        let p = storage.pointer
        forEachOffset { off in
            let v = g.uniformFloat(lo, hi)
            p[off] = v == hi ? lo : v
        }
    }

    /// `t.normal_(mean, std)`: float tensors of 16 or more contiguous elements draw all their uniforms, run
    /// Box–Muller in blocks of 16, and redraw the last 16 when the count is not a multiple of 16; smaller
    /// or strided tensors take one double normal per element.
    public func fillNormal(mean: Double, std: Double, using g: TorchGenerator) {
        let n = count
        if n >= 16 && isContiguous {
            let data = basePointer, m = Float(mean), s = Float(std)
            for i in 0..<n { data[i] = g.uniformFloat(0, 1) }
            var i = 0
            while i + 16 <= n { TorchNormalFill.fill16(data + i, mean: m, std: s); i += 16 }
            if n % 16 != 0 {
                let tail = data + (n - 16)
                for j in 0..<16 { tail[j] = g.uniformFloat(0, 1) }
                TorchNormalFill.fill16(tail, mean: m, std: s)
            }
            return
        }
        let p = storage.pointer
        forEachOffset { off in p[off] = Float(g.normalDouble(mean: mean, std: std)) }
    }

    /// `torch.rand(shape)`: uniform in [0, 1).
    public static func torchRand(_ shape: [Int], using g: TorchGenerator) -> Tensor {
        let t = Tensor(zeros: shape)
        t.fillUniform(from: 0, to: 1, using: g)
        return t
    }

    /// `torch.randn(shape)` / `torch.normal(mean, std, shape)`.
    public static func torchRandn(_ shape: [Int], mean: Double = 0, std: Double = 1, using g: TorchGenerator) -> Tensor {
        let t = Tensor(zeros: shape)
        t.fillNormal(mean: mean, std: std, using: g)
        return t
    }

    /// Integers are stored in float32, exact up to 2^24.
    static let exactIntegerLimit: Int64 = 1 << 24

    /// `torch.randint(low, high, shape)`: integers in [low, high), one draw each in row-major order.
    public static func torchRandint(_ low: Int64, _ high: Int64, _ shape: [Int], using g: TorchGenerator) throws -> Tensor {
        guard high > low else { throw TensorError("randint: empty range [\(low), \(high)): high must be greater than low") }
        guard low >= -exactIntegerLimit && high <= exactIntegerLimit + 1 else {
            throw TensorError("randint: [\(low), \(high)) reaches past ±2^24, which Loupe's float32-backed integer tensors cannot hold exactly")
        }
        let t = Tensor(zeros: shape)
        let range = UInt64(high - low), p = t.storage.pointer
        for i in 0..<t.count { p[i] = Float(g.intInRange(low, range: range)) }
        return t
    }

    /// `torch.randperm(n)`: 0..<n, then for each i < n − 1 a swap with i + random() % (n − i).
    public static func torchRandperm(_ n: Int, using g: TorchGenerator) throws -> Tensor {
        guard n >= 0 else { throw TensorError("randperm: n must be ≥ 0, not \(n)") }
        guard Int64(n) <= exactIntegerLimit else {
            throw TensorError("randperm: n = \(n) is past 2^24, which Loupe's float32-backed integer tensors cannot hold exactly")
        }
        var a = [Int](0..<n)
        if n > 1 {
            for i in 0..<(n - 1) {
                let z = Int(g.random() % UInt32(n - i))
                a.swapAt(i, i + z)
            }
        }
        return Tensor(shape: [n], data: a.map(Float.init))
    }
}
