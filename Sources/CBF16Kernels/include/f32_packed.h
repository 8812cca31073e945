#ifndef LOUPE_F32_PACKED_H
#define LOUPE_F32_PACKED_H

#include <stddef.h>
#include <stdint.h>

/// An f32 or bf16 weight matrix packed once into oneDNN's blocked layout for its brgemm matmul.
typedef struct loupe_f32_packed loupe_f32_packed;

/// Packs w (stored [n, k] rows of stride ldw, or [k, n] rows of stride ldw when kn) for products
/// x[m, k] · wᵀ. NULL when oneDNN has no brgemm kernel for it on this CPU (the caller keeps sgemm) or
/// memory ran out. The stored matrix is only read.
loupe_f32_packed *loupe_f32_pack(const float *w, long ldw, long n, long k, int kn);

/// The packed bytes (oneDNN pads n to 64 and k to 16).
size_t loupe_f32_packed_bytes(const loupe_f32_packed *p);

void loupe_f32_packed_free(loupe_f32_packed *p);

/// c[m, n] (row stride ldc) = x[m, k] (row stride ldx) · wᵀ (+ c when accumulate) on the calling thread
/// alone. Returns 0, or oneDNN's status (nothing written).
int loupe_f32_packed_gemm(const loupe_f32_packed *p, const float *x, long ldx, long m, float *c, long ldc,
                          int accumulate);

/// Packs a bf16 w (as `loupe_f32_pack`) for products a[m, k] (bf16) · wᵀ with f32 sums; NULL as there.
loupe_f32_packed *loupe_bf16_pack(const uint16_t *w, long ldw, long n, long k, int kn);

/// c[m, n] (f32, row stride ldc) = a[m, k] (bf16, row stride lda) · wᵀ (+ c when accumulate) on the calling
/// thread alone, for a matrix from `loupe_bf16_pack`. Returns 0, or oneDNN's status (nothing written).
int loupe_bf16_packed_gemm(const loupe_f32_packed *p, const uint16_t *a, long lda, long m, float *c, long ldc,
                           int accumulate);

#endif
