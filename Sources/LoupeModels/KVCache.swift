import Foundation

/// Keys and values of past positions for one sequence, per layer: [maxPositions, nKV·dHead] each,
/// keys already rotated (rotary models). Generation passes one from step to step.
final class KVCache {
    let maxPositions: Int
    let kvDim: Int
    /// Positions filled so far.
    var length = 0
    let keys: [UnsafeMutablePointer<Float>]      // per layer: [maxPositions, nKV·dHead]
    let values: [UnsafeMutablePointer<Float>]    // per layer: [maxPositions, nKV·dHead]

    init(config c: ModelConfig, maxPositions: Int) {
        self.maxPositions = maxPositions
        kvDim = c.nKVHeads * c.dHead
        keys = (0..<c.nLayers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: maxPositions * c.nKVHeads * c.dHead) }
        values = (0..<c.nLayers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: maxPositions * c.nKVHeads * c.dHead) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }
}
