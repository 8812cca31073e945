import CKernels

/// glibc's heap kept for reuse across forward passes: every pass allocates its cache (hundreds of MB at a
/// few hundred positions) and frees the previous one. By default glibc hands such blocks back to the
/// kernel (mmap above a threshold, trimming the heap top), so each pass pays page faults and zero-filling
/// of fresh pages on its first write (a third of GPT-2-small's pass at 1024 tokens, whose cache is ~1.4 GB
/// in blocks of 50 MB and more). `configured` (touch it before the first pass) makes every block come from
/// the heap (glibc's mmap threshold stops at 32 MB, so mmap is turned off) and keeps up to 512 MB of free
/// heap top. The trade: a pass's freed activations stay in the process for the next pass to reuse
/// (resident memory stays near the largest pass's peak) instead of going back to the kernel.
public enum HeapReuse {
    /// One glibc arena for every thread; call at process start, before other threads exist. A thread with an
    /// arena of its own (the interpreter's thread runs the passes) keeps its blocks in 64 MB sub-heaps that
    /// glibc maps and returns on their own, so the settings of `configured` did not hold there: page faults
    /// a pass (`perf stat -e page-faults`, full cache) went from ~6,500 to ~370 for SmolLM2 at 256 tokens,
    /// ~5,500 to ~2,000 for GPT-2-small at 256, and ~1,500–1,800 to ~90 for GPT-2-small at 31–33 tokens
    /// (there by layout luck: some builds and lengths had none). The pool's workers barely allocate, so
    /// sharing the main arena costs no lock contention worth measuring.
    public static func singleArena() { loupe_single_heap_arena() }

    public static let configured: Bool = {
        loupe_keep_heap(32 << 20, 512 << 20, 1)
        return true
    }()
}
