#ifndef LOUPE_BF16_KERNELS_H
#define LOUPE_BF16_KERNELS_H

#include <stdint.h>

/// 1 when this CPU has AVX512_BF16 (checked once): the products below then run on its vdpbf16ps units.
int loupe_bf16_supported(void);

/// Rounds x[m, k] (row stride ldx floats) to bfloat16, round-to-nearest-even (NaN stays NaN), into
/// dst[m, ldd] (ldd >= k); the columns k..<ldd are zeroed.
void loupe_bf16_round_rows(const float *x, long ldx, long m, long k, uint16_t *dst, long ldd);

/// c[m, n] (row stride ldc) = a[m, k] · w[n, k]ᵀ (+ c when accumulate), f32 accumulation, through oneDNN's
/// bf16 matmul on `threads` OpenMP threads (the calling thread's team; oneDNN splits the product among them;
/// BF16Products passes 1 and splits the columns across its own threads). Rows of stride ldc > n are written
/// through a dense block of this thread's (oneDNN's brgemm kernels take dense rows only).
/// a: bfloat16 rows of stride lda (from loupe_bf16_round_rows); w: bfloat16 rows of stride ldw (a
/// checkpoint's [out, in] matrix as stored), or w[k, n] when w_kn (GPT-2's Conv1D [in, out]). Returns 0 on success, else oneDNN's status
/// (nothing written when the first product is refused; a refusal of a later block leaves c partly written).
int loupe_bf16_gemm_nt(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k,
                       float *c, long ldc, int accumulate, int threads, int w_kn);

/// c[m, n] (row stride ldc) = a[m, k] · w[n, k]ᵀ (+ c when accumulate) on the calling thread, with vdpbf16ps
/// tiles of dot products on w's rows as stored (no packing; for few rows of a). a and w bfloat16 with row
/// strides lda and ldw; f32 sums. Returns 0, or -1 when the CPU has no AVX512_BF16 (nothing written).
int loupe_bf16_dot_gemm(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c,
                        long ldc, int accumulate);

/// c[m, n] (row stride ldc) = a[m, k] · w[k, n] (+ c when accumulate) on the calling thread, w stored [k, n]
/// (row stride ldw, GPT-2's Conv1D layout): tiles of 12 rows × 32 columns over pairs of weight rows
/// interleaved in registers (bf16_kn_tiles.c). a bfloat16 with row stride lda; f32 sums. Returns 0, or -1 when
/// the CPU has no AVX512_BF16 (nothing written).
int loupe_bf16_kn_gemm(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c,
                       long ldc, int accumulate);

/// Most rows a product runs on the dot tiles before the broadcast tiles take over (BF16Products.kernel): 28 on
/// AMD family 0x19 (Zen 4, whose AVX-512 runs on 256-bit units: there the dot tiles measured 1.1–2.1× the
/// broadcast tiles from 5 to 28 rows, bench/bf16/small_m.sh), 4 elsewhere (the broadcast tiles' choice on
/// Zen 5). `loupe_bf16_set_dot_rows_max` overrides it (tests, benches); a negative value restores the default.
int loupe_bf16_dot_rows_max(void);
void loupe_bf16_set_dot_rows_max(int rows);

/// The same product for m ≤ 48 rows of a and an even k, broadcasting each pair of weights from w's rows as
/// stored against a transposed into pairs along k (a thread-local buffer; `loupe_bf16_bcast_gemm_pairs` takes
/// them prepared). Returns 0, -1 without AVX512_BF16, -2 when m > 48 or k is odd, -3 when the buffer cannot be
/// allocated (nothing written in those cases).
int loupe_bf16_bcast_gemm(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c,
                          long ldc, int accumulate);

/// uint32 elements of the pairs of an m-row, k-input activation for the broadcast tiles (0 when m > 48).
long loupe_bf16_pairs_count(long m, long k);
/// Transposes a[m, k] (bf16, row stride lda) into pairs (64-byte aligned, loupe_bf16_pairs_count elements) once
/// for any number of broadcast products by the same activations. 0, or -1 / -2 as above (m·lda must fit 31 bits).
int loupe_bf16_pairs(const uint16_t *a, long lda, long m, long k, uint32_t *pairs);
/// loupe_bf16_bcast_gemm with the pairs prepared by loupe_bf16_pairs from the same a (a is still read: rows
/// past 32 run as dot tiles).
int loupe_bf16_bcast_gemm_pairs(const uint32_t *pairs, const uint16_t *a, long lda, long m, const uint16_t *w, long ldw,
                                long n, long k, float *c, long ldc, int accumulate);

#endif
