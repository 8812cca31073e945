// Heap tuning for the forward pass's large, short-lived activation buffers (see HeapReuse.swift).
#include "ckernels.h"
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void loupe_keep_heap(long mmapThreshold, long trimThreshold, int heapOnly) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, (int)mmapThreshold);
    mallopt(M_TRIM_THRESHOLD, (int)trimThreshold);
    // glibc caps the threshold at 32 MB; blocks above it are mmapped, so every pass's large activations
    // (scores and pattern of long prompts, the logits) would be fresh pages unless mmap is off altogether.
    if (heapOnly) mallopt(M_MMAP_MAX, 0);
#else
    (void)mmapThreshold; (void)trimThreshold; (void)heapOnly;
#endif
}

void loupe_single_heap_arena(void) {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 1);
#endif
}
