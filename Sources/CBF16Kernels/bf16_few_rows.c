// bfloat16 products for few rows of activations (prompts of up to a few dozen positions) on the weights as
// stored [n, k], with vdpbf16ps and no packing. At these sizes a product is bound by both the weights' stream
// from memory and the vdpbf16ps units; oneDNN's brgemm copies each block of weights into its packed layout and
// then multiplies, one after the other. Here each weight row is read once, straight from memory into the
// products, with the next lines prefetched while the current ones are multiplied. Two tilings:
//  - dot tiles (a handful of rows): MR activation rows × NR weight rows of dot products along k, reduced
//    across lanes at the end;
//  - broadcast tiles (up to 48 rows): the activations transposed once into pairs along k, each weight pair
//    broadcast against 16 rows at a time.
// Measured against oneDNN in bench/bf16/small_m.sh (bench/RESULTS.md).
#include "bf16_kernels.h"

#include <cpuid.h>
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

/// Weight rows per tile (NR) and activation rows per tile (up to MR_MAX): NR × MR accumulators in zmm.
#define NR 3
#define MR_MAX 8
/// Inputs per pass over one tile: the activations' slice [m, KC] stays in L2 while the tiles sweep it.
#define KC 4096

/// The next tile's weight rows, prefetched into L2 a few cache lines per step of the current tile's sweeps.
typedef struct {
    const char *base;      // first row's first byte (NULL: nothing to prefetch)
    long ld;               // bytes between rows
    long rows, lines;      // rows, and 64-byte lines per row
    long next;             // next line to fetch, rows interleaved: row = next % rows
    int per_step;
} prefetch;

static inline void prefetch_step(prefetch *f) {
    for (int q = 0; q < f->per_step; q++) {
        long line = f->next;
        if (!f->base || line >= f->rows * f->lines) return;
        _mm_prefetch(f->base + (line % f->rows) * f->ld + (line / f->rows) * 64, _MM_HINT_T1);
        f->next = line + 1;
    }
}

// c[i, j] (+)= Σ_p a[i, p]·w[j, p] for an MR × nr tile (nr ≤ NR), p over [0, kc); each step of 32 inputs
// also prefetches part of the next tile.
#define TILE(MR)                                                                                             \
    TARGET static void tile_##MR(const uint16_t *a, long lda, const uint16_t *w, long ldw, int nr, long kc,   \
                                 float *c, long ldc, int add, prefetch *pf) {                                  \
        __m512 acc[MR][NR];                                                                                    \
        _Pragma("GCC unroll 8") for (int i = 0; i < MR; i++)                                                   \
            _Pragma("GCC unroll 4") for (int j = 0; j < NR; j++) acc[i][j] = _mm512_setzero_ps();              \
        const uint16_t *w1 = w + (nr > 1 ? ldw : 0), *w2 = w + (nr > 2 ? 2 * ldw : 0);                         \
        long p = 0;                                                                                            \
        for (; p + 32 <= kc; p += 32) {                                                                        \
            prefetch_step(pf);                                                                                 \
            __m512bh w0v = (__m512bh)_mm512_loadu_si512((const void *)(w + p));                                \
            __m512bh w1v = (__m512bh)_mm512_loadu_si512((const void *)(w1 + p));                               \
            __m512bh w2v = (__m512bh)_mm512_loadu_si512((const void *)(w2 + p));                               \
            _Pragma("GCC unroll 8") for (int i = 0; i < MR; i++) {                                             \
                __m512bh av = (__m512bh)_mm512_loadu_si512((const void *)(a + i * lda + p));                   \
                acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, w0v);                                              \
                acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, w1v);                                              \
                acc[i][2] = _mm512_dpbf16_ps(acc[i][2], av, w2v);                                              \
            }                                                                                                  \
        }                                                                                                      \
        if (p < kc) {                                                                                          \
            __mmask32 mk = (__mmask32)((1ull << (kc - p)) - 1);                                                \
            __m512bh w0v = (__m512bh)_mm512_maskz_loadu_epi16(mk, w + p);                                      \
            __m512bh w1v = (__m512bh)_mm512_maskz_loadu_epi16(mk, w1 + p);                                     \
            __m512bh w2v = (__m512bh)_mm512_maskz_loadu_epi16(mk, w2 + p);                                     \
            _Pragma("GCC unroll 8") for (int i = 0; i < MR; i++) {                                             \
                __m512bh av = (__m512bh)_mm512_maskz_loadu_epi16(mk, a + i * lda + p);                         \
                acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, w0v);                                              \
                acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, w1v);                                              \
                acc[i][2] = _mm512_dpbf16_ps(acc[i][2], av, w2v);                                              \
            }                                                                                                  \
        }                                                                                                      \
        _Pragma("GCC unroll 8") for (int i = 0; i < MR; i++) {                                                 \
            for (int j = 0; j < nr; j++) {                                                                     \
                float v = _mm512_reduce_add_ps(acc[i][j]);                                                     \
                c[i * ldc + j] = add ? c[i * ldc + j] + v : v;                                                 \
            }                                                                                                  \
        }                                                                                                      \
    }

