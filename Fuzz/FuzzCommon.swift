import Foundation
import LoupeFormats
import LoupeTensor

/// Shared by the fuzz targets: the input as an in-memory MappedFile, and a pass over every tensor of a
/// weight source (loading at most a few million elements, so a valid but big header is not a finding).
enum FuzzInput {
    static let url = URL(fileURLWithPath: "/fuzz/input")

    static func mapped(_ data: UnsafePointer<UInt8>, _ size: Int) -> MappedFile {
        MappedFile(copying: [UInt8](UnsafeBufferPointer(start: data, count: size)), url: url)
    }

    static func touchTensors(_ source: WeightSource) {
        for name in source.tensorNames.prefix(64) {
            guard let info = source.info(name) else { continue }
            _ = try? source.bytes(name)
            if info.shape.reduce(1, { $0.multipliedReportingOverflow(by: max($1, 0)).partialValue }) <= 1 << 22 {
                _ = try? source.loadFloat32(name)
            }
        }
    }
}
