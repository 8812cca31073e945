// f32 and bf16 products on weights packed once into oneDNN's blocked layout (its brgemm matmul reads the
// weights as prepared panels, so no product packs them again). Measured against OpenBLAS sgemm at the models'
// shapes in bench/RESULTS.md ("Kernels").
#include "f32_packed.h"

#include <dnnl.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bf16_kernels.h"

#include "dnnl_thread.h"

struct loupe_f32_packed {
    long n, k;
    dnnl_data_type_t type;          // of the weights and the activations (f32, or bf16 with f32 sums)
    dnnl_memory_desc_t wd;          // the blocked layout the matmul asked for
    dnnl_memory_t w;                // owns the packed bytes
    size_t bytes;
};

/// The matmul descriptor of c[m, n] (f32, row stride ldc) = x[m, k] (row stride ldx) · W, x and W of `type`,
/// W in the layout oneDNN picks.
static dnnl_status_t describe(dnnl_data_type_t type, long m, long n, long k, long ldx, long ldc, dnnl_memory_desc_t *ad,
                              dnnl_memory_desc_t *wany, dnnl_memory_desc_t *cd, dnnl_matmul_desc_t *md) {
    dnnl_dims_t adims = {m, k}, astr = {ldx, 1}, wdims = {k, n}, cdims = {m, n}, cstr = {ldc, 1};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_strides(ad, 2, adims, type, astr)) != dnnl_success) return s;
    if ((s = dnnl_memory_desc_init_by_tag(wany, 2, wdims, type, dnnl_format_tag_any)) != dnnl_success) return s;
    if ((s = dnnl_memory_desc_init_by_strides(cd, 2, cdims, dnnl_f32, cstr)) != dnnl_success) return s;
    return dnnl_matmul_desc_init(md, ad, wany, NULL, cd);
}

/// True when oneDNN runs this matmul with its brgemm kernels (otherwise the caller's sgemm is faster).
static int is_brgemm(dnnl_primitive_desc_t pd) {
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || !impl) return 0;
    return strncmp(impl, "brg", 3) == 0;
}

/// Whether oneDNN chose the bf16 pair panels for W[k, n]: blocks of 32 k × 64 n ("BA16a64b2a": within a block,
/// element (i, j) at (i/2)·128 + 2j + i%2), the blocks of one column panel consecutive along k, dims padded to
/// 32 and 64.
static int is_pairs_layout(const dnnl_memory_desc_t *d, long n, long k) {
    const dnnl_blocking_desc_t *b = &d->format_desc.blocking;
    long kp = (k + 31) / 32 * 32, np = (n + 63) / 64 * 64;
    return d->format_kind == dnnl_blocked && d->ndims == 2 && d->padded_dims[0] == kp && d->padded_dims[1] == np
        && d->offset0 == 0 && b->inner_nblks == 3
        && b->inner_blks[0] == 16 && b->inner_idxs[0] == 0 && b->inner_blks[1] == 64 && b->inner_idxs[1] == 1
        && b->inner_blks[2] == 2 && b->inner_idxs[2] == 0 && b->strides[0] == 2048 && b->strides[1] == kp * 64;
}

/// Column panels [j_begin, j_end) (multiples of 64) of w[k, n] (bf16, row stride ldw) into the pair panels of
/// `is_pairs_layout`, padding with zeros.
__attribute__((target("avx512f,avx512bw")))
static void pack_pairs(const uint16_t *w, long ldw, long n, long k, uint16_t *out, long j_begin, long j_end) {
    long kp = (k + 31) / 32 * 32;
    // Interleaving two rows of 32: lanes 2j, 2j + 1 take element j of the first and of the second row.
    const __m512i lo = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8,
                                        39, 7, 38, 6, 37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
    const __m512i hi = _mm512_add_epi16(lo, _mm512_set1_epi16(16));
    for (long j0 = j_begin; j0 < j_end; j0 += 64) {
        uint16_t *panel = out + j0 * kp;
        long cols = n - j0 < 64 ? n - j0 : 64;
        __mmask32 m0 = cols >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << cols) - 1);
        __mmask32 m1 = cols <= 32 ? 0 : cols >= 64 ? 0xFFFFFFFFu : (__mmask32)((1u << (cols - 32)) - 1);
        for (long i = 0; i < kp; i += 2) {
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, b0 = a0, b1 = a0;
            if (i < k) {
                const uint16_t *r = w + i * ldw + j0;
                a0 = _mm512_maskz_loadu_epi16(m0, r);
                a1 = _mm512_maskz_loadu_epi16(m1, r + 32);
            }
            if (i + 1 < k) {
                const uint16_t *r = w + (i + 1) * ldw + j0;
                b0 = _mm512_maskz_loadu_epi16(m0, r);
                b1 = _mm512_maskz_loadu_epi16(m1, r + 32);
            }
            uint16_t *dst = panel + (i / 32) * 2048 + ((i % 32) / 2) * 128;
            _mm512_storeu_si512((void *)dst, _mm512_permutex2var_epi16(a0, lo, b0));
            _mm512_storeu_si512((void *)(dst + 32), _mm512_permutex2var_epi16(a0, hi, b0));
            _mm512_storeu_si512((void *)(dst + 64), _mm512_permutex2var_epi16(a1, lo, b1));
            _mm512_storeu_si512((void *)(dst + 96), _mm512_permutex2var_epi16(a1, hi, b1));
        }
    }
}

