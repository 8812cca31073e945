import Foundation
import LoupeTensor
@testable import LoupeFormats

/// Little-endian byte assembly for hand-made (and deliberately broken) files.
struct Bytes {
    var data: [UInt8] = []
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
    mutating func raw(_ b: [UInt8]) { data += b }
    /// GGUF string: u64 length + bytes.
    mutating func str(_ b: [UInt8]) { u64(UInt64(b.count)); data += b }
    mutating func str(_ s: String) { str(Array(s.utf8)) }
    mutating func pad(to alignment: Int) { while data.count % alignment != 0 { data.append(0) } }
}

/// A GGUF file assembled field by field so that any field can be made wrong.
struct GGUFBuilder {
    struct KV { var key: [UInt8]; var type: UInt32; var payload: [UInt8] }
    struct TensorEntry { var name: [UInt8]; var ne: [UInt64]; var type: UInt32; var offset: UInt64? }

    var magic: [UInt8] = Array("GGUF".utf8)
    var version: UInt32 = 3
    var tensorCount: UInt64?
    var kvCount: UInt64?
    var kvs: [KV] = [KV(key: Array("general.architecture".utf8), type: 8, payload: GGUFBuilder.string("llama"))]
    var tensors: [TensorEntry] = [
        TensorEntry(name: Array("a.weight".utf8), ne: [4, 2], type: 0, offset: nil),
        TensorEntry(name: Array("b.weight".utf8), ne: [32], type: 8, offset: nil),
    ]
    var alignment = 32
    /// Bytes added to (positive) or cut from (negative) the end of the data section.
    var dataSlack = 0

    static func string(_ s: String) -> [UInt8] { var b = Bytes(); b.str(s); return b.data }
    static func u32(_ v: UInt32) -> [UInt8] { var b = Bytes(); b.u32(v); return b.data }

    mutating func addKV(_ key: String, type: UInt32, _ payload: [UInt8]) {
        kvs.append(KV(key: Array(key.utf8), type: type, payload: payload))
    }

    static func byteCount(_ t: TensorEntry) -> Int {
        guard let dtype = GGMLType.dtype(t.type) else { return 0 }
        let n = t.ne.reduce(1) { $0 &* Int(truncatingIfNeeded: $1) }
        return dtype.byteCount(elements: n) ?? 0
    }

    func build() -> [UInt8] {
        var b = Bytes()
        b.raw(magic)
        b.u32(version)
        b.u64(tensorCount ?? UInt64(tensors.count))
        b.u64(kvCount ?? UInt64(kvs.count))
        for kv in kvs {
            b.str(kv.key)
            b.u32(kv.type)
            b.raw(kv.payload)
        }
        var next = 0
        var dataEnd = 0
        for t in tensors {
            b.str(t.name)
            b.u32(UInt32(t.ne.count))
            for d in t.ne { b.u64(d) }
            b.u32(t.type)
            let offset = t.offset ?? UInt64(next)
            b.u64(offset)
            let size = GGUFBuilder.byteCount(t)
            next = (Int(truncatingIfNeeded: offset) &+ size &+ alignment - 1) / alignment * alignment
            // Offsets set by a test (possibly absurd) only grow the file when they are small.
            if t.offset == nil || offset < 1 << 20 { dataEnd = max(dataEnd, Int(offset) + size) }
        }
        b.pad(to: alignment)
        let total = max(dataEnd + dataSlack, 0)
        b.raw([UInt8](repeating: 0, count: total))
        return b.data
    }
}

/// A safetensors file from a header text and a data size.
func safetensorsBytes(header: String, dataBytes: Int, headerLength: UInt64? = nil) -> [UInt8] {
    var b = Bytes()
    let h = Array(header.utf8)
    b.u64(headerLength ?? UInt64(h.count))
    b.raw(h)
    b.raw([UInt8](repeating: 0, count: dataBytes))
    return b.data
}
