/// torch's vectorised Box–Muller for float tensors (NormalFill16 on AVX2/AVX-512 CPUs), one lane at a time.
/// torch evaluates log, sin and cos with avx_mathfun's Cephes polynomials (not libm), and its compiler fuses
/// each multiply feeding an add into one FMA; both are reproduced here operation for operation, so the
/// results are torch's bits (torch 2.15 on an AVX-512 CPU: 16 000 values checked while writing this, ~4 400 in
/// TorchRNGTests' fixture). torch on a CPU without AVX2 takes a scalar libm path instead.
enum TorchNormalFill {
    static let logP: [Float] = [7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
                                -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1]
    static let logQ1: Float = -2.12194440e-4, logQ2: Float = 0.693359375
    static let sqrtHalf: Float = 0.707106781186547524
    static let dp: (Float, Float, Float) = (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)
    static let sinP: (Float, Float, Float) = (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)
    static let cosP: (Float, Float, Float) = (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002)
    static let fourOverPi: Float = 1.27323954473516
    static let twoPi = Float(2.0 * Double.pi)

    /// Natural log for x > 0: x = m·2^e with m in [√½, √2), then a degree-9 polynomial in m − 1.
    @inline(__always)
    static func log(_ input: Float) -> Float {
        let clamped = Swift.max(input, Float(bitPattern: 0x0080_0000))   // no subnormals
        let b = clamped.bitPattern
        var x = Float(bitPattern: (b & ~UInt32(0x7F80_0000)) | Float(0.5).bitPattern)   // mantissa in [0.5, 1)
        var e = Float(Int32(b >> 23) - 0x7F) + 1
        let small = x < sqrtHalf
        let tmp: Float = small ? x : 0
        x = x - 1
        e = e - (small ? 1 : 0)
        x = x + tmp
        let z = x * x
        var y = logP[0]
        for p in logP.dropFirst() { y = p.addingProduct(y, x) }
        y = y * x
        y = (e * logQ1).addingProduct(y, z)
        y = y.addingProduct(-z, 0.5)
        x = x + y
        return x.addingProduct(e, logQ2)
    }

    /// Sine and cosine together: reduce by multiples of π/4 in three parts, then the Cephes polynomials.
    @inline(__always)
    static func sincos(_ input: Float) -> (sin: Float, cos: Float) {
        let signBit = input.bitPattern & 0x8000_0000
        var x = Swift.abs(input)
        var j = Int32(x * fourOverPi)           // truncation, as cvttps
        j = (j &+ 1) & ~1
        let y = Float(j)
        let swapSign = UInt32(bitPattern: j & 4) << 29
        let firstPolynomial = (j & 2) == 0
        x = x.addingProduct(y, dp.0)
        x = x.addingProduct(y, dp.1)
        x = x.addingProduct(y, dp.2)
        let cosSign = UInt32(bitPattern: ~(j &- 2) & 4) << 29
        let sinSign = signBit ^ swapSign
        let z = x * x
        var c = cosP.1.addingProduct(cosP.0, z)
        c = cosP.2.addingProduct(c, z)
        c = c * z
        c = (-(z * 0.5)).addingProduct(c, z)
        c = c + 1
        var s = sinP.1.addingProduct(sinP.0, z)
        s = sinP.2.addingProduct(s, z)
        s = s * z
        s = x.addingProduct(s, x)
        let (sv, cv) = firstPolynomial ? (s, c) : (c, s)
        return (Float(bitPattern: sv.bitPattern ^ sinSign), Float(bitPattern: cv.bitPattern ^ cosSign))
    }

    /// Box–Muller over 16 uniforms in place: pairs (j, j + 8) become (r·cos θ, r·sin θ)·std + mean with
    /// r = √(−2 log(1 − u_j)) and θ = 2π·u_{j+8}.
    @inline(__always)
    static func fill16(_ data: UnsafeMutablePointer<Float>, mean: Float, std: Float) {
        for j in 0..<8 {
            let radius = (-2 * log(1 - data[j])).squareRoot()
            let (s, c) = sincos(twoPi * data[j + 8])
            data[j] = mean.addingProduct(radius * c, std)
            data[j + 8] = mean.addingProduct(radius * s, std)
        }
    }
}
