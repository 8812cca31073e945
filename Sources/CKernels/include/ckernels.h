#ifndef LOUPE_CKERNELS_H
#define LOUPE_CKERNELS_H

// Elementwise and row kernels of the forward pass with an AVX-512 body chosen at run time (CPUID) and
// a portable scalar body otherwise. Buffers are Float32, row-major; out may alias x.

/// 1 when the AVX-512 bodies run (the CPU has AVX512F and they are not switched off).
int loupe_avx512_active(void);
/// Switches the AVX-512 bodies off (0) or back on where the CPU has them (1); for tests.
void loupe_set_avx512(int enabled);

/// GELU, tanh form (GPT-2's gelu_new): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
void loupe_gelu_tanh(const float *x, float *out, long n);
/// GELU, exact: 0.5·x·(1 + erf(x/√2)).
void loupe_gelu_erf(const float *x, float *out, long n);
/// x·σ(beta·x): SiLU with beta 1, CLIP's quick_gelu with beta 1.702.
void loupe_silu(const float *x, float *out, long n, float beta);
/// Row softmax of x[rows, cols] with the row maximum subtracted; −∞ becomes exactly 0 and a row of
/// only −∞ becomes zeros.
void loupe_softmax_rows(const float *x, float *out, long rows, long cols);

/// glibc: allocations up to `mmapThreshold` bytes come from the heap (all of them when `heapOnly`: glibc
/// then maps none on its own, except when the heap cannot grow), and up to `trimThreshold` bytes of free
/// heap top stay mapped for reuse (no-op elsewhere).
void loupe_keep_heap(long mmapThreshold, long trimThreshold, int heapOnly);
/// Every thread allocates from glibc's main arena (call before other threads start).
void loupe_single_heap_arena(void);

#endif
