import Foundation

/// Frees deeply nested values without deep recursion (CPython's "trashcan"). Releasing a list releases
/// its items, each of which may free another list, several stack frames per level, so a value nested
/// 100 000 deep (`x = [x]`, `t = (t,)`, `p = partial(f, p)`, closures capturing closures, in a loop)
/// would overflow the stack when dropped. Every object that holds values (lists, dicts, tuples,
/// functions and their frames, bound methods, host objects such as `partial`) hands them to `release`
/// from its deinit: past `maxDepth` nested releases they are parked, and the outermost release frees
/// the parked values one at a time in a loop.
public enum DeepRelease {
    /// Nested deinits allowed before values are parked: a few hundred bytes of stack each, so well
    /// inside the 512 KB of a secondary thread.
    static let maxDepth = 100

    final class State {
        var depth = 0
        /// Values waiting to be freed by the outermost release on this thread.
        var parked: [Value] = []
    }

    /// Each thread's `State`, in thread-specific storage (released when the thread ends).
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in
            if let p { Unmanaged<State>.fromOpaque(p).release() }
        }
        return k
    }()

    private static var state: State {
        if let p = pthread_getspecific(key) { return Unmanaged<State>.fromOpaque(p).takeUnretainedValue() }
        let s = State()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// Called from a deinit with the values the object holds: frees them now, or parks them when deep.
    public static func release(_ items: inout [Value]) {
        guard items.contains(where: \.holdsValues) else { return }  // flat: nothing nested to free
        var work: [Value] = []
        swap(&work, &items)
        free(&work)
    }

    public static func release(_ slots: inout ContiguousArray<Value?>) {
        guard slots.contains(where: { $0?.holdsValues ?? false }) else { return }
        var work: [Value] = []
        for case let v? in slots where v.holdsValues { work.append(v) }
        slots = []
        free(&work)
    }

    public static func release(_ items: inout [Value?]) {
        guard items.contains(where: { $0?.holdsValues ?? false }) else { return }
        var work: [Value] = []
        for case let v? in items where v.holdsValues { work.append(v) }
        items = []
        free(&work)
    }

    public static func release(_ value: inout Value) {
        guard value.holdsValues else { return }
        var work = [value]
        value = .none
        free(&work)
    }

    /// Drops `work`'s values one at a time (each drop may run a nested deinit that comes back here one
    /// level deeper), then, at the outermost level, the parked values the same way.
    ///
    /// Unoptimized on purpose: Swift may end a value's lifetime at its last use, and the optimizer
    /// moved the drop of the items above the `depth += 1` store (so nested releases never saw the depth
    /// and recursed 100 000 deep). Here each drop stays after the `popLast` that takes it, between the
    /// two stores.
    @_optimize(none) @inline(never)
    private static func free(_ work: inout [Value]) {
        let state = self.state
        if state.depth >= maxDepth {
            state.parked.append(contentsOf: work)
            work = []
            return
        }
        state.depth += 1
        defer { state.depth -= 1 }
        while let v = work.popLast() { _ = v }
        guard state.depth == 1 else { return }
        // each `popLast` is a separate access: the drop after it may park more values
        while let v = state.parked.popLast() { _ = v }
    }
}

extension Value {
    /// Whether dropping this value can free other values (and so nest).
    var holdsValues: Bool {
        switch self {
        case .list, .dict, .tuple, .function, .method, .host: return true
        default: return false
        }
    }
}
