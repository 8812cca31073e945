// Attention's small f32 products through oneDNN's sgemm on one thread: each (batch, head) pair's q·kᵀ
// and pattern·v read strided head slices of q, k, v ([T, dHead] with a row stride of heads·dHead),
// which oneDNN's brgemm matmul takes only dense; its sgemm takes them as they are. Measured against
// OpenBLAS at the models' shapes in bench/RESULTS.md ("Where the milliseconds go").
#include "f32_attention.h"

#include <dnnl.h>

#include "dnnl_thread.h"

int loupe_f32_gemm_1t(int transb, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return 0;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    int s = loupe_dnnl_thread(1, &engine, &stream);        // this thread's OpenMP team: itself only
    if (s != 0) return s;
    return (int)dnnl_sgemm('N', transb ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
