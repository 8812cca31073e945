#ifndef LOUPE_F32_ATTENTION_H
#define LOUPE_F32_ATTENTION_H

/// c[m, n] (row stride ldc) = alpha · a[m, k] (row stride lda) · op(b) + beta · c on the calling thread
/// alone, row-major: op(b) is b [k, n] (row stride ldb), or b [n, k] read transposed when transb.
/// oneDNN's f32 sgemm (its AVX-512 kernels, whatever OPENBLAS_CORETYPE says), for attention's per-head
/// products (q·kᵀ and pattern·v) on strided head slices. Returns 0, or oneDNN's status (c unspecified).
int loupe_f32_gemm_1t(int transb, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc);

#endif