TILE(1)
TILE(2)
TILE(3)
TILE(4)
TILE(5)
TILE(6)
TILE(7)
TILE(8)

typedef void (*tile_fn)(const uint16_t *, long, const uint16_t *, long, int, long, float *, long, int, prefetch *);
static const tile_fn tiles[MR_MAX] = {tile_1, tile_2, tile_3, tile_4, tile_5, tile_6, tile_7, tile_8};

static int dot_rows_override = -1;

/// 28 on AMD family 0x19 (Zen 4), 4 elsewhere: cpuid leaf 0's vendor and leaf 1's extended family.
static int dot_rows_default(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) { return 4; }
    const int amd = ebx == 0x68747541u && edx == 0x69746e65u && ecx == 0x444d4163u;   // "AuthenticAMD"
    if (!amd || !__get_cpuid(1, &eax, &ebx, &ecx, &edx)) { return 4; }
    const unsigned family = ((eax >> 8) & 0xF) + (((eax >> 8) & 0xF) == 0xF ? ((eax >> 20) & 0xFF) : 0);
    return family == 0x19 ? 28 : 4;
}

int loupe_bf16_dot_rows_max(void) {
    static int probed = -1;
    if (dot_rows_override >= 0) { return dot_rows_override; }
    if (probed < 0) { probed = dot_rows_default(); }
    return probed;
}

void loupe_bf16_set_dot_rows_max(int rows) { dot_rows_override = rows < 0 ? -1 : rows; }

int loupe_bf16_dot_gemm(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c,
                        long ldc, int accumulate) {
    if (!loupe_bf16_supported()) return -1;
    if (m <= 0 || n <= 0) return 0;
    // The rows of a split as evenly as possible into tiles of at most MR_MAX.
    long mtiles = (m + MR_MAX - 1) / MR_MAX;
    for (long j = 0; j < n; j += NR) {
        int nr = n - j < NR ? (int)(n - j) : NR;
        const uint16_t *wj = w + j * ldw;
        // The next tile's rows, prefetched into L2 spread over this tile's steps.
        long next = j + NR < n ? j + NR : n;
        int next_rows = n - next < NR ? (int)(n - next) : NR;
        for (long p0 = 0; p0 < k; p0 += KC) {
            long kc = k - p0 < KC ? k - p0 : KC;
            prefetch pf = {next_rows > 0 ? (const char *)(w + next * ldw + p0) : NULL, 2 * ldw, next_rows,
                           (kc * 2 + 63) / 64, 0, (int)((next_rows + mtiles - 1) / mtiles)};
            long i = 0;
            for (long t = 0; t < mtiles; t++) {
                long rows = (m - i) / (mtiles - t) + ((m - i) % (mtiles - t) != 0);
                tiles[rows - 1](a + i * lda + p0, lda, wj + p0, ldw, nr, kc, c + i * ldc + j, ldc, accumulate || p0 > 0,
                                &pf);
                i += rows;
            }
        }
    }
    return 0;
}

// Broadcast tiles (up to 48 rows): the activations are transposed once into pairs along k,
// at[kp, mpad] (32-bit: a[i, 2kp], a[i, 2kp+1]), so one zmm holds a k-pair of 16 rows; each weight pair
// w[j, 2kp..2kp+1] is broadcast from the row as stored (vdpbf16ps's {1to16}). A tile is NR weight rows × MV
// vectors of 16 activation rows, NR·MV zmm accumulators of c's columns; the weights stream through once.

