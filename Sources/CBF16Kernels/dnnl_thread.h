#ifndef LOUPE_DNNL_THREAD_H
#define LOUPE_DNNL_THREAD_H

#include <dnnl.h>

/// The calling thread's oneDNN engine and stream (created on first use) with its OpenMP team set to
/// `threads`. Returns 0, or oneDNN's status.
int loupe_dnnl_thread(int threads, dnnl_engine_t *engine, dnnl_stream_t *stream);

/// A matmul primitive descriptor for `md` on `engine`; with `accumulate`, a sum post-op adds the product to
/// what the destination holds. Returns oneDNN's status.
dnnl_status_t loupe_dnnl_matmul_pd(dnnl_primitive_desc_t *pd, const dnnl_matmul_desc_t *md, int accumulate,
                                   dnnl_engine_t engine);

#endif
