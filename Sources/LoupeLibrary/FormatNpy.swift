import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeTensor

/// NumPy .npy, version 1.0 (written) and 1.0/2.0/3.0 (read):
///   magic "\x93NUMPY" (6 bytes), major (u8), minor (u8), header length (u16 LE for v1, u32 LE for v2/3),
///   header: an ASCII Python dict {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
///   spaces and a final "\n" so the data starts at a multiple of 64; then the raw elements, C order.
/// Written dtypes: <f4 (float tensors), <i8 (int64), |b1 (bool). Read: <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1.
enum Npy {
    static func encode(_ t: TensorValue) -> Data {
        let descr: String
        switch t.kind { case .float: descr = "<f4"; case .int: descr = "<i8"; case .bool: descr = "|b1" }
        let shape = t.tensor.shape
        let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        d.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
        d.append(contentsOf: Array(header.utf8))
        let vals = t.tensor.toArray()
        switch t.kind {
        case .float:
            for v in vals { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        case .int:
            for v in vals { withUnsafeBytes(of: v.clampedInt64.littleEndian) { d.append(contentsOf: $0) } }
        case .bool:
            d.append(contentsOf: vals.map { $0 != 0 ? UInt8(1) : 0 })
        }
        return d
    }

    static func decode(_ data: Data, name: String) throws -> TensorValue {
        let bytes = [UInt8](data)
        func fail(_ msg: String, _ offset: Int) -> LoupeError { LoupeError("\(name): not a valid .npy file: \(msg) (at byte \(offset))") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else { throw fail("bad magic", 0) }
        let major = bytes[6]
        var headerLen: Int, start: Int
        if major == 1 {
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        } else if major == 2 || major == 3 {
            guard bytes.count >= 12 else { throw fail("truncated header length", 8) }
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        } else { throw fail("unsupported version \(major)", 6) }
        guard start + headerLen <= bytes.count else { throw fail("header length \(headerLen) runs past the end", start) }
        guard let header = String(bytes: bytes[start..<(start + headerLen)], encoding: .utf8) else { throw fail("header is not text", start) }
        guard let descr = field(header, "descr").map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) }) else { throw fail("no descr", start) }
        let fortran = field(header, "fortran_order")?.contains("True") ?? false
        guard let shapeText = header.range(of: "'shape':").map({ header[$0.upperBound...] }),
              let open = shapeText.firstIndex(of: "("), let close = shapeText.firstIndex(of: ")") else { throw fail("no shape", start) }
        let shape = try shapeText[shapeText.index(after: open)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { s -> Int in guard let v = Int(s), v >= 0 else { throw fail("bad shape entry `\(s)`", start) }; return v }
        var count = 1
        for s in shape {
            let (c, o) = count.multipliedReportingOverflow(by: s)
            if o || c > 1 << 34 { throw fail("shape \(shape) is too large", start) }
            count = c
        }
        let dataStart = start + headerLen
        guard descr.count >= 3 else { throw fail("bad descr \(descr)", start) }
        let order = descr.first ?? "<"
        if order == ">" { throw LoupeError("\(name): big-endian .npy (\(descr)) is not supported; save it little-endian") }
        let kindCode = descr[descr.index(after: descr.startIndex)]
        guard let size = Int(descr.dropFirst(2)) else { throw fail("bad descr \(descr)", start) }
        guard bytes.count - dataStart >= count * size else {
            throw fail("data has \(bytes.count - dataStart) bytes, shape \(shape) of \(descr) needs \(count * size)", dataStart)
        }
        var vals = [Float](repeating: 0, count: count)
        var kind: TensorValue.Kind = .float
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            let p = base.advanced(by: dataStart)
            func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T { T(littleEndian: p.loadUnaligned(fromByteOffset: i * size, as: T.self)) }
            switch (kindCode, size) {
            case ("f", 4): for i in 0..<count { vals[i] = Float(bitPattern: load(i, UInt32.self)) }
            case ("f", 8): for i in 0..<count { vals[i] = Float(Double(bitPattern: load(i, UInt64.self))) }
            case ("f", 2): for i in 0..<count { vals[i] = HalfFloat.f16ToF32(load(i, UInt16.self)) }
            case ("i", 1): kind = .int; for i in 0..<count { vals[i] = Float(load(i, Int8.self)) }
            case ("i", 2): kind = .int; for i in 0..<count { vals[i] = Float(load(i, Int16.self)) }
            case ("i", 4): kind = .int; for i in 0..<count { vals[i] = Float(load(i, Int32.self)) }
            case ("i", 8): kind = .int; for i in 0..<count { vals[i] = Float(load(i, Int64.self)) }
            case ("u", 1): kind = .int; for i in 0..<count { vals[i] = Float(load(i, UInt8.self)) }
            case ("u", 2): kind = .int; for i in 0..<count { vals[i] = Float(load(i, UInt16.self)) }
            case ("u", 4): kind = .int; for i in 0..<count { vals[i] = Float(load(i, UInt32.self)) }
            case ("u", 8): kind = .int; for i in 0..<count { vals[i] = Float(load(i, UInt64.self)) }
            case ("b", 1): kind = .bool; for i in 0..<count { vals[i] = load(i, UInt8.self) != 0 ? 1 : 0 }
            default: throw LoupeError("\(name): unsupported .npy dtype \(descr)")
            }
        }
        if fortran && shape.count > 1 {
            let t = Tensor(shape: shape.reversed(), data: vals)
            let perm = try TensorMath.permute(t, Array((0..<shape.count).reversed()))
            return TensorValue(perm.contiguous(), kind: kind)
        }
        return TensorValue(Tensor(shape: shape, data: vals), kind: kind)
    }

    static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        let rest = header[r.upperBound...]
        let end = rest.firstIndex(of: ",") ?? rest.endIndex
        return String(rest[..<end])
    }
}

