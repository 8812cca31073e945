// bfloat16 products with f32 accumulation: activations rounded to bf16 with AVX512_BF16's vcvtne2ps2bf16,
// products by oneDNN's matmul (Debian's libdnnl, the library torch uses for the same products), whose
// brgemm kernels run vdpbf16ps. Measured against a hand-written vdpbf16ps kernel and OpenBLAS sgemm in
// bench/bf16 (bench/RESULTS.md).
#include "bf16_kernels.h"

#include <dnnl.h>
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "dnnl_thread.h"

void omp_set_num_threads(int);

/// Floats of the dense block a product into strided rows goes through (4 MB).
#define LOUPE_BF16_BLOCK_FLOATS (1L << 20)

#define TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

int loupe_bf16_supported(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") ? 1 : 0;
    }
    return cached;
}

TARGET static void round_rows_avx512(const float *x, long ldx, long m, long k, uint16_t *dst, long ldd) {
    for (long i = 0; i < m; i++) {
        const float *src = x + i * ldx;
        uint16_t *out = dst + i * ldd;
        long j = 0;
        for (; j + 32 <= k; j += 32) {
            __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + j + 16), _mm512_loadu_ps(src + j));
            _mm512_storeu_si512((void *)(out + j), (__m512i)v);
        }
        if (j < k) {
            long r = k - j;
            __mmask16 lo = (__mmask16)(r >= 16 ? 0xFFFF : ((1u << r) - 1));
            __mmask16 hi = (__mmask16)(r > 16 ? ((1u << (r - 16)) - 1) : 0);
            __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, src + j + 16), _mm512_maskz_loadu_ps(lo, src + j));
            _mm512_mask_storeu_epi16(out + j, (__mmask32)((1ull << r) - 1), (__m512i)v);
            j = k;
        }
        for (; j < ldd; j++) out[j] = 0;
    }
}

void loupe_bf16_round_rows(const float *x, long ldx, long m, long k, uint16_t *dst, long ldd) {
    if (loupe_bf16_supported()) { round_rows_avx512(x, ldx, m, k, dst, ldd); return; }
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < ldd; j++) {
            uint16_t h = 0;
            if (j < k) {
                uint32_t u;
                memcpy(&u, x + i * ldx + j, 4);
                if ((u & 0x7FFFFFFFu) > 0x7F800000u) h = (uint16_t)((u >> 16) | 0x40);
                else h = (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
            }
            dst[i * ldd + j] = h;
        }
    }
}

// One thread's oneDNN state: an engine, a stream and the last primitives it built, by shape.
#define CACHED 24
typedef struct {
    long m, n, k, lda, ldw, ldc;
    int accumulate, threads, kn, used;
    unsigned long stamp;
    dnnl_primitive_t prim;
    dnnl_memory_t a, w, c;
} entry;

static _Thread_local int ready, team;
static _Thread_local dnnl_engine_t engine;
static _Thread_local dnnl_stream_t stream;

int loupe_dnnl_thread(int threads, dnnl_engine_t *e, dnnl_stream_t *st) {
    dnnl_status_t s;
    if (threads < 1) threads = 1;
    if (threads != team) {
        omp_set_num_threads(threads);                        // this thread's OpenMP team: oneDNN splits among it
        team = threads;
    }
    if (!ready) {
        if ((s = dnnl_engine_create(&engine, dnnl_cpu, 0)) != dnnl_success) return (int)s;
        if ((s = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags)) != dnnl_success) return (int)s;
        ready = 1;
    }
    *e = engine;
    *st = stream;
    return 0;
}
static _Thread_local entry cache[CACHED];
static _Thread_local unsigned long clock_;

static void drop(entry *e) {
    if (!e->used) return;
    dnnl_primitive_destroy(e->prim);
    dnnl_memory_destroy(e->a);
    dnnl_memory_destroy(e->w);
    dnnl_memory_destroy(e->c);
    e->used = 0;
}

