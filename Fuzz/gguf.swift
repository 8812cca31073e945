import LoupeFormats

/// libFuzzer target: GGUF header, metadata and tensor table, then every tensor read and dequantised.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let file = try? GGUFFile(mapped: FuzzInput.mapped(data, size)) { FuzzInput.touchTensors(file) }
    return 0
}