/// Inputs per pass of the broadcast tiles: the activations' pairs [KCB/2, mpad] of a pass stay in L2 (1 MB here) while
/// the tiles sweep them; 16384 keeps the 8B's down projection (k = 14336) in one pass (bench/bf16/small_m.sh:
/// 1.34× oneDNN at 32 rows against 1.0× with passes of 4096).
#define KCB 16384
/// Each weight row's cache line PF_DIST lines ahead is prefetched into L2 once per 16 pairs (PF_HINT): 1.2×
/// at the 8B's shapes against none; 2–12 lines measured, 3–4 best.
/// (Both can be set from the compiler's command line for bench sweeps: -DPF_DIST=8 -DPF_HINT=_MM_HINT_T0.)
#ifndef PF_HINT
#define PF_HINT _MM_HINT_T1
#endif
#ifndef PF_DIST
#define PF_DIST 4
#endif

/// A 32-bit pair of bf16 at any even or odd address.
typedef uint32_t pair_u32 __attribute__((aligned(1), may_alias));

// acc[j][v] lanes are c[16v + lane, j]: c (+)= acc, rows below m only.
TARGET static inline void store_columns(__m512 acc, float *c, long ldc, int v, long m, int add) {
    long r0 = 16L * v;
    if (r0 >= m) return;
    __mmask16 mk = (__mmask16)(m - r0 >= 16 ? 0xFFFF : ((1u << (m - r0)) - 1));
    __m512i idx = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                     _mm512_set1_epi32((int)ldc));
    float *base = c + r0 * ldc;
    if (add) acc = _mm512_add_ps(acc, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mk, idx, base, 4));
    _mm512_mask_i32scatter_ps(base, mk, idx, acc, 4);
}

#define BTILE(MV, NR)                                                                                        \
    TARGET static void btile_##MV##_##NR(const uint32_t *at, long mpad, const uint16_t *w, long ldw, int nr,    \
                                         long kp, float *c, long ldc, long m, int add) {                       \
        __m512 acc[NR][MV];                                                                                    \
        const pair_u32 *row[NR];                                                                               \
        _Pragma("GCC unroll 16") for (int j = 0; j < NR; j++) {                                                \
            row[j] = (const pair_u32 *)(w + (j < nr ? j : nr - 1) * ldw);                                      \
            _Pragma("GCC unroll 3") for (int v = 0; v < MV; v++) acc[j][v] = _mm512_setzero_ps();              \
        }                                                                                                      \
        for (long p = 0; p < kp; p++) {                                                                        \
            if ((p & 15) == 0)                                                                      \
                _Pragma("GCC unroll 16") for (int j = 0; j < NR; j++) _mm_prefetch((const char *)(row[j] + p + 16 * PF_DIST), PF_HINT); \
            __m512bh av[MV];                                                                                   \
            _Pragma("GCC unroll 3") for (int v = 0; v < MV; v++)                                               \
                av[v] = (__m512bh)_mm512_loadu_si512((const void *)(at + p * mpad + 16 * v));                  \
            _Pragma("GCC unroll 16") for (int j = 0; j < NR; j++) {                                            \
                __m512bh wv = (__m512bh)_mm512_set1_epi32((int)row[j][p]);                                     \
                _Pragma("GCC unroll 3") for (int v = 0; v < MV; v++) acc[j][v] = _mm512_dpbf16_ps(acc[j][v], av[v], wv); \
            }                                                                                                  \
        }                                                                                                      \
        for (int j = 0; j < nr; j++)                                                                           \
            _Pragma("GCC unroll 3") for (int v = 0; v < MV; v++) store_columns(acc[j][v], c + j, ldc, v, m, add); \
    }

BTILE(1, 16)
BTILE(2, 12)
BTILE(3, 8)

typedef void (*btile_fn)(const uint32_t *, long, const uint16_t *, long, int, long, float *, long, long, int);

/// Rows past 32 (up to this many) go through the dot tiles on each tile's weight rows while they are in L1/L2,
/// instead of a third vector of 16 rows that would be mostly padding.
#define REST_MAX 8

/// The rows of an m-row product that the broadcast tiles take (the rest go to dot tiles), and their padding to
/// whole vectors of 16.
static long broadcast_rows(long m) { return m > 32 && m - 32 <= REST_MAX ? 32 : m; }
static long padded_rows(long m) { return (broadcast_rows(m) + 15) / 16 * 16; }

