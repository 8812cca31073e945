import CKernels

/// glibc's heap kept for reuse across forward passes: every pass allocates its cache (hundreds of MB at a
/// few hundred positions) and frees the previous one. By default glibc hands such blocks back to the
/// kernel (mmap above a threshold, trimming the heap top), so each pass pays page faults and zero-filling
/// of fresh pages on its first write. `configured` (touch it before the first pass) makes blocks up to
/// 32 MB (glibc's maximum threshold) come from the heap and keeps up to 512 MB of free heap top.
public enum HeapReuse {
    public static let configured: Bool = {
        loupe_keep_heap(32 << 20, 512 << 20)
        return true
    }()
}