typedef struct { const uint16_t *w; long ldw, n, k; uint16_t *out; long j_begin, j_end; } pack_part;

static void *pack_part_run(void *arg) {
    pack_part *p = arg;
    pack_pairs(p->w, p->ldw, p->n, p->k, p->out, p->j_begin, p->j_end);
    return NULL;
}

/// `pack_pairs` of every panel, the second half on a thread of its own when the matrix is large enough for it to
/// pay (a first prompt on gpt2-large packs 1.4 GB: the copy's page faults and the reads split across two cores).
static void pack_pairs_all(const uint16_t *w, long ldw, long n, long k, uint16_t *out) {
    long np = (n + 63) / 64 * 64, half = np / 128 * 64;
    pack_part second = {w, ldw, n, k, out, half, np};
    pthread_t t;
    int split = half > 0 && (double)np * (double)k >= (double)(1L << 20) && pthread_create(&t, NULL, pack_part_run, &second) == 0;
    pack_pairs(w, ldw, n, k, out, 0, split ? half : np);
    if (split) pthread_join(t, NULL);
}

static loupe_f32_packed *pack(dnnl_data_type_t type, const void *w, long ldw, long n, long k, int kn) {
    if (n <= 0 || k <= 0) return NULL;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    if (loupe_dnnl_thread(1, &engine, &stream) != 0) return NULL;
    dnnl_memory_desc_t ad, wany, cd, stored;
    dnnl_matmul_desc_t md;
    if (describe(type, 32, n, k, k, n, &ad, &wany, &cd, &md) != dnnl_success) return NULL;
    dnnl_primitive_desc_t pd;
    if (dnnl_primitive_desc_create(&pd, &md, NULL, engine, NULL) != dnnl_success) return NULL;
    loupe_f32_packed *p = calloc(1, sizeof *p);
    if (!p) { dnnl_primitive_desc_destroy(pd); return NULL; }
    p->n = n;
    p->k = k;
    p->type = type;
    p->wd = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    int fast = is_brgemm(pd);
    dnnl_primitive_desc_destroy(pd);
    dnnl_dims_t wdims = {k, n}, wstr = {1, ldw};                      // stored [n, k] read as [k, n]
    if (kn) { wstr[0] = ldw; wstr[1] = 1; }                            // stored [k, n]
    dnnl_memory_t src = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t reorder = NULL;
    if (fast && type == dnnl_bf16 && kn && is_pairs_layout(&p->wd, n, k)) {
        // [k, n] bf16 into oneDNN's pair panels directly (AVX-512 permutes, two threads), not its one-thread reorder.
        if (dnnl_memory_create(&p->w, &p->wd, engine, DNNL_MEMORY_ALLOCATE) != dnnl_success) { loupe_f32_packed_free(p); return NULL; }
        void *data = NULL;
        dnnl_memory_get_data_handle(p->w, &data);
        pack_pairs_all((const uint16_t *)w, ldw, n, k, (uint16_t *)data);
        p->bytes = dnnl_memory_desc_get_size(&p->wd);
        return p;
    }
    int ok = fast
        && dnnl_memory_desc_init_by_strides(&stored, 2, wdims, type, wstr) == dnnl_success
        && dnnl_memory_create(&src, &stored, engine, (void *)w) == dnnl_success
        && dnnl_memory_create(&p->w, &p->wd, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success
        && dnnl_reorder_primitive_desc_create(&rpd, &stored, engine, &p->wd, engine, NULL) == dnnl_success
        && dnnl_primitive_create(&reorder, rpd) == dnnl_success;
    if (ok) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, p->w}};
        ok = dnnl_primitive_execute(reorder, stream, 2, args) == dnnl_success && dnnl_stream_wait(stream) == dnnl_success;
    }
    if (reorder) dnnl_primitive_destroy(reorder);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (src) dnnl_memory_destroy(src);
    if (!ok) { loupe_f32_packed_free(p); return NULL; }
    p->bytes = dnnl_memory_desc_get_size(&p->wd);
    return p;
}

loupe_f32_packed *loupe_f32_pack(const float *w, long ldw, long n, long k, int kn) {
    return pack(dnnl_f32, w, ldw, n, k, kn);
}

