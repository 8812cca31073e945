import CFFTW
import Foundation

/// The repulsive part of the t-SNE gradient by FFT-accelerated interpolation (Linderman et al. 2019,
/// "FIt-SNE", with openTSNE's defaults): the square around the points is cut into `boxes`² intervals
/// (at least 50 a side, about one per unit of embedding) with 3 equispaced interpolation nodes each;
/// the points' charges (1, x, y, x²+y²) are spread onto the nodes by Lagrange interpolation, convolved
/// with the kernel 1/(1+d²)² over the node grid by FFT (FFTW, on a zero-padded grid twice as wide), and
/// interpolated back. From the four potentials: Σ_j K²(y_i − y_j) = y_i·φ₀ − (φ₁, φ₂) and
/// Z = Σ_i [(1 + |y_i|²)φ₀ − 2 y_i·(φ₁, φ₂) + φ₃] − n.
final class FFTRepulsion {
    static let nodesPerBox = 3
    /// Intervals a side at least (openTSNE's 50); the interpolation error falls as the box width cubed.
    let minBoxes: Int

    init(minBoxes: Int = 50) { self.minBoxes = minBoxes }

    private var side = 0          // M: the padded grid's side (≥ 2·nodes − 1, a product of 2, 3, 5, 7)
    private var real: [UnsafeMutablePointer<Double>] = []        // per charge [M, M]
    private var spectra: [UnsafeMutablePointer<fftw_complex>] = [] // per charge [M, M/2 + 1]
    private var kernel: UnsafeMutablePointer<fftw_complex>?       // [M, M/2 + 1]
    private var forward: fftw_plan?, backward: fftw_plan?

    deinit { release() }

    private func release() {
        for p in real { fftw_free(p) }
        for p in spectra { fftw_free(p) }
        if let kernel { fftw_free(kernel) }
        if let forward { fftw_destroy_plan(forward) }
        if let backward { fftw_destroy_plan(backward) }
        real = []; spectra = []; kernel = nil; forward = nil; backward = nil
    }

    /// Buffers and plans for an M×M grid; kept while M stays the same (it grows with the embedding).
    private func prepare(_ m: Int) {
        if m == side { return }
        release()
        side = m
        let complexCount = m * (m / 2 + 1)
        for _ in 0..<5 {
            real.append(fftw_alloc_real(m * m))
            spectra.append(fftw_alloc_complex(complexCount))
        }
        kernel = fftw_alloc_complex(complexCount)
        forward = fftw_plan_dft_r2c_2d(Int32(m), Int32(m), real[0], spectra[0], UInt32(FFTW_ESTIMATE))
        backward = fftw_plan_dft_c2r_2d(Int32(m), Int32(m), spectra[0], real[0], UInt32(FFTW_ESTIMATE))
    }

    /// The smallest product of 2, 3, 5 and 7 that is ≥ n.
    static func fftSize(_ n: Int) -> Int {
        var m = n
        while true {
            var r = m
            for f in [2, 3, 5, 7] { while r % f == 0 { r /= f } }
            if r == 1 { return m }
            m += 1
        }
    }

    /// Lagrange weights of the nodes at (k + ½)/3 for a point at u ∈ [0, 1] in its box.
    @inline(__always)
    static func weights(_ u: Double) -> (Double, Double, Double) {
        let t0 = 1.0 / 6, t1 = 0.5, t2 = 5.0 / 6
        return ((u - t1) * (u - t2) * 4.5, (u - t0) * (u - t2) * -9, (u - t0) * (u - t1) * 4.5)
    }

