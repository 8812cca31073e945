// f32 products on weights packed once into oneDNN's blocked layout (its brgemm matmul reads the weights
// as prepared panels, so no product packs them again). Measured against OpenBLAS sgemm at the models'
// shapes in bench/RESULTS.md ("Kernels").
#include "f32_packed.h"

#include <dnnl.h>
#include <stdlib.h>
#include <string.h>

#include "dnnl_thread.h"

struct loupe_f32_packed {
    long n, k;
    dnnl_memory_desc_t wd;          // the blocked layout the matmul asked for
    dnnl_memory_t w;                // owns the packed bytes
    size_t bytes;
};

/// The matmul descriptor of c[m, n] (row stride ldc) = x[m, k] (row stride ldx) · W, W in the layout oneDNN picks.
static dnnl_status_t describe(long m, long n, long k, long ldx, long ldc, dnnl_memory_desc_t *ad, dnnl_memory_desc_t *wany, dnnl_memory_desc_t *cd,
                              dnnl_matmul_desc_t *md) {
    dnnl_dims_t adims = {m, k}, astr = {ldx, 1}, wdims = {k, n}, cdims = {m, n}, cstr = {ldc, 1};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_strides(ad, 2, adims, dnnl_f32, astr)) != dnnl_success) return s;
    if ((s = dnnl_memory_desc_init_by_tag(wany, 2, wdims, dnnl_f32, dnnl_format_tag_any)) != dnnl_success) return s;
    if ((s = dnnl_memory_desc_init_by_strides(cd, 2, cdims, dnnl_f32, cstr)) != dnnl_success) return s;
    return dnnl_matmul_desc_init(md, ad, wany, NULL, cd);
}

/// True when oneDNN runs this matmul with its brgemm kernels (otherwise the caller's sgemm is faster).
static int is_brgemm(dnnl_primitive_desc_t pd) {
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || !impl) return 0;
    return strncmp(impl, "brg", 3) == 0;
}

loupe_f32_packed *loupe_f32_pack(const float *w, long ldw, long n, long k, int kn) {
    if (n <= 0 || k <= 0) return NULL;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    if (loupe_dnnl_thread(1, &engine, &stream) != 0) return NULL;
    dnnl_memory_desc_t ad, wany, cd, stored;
    dnnl_matmul_desc_t md;
    if (describe(32, n, k, k, n, &ad, &wany, &cd, &md) != dnnl_success) return NULL;
    dnnl_primitive_desc_t pd;
    if (dnnl_primitive_desc_create(&pd, &md, NULL, engine, NULL) != dnnl_success) return NULL;
    loupe_f32_packed *p = calloc(1, sizeof *p);
    if (!p) { dnnl_primitive_desc_destroy(pd); return NULL; }
    p->n = n;
    p->k = k;
    p->wd = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    int fast = is_brgemm(pd);
    dnnl_primitive_desc_destroy(pd);
    dnnl_dims_t wdims = {k, n}, wstr = {1, ldw};                      // stored [n, k] read as [k, n]
    if (kn) { wstr[0] = ldw; wstr[1] = 1; }                            // stored [k, n]
    dnnl_memory_t src = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t reorder = NULL;
    int ok = fast
        && dnnl_memory_desc_init_by_strides(&stored, 2, wdims, dnnl_f32, wstr) == dnnl_success
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
    if ((s = describe(e->m, e->n, e->k, e->ldx, e->ldc, &ad, &wany, &cd, &md)) != dnnl_success) return s;
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

int loupe_f32_packed_gemm(const loupe_f32_packed *p, const float *x, long ldx, long m, float *c, long ldc,
                          int accumulate) {
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
            && e->accumulate == accumulate) { hit = e; break; }
        if (!e->used || (oldest->used && e->stamp < oldest->stamp)) oldest = e;
    }
    if (!hit) {
        drop(oldest);
        *oldest = (entry){m, p->n, p->k, ldx, ldc, accumulate, 0, 0, NULL, NULL, NULL, NULL};
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
