import Foundation
import LoupeTensor

/// Bytes a converted weight owns (allocated once, freed with the matrix).
final class OwnedBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(byteCount: max(count, 1), alignment: 64)
    }

    deinit { pointer.deallocate() }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }
}

/// One step of converting weights on load, for a progress line.
public struct LoadProgress: Sendable {
    /// Bytes converted so far and in all.
    public let done: Int
    public let total: Int
    /// The weight being converted.
    public let name: String
}

extension WeightMatrix {
    /// The matrix stored as `target`, converted a block of rows at a time (no F32 copy of the whole matrix):
    /// F32/F16/BF16 keep the layout; Q8_0 blocks run along the input dimension, so an [in, out] matrix
    /// becomes [out, in]. GGUF's q/k row order is undone on the way (the result has no row map). Blocks are
    /// shared among `threads` workers, each with its own scratch.
    func converted(to target: DType, threads: Int = 1) throws -> WeightMatrix {
        if target == dtype && rowMap == nil { return self }
        guard Quantize.targets.contains(target) else {
            throw ModelError(.unsupportedDType, "dtype=\(target.rawValue.lowercased()) is not a conversion target; use one of \(Quantize.targets.map { $0.rawValue.lowercased() }.joined(separator: ", "))")
        }
        let outLayout: Layout = target.blockSize == 1 ? layout : .outIn
        guard inDim % target.blockSize == 0 else {
            throw ModelError(.unsupportedDType, "\(name): rows of \(inDim) are not whole \(target) blocks of \(target.blockSize); load it with dtype=\"bf16\" or as stored")
        }
        let rowElements = outLayout == .outIn ? inDim : outDim
        let rows = outLayout == .outIn ? outDim : inDim
        guard let rowBytes = target.byteCount(elements: rowElements),
              case let (total, overflow) = rowBytes.multipliedReportingOverflow(by: rows), !overflow else {
            throw ModelError(.unsupportedDType, "\(name): \(rows) x \(rowElements) \(target) overflows")
        }
        let dst = OwnedBytes(count: total)
        let out = dst.pointer.assumingMemoryBound(to: UInt8.self)
        switch (layout, outLayout) {
        case (.outIn, _):
            let br = blockRows
            let blocks = (outDim + br - 1) / br
            parallelFor(min(threads, blocks)) { t in
                let tmp = UnsafeMutablePointer<Float>.allocate(capacity: br * self.inDim)  // [br, inDim]
                defer { tmp.deallocate() }
                for b in stride(from: t, to: blocks, by: max(threads, 1)) {
                    let r0 = b * br, n = min(br, self.outDim - r0)
                    self.dequantizeRows(r0, n, into: tmp)
                    Quantize.encodeUnchecked(target, tmp, count: n * self.inDim, into: out + r0 * rowBytes)
                }
            }
        case (.inOut, .inOut):
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: outDim)               // [outDim]
            defer { tmp.deallocate() }
            for i in 0..<inDim {
                dequantizeStoredRows(i, 1, into: tmp)
                Quantize.encodeUnchecked(target, tmp, count: outDim, into: out + i * rowBytes)
            }
        case (.inOut, .outIn):
            // 32 stored rows (inputs) at a time; each output's 32 inputs make one block of its row.
            let k = target.blockSize
            let groups = inDim / k
            parallelFor(min(threads, groups)) { t in
                let tmp = UnsafeMutablePointer<Float>.allocate(capacity: k * self.outDim)   // [k, outDim]
                let column = UnsafeMutablePointer<Float>.allocate(capacity: k)             // [k]
                defer { tmp.deallocate(); column.deallocate() }
                for g in stride(from: t, to: groups, by: max(threads, 1)) {
                    self.dequantizeStoredRows(g * k, k, into: tmp)
                    for o in 0..<self.outDim {
                        for j in 0..<k { column[j] = tmp[j * self.outDim + o] }
                        Quantize.encodeUnchecked(target, column, count: k, into: out + o * rowBytes + g * target.blockBytes)
                    }
                }
            }
        }
        return WeightMatrix(name: name, dtype: target, layout: outLayout, inDim: inDim, outDim: outDim,
                            bytes: dst.buffer, owner: dst)
    }

    /// Stored rows i0..<i0+n of an [in, out] matrix (as [n, outDim]) into `dst`.
    private func dequantizeStoredRows(_ i0: Int, _ n: Int, into dst: UnsafeMutablePointer<Float>) {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        Dequant.decodeUnchecked(dtype, base + i0 * outDim * dtype.blockBytes, count: n * outDim, into: dst)
    }

    /// Bytes the matrix would own stored as `target`.
    func convertedBytes(_ target: DType) -> Int {
        if target == dtype && rowMap == nil { return 0 }
        return target.byteCount(elements: inDim * outDim) ?? Int.max
    }
}

