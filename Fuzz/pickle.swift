import Foundation
@testable import LoupeFormats

/// libFuzzer target: the pickle virtual machine alone (bytes run as data.pkl), and the whole PyTorch
/// checkpoint reader (ZIP directory, pickle, storages) on the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickle(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? TorchPickleReader.read(raw, file: "/fuzz/data.pkl") { value in String(describing: value).count }
    if let file = try? PyTorchFile(mapped: FuzzInput.mapped(data, size)) { FuzzInput.touchTensors(file) }
    return 0
}