/// Safetensors: u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
/// "__metadata__": {...}}, then the byte buffer (offsets relative to its start). Written as F32/I64/BOOL.
enum Safetensors {
    static func encode(_ tensors: [(String, TensorValue)]) throws -> Data {
        var header: [String: Any] = [:]
        var body = Data()
        for (name, t) in tensors {
            let begin = body.count
            let vals = t.tensor.toArray()
            let dtype: String
            switch t.kind {
            case .float: dtype = "F32"; for v in vals { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            case .int: dtype = "I64"; for v in vals { withUnsafeBytes(of: v.clampedInt64.littleEndian) { body.append(contentsOf: $0) } }
            case .bool: dtype = "BOOL"; body.append(contentsOf: vals.map { $0 != 0 ? UInt8(1) : 0 })
            }
            header[name] = ["dtype": dtype, "shape": t.tensor.shape, "data_offsets": [begin, body.count]] as [String: Any]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var d = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(json)
        d.append(body)
        return d
    }

    static func decode(_ data: Data, name: String) throws -> [(String, TensorValue)] {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw LoupeError("\(name): not a safetensors file (shorter than 8 bytes)") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else { throw LoupeError("\(name): safetensors header length \(n) runs past the end of the file (\(bytes.count) bytes)") }
        let headerEnd = 8 + Int(n)
        guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) as? [String: Any] else {
            throw LoupeError("\(name): safetensors header is not a JSON object")
        }
        var out: [(String, TensorValue)] = []
        for key in obj.keys.sorted() where key != "__metadata__" {
            guard let info = obj[key] as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offs = info["data_offsets"] as? [Int], offs.count == 2 else {
                throw LoupeError("\(name): tensor `\(key)` has a malformed header entry")
            }
            let count = shape.reduce(1, *)
            let begin = headerEnd + offs[0], end = headerEnd + offs[1]
            let size: Int
            switch dtype { case "F32", "I32", "U32": size = 4; case "F64", "I64", "U64": size = 8; case "F16", "BF16", "I16", "U16": size = 2; case "BOOL", "U8", "I8": size = 1
            default: throw LoupeError("\(name): tensor `\(key)` has unsupported dtype \(dtype)") }
            guard offs[0] >= 0, begin <= end, end <= bytes.count, end - begin == count * size else {
                throw LoupeError("\(name): tensor `\(key)` data offsets \(offs) do not match shape \(shape) of \(dtype) (file has \(bytes.count - headerEnd) data bytes)")
            }
            var vals = [Float](repeating: 0, count: count)
            var kind: TensorValue.Kind = .float
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                let p = base.advanced(by: begin)
                func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T { T(littleEndian: p.loadUnaligned(fromByteOffset: i * size, as: T.self)) }
                for i in 0..<count {
                    switch dtype {
                    case "F32": vals[i] = Float(bitPattern: load(i, UInt32.self))
                    case "F64": vals[i] = Float(Double(bitPattern: load(i, UInt64.self)))
                    case "F16": vals[i] = HalfFloat.f16ToF32(load(i, UInt16.self))
                    case "BF16": vals[i] = HalfFloat.bf16ToF32(load(i, UInt16.self))
                    case "I64": kind = .int; vals[i] = Float(load(i, Int64.self))
                    case "I32": kind = .int; vals[i] = Float(load(i, Int32.self))
                    case "I16": kind = .int; vals[i] = Float(load(i, Int16.self))
                    case "I8": kind = .int; vals[i] = Float(load(i, Int8.self))
                    case "U8": kind = .int; vals[i] = Float(load(i, UInt8.self))
                    case "U16": kind = .int; vals[i] = Float(load(i, UInt16.self))
                    case "U32": kind = .int; vals[i] = Float(load(i, UInt32.self))
                    case "U64": kind = .int; vals[i] = Float(load(i, UInt64.self))
                    default: kind = .bool; vals[i] = load(i, UInt8.self) != 0 ? 1 : 0
                    }
                }
            }
            out.append((key, TensorValue(Tensor(shape: shape, data: vals), kind: kind)))
        }
        return out
    }
}
