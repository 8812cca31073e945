import Dispatch
import Foundation
#if canImport(Synchronization) && os(Linux)
import Synchronization

/// Worker threads for short parallel loops (one-token matvecs of 10–100 µs), where waking a parked
/// libdispatch worker costs as much as the work. Workers spin on a generation counter for a while
/// after each job, then park on a semaphore; the caller always runs tasks too and drains its own
/// job, so a busy or sleeping worker only costs speed, never correctness (and nested use is safe).
final class SpinPool: @unchecked Sendable {
    static let shared = SpinPool(workers: Swift.max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// One parallel loop: tasks are claimed from `next`; the caller waits for `done == count`.
    final class Job: @unchecked Sendable {
        let body: (Int) -> Void
        let count: Int
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)

        init(count: Int, body: @escaping (Int) -> Void) {
            self.count = count
            self.body = body
        }

        func work() {
            while true {
                let t = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if t >= count { return }
                body(t)
                done.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    let workers: Int
    private let current = Mutex<Job?>(nil)
    private let generation = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    /// Spin iterations before parking (~0.2–0.5 ms).
    private let spinLimit = 200_000

    init(workers: Int) {
        self.workers = workers
        for i in 0..<workers {
            let t = Thread { [unowned self] in self.workerLoop() }
            t.name = "loupe.spinpool.\(i)"
            t.start()
        }
    }

    /// Runs body(0..<count) across the caller and the workers; returns when all are done.
    func run(_ count: Int, _ body: @escaping (Int) -> Void) {
        if workers == 0 || count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        let job = Job(count: count, body: body)
        current.withLock { $0 = job }
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        let asleep = sleepers.load(ordering: .sequentiallyConsistent)
        for _ in 0..<Swift.min(asleep, count - 1) { wake.signal() }
        job.work()
        while job.done.load(ordering: .acquiring) < count {}
        current.withLock { if $0 === job { $0 = nil } }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins > spinLimit {
                    // Announce, re-check, then park: with sequentially consistent order either this
                    // load sees the new generation or `run` sees the sleeper and signals.
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                    spins = 0
                }
            }
            seen = generation.load(ordering: .acquiring)
            if let job = current.withLock({ $0 }) { job.work() }
        }
    }
}
#endif

/// Parallel loop over 0..<count used by the kernels and the forward pass: the spinning pool on Linux,
/// libdispatch elsewhere. One pool for every loop of a pass, so a worker spinning after one loop picks up
/// the next instead of competing for a core with another pool's threads.
public enum ParallelFor {
    public static func run(_ count: Int, _ body: @escaping (Int) -> Void) {
        #if canImport(Synchronization) && os(Linux)
        SpinPool.shared.run(count, body)
        #else
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
        #endif
    }
}