dnnl_status_t loupe_dnnl_matmul_pd(dnnl_primitive_desc_t *pd, const dnnl_matmul_desc_t *md, int accumulate,
                                   dnnl_engine_t engine) {
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_status_t s;
    if (accumulate) {
        if ((s = dnnl_primitive_attr_create(&attr)) != dnnl_success) return s;
        dnnl_post_ops_create(&ops);
        dnnl_post_ops_append_sum(ops, 1.0f);
        dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    s = dnnl_primitive_desc_create(pd, md, attr, engine, NULL);
    if (ops) dnnl_post_ops_destroy(ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return s;
}

static dnnl_status_t build(entry *e) {
    dnnl_memory_desc_t ad, wd, cd;
    dnnl_dims_t adims = {e->m, e->k}, astr = {e->lda, 1};
    dnnl_dims_t wdims = {e->k, e->n}, wstr = {1, e->ldw};          // the stored [n, k] read as [k, n]
    if (e->kn) { wstr[0] = e->ldw; wstr[1] = 1; }                  // stored [k, n]
    dnnl_dims_t cdims = {e->m, e->n}, cstr = {e->ldc, 1};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_strides(&ad, 2, adims, dnnl_bf16, astr)) != dnnl_success) return s;
    if ((s = dnnl_memory_desc_init_by_strides(&wd, 2, wdims, dnnl_bf16, wstr)) != dnnl_success) return s;
    if ((s = dnnl_memory_desc_init_by_strides(&cd, 2, cdims, dnnl_f32, cstr)) != dnnl_success) return s;
    dnnl_matmul_desc_t md;
    if ((s = dnnl_matmul_desc_init(&md, &ad, &wd, NULL, &cd)) != dnnl_success) return s;
    dnnl_primitive_desc_t pd;
    if ((s = loupe_dnnl_matmul_pd(&pd, &md, e->accumulate, engine)) != dnnl_success) return s;
    s = dnnl_primitive_create(&e->prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) return s;
    dnnl_memory_create(&e->a, &ad, engine, DNNL_MEMORY_NONE);
    dnnl_memory_create(&e->w, &wd, engine, DNNL_MEMORY_NONE);
    dnnl_memory_create(&e->c, &cd, engine, DNNL_MEMORY_NONE);
    e->used = 1;
    return dnnl_success;
}

// One product through the calling thread's cached primitive of this shape.
static int product(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c, long ldc,
                   int accumulate, int threads, int w_kn) {
    dnnl_status_t s;
    dnnl_engine_t e_;
    dnnl_stream_t st_;
    if ((s = loupe_dnnl_thread(threads, &e_, &st_)) != 0) return (int)s;
    entry *hit = NULL, *oldest = &cache[0];
    for (int i = 0; i < CACHED; i++) {
        entry *e = &cache[i];
        if (e->used && e->m == m && e->n == n && e->k == k && e->lda == lda && e->ldw == ldw && e->ldc == ldc
            && e->accumulate == accumulate
            && e->threads == threads && e->kn == w_kn) { hit = e; break; }
        if (!e->used || (oldest->used && e->stamp < oldest->stamp)) oldest = e;
    }
    if (!hit) {
        drop(oldest);
        *oldest = (entry){m, n, k, lda, ldw, ldc, accumulate, threads, w_kn, 0, 0, NULL, NULL, NULL, NULL};
        if ((s = build(oldest)) != dnnl_success) return (int)s;
        hit = oldest;
    }
    hit->stamp = ++clock_;
    dnnl_memory_set_data_handle(hit->a, (void *)a);
    dnnl_memory_set_data_handle(hit->w, (void *)w);
    dnnl_memory_set_data_handle(hit->c, c);
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, hit->a}, {DNNL_ARG_WEIGHTS, hit->w}, {DNNL_ARG_DST, hit->c}};
    if ((s = dnnl_primitive_execute(hit->prim, stream, 3, args)) != dnnl_success) return (int)s;
    return (int)dnnl_stream_wait(stream);
}

// This thread's dense f32 block for products into strided rows.
static _Thread_local float *block;
static _Thread_local long block_floats;

int loupe_bf16_gemm_nt(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k,
                       float *c, long ldc, int accumulate, int threads, int w_kn) {
    if (threads < 1) threads = 1;
    accumulate = accumulate != 0;
    w_kn = w_kn != 0;
    if (ldc == n || m == 1) return product(a, lda, m, w, ldw, n, k, c, ldc, accumulate, threads, w_kn);
    // oneDNN 2.6 runs its brgemm kernels only into dense rows (a strided destination falls back to gemm:jit,
    // ~1.4x slower), so a product into rows of stride ldc > n goes through a dense block of about 4 MB
    // ([m, width], width a multiple of 64 columns) copied (or added) into place.
    long width = n;
    if (m * width > LOUPE_BF16_BLOCK_FLOATS) {
        width = LOUPE_BF16_BLOCK_FLOATS / m / 64 * 64;
        if (width < 64) width = 64;
    }
    if (block_floats < m * width) {
        free(block);
        block = malloc((size_t)(m * width) * sizeof(float));
        block_floats = block ? m * width : 0;
        if (!block) return (int)dnnl_out_of_memory;
    }
    for (long j0 = 0; j0 < n; j0 += width) {
        long nb = n - j0 < width ? n - j0 : width;
        const uint16_t *wb = w_kn ? w + j0 : w + j0 * ldw;
        int s = product(a, lda, m, wb, ldw, nb, k, block, nb, 0, threads, w_kn);   // block[m, nb]
        if (s != 0) return s;
        for (long i = 0; i < m; i++) {
            float *dst = c + i * ldc + j0;
            const float *src = block + i * nb;
            if (accumulate) { for (long j = 0; j < nb; j++) dst[j] += src[j]; }
            else memcpy(dst, src, (size_t)nb * sizeof(float));
        }
    }
    return 0;
}
