import Foundation

/// Pickle bytes assembled opcode by opcode, so a state dict can be written as torch.save writes it or
/// made hostile (other globals, other callables, broken structure).
struct PickleBuilder {
    var b: [UInt8] = [0x80, 2]

    mutating func op(_ x: UInt8) { b.append(x) }
    mutating func global(_ module: String, _ name: String) { b.append(0x63); b += Array("\(module)\n\(name)\n".utf8) }
    mutating func str(_ s: String) {
        let u = Array(s.utf8)
        b.append(0x58)
        withUnsafeBytes(of: UInt32(u.count).littleEndian) { b += $0 }
        b += u
    }
    mutating func int(_ i: Int) {
        b.append(0x8A); b.append(8)                                   // LONG1, 8 bytes
        withUnsafeBytes(of: Int64(i).littleEndian) { b += $0 }
    }
    mutating func ints(_ xs: [Int]) { op(0x28); xs.forEach { int($0) }; op(0x74) }   // MARK … TUPLE

    /// `name: _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, shape, stride, False, OrderedDict())`
    mutating func tensor(_ name: String, type: String = "FloatStorage", key: String, numel: Int, offset: Int = 0,
                         shape: [Int], stride: [Int]? = nil) {
        str(name)
        global("torch._utils", "_rebuild_tensor_v2")
        op(0x28)
        op(0x28); str("storage"); global("torch", type); str(key); str("cpu"); int(numel); op(0x74)
        op(0x51)                                                      // BINPERSID
        int(offset)
        ints(shape)
        ints(stride ?? PickleBuilder.contiguous(shape))
        op(0x89)                                                      // False
        global("collections", "OrderedDict"); op(0x29); op(0x52)      // OrderedDict()
        op(0x74)
        op(0x52)                                                      // REDUCE
    }

    static func contiguous(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * shape[d + 1] }
        return s
    }

    /// A whole state dict: OrderedDict() then MARK, the entries, SETITEMS, STOP.
    static func stateDict(_ body: (inout PickleBuilder) -> Void) -> [UInt8] {
        var p = PickleBuilder()
        p.global("collections", "OrderedDict"); p.op(0x29); p.op(0x52)
        p.op(0x28)
        body(&p)
        p.op(0x75)
        p.op(0x2E)
        return p.b
    }
}

/// A ZIP archive of stored entries as torch.save lays it out (optionally with ZIP64 records and
/// extra fields, optionally with an entry marked compressed).
struct ZipBuilder {
    var entries: [(name: String, data: [UInt8])] = []
    var zip64 = false
    var compressedEntry: String? = nil

    mutating func add(_ name: String, _ data: [UInt8]) { entries.append((name, data)) }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { out += $0 } }
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { out += $0 } }
        func u64(_ v: Int) { withUnsafeBytes(of: UInt64(v).littleEndian) { out += $0 } }
        var offsets: [Int] = []
        for e in entries {
            offsets.append(out.count)
            let name = Array(e.name.utf8)
            u32(0x0403_4b50); u16(20); u16(0); u16(e.name == compressedEntry ? 8 : 0); u16(0); u16(0); u32(0)
            u32(e.data.count); u32(e.data.count); u16(name.count)
            // Pad the data to 64 bytes with an extra field, as torch.save does.
            let pad = (64 - (out.count + 2 + name.count + 4) % 64) % 64
            u16(4 + pad); out += name
            u16(0x1234); u16(pad); out += [UInt8](repeating: 0, count: pad)
            out += e.data
        }
        let cdStart = out.count
        for (e, off) in zip(entries, offsets) {
            let name = Array(e.name.utf8)
            u32(0x0201_4b50); u16(45); u16(20); u16(0); u16(e.name == compressedEntry ? 8 : 0); u16(0); u16(0); u32(0)
            u32(zip64 ? 0xFFFF_FFFF : e.data.count); u32(zip64 ? 0xFFFF_FFFF : e.data.count)
            u16(name.count); u16(zip64 ? 28 : 0); u16(0); u16(0); u16(0); u32(0)
            u32(zip64 ? 0xFFFF_FFFF : off)
            out += name
            if zip64 { u16(1); u16(24); u64(e.data.count); u64(e.data.count); u64(off) }
        }
        let cdSize = out.count - cdStart
        if zip64 {
            let record = out.count
            u32(0x0606_4b50); u64(44); u16(45); u16(45); u32(0); u32(0)
            u64(entries.count); u64(entries.count); u64(cdSize); u64(cdStart)
            u32(0x0706_4b50); u32(0); u64(record); u32(1)
        }
        u32(0x0605_4b50); u16(0); u16(0)
        u16(zip64 ? 0xFFFF : entries.count); u16(zip64 ? 0xFFFF : entries.count)
        u32(zip64 ? 0xFFFF_FFFF : cdSize); u32(zip64 ? 0xFFFF_FFFF : cdStart); u16(0)
        return out
    }

    /// A torch.save-style archive: `archive/data.pkl`, `archive/data/<key>` for each storage, `archive/version`.
    static func torchArchive(pickle: [UInt8], storages: [(key: String, bytes: [UInt8])], zip64: Bool = false) -> ZipBuilder {
        var z = ZipBuilder(zip64: zip64)
        z.add("archive/data.pkl", pickle)
        for s in storages { z.add("archive/data/\(s.key)", s.bytes) }
        z.add("archive/version", Array("3\n".utf8))
        return z
    }

    static func floats(_ xs: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for x in xs { withUnsafeBytes(of: x.bitPattern.littleEndian) { out += $0 } }
        return out
    }
}