extension ModelWeights {
    /// The matrices a conversion to `target` touches: every projection; the embedding and unembedding
    /// only for the float types. Q8_0 leaves them as stored, as bitsandbytes' 8-bit loading leaves the
    /// embedding and `skip_modules=["output"]` the unembedding (`quantizeUnembed` includes the unembedding).
    func conversionTargets(_ target: DType, quantizeUnembed: Bool) -> [WeightMatrix] {
        var all: [WeightMatrix] = []
        for l in layers { all += [l.qkv, l.q, l.k, l.v, l.o, l.gate, l.up, l.down].compactMap { $0 } }
        if target.blockSize == 1 {
            all += [embed, unembed]
        } else if quantizeUnembed {
            all.append(unembed)
        }
        var seen = Set<ObjectIdentifier>()
        return all.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// Converts the weights to `target` in place, a matrix at a time. Checks first that the bytes it
    /// will own fit in the memory available.
    func convert(to target: DType, quantizeUnembed: Bool, threads: Int, progress: ((LoadProgress) -> Void)?) throws {
        let todo = conversionTargets(target, quantizeUnembed: quantizeUnembed).filter { $0.convertedBytes(target) > 0 }
        if todo.isEmpty { return }
        let total = todo.reduce(0) { $0 &+ $1.convertedBytes(target) }
        try MemoryBudget.require(total, for: "converting the weights to \(target.rawValue.lowercased())",
                                 shrink: "load as stored (no dtype=) or with a smaller type (dtype=\"q8_0\")")
        var converted: [ObjectIdentifier: WeightMatrix] = [:]
        var done = 0
        for m in todo {
            progress?(LoadProgress(done: done, total: total, name: m.name))
            converted[ObjectIdentifier(m)] = try m.converted(to: target, threads: threads)
            m.releaseResidentPages()
            done += m.convertedBytes(target)
        }
        progress?(LoadProgress(done: total, total: total, name: ""))
        func swap(_ m: WeightMatrix) -> WeightMatrix { converted[ObjectIdentifier(m)] ?? m }
        func swap(_ m: WeightMatrix?) -> WeightMatrix? { m.map { swap($0) } }
        for l in layers.indices {
            var lw = layers[l]
            lw.qkv = swap(lw.qkv); lw.q = swap(lw.q); lw.k = swap(lw.k); lw.v = swap(lw.v)
            lw.o = swap(lw.o); lw.gate = swap(lw.gate); lw.up = swap(lw.up); lw.down = swap(lw.down)
            layers[l] = lw
        }
        embed = swap(embed)
        unembed = swap(unembed)
    }
}

extension WeightMatrix {
    /// Asks the kernel to reclaim the pages of the stored bytes once they are no longer read (a converted
    /// source): without it, converting a mapped checkpoint keeps every page it read resident beside the copy.
    /// MADV_PAGEOUT keeps the contents (file pages are re-read, anonymous ones swapped), so it is safe for
    /// owned tensors too; it is advice, and a kernel without it ignores it.
    func releaseResidentPages() {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) / page * page      // whole pages inside the range only
        let end = (Int(bitPattern: base) + bytes.count) / page * page
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        let madvPageout: Int32 = 21                                            // MADV_PAGEOUT, Linux ≥ 5.4
        _ = madvise(p, end - start, madvPageout)
    }
}
