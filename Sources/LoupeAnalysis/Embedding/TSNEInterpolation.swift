import CFFTW
import Foundation

/// The repulsive part of the t-SNE gradient by FFT-accelerated interpolation (Linderman et al. 2019,
/// "FIt-SNE", with openTSNE's defaults): the square around the points is cut into boxes (at least
/// `minBoxes` a side, none wider than one unit of embedding) with 3 equispaced interpolation nodes each;
/// the points' charges (1, x, y, x²+y²) are spread onto the nodes by Lagrange interpolation, convolved
/// with the kernel 1/(1+d²)² over the node grid by FFT (FFTW, on a zero-padded grid twice as wide), and
/// interpolated back. From the four potentials: Σ_j K²(y_i − y_j)(y_i − y_j) = y_i·φ₀ − (φ₁, φ₂) and
/// Z = Σ_i [(1 + |y_i|²)φ₀ − 2 y_i·(φ₁, φ₂) + φ₃ − s_i], where s_i is point i's interpolated interaction
/// with itself (exactly 1 without interpolation error). On tiny sets (≲ 25 points) the method still
/// ends far from the exact gradient's KL, so `tsne` refuses it below 100 points.
///
/// Costs, per gradient: the box width is quantised (steps of 2^⅛ below one unit, exactly one unit above)
/// and the boxes a side rounded to a product of 2, 3, 5 and 7, so the grid and the kernel's transform are
/// kept for many iterations; the zero-padded half of the grid is skipped by transforming rows and columns
/// separately (only the rows holding nodes are transformed, and only those transformed back); the four
/// charges run on the cores in parallel, and so does the interpolation back.
final class FFTRepulsion {
    static let nodesPerBox = 3
    let minBoxes: Int
    /// Boxes a side at most: a small set can spread over hundreds of units, where a grid of one box per unit
    /// would cost more than the exact sums; beyond it the boxes widen (the points there are far apart).
    static let maxBoxes = 160

    init(minBoxes: Int = 50) { self.minBoxes = minBoxes }

    private var boxes = 0, boxWidth = 0.0
    private var nodes = 0, side = 0, half = 0 // side = 2·nodes: the padded grid; half = side/2 + 1
    private var real: [UnsafeMutablePointer<Double>] = []          // per charge [nodes, side]: rows holding nodes
    private var spectra: [UnsafeMutablePointer<fftw_complex>] = [] // per charge [side, half]
    private var kernelHat: UnsafeMutablePointer<Double>?             // [side, half] the kernel's (real) transform / side²
    private var rowForward: fftw_plan?, columnForward: fftw_plan?, columnBackward: fftw_plan?, rowBackward: fftw_plan?
    private var selfTable = [Double](repeating: 0, count: 9) // [3, 3] the kernel at node offsets (0..2, 0..2)

    deinit { release() }

    private func release() {
        for p in real { fftw_free(p) }
        for p in spectra { fftw_free(p) }
        if let kernelHat { fftw_free(kernelHat) }
        for plan in [rowForward, columnForward, columnBackward, rowBackward] { if let plan { fftw_destroy_plan(plan) } }
        real = []; spectra = []; kernelHat = nil
        rowForward = nil; columnForward = nil; columnBackward = nil; rowBackward = nil
        side = 0
    }

    /// Is `n` a product of 2, 3, 5 and 7?
    static func isSmooth(_ n: Int) -> Bool {
        var r = n
        for f in [2, 3, 5, 7] { while r % f == 0 { r /= f } }
        return r == 1
    }

    /// Boxes a side and box width for points spanning `range`: openTSNE's rule (at least `minBoxes`, none
    /// wider than 1), the width rounded up to a power of 2^⅛ below 1 and the count up to a 7-smooth number.
    func geometry(range: Double) -> (boxes: Int, width: Double) {
        let wanted = range / Double(minBoxes)
        if wanted < 1 {
            let width = min(1, pow(2, (8 * log2(max(wanted, 1e-300))).rounded(.up) / 8))
            return (minBoxes, width)
        }
        if range > Double(Self.maxBoxes) {
            return (Self.maxBoxes, pow(2, (8 * log2(range / Double(Self.maxBoxes))).rounded(.up) / 8))
        }
        var b = max(minBoxes, Int(range.rounded(.up)))
        while !Self.isSmooth(b) { b += 1 }
        return (b, 1)
    }

