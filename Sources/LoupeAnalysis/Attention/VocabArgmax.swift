import Foundation
import LoupeTensor

/// The top vocabulary token of many vectors at once: the first index of the maximum of each row of
/// rows · map, with the product formed block by block ([rowBlock, columnBlock] through sgemm) and each
/// block reduced to a running row maximum while it is still in cache, so the [rows, vocab] logits are
/// never written whole. Every logit is the same sgemm dot product as in the whole product (the depth is
/// one block and blocks only split rows and columns), so the result equals `argmax(rows · map, dim: -1)`.
public enum VocabArgmax {
    /// Rows per sgemm call and columns per block: a [256, 512] block of logits (512 KB) stays in L2.
    public static let rowBlock = 256
    public static let columnBlock = 512

    /// rows: [m, k] row-major; map: [k, vocab] row-major. Returns [m] the first index of each row's maximum.
    /// Splits the vocabulary between `workers` threads (BLAS single-threaded meanwhile) and merges their
    /// maxima, earlier columns first, so ties keep the first index as a whole-row argmax does.
    public static func argmax(rows: UnsafePointer<Float>, m: Int, k: Int, map: UnsafePointer<Float>, vocab: Int,
                              workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int32] {
        guard m > 0, vocab > 0 else { return [] }
        let blocks = (vocab + columnBlock - 1) / columnBlock
        let parts = max(1, min(workers, blocks))
        var bestValue = [Float](repeating: -.infinity, count: parts * m)  // [part, m]
        var bestIndex = [Int32](repeating: -1, count: parts * m)          // [part, m]
        let savedThreads = Blas.threads
        Blas.setThreads(1)
        defer { Blas.setThreads(savedThreads) }
        bestValue.withUnsafeMutableBufferPointer { bv in
            bestIndex.withUnsafeMutableBufferPointer { bi in
                let bvp = bv.baseAddress!, bip = bi.baseAddress!
                let rowsAddress = UInt(bitPattern: rows), mapAddress = UInt(bitPattern: map)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let rows = UnsafePointer<Float>(bitPattern: rowsAddress)!, map = UnsafePointer<Float>(bitPattern: mapAddress)!
                    let first = blocks * part / parts, last = blocks * (part + 1) / parts
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rowBlock * columnBlock) // [rowBlock, columnBlock]
                    defer { scratch.deallocate() }
                    let value = bvp + part * m, index = bip + part * m
                    for block in first..<last {
                        let c0 = block * columnBlock, width = min(columnBlock, vocab - c0)
                        for r0 in stride(from: 0, to: m, by: rowBlock) {
                            let height = min(rowBlock, m - r0)
                            Kernels.sgemm(m: height, n: width, k: k, a: rows + r0 * k, lda: k,
                                          b: map + c0, ldb: vocab, c: scratch, ldc: width)
                            for r in 0..<height {
                                let row = scratch + r * width
                                let top = rowMax(row, width)
                                if top > value[r0 + r] || index[r0 + r] < 0 {
                                    value[r0 + r] = top
                                    index[r0 + r] = Int32(c0 + firstIndex(of: top, row, width))
                                }
                            }
                        }
                    }
                }
            }
        }
        var out = Array(bestIndex[0..<m])
        for part in 1..<parts {
            for r in 0..<m where bestValue[part * m + r] > bestValue[r] || out[r] < 0 {
                bestValue[r] = bestValue[part * m + r]
                out[r] = bestIndex[part * m + r]
            }
        }
        return out
    }

    /// The largest of x[0..<n] (NaN-free input; a NaN row keeps whatever `>` leaves).
    @inline(__always)
    static func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var i = 0
        var acc0 = SIMD8<Float>(repeating: -.infinity), acc1 = acc0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= n {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            acc0 = acc0.replacing(with: a, where: a .> acc0)
            acc1 = acc1.replacing(with: b, where: b .> acc1)
            i += 16
        }
        acc0 = acc0.replacing(with: acc1, where: acc1 .> acc0)
        var top = acc0.max()
        while i < n { if x[i] > top { top = x[i] }; i += 1 }
        return top
    }

    @inline(__always)
    static func firstIndex(of v: Float, _ x: UnsafePointer<Float>, _ n: Int) -> Int {
        for i in 0..<n where x[i] == v { return i }
        return 0
    }
}
