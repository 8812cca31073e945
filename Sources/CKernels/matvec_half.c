// One position through a half-precision [k, n] matrix. A thread takes a range of rows and keeps the whole
// output row as its accumulator (n floats: 20 KiB for GPT-2 large's widest, in L1/L2), adding four rows per
// pass (one or two at the ends of a range; four instead of two: 20–25 → 30–34 GB/s on gpt2-large's 1280 × 5120
// from memory, two threads), so the weights stream from memory in the order they are stored and the hardware prefetchers see one
// sequential stream; the caller adds the threads' accumulators. Widening is exact (bf16: a shift; f16:
// vcvtph2ps), the products are f32 fused multiply-adds.
#include "matvec_half.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

static int mvh_state = -1;   // -1: not probed yet

static int cpu_has_matvec_half(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("f16c");
}

int loupe_matvec_half_active(void) {
    if (mvh_state < 0) { mvh_state = cpu_has_matvec_half(); }
    return mvh_state;
}

void loupe_set_matvec_half(int enabled) { mvh_state = enabled ? cpu_has_matvec_half() : 0; }

#define MVH __attribute__((target("avx512f,avx512bw,avx512vl,f16c,avx2")))

/// 16 stored halves at p widened to f32; lanes past `m` (< 16) read as 0 and are not loaded.
MVH static inline __m512 widen16(const unsigned short *p, int is_bf16, __mmask16 m) {
    __m256i h = _mm256_maskz_loadu_epi16(m, p);
    if (is_bf16) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
    return _mm512_cvtph_ps(h);
}

MVH static inline __m512 widen16_full(const unsigned short *p, int is_bf16) {
    __m256i h = _mm256_loadu_si256((const __m256i *)p);
    if (is_bf16) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
    return _mm512_cvtph_ps(h);
}

/// acc[c] (+)= x0·W0[c] + x1·W1[c] for c < n (`first`: overwrite; `two` == 0: the x0 row alone).
MVH static inline void rows_pass(const unsigned short *w0, const unsigned short *w1, float x0, float x1, long n,
                                 int is_bf16, float *acc, int first, int two) {
    const __m512 a0 = _mm512_set1_ps(x0), a1 = _mm512_set1_ps(x1);
    long c = 0;
    for (; c + 64 <= n; c += 64) {
        for (int j = 0; j < 4; j++) {
            __m512 s = first ? _mm512_setzero_ps() : _mm512_loadu_ps(acc + c + 16 * j);
            s = _mm512_fmadd_ps(a0, widen16_full(w0 + c + 16 * j, is_bf16), s);
            if (two) { s = _mm512_fmadd_ps(a1, widen16_full(w1 + c + 16 * j, is_bf16), s); }
            _mm512_storeu_ps(acc + c + 16 * j, s);
        }
    }
    for (; c < n; c += 16) {
        const long left = n - c;
        const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        __m512 s = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m, acc + c);
        s = _mm512_fmadd_ps(a0, widen16(w0 + c, is_bf16, m), s);
        if (two) { s = _mm512_fmadd_ps(a1, widen16(w1 + c, is_bf16, m), s); }
        _mm512_mask_storeu_ps(acc + c, m, s);
    }
}


/// acc[c] (+)= Σ_{j<4} xj·Wj[c] (`first`: overwrite).
MVH static inline void rows_pass4(const unsigned short *w, long ldw, const float *x, long n, int is_bf16, float *acc,
                                  int first) {
    const __m512 a0 = _mm512_set1_ps(x[0]), a1 = _mm512_set1_ps(x[1]), a2 = _mm512_set1_ps(x[2]), a3 = _mm512_set1_ps(x[3]);
    const unsigned short *w0 = w, *w1 = w + ldw, *w2 = w + 2 * ldw, *w3 = w + 3 * ldw;
    long c = 0;
    for (; c + 32 <= n; c += 32) {
        for (int j = 0; j < 2; j++) {
            const long o = c + 16 * j;
            __m512 s = first ? _mm512_setzero_ps() : _mm512_loadu_ps(acc + o);
            s = _mm512_fmadd_ps(a0, widen16_full(w0 + o, is_bf16), s);
            s = _mm512_fmadd_ps(a1, widen16_full(w1 + o, is_bf16), s);
            s = _mm512_fmadd_ps(a2, widen16_full(w2 + o, is_bf16), s);
            s = _mm512_fmadd_ps(a3, widen16_full(w3 + o, is_bf16), s);
            _mm512_storeu_ps(acc + o, s);
        }
    }
    for (; c < n; c += 16) {
        const long left = n - c;
        const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        __m512 s = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m, acc + c);
        s = _mm512_fmadd_ps(a0, widen16(w0 + c, is_bf16, m), s);
        s = _mm512_fmadd_ps(a1, widen16(w1 + c, is_bf16, m), s);
        s = _mm512_fmadd_ps(a2, widen16(w2 + c, is_bf16, m), s);
        s = _mm512_fmadd_ps(a3, widen16(w3 + c, is_bf16, m), s);
        _mm512_mask_storeu_ps(acc + c, m, s);
    }
}

MVH static void rows_avx512(const unsigned short *w, long ldw, int is_bf16, long i0, long i1, long n,
                            const float *x, float *acc) {
    if (i0 >= i1) { memset(acc, 0, (size_t)n * sizeof(float)); return; }
    // An odd count starts with one row alone.
    long i = i0;
    if ((i1 - i0) & 1) {
        rows_pass(w + i * ldw, w + i * ldw, x[i], 0.0f, n, is_bf16, acc, 1, 0);
        i += 1;
    } else {
        rows_pass(w + i * ldw, w + (i + 1) * ldw, x[i], x[i + 1], n, is_bf16, acc, 1, 1);
        i += 2;
    }
    for (; i + 4 <= i1; i += 4) {
        rows_pass4(w + i * ldw, ldw, x + i, n, is_bf16, acc, 0);
    }
    for (; i < i1; i += 2) {
        rows_pass(w + i * ldw, w + (i + 1) * ldw, x[i], x[i + 1], n, is_bf16, acc, 0, 1);
    }
}

int loupe_matvec_half_rows(const unsigned short *w, long ldw, int is_bf16, long i0, long i1, long n,
                           const float *x, float *acc) {
    if (!loupe_matvec_half_active()) { return 0; }
    rows_avx512(w, ldw, is_bf16, i0, i1, n, x, acc);
    return 1;
}

#else

int loupe_matvec_half_active(void) { return 0; }
void loupe_set_matvec_half(int enabled) { (void)enabled; }
int loupe_matvec_half_rows(const unsigned short *w, long ldw, int is_bf16, long i0, long i1, long n,
                           const float *x, float *acc) {
    (void)w; (void)ldw; (void)is_bf16; (void)i0; (void)i1; (void)n; (void)x; (void)acc;
    return 0;
}

#endif