long loupe_bf16_pairs_count(long m, long k) {
    if (m <= 0 || m > 48 || k <= 0) return 0;
    return (k + 1) / 2 * padded_rows(m);
}

// pairs[kp, mpad] = a[i, 2kp], a[i, 2kp + 1] of the broadcast rows i (zero rows up to mpad; a zero partner
// past an odd k), 16 rows at a time gathered from the rows as stored.
TARGET static void transpose_pairs(const uint16_t *a, long lda, long m, long k, uint32_t *pairs) {
    long rows = broadcast_rows(m), mpad = padded_rows(m), kps = (k + 1) / 2, whole = k / 2;
    for (long v = 0; v < mpad / 16; v++) {
        long r0 = 16 * v;
        __mmask16 mk = (__mmask16)(rows - r0 >= 16 ? 0xFFFF : ((1u << (rows - r0)) - 1));
        __m512i idx = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                         _mm512_set1_epi32((int)lda));   // element offsets of the rows
        const uint16_t *base = a + r0 * lda;
        for (long q = 0; q < whole; q++) {
            __m512i g = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), mk, idx, (const void *)(base + 2 * q), 2);
            _mm512_store_si512((void *)(pairs + q * mpad + r0), g);
        }
        if (whole < kps) {                                                // odd k: the last input, partner zero
            for (long i = 0; i < 16; i++)
                pairs[whole * mpad + r0 + i] = r0 + i < rows ? base[i * lda + 2 * whole] : 0;
        }
    }
}

int loupe_bf16_pairs(const uint16_t *a, long lda, long m, long k, uint32_t *pairs) {
    if (!loupe_bf16_supported()) return -1;
    if (m <= 0 || m > 48 || k <= 0) return -2;
    if (m * lda > 0x7FFFFFFFL) return -2;                                 // the gather's 32-bit offsets
    transpose_pairs(a, lda, m, k, pairs);
    return 0;
}

int loupe_bf16_bcast_gemm_pairs(const uint32_t *pairs, const uint16_t *a, long lda, long m, const uint16_t *w, long ldw,
                                long n, long k, float *c, long ldc, int accumulate) {
    if (!loupe_bf16_supported()) return -1;
    if (m <= 0 || n <= 0) return 0;
    if (m > 48 || k % 2 != 0) return -2;
    long rows = broadcast_rows(m), rest = m - rows, mpad = padded_rows(m), mv = mpad / 16;
    int nr_max = mv == 1 ? 16 : mv == 2 ? 12 : 8;
    btile_fn fn = mv == 1 ? btile_1_16 : mv == 2 ? btile_2_12 : btile_3_8;
    for (long p0 = 0; p0 < k; p0 += KCB) {
        long kc = k - p0 < KCB ? k - p0 : KCB;
        for (long j = 0; j < n; j += nr_max) {
            int nr = n - j < nr_max ? (int)(n - j) : nr_max;
            int add = accumulate || p0 > 0;
            fn(pairs + p0 / 2 * mpad, mpad, w + j * ldw + p0, ldw, nr, kc / 2, c + j, ldc, rows, add);
            if (rest) loupe_bf16_dot_gemm(a + rows * lda + p0, lda, rest, w + j * ldw + p0, ldw, nr, kc, c + rows * ldc + j, ldc, add);
        }
    }
    return 0;
}

static _Thread_local uint32_t *own_pairs;
static _Thread_local long own_count;

int loupe_bf16_bcast_gemm(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c,
                          long ldc, int accumulate) {
    if (m <= 0 || n <= 0) return loupe_bf16_supported() ? 0 : -1;
    if (m > 48 || k % 2 != 0) return -2;
    long need = loupe_bf16_pairs_count(m, k);
    if (own_count < need) {
        free(own_pairs);
        own_pairs = aligned_alloc(64, (size_t)need * 4);
        own_count = own_pairs ? need : 0;
        if (!own_pairs) return -3;
    }
    int s = loupe_bf16_pairs(a, lda, m, k, own_pairs);
    return s ? s : loupe_bf16_bcast_gemm_pairs(own_pairs, a, lda, m, w, ldw, n, k, c, ldc, accumulate);
}
