// bfloat16 products for few rows of activations on weights stored [k, n] (GPT-2's Conv1D as the checkpoint
// has it), with vdpbf16ps and no packing. vdpbf16ps multiplies pairs along k, so each step loads the same 32
// columns of two consecutive weight rows and interleaves them (vpunpcklwd / vpunpckhwd: 16 pairs each, in an
// order that mixes the columns within 128-bit lanes), then multiplies them against each activation row's pair
// (a[r, p], a[r, p + 1]) broadcast to every lane. A tile is up to 12 rows × 32 columns (24 accumulators); a
// column panel [k, 32] is read from memory once, by the first group of rows (the next rows prefetched), and
// from cache by the others. The columns are put back in order when a tile is stored.
// oneDNN multiplies this layout on an OpenMP team after copying the weights into its own layout on every call.
#include "bf16_kernels.h"

#include <immintrin.h>
#include <string.h>

#define KN_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))
/// Activation rows per tile.
#define KN_MR 12
/// Weight rows ahead of the current pair that the first group of rows prefetches.
#define KN_PF 16

/// Tile of MR rows × 32 columns: c[r, 0..<32 masked by cm] (+)= Σ_p a[r, p] · w[p, col].
#define KN_TILE(MR)                                                                                              \
KN_TARGET static void kn_tile_##MR(const uint16_t *a, long lda, const uint16_t *w, long ldw, long k, __mmask32 cm,  \
                                   float *c, long ldc, int accumulate, int prefetch) {                             \
    __m512 lo_acc[MR], hi_acc[MR];                                                                                 \
    for (int r = 0; r < MR; r++) { lo_acc[r] = _mm512_setzero_ps(); hi_acc[r] = _mm512_setzero_ps(); }           \
    long p = 0;                                                                                                    \
    for (; p + 2 <= k; p += 2) {                                                                                   \
        const __m512i r0 = _mm512_maskz_loadu_epi16(cm, w + p * ldw);                                              \
        const __m512i r1 = _mm512_maskz_loadu_epi16(cm, w + (p + 1) * ldw);                                        \
        if (prefetch && p + KN_PF + 1 < k) {                                                                       \
            _mm_prefetch((const char *)(w + (p + KN_PF) * ldw), _MM_HINT_T0);                                      \
            _mm_prefetch((const char *)(w + (p + KN_PF + 1) * ldw), _MM_HINT_T0);                                  \
        }                                                                                                          \
        const __m512bh lo = (__m512bh)_mm512_unpacklo_epi16(r0, r1);                                               \
        const __m512bh hi = (__m512bh)_mm512_unpackhi_epi16(r0, r1);                                               \
        for (int r = 0; r < MR; r++) {                                                                             \
            uint32_t x;                                                                                            \
            memcpy(&x, a + r * lda + p, 4);                                                                        \
            const __m512bh b = (__m512bh)_mm512_set1_epi32((int)x);                                                \
            lo_acc[r] = _mm512_dpbf16_ps(lo_acc[r], lo, b);                                                        \
            hi_acc[r] = _mm512_dpbf16_ps(hi_acc[r], hi, b);                                                        \
        }                                                                                                          \
    }                                                                                                              \
    if (p < k) {                                   /* odd k: the last weight row paired with zeros */              \
        const __m512i r0 = _mm512_maskz_loadu_epi16(cm, w + p * ldw), z = _mm512_setzero_si512();                 \
        const __m512bh lo = (__m512bh)_mm512_unpacklo_epi16(r0, z);                                                \
        const __m512bh hi = (__m512bh)_mm512_unpackhi_epi16(r0, z);                                                \
        for (int r = 0; r < MR; r++) {                                                                             \
            const __m512bh b = (__m512bh)_mm512_set1_epi32((int)(uint32_t)a[r * lda + p]);                         \
            lo_acc[r] = _mm512_dpbf16_ps(lo_acc[r], lo, b);                                                        \
            hi_acc[r] = _mm512_dpbf16_ps(hi_acc[r], hi, b);                                                        \
        }                                                                                                          \
    }                                                                                                              \
    store_rows(lo_acc, hi_acc, MR, cm, c, ldc, accumulate);                                                        \
}

/// Puts each row's columns back in order and stores them: lane j of 128-bit lane L of `lo` holds column
/// 8L + j, of `hi` column 8L + 4 + j (j < 4).
KN_TARGET static inline void store_rows(const __m512 *lo, const __m512 *hi, int mr, __mmask32 cm, float *c, long ldc,
                                        int accumulate) {
    const __m512i first = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const __m512i second = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    const __mmask16 m0 = (__mmask16)(cm & 0xFFFF), m1 = (__mmask16)(cm >> 16);
    for (int r = 0; r < mr; r++) {
        __m512 v0 = _mm512_permutex2var_ps(lo[r], first, hi[r]);
        __m512 v1 = _mm512_permutex2var_ps(lo[r], second, hi[r]);
        float *row = c + r * ldc;
        if (accumulate) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, row));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, row + 16));
        }
        _mm512_mask_storeu_ps(row, m0, v0);
        _mm512_mask_storeu_ps(row + 16, m1, v1);
    }
}

KN_TILE(1) KN_TILE(2) KN_TILE(3) KN_TILE(4) KN_TILE(5) KN_TILE(6)
KN_TILE(7) KN_TILE(8) KN_TILE(9) KN_TILE(10) KN_TILE(11) KN_TILE(12)

typedef void (*kn_tile_fn)(const uint16_t *, long, const uint16_t *, long, long, __mmask32, float *, long, int, int);
static const kn_tile_fn kn_tiles[KN_MR] = {kn_tile_1, kn_tile_2, kn_tile_3, kn_tile_4, kn_tile_5, kn_tile_6,
                                           kn_tile_7, kn_tile_8, kn_tile_9, kn_tile_10, kn_tile_11, kn_tile_12};

int loupe_bf16_kn_gemm(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c,
                       long ldc, int accumulate) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512bf16") || !__builtin_cpu_supports("avx512bw")) { return -1; }
    if (m <= 0 || n <= 0) { return 0; }
    for (long j = 0; j < n; j += 32) {
        const long nb = n - j < 32 ? n - j : 32;
        const __mmask32 cm = nb == 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << nb) - 1);
        for (long r = 0; r < m; r += KN_MR) {
            const long mr = m - r < KN_MR ? m - r : KN_MR;
            kn_tiles[mr - 1](a + r * lda, lda, w + j, ldw, k, cm, c + r * ldc + j, ldc, accumulate, r == 0);
        }
    }
    return 0;
}
