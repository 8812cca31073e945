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
    public static let configured: Bool = {
        loupe_keep_heap(32 << 20, 512 << 20, 1)
        return true
    }()
}