    /// y: [n, 2]. Returns Σ_j K(y_i, y_j)²(y_i − y_j) per point ([n, 2]) and Z = Σ_{i≠j} K(y_i, y_j), with
    /// K(a, b) = 1 / (1 + |a − b|²).
    func repulsion(_ y: UnsafePointer<Double>, n: Int, into rep: UnsafeMutablePointer<Double>) -> Double {
        var lo = Double.infinity, hi = -Double.infinity
        for i in 0..<(2 * n) { lo = min(lo, y[i]); hi = max(hi, y[i]) }
        let range = max(hi - lo, 1e-12)
        let boxes = max(minBoxes, Int(range.rounded(.up)))
        let p = Self.nodesPerBox, nodes = boxes * p
        let box = range / Double(boxes), spacing = box / Double(p)
        let m = Self.fftSize(2 * nodes - 1)
        prepare(m)
        let half = m / 2 + 1
        // The kernel on node offsets, wrapped circularly; offsets beyond ±(nodes − 1) are never read.
        let k = real[4]
        for a in 0..<m {
            let da = a < nodes ? a : (a > m - nodes ? a - m : Int.max)
            for b in 0..<m {
                let db = b < nodes ? b : (b > m - nodes ? b - m : Int.max)
                if da == Int.max || db == Int.max { k[a * m + b] = 0; continue }
                let dx = Double(da) * spacing, dy = Double(db) * spacing
                let q = 1 / (1 + dx * dx + dy * dy)
                k[a * m + b] = q * q
            }
        }
        fftw_execute_dft_r2c(forward, k, kernel)
        // Each point's box, and its nine node weights.
        var cell = [Int](repeating: 0, count: n)            // [n] first node (row·m + column)
        var w = [Double](repeating: 0, count: n * 6)        // [n, (x weights, y weights)]
        for i in 0..<n {
            let fx = (y[2 * i] - lo) / box, fy = (y[2 * i + 1] - lo) / box
            let bx = min(Int(fx), boxes - 1), by = min(Int(fy), boxes - 1)
            cell[i] = (bx * p) * m + by * p
            let (x0, x1, x2) = Self.weights(fx - Double(bx)), (y0, y1, y2) = Self.weights(fy - Double(by))
            w[6 * i] = x0; w[6 * i + 1] = x1; w[6 * i + 2] = x2
            w[6 * i + 3] = y0; w[6 * i + 4] = y1; w[6 * i + 5] = y2
        }
        // Spread the four charges, convolve, each on its own buffers (fftw_execute_* is thread-safe).
        let realAddress = real.map { UInt(bitPattern: $0) }, spectraAddress = spectra.map { UInt(bitPattern: $0) }
        let kernelAddress = UInt(bitPattern: kernel!)
        let fwd = forward, bwd = backward, scale = 1 / Double(m * m)
        cell.withUnsafeBufferPointer { cp in w.withUnsafeBufferPointer { wp in
            let cells = cp.baseAddress!, ws = wp.baseAddress!
            DispatchQueue.concurrentPerform(iterations: 4) { c in
                let grid = UnsafeMutablePointer<Double>(bitPattern: realAddress[c])!
                let spec = UnsafeMutablePointer<fftw_complex>(bitPattern: spectraAddress[c])!
                let kern = UnsafeMutablePointer<fftw_complex>(bitPattern: kernelAddress)!
                grid.update(repeating: 0, count: m * m)
                for i in 0..<n {
                    let x = y[2 * i], yy = y[2 * i + 1]
                    let charge = c == 0 ? 1 : c == 1 ? x : c == 2 ? yy : x * x + yy * yy
                    let base = cells[i]
                    for a in 0..<3 {
                        let wa = ws[6 * i + a] * charge
                        for b in 0..<3 { grid[base + a * m + b] += wa * ws[6 * i + 3 + b] }
                    }
                }
                fftw_execute_dft_r2c(fwd, grid, spec)
                for e in 0..<(m * half) {
                    let (ar, ai) = spec[e], (br, bi) = kern[e]
                    spec[e] = (ar * br - ai * bi, ar * bi + ai * br)
                }
                fftw_execute_dft_c2r(bwd, spec, grid)
                for e in 0..<(m * m) { grid[e] *= scale }
            }
        } }
        // Interpolate the potentials back to the points.
        var z = 0.0
        let phi = real
        for i in 0..<n {
            var f = (0.0, 0.0, 0.0, 0.0)
            let base = cell[i]
            for a in 0..<3 {
                for b in 0..<3 {
                    let weight = w[6 * i + a] * w[6 * i + 3 + b], at = base + a * m + b
                    f.0 += weight * phi[0][at]; f.1 += weight * phi[1][at]
                    f.2 += weight * phi[2][at]; f.3 += weight * phi[3][at]
                }
            }
            let x = y[2 * i], yy = y[2 * i + 1]
            rep[2 * i] = x * f.0 - f.1
            rep[2 * i + 1] = yy * f.0 - f.2
            z += (1 + x * x + yy * yy) * f.0 - 2 * (x * f.1 + yy * f.2) + f.3
        }
        return z - Double(n)
    }
}
