/// A zero-filled Float buffer owned by one forward pass (one activation of the plan).
final class Buffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int) {
        self.count = max(count, 1)
        p = .allocate(capacity: self.count)
        p.initialize(repeating: 0, count: self.count)
    }

    deinit { p.deallocate() }
}
