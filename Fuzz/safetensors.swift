import LoupeFormats

/// libFuzzer target: safetensors header (JSON) and tensor table, then every tensor read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let file = try? SafetensorsFile(mapped: FuzzInput.mapped(data, size)) { FuzzInput.touchTensors(file) }
    return 0
}
