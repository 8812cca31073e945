/// A Float buffer owned by one forward pass (one activation of the plan). Zero-filled unless `zeroed` is
/// false: the forward pass's planned buffers skip it, as every kernel writes its buffer in full before a
/// hook or a later kernel reads it.
final class Buffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int, zeroed: Bool = true) {
        self.count = max(count, 1)
        p = .allocate(capacity: self.count)
        if zeroed { p.initialize(repeating: 0, count: self.count) }
    }

    deinit { p.deallocate() }
}
