// The measured alternative to oneDNN (bench only): bfloat16 products with f32 accumulation on AVX512_BF16 (vdpbf16ps): each instruction multiplies
// 16 pairs of bf16 from each operand and adds both products of a pair into one f32 lane.
//
// The weight stays as stored, [n, k] rows; the product is a tile of dot products: MR rows of `a` times
// NR rows of `w`, MR·NR zmm accumulators swept along k, reduced across lanes at the end of the row.
// No packing, so a one-token step reads each weight byte once (memory-bound), and a prompt reuses each
// 64-byte chunk of a weight row MR times from registers and the MR activation rows from L1/L2.
#include "bf16_kernels.h"

int dot_gemm_nt(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k,
                float *c, long ldc, int accumulate);

#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

// One MR × NR tile over the whole k: c[i, j] (+)= Σ_k a[i, k]·w[j, k].
#define TILE(MR, NR)                                                                                    \
    TARGET static void tile_##MR##x##NR(const uint16_t *a, long lda, const uint16_t *w, long ldw, long k, \
                                        float *c, long ldc, int accumulate) {                           \
        __m512 acc[MR][NR];                                                                             \
        for (int i = 0; i < MR; i++)                                                                    \
            for (int j = 0; j < NR; j++) acc[i][j] = _mm512_setzero_ps();                               \
        long p = 0;                                                                                     \
        for (; p + 32 <= k; p += 32) {                                                                  \
            __m512bh wv[NR];                                                                            \
            for (int j = 0; j < NR; j++) wv[j] = (__m512bh)_mm512_loadu_si512((const void *)(w + j * ldw + p)); \
            for (int i = 0; i < MR; i++) {                                                              \
                __m512bh av = (__m512bh)_mm512_loadu_si512((const void *)(a + i * lda + p));            \
                for (int j = 0; j < NR; j++) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], av, wv[j]);       \
            }                                                                                           \
        }                                                                                               \
        if (p < k) {                                                                                    \
            __mmask32 mk = (__mmask32)((1ull << (k - p)) - 1);                                          \
            __m512bh wv[NR];                                                                            \
            for (int j = 0; j < NR; j++) wv[j] = (__m512bh)_mm512_maskz_loadu_epi16(mk, w + j * ldw + p); \
            for (int i = 0; i < MR; i++) {                                                              \
                __m512bh av = (__m512bh)_mm512_maskz_loadu_epi16(mk, a + i * lda + p);                  \
                for (int j = 0; j < NR; j++) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], av, wv[j]);       \
            }                                                                                           \
        }                                                                                               \
        for (int i = 0; i < MR; i++)                                                                    \
            for (int j = 0; j < NR; j++) {                                                              \
                float v = _mm512_reduce_add_ps(acc[i][j]);                                              \
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + v : v;                                   \
            }                                                                                           \
    }

#define NR_MAX 6
#define MR_MAX 4
#define ROWS(MR) TILE(MR, 1) TILE(MR, 2) TILE(MR, 3) TILE(MR, 4) TILE(MR, 5) TILE(MR, 6)
ROWS(1)
ROWS(2)
ROWS(3)
ROWS(4)

typedef void (*tile_fn)(const uint16_t *, long, const uint16_t *, long, long, float *, long, int);
#define FNS(MR) {tile_##MR##x1, tile_##MR##x2, tile_##MR##x3, tile_##MR##x4, tile_##MR##x5, tile_##MR##x6}
static const tile_fn tiles[MR_MAX][NR_MAX] = {FNS(1), FNS(2), FNS(3), FNS(4)};

int dot_gemm_nt(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k,
                       float *c, long ldc, int accumulate) {
    if (!loupe_bf16_supported()) return 0;
    // A panel of weight rows is swept by every tile of activation rows while it is hot in L1/L2.
    long panel = 48;
    for (long j0 = 0; j0 < n; j0 += panel) {
        long jn = n - j0 < panel ? n - j0 : panel;
        for (long i = 0; i < m; i += MR_MAX) {
            long mr = m - i < MR_MAX ? m - i : MR_MAX;
            for (long j = j0; j < j0 + jn; j += NR_MAX) {
                long nr = j0 + jn - j < NR_MAX ? j0 + jn - j : NR_MAX;
                tiles[mr - 1][nr - 1](a + i * lda, lda, w + j * ldw, ldw, k, c + i * ldc + j, ldc, accumulate);
            }
        }
    }
    return 1;
}
