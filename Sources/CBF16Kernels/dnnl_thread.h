#ifndef LOUPE_DNNL_THREAD_H
#define LOUPE_DNNL_THREAD_H

#include <dnnl.h>

/// The calling thread's oneDNN engine and stream (created on first use) with its OpenMP team set to
/// `threads`. Returns 0, or oneDNN's status.
int loupe_dnnl_thread(int threads, dnnl_engine_t *engine, dnnl_stream_t *stream);

#endif
