import XCTest
import Foundation
@testable import LoupeTensor

/// Every kernel against a naive loop (Double where it matters).
final class KernelTests: XCTestCase {
    func assertClose(_ a: [Float], _ b: [Float], tol: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        var worst: Float = 0
        for i in 0..<min(a.count, b.count) { worst = max(worst, abs(a[i] - b[i]) / max(1, abs(b[i]))) }
        XCTAssertLessThanOrEqual(worst, tol, "\(what): max rel diff \(worst)", file: file, line: line)
    }

    func testSgemmAllTransposes() {
        var rng = TestRNG(1)
        let m = 7, n = 5, k = 9
        let a = rng.floats(m * k), b = rng.floats(k * n)
        // Naive: c[i, j] = Σ a[i, p] b[p, j]
        var ref = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { var s: Double = 0; for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }; ref[i * n + j] = Float(s) } }
        // Transposed copies: at [k, m], bt [n, k].
        var at = [Float](repeating: 0, count: m * k), bt = [Float](repeating: 0, count: k * n)
        for i in 0..<m { for p in 0..<k { at[p * m + i] = a[i * k + p] } }
        for p in 0..<k { for j in 0..<n { bt[j * k + p] = b[p * n + j] } }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            var c = [Float](repeating: 0, count: m * n)
            Kernels.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: ta ? at : a, lda: ta ? m : k,
                          b: tb ? bt : b, ldb: tb ? k : n, c: &c, ldc: n)
            assertClose(c, ref, tol: 1e-5, "sgemm \(ta) \(tb)")
        }
        var y = [Float](repeating: 0, count: m)
        let x = rng.floats(k)
        Kernels.sgemv(m: m, n: k, a: a, lda: k, x: x, y: &y)
        let yRef = (0..<m).map { i in (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * x[$1] } }
        assertClose(y, yRef, tol: 1e-5, "sgemv")
        var yt = [Float](repeating: 0, count: k)
        let xm = rng.floats(m)
        Kernels.sgemv(trans: true, m: m, n: k, a: a, lda: k, x: xm, y: &yt)
        let ytRef = (0..<k).map { j in (0..<m).reduce(Float(0)) { $0 + a[$1 * k + j] * xm[$1] } }
        assertClose(yt, ytRef, tol: 1e-5, "sgemv trans")
    }

    func testLinearLayoutsStridesBiasAccumulate() {
        var rng = TestRNG(2)
        let rows = 3, inD = 6, outD = 4
        let x = rng.floats(rows * inD), w = rng.floats(outD * inD), bias = rng.floats(outD)
        // Naive: ref[r, o] = Σ_i x[r, i] w[o, i] + bias[o]
        var ref = [Float](repeating: 0, count: rows * outD)
        for r in 0..<rows { for o in 0..<outD {
            var s: Double = Double(bias[o])
            for i in 0..<inD { s += Double(x[r * inD + i]) * Double(w[o * inD + i]) }
            ref[r * outD + o] = Float(s)
        } }
        var out = [Float](repeating: 9, count: rows * outD)
        Kernels.linear(x: x, w: w, bias: bias, out: &out, rows: rows, inDim: inD, outDim: outD)
        assertClose(out, ref, tol: 1e-5, "linear outIn")
        // The same weights stored [in, out] (Conv1D).
        var wt = [Float](repeating: 0, count: inD * outD)
        for o in 0..<outD { for i in 0..<inD { wt[i * outD + o] = w[o * inD + i] } }
        out = [Float](repeating: 9, count: rows * outD)
        Kernels.linear(x: x, w: wt, layout: .inOut, bias: bias, out: &out, rows: rows, inDim: inD, outDim: outD)
        assertClose(out, ref, tol: 1e-5, "linear inOut")
        // Row strides: x rows inside [rows, inD + 2], out rows inside [rows, outD + 3]; the gaps stay untouched.
        var xw = [Float](repeating: 7, count: rows * (inD + 2))
        for r in 0..<rows { for i in 0..<inD { xw[r * (inD + 2) + i] = x[r * inD + i] } }
        var wide = [Float](repeating: 5, count: rows * (outD + 3))
        Kernels.linear(x: xw, ldX: inD + 2, w: w, bias: bias, out: &wide, ldOut: outD + 3, rows: rows, inDim: inD, outDim: outD)
        for r in 0..<rows {
            assertClose(Array(wide[(r * (outD + 3))..<(r * (outD + 3) + outD)]), Array(ref[(r * outD)..<((r + 1) * outD)]),
                        tol: 1e-5, "linear strided row \(r)")
            XCTAssertEqual(wide[r * (outD + 3) + outD], 5)
        }
        // accumulate: out += x·Wᵀ (+ bias again).
        var acc = ref
        Kernels.linear(x: x, w: w, out: &acc, rows: rows, inDim: inD, outDim: outD, accumulate: true)
        let twice = (0..<(rows * outD)).map { 2 * ref[$0] - bias[$0 % outD] }
        assertClose(acc, twice, tol: 1e-5, "linear accumulate")
    }

    func testElementwiseAndDot() {
        var rng = TestRNG(3)
        let a = rng.floats(37), b = rng.floats(37)
        var out = [Float](repeating: 0, count: 37)
        Kernels.add(a, b, &out, count: 37)
        XCTAssertEqual(out, zip(a, b).map { $0 + $1 })
        Kernels.mul(a, b, &out, count: 37)
        XCTAssertEqual(out, zip(a, b).map { $0 * $1 })
        var y = b
        Kernels.axpy(0.5, a, &y, count: 37)
        XCTAssertEqual(y, zip(a, b).map { 0.5 * $0 + $1 })
        let d = Kernels.dot(a, b, count: 37)
        XCTAssertEqual(d, zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }, accuracy: 1e-5)
    }

    /// LayerNorm (centre) and RMSNorm through the three stages, as the forward pass calls them.
    func norm(_ x: [Float], weight: [Float], bias: [Float]?, centre: Bool, rows: Int, dim: Int) -> (out: [Float], scale: [Float]) {
        var out = [Float](repeating: 0, count: rows * dim), scale = [Float](repeating: 0, count: rows)
        Kernels.normScale(x, centre: centre, eps: 1e-5, centred: &out, scale: &scale, rows: rows, dim: dim)
        out.withUnsafeMutableBufferPointer { o in
            Kernels.divideRows(o.baseAddress!, by: scale, out: o.baseAddress!, rows: rows, dim: dim)
            Kernels.scaleShift(o.baseAddress!, weight: weight, bias: bias, out: o.baseAddress!, rows: rows, dim: dim)
        }
        return (out, scale)
    }

    func testNormStagesMatchLayerNormAndRMSNorm() {
        var rng = TestRNG(4)
        let rows = 3, dim = 10
        let x = rng.floats(rows * dim).map { $0 * 3 + 0.5 }, w = rng.floats(dim), bias = rng.floats(dim)
        // torch.nn.LayerNorm (biased variance) and Hugging Face's LlamaRMSNorm, in Double.
        var lnRef = [Float](), rmsRef = [Float](), lnScale = [Float](), rmsScale = [Float]()
        for r in 0..<rows {
            let row = x[(r * dim)..<((r + 1) * dim)].map(Double.init)
            let mean = row.reduce(0, +) / Double(dim)
            let sd = (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(dim) + 1e-5).squareRoot()
            let rms = (row.map { $0 * $0 }.reduce(0, +) / Double(dim) + 1e-5).squareRoot()
            lnScale.append(Float(sd))
            rmsScale.append(Float(rms))
            for i in 0..<dim {
                lnRef.append(Float((row[i] - mean) / sd) * w[i] + bias[i])
                rmsRef.append(Float(row[i] / rms) * w[i])
            }
        }
        let ln = norm(x, weight: w, bias: bias, centre: true, rows: rows, dim: dim)
        assertClose(ln.out, lnRef, tol: 1e-6, "layerNorm")
        assertClose(ln.scale, lnScale, tol: 1e-6, "layerNorm scale")
        let rms = norm(x, weight: w, bias: nil, centre: false, rows: rows, dim: dim)
        assertClose(rms.out, rmsRef, tol: 1e-6, "rmsNorm")
        assertClose(rms.scale, rmsScale, tol: 1e-6, "rmsNorm scale")
        // normScale in place (centred aliases x).
        var inPlace = x, scale = [Float](repeating: 0, count: rows)
        inPlace.withUnsafeMutableBufferPointer { p in
            Kernels.normScale(p.baseAddress!, centre: true, eps: 1e-5, centred: p.baseAddress!, scale: &scale, rows: rows, dim: dim)
        }
        let centred = (0..<(rows * dim)).map { i -> Float in
            let r = i / dim
            return x[i] - Float(x[(r * dim)..<((r + 1) * dim)].map(Double.init).reduce(0, +) / Double(dim))
        }
        assertClose(inPlace, centred, tol: 1e-6, "normScale in place")
        // centreRows: each row's mean removed.
        var rowsCentred = x
        Kernels.centreRows(&rowsCentred, rows: rows, dim: dim)
        assertClose(rowsCentred, centred, tol: 1e-6, "centreRows")
    }

    func testActivations() {
        let x: [Float] = [-6, -2, -0.5, 0, 0.3, 1, 2.5, 8]
        var out = [Float](repeating: 0, count: x.count)
        Kernels.geluNew(x, out: &out, count: x.count)
        let g = x.map { v -> Float in let d = Double(v); return Float(0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d)))) }
        assertClose(out, g, tol: 1e-6, "geluNew")
        XCTAssertEqual(out[3], 0)
        XCTAssertEqual(out[5], 0.8411920, accuracy: 1e-6)  // torch gelu(1, approximate='tanh')
        Kernels.silu(x, out: &out, count: x.count)
        assertClose(out, x.map { Float(Double($0) / (1 + exp(-Double($0)))) }, tol: 1e-6, "silu")
        // The gated MLP as the forward pass runs it: silu(gate), then ⊙ up.
        let up: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        var gated = [Float](repeating: 0, count: x.count)
        Kernels.silu(x, out: &gated, count: x.count)
        Kernels.mul(gated, up, &out, count: x.count)
        assertClose(out, zip(x, up).map { Float(Double($0) / (1 + exp(-Double($0)))) * $1 }, tol: 1e-6, "silu ⊙ up")
        Kernels.gelu(x, out: &out, count: x.count)
        assertClose(out, x.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) }, tol: 1e-6, "gelu")
        XCTAssertEqual(out[5], 0.8413447, accuracy: 1e-6)  // torch gelu(1)
        Kernels.quickGelu(x, out: &out, count: x.count)
        assertClose(out, x.map { Float(Double($0) / (1 + exp(-1.702 * Double($0)))) }, tol: 1e-6, "quickGelu")
    }

    func testCausalMaskAndSoftmax() {
        var rng = TestRNG(5)
        let rows = 3, cols = 5, past = 1
        let x = rng.floats(rows * cols).map { $0 * 4 }
        // Query r at absolute position past + r sees keys 0...past + r, except padding key 0.
        let keyMask = [false, true, true, true, true]
        var masked = x
        Kernels.causalMask(&masked, rows: rows, cols: cols, pastLength: past, keyMask: keyMask)
        var out = [Float](repeating: -1, count: rows * cols)
        Kernels.softmaxRows(masked, out: &out, rows: rows, cols: cols)
        for r in 0..<rows {
            let visible = (0..<cols).map { $0 <= past + r && keyMask[$0] }
            for j in 0..<cols { XCTAssertEqual(masked[r * cols + j], visible[j] ? x[r * cols + j] : -.infinity, "mask \(r) \(j)") }
            let e = (0..<cols).map { visible[$0] ? exp(Double(x[r * cols + $0])) : 0 }
            let s = e.reduce(0, +)
            for j in 0..<cols { XCTAssertEqual(out[r * cols + j], Float(e[j] / s), accuracy: 1e-6, "row \(r) col \(j)") }
        }
        // Without a key mask: only the causal part.
        var causal = x
        Kernels.causalMask(&causal, rows: rows, cols: cols, pastLength: 0)
        XCTAssertEqual(causal[1], -.infinity)
        XCTAssertEqual(causal[cols + 1], x[cols + 1])
        // A fully masked row becomes zeros; large values stay finite (max subtracted); in place.
        var rowsIn: [Float] = [1000, 1001, -.infinity, -.infinity, -.infinity, -.infinity]
        rowsIn.withUnsafeMutableBufferPointer { p in
            Kernels.softmaxRows(p.baseAddress!, out: p.baseAddress!, rows: 2, cols: 3)
        }
        XCTAssertEqual(rowsIn[1], Float(1 / (1 + exp(-1.0))), accuracy: 1e-6)
        XCTAssertEqual(rowsIn[2], 0)
        XCTAssertEqual(Array(rowsIn[3...]), [0, 0, 0])
    }

    func testRopeNeoxAndInterleavedMatchNaive() {
        var rng = TestRNG(6)
        let pos = 4, heads = 2, dHead = 8, half = 4, start = 3
        let inv = Kernels.ropeInverseFrequencies(rotaryDim: dHead, base: 10000)
        XCTAssertEqual(inv[1], 0.1, accuracy: 1e-7)
        var cosT = [Float](repeating: 0, count: pos * half), sinT = cosT
        Kernels.ropeTables(invFreq: inv, half: half, start: start, positions: pos, cos: &cosT, sin: &sinT)
        let x = rng.floats(pos * heads * dHead)
        for style in [RopeStyle.neox, .interleaved] {
            var y = x
            Kernels.rope(&y, positions: pos, heads: heads, dHead: dHead, style: style, cos: cosT, sin: sinT)
            // Naive: HF rotate_half on cat(freqs, freqs) tables, or GPT-J pairs.
            var ref = x
            for p in 0..<pos { for h in 0..<heads {
                let base = (p * heads + h) * dHead
                for i in 0..<half {
                    let angle = Double(start + p) * pow(10000, -Double(2 * i) / Double(dHead))
                    let (ia, ib) = style == .neox ? (i, i + half) : (2 * i, 2 * i + 1)
                    let a = Double(x[base + ia]), b = Double(x[base + ib])
                    ref[base + ia] = Float(a * cos(angle) - b * sin(angle))
                    ref[base + ib] = Float(b * cos(angle) + a * sin(angle))
                }
            } }
            assertClose(y, ref, tol: 2e-6, "rope \(style)")
        }
    }

    func testLlama3FrequenciesMatchTransformers() {
        // transformers `_compute_llama3_parameters`, head_dim 64, theta 5e5, factor 8, low 1, high 4, orig 8192.
        let expected: [Float] = [1.0, 0.663601279258728, 0.44036662578582764, 0.2922278344631195, 0.193922758102417, 0.12868738174438477, 0.08539710193872452, 0.05666961893439293, 0.03760603070259094, 0.02495540864765644, 0.016560440883040428, 0.010989529080688953, 0.00729266507551074, 0.00483942124992609, 0.0032114461064338684, 0.0013718936825171113, 0.0005248460220173001, 0.0001785077911335975, 7.784655463183299e-05, 5.165906986803748e-05, 3.428102354519069e-05, 2.2748929040972143e-05, 1.5096217794052791e-05, 1.0017868589784484e-05, 6.647869668086059e-06, 4.411534519022098e-06, 2.927499735960737e-06, 1.9426925064180978e-06, 1.289173155782919e-06, 8.554969213037111e-07, 5.677088097399974e-07, 3.76732259610435e-07]
        let got = Kernels.ropeInverseFrequencies(rotaryDim: 64, base: 500000,
            scaling: .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192))
        XCTAssertEqual(got.count, 32)
        for i in 0..<32 { XCTAssertEqual(got[i], expected[i], accuracy: expected[i] * 2e-6, "inv_freq[\(i)]") }
    }

    /// Largest |a − b| / |b| where |b| ≥ 1e-30 (true relative error, no floor of 1), and 1 if a smaller
    /// |b| is missed by more than 1e-30 (values at the edge of Float's range).
    func worstRelative(_ a: [Float], _ b: [Double]) -> Double {
        var worst = 0.0
        for (x, y) in zip(a, b) {
            if abs(y) >= 1e-30 { worst = max(worst, abs(Double(x) - y) / abs(y)) } else if abs(Double(x) - y) > 1e-30 { worst = 1 }
        }
        return worst
    }

    /// The AVX-512 bodies (and the scalar ones) against Double loops over [−20, 20] in 1/64 steps,
    /// with a count that leaves a partial vector. The vector bodies are held to a relative bound
    /// everywhere, the negative tails included; the scalar tanh form to an absolute one there.
    func testVectorActivationsMatchNaive() {
        let x = (0..<2_561).map { Float($0 - 1_280) / 64 }
        // In Double without cancellation in the negative tail: 1 + erf(−a) = erfc(a), 1 + tanh(u) = 2σ(2u).
        let erfRef = x.map { 0.5 * Double($0) * erfc(-Double($0) / 2.0.squareRoot()) }
        let tanhRef = x.map { v -> Double in let d = Double(v); return d / (1 + exp(-2 * (2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d))) }
        let siluRef = x.map { Double($0) / (1 + exp(-Double($0))) }
        let quickRef = x.map { Double($0) / (1 + exp(-1.702 * Double($0))) }
        let saved = Kernels.vectorBodies
        defer { Kernels.vectorBodies = saved }
        for vector in [true, false] {
            Kernels.vectorBodies = vector
            if vector && !Kernels.vectorBodies { continue }            // no AVX-512 on this CPU
            let what = vector ? "vector" : "scalar"
            var out = [Float](repeating: .nan, count: x.count)
            Kernels.gelu(x, out: &out, count: x.count)
            // Vector bodies: ≤ 2e-6 relative for |x| ≤ 4, ≤ 1.5e-5 in the far negative tails (values below ~1e-20,
            // where e^t's argument carries Float rounding), no absolute floor.
            let bulk = x.indices.filter { abs(x[$0]) <= 4 }
            func bulkWorst(_ o: [Float], _ r: [Double]) -> Double { worstRelative(bulk.map { o[$0] }, bulk.map { r[$0] }) }
            if vector {
                XCTAssertLessThanOrEqual(worstRelative(out, erfRef), 1.5e-5, "gelu vector")
                XCTAssertLessThanOrEqual(bulkWorst(out, erfRef), 2e-6, "gelu vector |x| ≤ 4")
            } else {
                assertClose(out, erfRef.map { Float($0) }, tol: 1e-6, "gelu scalar")
            }
            Kernels.silu(x, out: &out, count: x.count)
            XCTAssertLessThanOrEqual(worstRelative(out, siluRef), 2e-6, "silu \(what)")
            Kernels.quickGelu(x, out: &out, count: x.count)
            // 1.702 rounded to Float moves σ's argument by ~1e-8 relative: ~3e-6 at the far tail.
            XCTAssertLessThanOrEqual(worstRelative(out, quickRef), 5e-6, "quickGelu \(what)")
            Kernels.geluNew(x, out: &out, count: x.count)
            if vector {
                XCTAssertLessThanOrEqual(worstRelative(out, tanhRef), 1.5e-5, "geluNew vector")
                XCTAssertLessThanOrEqual(bulkWorst(out, tanhRef), 2e-6, "geluNew vector |x| ≤ 4")
            } else {
                assertClose(out, tanhRef.map { Float($0) }, tol: 1e-6, "geluNew scalar")
            }
            // In place, as the forward pass may call them.
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { p in Kernels.geluNew(p.baseAddress!, out: p.baseAddress!, count: x.count) }
            XCTAssertEqual(inPlace, out, "geluNew in place \(what)")
        }
    }

    /// Softmax bodies against a Double loop: row lengths 1–70 (partial vectors), masked keys, large values.
    func testVectorSoftmaxMatchesNaive() {
        var rng = TestRNG(11)
        let saved = Kernels.vectorBodies
        defer { Kernels.vectorBodies = saved }
        for vector in [true, false] {
            Kernels.vectorBodies = vector
            if vector && !Kernels.vectorBodies { continue }
            for cols in [1, 2, 15, 16, 17, 33, 70] {
                let rows = 4
                var x = rng.floats(rows * cols).map { $0 * 30 + 200 }
                for r in 0..<rows { for j in 0..<cols where (j + r) % 3 == 2 { x[r * cols + j] = -.infinity } }
                var out = [Float](repeating: .nan, count: x.count)
                Kernels.softmaxRows(x, out: &out, rows: rows, cols: cols)
                for r in 0..<rows {
                    let row = x[(r * cols)..<((r + 1) * cols)].map(Double.init)
                    let mx = row.max()!
                    let e = row.map { $0 == -.infinity ? 0 : exp($0 - mx) }
                    let s = e.reduce(0, +)
                    for j in 0..<cols {
                        let got = out[r * cols + j], want = s == 0 ? 0 : e[j] / s
                        if want == 0 { XCTAssertEqual(got, 0, "masked \(cols) \(r) \(j)"); continue }
                        XCTAssertEqual(Double(got), want, accuracy: 2e-6 * want + 1e-12, "softmax \(cols) \(r) \(j) vector \(vector)")
                    }
                }
            }
        }
    }

    /// The threaded linear (output columns split across threads) against a Double loop, both layouts,
    /// row strides and bias, at a size above its single-thread cut-off.
    func testThreadedLinearMatchesNaive() {
        var rng = TestRNG(12)
        let rows = 33, inD = 129, outD = 700, ldX = inD + 3, ldOut = outD + 5
        let x = rng.floats(rows * ldX), w = rng.floats(outD * inD), bias = rng.floats(outD)
        var wt = [Float](repeating: 0, count: inD * outD)
        for o in 0..<outD { for i in 0..<inD { wt[i * outD + o] = w[o * inD + i] } }
        var ref = [Float](repeating: 0, count: rows * outD)
        for r in 0..<rows { for o in 0..<outD {
            var s = Double(bias[o])
            for i in 0..<inD { s += Double(x[r * ldX + i]) * Double(w[o * inD + i]) }
            ref[r * outD + o] = Float(s)
        } }
        for (layout, weights) in [(Kernels.WeightLayout.outIn, w), (.inOut, wt)] {
            var out = [Float](repeating: 5, count: rows * ldOut)
            Kernels.linear(x: x, ldX: ldX, w: weights, layout: layout, bias: bias, out: &out, ldOut: ldOut,
                           rows: rows, inDim: inD, outDim: outD, threads: 2)
            for r in 0..<rows {
                assertClose(Array(out[(r * ldOut)..<(r * ldOut + outD)]), Array(ref[(r * outD)..<((r + 1) * outD)]),
                            tol: 1e-5, "threaded linear \(layout) row \(r)")
                XCTAssertEqual(out[r * ldOut + outD], 5, "gap after row \(r)")
            }
        }
    }
}