loupe_f32_packed *loupe_bf16_pack(const uint16_t *w, long ldw, long n, long k, int kn) {
    return loupe_bf16_supported() ? pack(dnnl_bf16, w, ldw, n, k, kn) : NULL;
}

size_t loupe_f32_packed_bytes(const loupe_f32_packed *p) { return p ? p->bytes : 0; }

void loupe_f32_packed_free(loupe_f32_packed *p) {
    if (!p) return;
    if (p->w) dnnl_memory_destroy(p->w);
    free(p);
}

// One thread's matmul primitives over packed weights, by shape (weights differ only in their data).
#define CACHED 32
typedef struct {
    long m, n, k, ldx, ldc;
    dnnl_data_type_t type;
    int accumulate, used;
    unsigned long stamp;
    dnnl_primitive_t prim;
    dnnl_memory_t x, w, c;
} entry;

static _Thread_local entry cache[CACHED];
static _Thread_local unsigned long clock_;

static void drop(entry *e) {
    if (!e->used) return;
    dnnl_primitive_destroy(e->prim);
    dnnl_memory_destroy(e->x);
    dnnl_memory_destroy(e->w);
    dnnl_memory_destroy(e->c);
    e->used = 0;
}

static dnnl_status_t build(entry *e, const dnnl_memory_desc_t *wd, dnnl_engine_t engine) {
    dnnl_memory_desc_t ad, wany, cd;
    dnnl_matmul_desc_t md;
    dnnl_status_t s;
    // Weights as `any`, then checked to be the packed layout: given explicitly, oneDNN 2.6 picks its
    // reference kernel.
    if ((s = describe(e->type, e->m, e->n, e->k, e->ldx, e->ldc, &ad, &wany, &cd, &md)) != dnnl_success) return s;
    dnnl_primitive_desc_t pd;
    if ((s = loupe_dnnl_matmul_pd(&pd, &md, e->accumulate, engine)) != dnnl_success) return s;
    if (!is_brgemm(pd) || !dnnl_memory_desc_equal(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), wd)) {
        dnnl_primitive_desc_destroy(pd);
        return dnnl_unimplemented;
    }
    s = dnnl_primitive_create(&e->prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) return s;
    dnnl_memory_create(&e->x, &ad, engine, DNNL_MEMORY_NONE);
    dnnl_memory_create(&e->w, wd, engine, DNNL_MEMORY_NONE);
    dnnl_memory_create(&e->c, &cd, engine, DNNL_MEMORY_NONE);
    e->used = 1;
    return dnnl_success;
}

static int packed_gemm(const loupe_f32_packed *p, const void *x, long ldx, long m, float *c, long ldc, int accumulate) {
    if (m <= 0) return 0;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_status_t s;
    if ((s = loupe_dnnl_thread(1, &engine, &stream)) != 0) return (int)s;
    accumulate = accumulate != 0;
    entry *hit = NULL, *oldest = &cache[0];
    for (int i = 0; i < CACHED; i++) {
        entry *e = &cache[i];
        if (e->used && e->m == m && e->n == p->n && e->k == p->k && e->ldx == ldx && e->ldc == ldc
            && e->type == p->type && e->accumulate == accumulate) { hit = e; break; }
        if (!e->used || (oldest->used && e->stamp < oldest->stamp)) oldest = e;
    }
    if (!hit) {
        drop(oldest);
        *oldest = (entry){m, p->n, p->k, ldx, ldc, p->type, accumulate, 0, 0, NULL, NULL, NULL, NULL};
        if ((s = build(oldest, &p->wd, engine)) != dnnl_success) return (int)s;
        hit = oldest;
    }
    hit->stamp = ++clock_;
    void *wdata = NULL;
    dnnl_memory_get_data_handle(p->w, &wdata);
    dnnl_memory_set_data_handle(hit->x, (void *)x);
    dnnl_memory_set_data_handle(hit->w, wdata);
    dnnl_memory_set_data_handle(hit->c, c);
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, hit->x}, {DNNL_ARG_WEIGHTS, hit->w}, {DNNL_ARG_DST, hit->c}};
    if ((s = dnnl_primitive_execute(hit->prim, stream, 3, args)) != dnnl_success) return (int)s;
    return (int)dnnl_stream_wait(stream);
}

int loupe_f32_packed_gemm(const loupe_f32_packed *p, const float *x, long ldx, long m, float *c, long ldc,
                          int accumulate) {
    if (p && p->type != dnnl_f32) return (int)dnnl_invalid_arguments;
    return packed_gemm(p, x, ldx, m, c, ldc, accumulate);
}

int loupe_bf16_packed_gemm(const loupe_f32_packed *p, const uint16_t *a, long lda, long m, float *c, long ldc,
                           int accumulate) {
    if (p && p->type != dnnl_bf16) return (int)dnnl_invalid_arguments;
    return packed_gemm(p, a, lda, m, c, ldc, accumulate);
}
