// safetensors as written (the layout SafetensorsFile reads):
//   u64 N (little-endian) | N bytes of JSON header | data
//   header = { NAME: { "data_offsets": [begin, end], "dtype": "F32", "shape": [d0, …] }, …,
//              "__metadata__": { string: string } (when given) }, keys sorted, no whitespace, then padded
//              with spaces so the data starts at a multiple of 8
//   data   = the tensors back to back in the order given, each row-major and little-endian; offsets are
//            relative to the start of the data.

public enum SafetensorsWriter {
    /// The safetensors dtype of each element type.
    static func dtype(_ element: ArrayElement) -> String {
        switch element {
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .float32: return "F32"
        case .float64: return "F64"
        case .int8: return "I8"
        case .int16: return "I16"
        case .int32: return "I32"
        case .int64: return "I64"
        case .uint8: return "U8"
        case .uint16: return "U16"
        case .uint32: return "U32"
        case .uint64: return "U64"
        case .bool: return "BOOL"
        }
    }

    /// A whole file holding `tensors`. A repeated name keeps its last tensor in the header; the
    /// names "__metadata__" and "" are refused.
    public static func encode(_ tensors: [(name: String, array: ElementArray)], metadata: [String: String] = [:],
                              file: String = "<safetensors>") throws -> [UInt8] {
        var header: [(String, JSONValue)] = []
        var body: [UInt8] = []
        for (name, array) in tensors {
            guard name != "__metadata__", !name.isEmpty else {
                throw FormatError(.invalidValue, file: file, item: name, "is not a usable tensor name")
            }
            let begin = body.count
            body += array.element.encode(array.values)
            header.append((name, .object(JSONObject([
                "dtype": .string(dtype(array.element)),
                "shape": .array(array.shape.map { .int($0) }),
                "data_offsets": .array([.int(begin), .int(body.count)]),
            ]))))
        }
        if !metadata.isEmpty {
            header.append(("__metadata__", .object(JSONObject(uniquing: metadata.map { ($0.key, .string($0.value)) }))))
        }
        var style = JSONWriteStyle.sortedCompact
        style.escapesSlash = true
        var json = Array(JSONValue.object(JSONObject(uniquing: header)).serialized(style).utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + body.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out += $0 }
        out += json
        out += body
        return out
    }
}