    /// Buffers and plans for `b` boxes a side, then the kernel's transform for box width `width`.
    private func prepare(boxes b: Int, width: Double) {
        if b == boxes && width == boxWidth { return }
        let p = Self.nodesPerBox
        if b != boxes {
            release()
            nodes = b * p; side = 2 * nodes; half = side / 2 + 1
            let m = Int32(side), rows = Int32(nodes), columns = Int32(half)
            for _ in 0..<4 {
                real.append(fftw_alloc_real(nodes * side))
                spectra.append(fftw_alloc_complex(side * half))
            }
            kernelHat = fftw_alloc_real(side * half)
            var length = [m]
            let flags = UInt32(FFTW_ESTIMATE)
            rowForward = fftw_plan_many_dft_r2c(1, &length, rows, real[0], nil, 1, m, spectra[0], nil, 1, columns, flags)
            columnForward = fftw_plan_many_dft(1, &length, columns, spectra[0], nil, columns, 1, spectra[0], nil, columns, 1,
                                               FFTW_FORWARD, flags)
            columnBackward = fftw_plan_many_dft(1, &length, columns, spectra[0], nil, columns, 1, spectra[0], nil, columns, 1,
                                                FFTW_BACKWARD, flags)
            rowBackward = fftw_plan_many_dft_c2r(1, &length, rows, spectra[0], nil, 1, columns, real[0], nil, 1, m, flags)
        }
        boxes = b; boxWidth = width
        let spacing = width / Double(p)
        func kernel(_ a: Int, _ b: Int) -> Double {
            let dx = Double(a) * spacing, dy = Double(b) * spacing
            let q = 1 / (1 + dx * dx + dy * dy)
            return q * q
        }
        for a in 0..<3 { for c in 0..<3 { selfTable[a * 3 + c] = kernel(a, c) } }
        // The kernel on node offsets, wrapped circularly; offsets beyond ±(nodes − 1) are never read.
        let m = side, grid = fftw_alloc_real(m * m)!, spectrum = fftw_alloc_complex(m * half)!
        defer { fftw_free(grid); fftw_free(spectrum) }
        grid.update(repeating: 0, count: m * m)
        for a in 0..<nodes {
            for c in 0..<nodes {
                let v = kernel(a, c)
                grid[a * m + c] = v
                if c > 0 { grid[a * m + m - c] = v }
                if a > 0 { grid[(m - a) * m + c] = v; if c > 0 { grid[(m - a) * m + m - c] = v } }
            }
        }
        let plan = fftw_plan_dft_r2c_2d(Int32(m), Int32(m), grid, spectrum, UInt32(FFTW_ESTIMATE))
        fftw_execute(plan)
        fftw_destroy_plan(plan)
        // The kernel is even in both axes, so its transform is real.
        let scale = 1 / Double(m * m)
        for e in 0..<(m * half) { kernelHat![e] = spectrum[e].0 * scale }
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
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            minX = min(minX, y[2 * i]); maxX = max(maxX, y[2 * i])
            minY = min(minY, y[2 * i + 1]); maxY = max(maxY, y[2 * i + 1])
        }
        let (b, width) = geometry(range: max(maxX - minX, maxY - minY, 1e-12))
        prepare(boxes: b, width: width)
        let p = Self.nodesPerBox, m = side, nodes = self.nodes, half = self.half
        // Coordinates relative to the grid's centre; the grid's corner in those coordinates.
        let cx = (minX + maxX) / 2, cy = (minY + maxY) / 2, corner = -Double(b) * width / 2
        // Each point's first node (row·m + column), its centred position and nine node weights.
        var cell = [Int32](repeating: 0, count: n)          // [n]
        var pos = [Double](repeating: 0, count: n * 2)      // [n, 2]
        var w = [Double](repeating: 0, count: n * 6)        // [n, (x weights, y weights)]
        for i in 0..<n {
            let x = y[2 * i] - cx, yy = y[2 * i + 1] - cy
            pos[2 * i] = x; pos[2 * i + 1] = yy
            let fx = (x - corner) / width, fy = (yy - corner) / width
            let bx = min(max(Int(fx), 0), b - 1), by = min(max(Int(fy), 0), b - 1)
            cell[i] = Int32((bx * p) * m + by * p)
            let (x0, x1, x2) = Self.weights(fx - Double(bx)), (y0, y1, y2) = Self.weights(fy - Double(by))
            w[6 * i] = x0; w[6 * i + 1] = x1; w[6 * i + 2] = x2
            w[6 * i + 3] = y0; w[6 * i + 4] = y1; w[6 * i + 5] = y2
        }
        // Spread the four charges, convolve, each on its own buffers (fftw_execute_* is thread-safe).
        let realAddress = real.map { UInt(bitPattern: $0) }, spectraAddress = spectra.map { UInt(bitPattern: $0) }
        let kernelAddress = UInt(bitPattern: kernelHat!)
        let plans = (rowForward, columnForward, columnBackward, rowBackward)
        cell.withUnsafeBufferPointer { cp in w.withUnsafeBufferPointer { wp in pos.withUnsafeBufferPointer { pp in
            let cells = cp.baseAddress!, ws = wp.baseAddress!, xy = pp.baseAddress!
            DispatchQueue.concurrentPerform(iterations: 4) { c in
                let grid = UnsafeMutablePointer<Double>(bitPattern: realAddress[c])!
                let spec = UnsafeMutablePointer<fftw_complex>(bitPattern: spectraAddress[c])!
                let kern = UnsafePointer<Double>(bitPattern: kernelAddress)!
                grid.update(repeating: 0, count: nodes * m)
                for i in 0..<n {
                    let x = xy[2 * i], yy = xy[2 * i + 1]
                    let charge = c == 0 ? 1 : c == 1 ? x : c == 2 ? yy : x * x + yy * yy
                    let at = grid + Int(cells[i]), wi = ws + 6 * i
                    let w0 = wi[3], w1 = wi[4], w2 = wi[5]
                    for a in 0..<3 {
                        let wa = wi[a] * charge, row = at + a * m
                        row[0] += wa * w0; row[1] += wa * w1; row[2] += wa * w2
                    }
                }
                fftw_execute_dft_r2c(plans.0, grid, spec)
                // Rows past the nodes are the zero padding: their transforms are zero.
                UnsafeMutableRawPointer(spec + nodes * half).initializeMemory(as: UInt8.self, repeating: 0,
                                                                             count: (m - nodes) * half * MemoryLayout<fftw_complex>.stride)
                fftw_execute_dft(plans.1, spec, spec)
                UnsafeMutableRawPointer(spec).withMemoryRebound(to: Double.self, capacity: 2 * m * half) { s in
                    for e in 0..<(m * half) { let k = kern[e]; s[2 * e] *= k; s[2 * e + 1] *= k }
                }
                fftw_execute_dft(plans.2, spec, spec)
                fftw_execute_dft_c2r(plans.3, spec, grid)
            }
        } } }
        // Interpolate the potentials back to the points, and each point's interaction with itself.
        let parts = TSNE.parts(n, from: 2048)
        var zs = [Double](repeating: 0, count: parts)
        let phi = (real[0], real[1], real[2], real[3]), table = selfTable
        cell.withUnsafeBufferPointer { cp in w.withUnsafeBufferPointer { wp in pos.withUnsafeBufferPointer { pp in
            zs.withUnsafeMutableBufferPointer { zb in table.withUnsafeBufferPointer { tb in
                let cells = cp.baseAddress!, ws = wp.baseAddress!, xy = pp.baseAddress!, zp = zb.baseAddress!, t = tb.baseAddress!
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    var z = 0.0
                    for i in (n * part / parts)..<(n * (part + 1) / parts) {
                        var f0 = 0.0, f1 = 0.0, f2 = 0.0, f3 = 0.0
                        let base = Int(cells[i]), wi = ws + 6 * i
                        for a in 0..<3 {
                            for c in 0..<3 {
                                let weight = wi[a] * wi[3 + c], at = base + a * m + c
                                f0 += weight * phi.0[at]; f1 += weight * phi.1[at]
                                f2 += weight * phi.2[at]; f3 += weight * phi.3[at]
                            }
                        }
                        var own = 0.0
                        for a in 0..<3 {
                            for a2 in 0..<3 {
                                var g = 0.0
                                let row = t + abs(a - a2) * 3
                                for c in 0..<3 { for c2 in 0..<3 { g += wi[3 + c] * wi[3 + c2] * row[abs(c - c2)] } }
                                own += wi[a] * wi[a2] * g
                            }
                        }
                        let x = xy[2 * i], yy = xy[2 * i + 1]
                        rep[2 * i] = x * f0 - f1
                        rep[2 * i + 1] = yy * f0 - f2
                        z += (1 + x * x + yy * yy) * f0 - 2 * (x * f1 + yy * f2) + f3 - own
                    }
                    zp[part] = z
                }
            } }
        } } }
        return zs.reduce(0, +)
    }
}
