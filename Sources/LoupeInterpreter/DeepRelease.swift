import Foundation

/// Frees deeply nested lists and dicts without deep recursion (CPython's "trashcan"): releasing a list
/// releases its items, each of which may free another list, one stack frame per level, so a list nested
/// 100 000 deep (`x = [x]` in a loop) would overflow the stack when dropped. Past `maxDepth` nested
/// releases the items are parked and freed by the outermost release in a loop.
enum DeepRelease {
    static let maxDepth = 200

    final class State {
        var depth = 0
        var parked: [[Value]] = []
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

    /// Called from a container's deinit with its items: frees them now, or parks them when deep.
    static func release(_ items: inout [Value]) {
        guard items.contains(where: \.isContainer) else { return }  // flat: nothing nested to free
        let state = self.state
        if state.depth >= maxDepth {
            state.parked.append(items)
            items = []
            return
        }
        state.depth += 1
        items = []  // frees the children here, one level deeper
        if state.depth == 1 {
            while !state.parked.isEmpty { _ = state.parked.removeLast() }  // each removal frees one parked level
        }
        state.depth -= 1
    }
}

extension Value {
    var isContainer: Bool {
        switch self {
        case .list, .dict, .tuple: return true
        default: return false
        }
    }
}
