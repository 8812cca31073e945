// Heap tuning for the forward pass's large, short-lived activation buffers (see HeapReuse.swift).
#include "ckernels.h"
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void loupe_keep_heap(long mmapThreshold, long trimThreshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, (int)mmapThreshold);
    mallopt(M_TRIM_THRESHOLD, (int)trimThreshold);
#else
    (void)mmapThreshold; (void)trimThreshold;
#endif
}
