// The GEMM ceiling of a forward pass at its own shapes, for bench/run.py --forward (f32) and the sizes bench
// (bf16, gpt2-large): oneDNN's brgemm matmul on weights packed once (what Loupe's `PackedWeights` runs), every
// layer's matrices as distinct copies (weights stream from memory as in a pass) plus the unembedding, M rows,
// 2 threads. Two splits, the better counts: rows (each thread half the rows, all columns: Loupe's split) and
// columns (each thread all rows, half the column panels, into a private buffer copied into place). bf16:
// activations and weights bf16, sums and output f32. Prints one JSON line.
// Build: gcc -O2 -o packed_ceiling bench/blas/packed_ceiling.c -ldnnl -lgomp -lpthread
// Usage: packed_ceiling smollm2|gpt2|gpt2-large M [f32|bf16]
#include <dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void omp_set_num_threads(int);
#define CHECK(e) do { dnnl_status_t s_ = (e); if (s_ != dnnl_success) { fprintf(stderr, "%s: %d (line %d)\n", #e, s_, __LINE__); exit(1); } } while (0)
#define REPS 9
#define MAXSHAPES 5

typedef struct { dnnl_primitive_t p; dnnl_memory_t a, w, c; } prim;
typedef struct { long k, n; } shape;

static shape shapes[MAXSHAPES];
static int nshapes, layers;
static long M;
static char **weights;             // [layers × (nshapes − 1) + 1] packed copies; the last shape (unembedding) once
static char *x;                    // [M, maxk] activations of `type`
static float *c;
static dnnl_data_type_t type = dnnl_f32;
static size_t esize = 4;           // bytes per activation and weight element
static pthread_barrier_t bar;
static double times[2][REPS];

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/// c[m, n] (row stride ldc) = x[m, k] · W, W packed as oneDNN picks it; `wd` gets that layout when given.
static prim build(dnnl_engine_t eng, long m, long n, long k, long ldc, dnnl_memory_desc_t *wd) {
    dnnl_memory_desc_t ad, wany, cd;
    dnnl_dims_t adims = {m, k}, astr = {k, 1}, wdims = {k, n}, cdims = {m, n}, cstr = {ldc, 1};
    CHECK(dnnl_memory_desc_init_by_strides(&ad, 2, adims, type, astr));
    CHECK(dnnl_memory_desc_init_by_tag(&wany, 2, wdims, type, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_strides(&cd, 2, cdims, dnnl_f32, cstr));
    dnnl_matmul_desc_t md;
    CHECK(dnnl_matmul_desc_init(&md, &ad, &wany, NULL, &cd));
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
    const dnnl_memory_desc_t *q = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    if (wd) *wd = *q;
    prim r;
    CHECK(dnnl_primitive_create(&r.p, pd));
    CHECK(dnnl_memory_create(&r.a, &ad, eng, DNNL_MEMORY_NONE));
    CHECK(dnnl_memory_create(&r.w, q, eng, DNNL_MEMORY_NONE));
    CHECK(dnnl_memory_create(&r.c, &cd, eng, DNNL_MEMORY_NONE));
    dnnl_primitive_desc_destroy(pd);
    return r;
}

static void run(prim *p, dnnl_stream_t st, const char *a, const char *w, float *out) {
    dnnl_memory_set_data_handle(p->a, (void *)a);
    dnnl_memory_set_data_handle(p->w, (void *)w);
    dnnl_memory_set_data_handle(p->c, out);
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, p->a}, {DNNL_ARG_WEIGHTS, p->w}, {DNNL_ARG_DST, p->c}};
    CHECK(dnnl_primitive_execute(p->p, st, 3, args));
}

/// Column panels [0, split) for thread 0 and [split, n) for thread 1: a multiple of oneDNN's 64-column block.
static long split_of(long n) { long h = (n / 2 + 63) / 64 * 64; return h < n ? h : n; }

static void *worker(void *arg) {
    long t = (long)arg;
    omp_set_num_threads(1);
    dnnl_engine_t eng;
    dnnl_stream_t st;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    prim byRows[MAXSHAPES], byCols[MAXSHAPES];
    long r0 = t == 0 ? 0 : M / 2, rows = t == 0 ? M / 2 : M - M / 2;
    long maxn = 0;
    for (int s = 0; s < nshapes; s++) if (shapes[s].n > maxn) maxn = shapes[s].n;
    float *own = malloc(sizeof(float) * M * maxn);
    for (int s = 0; s < nshapes; s++) {
        long k = shapes[s].k, n = shapes[s].n, h = split_of(n), cols = t == 0 ? h : n - h;
        byRows[s] = build(eng, rows, n, k, n, NULL);
        byCols[s] = build(eng, M, cols, k, cols, NULL);
    }
    for (int rep = 0; rep < REPS + 1; rep++) {
        for (int mode = 0; mode < 2; mode++) {
            pthread_barrier_wait(&bar);
            double t0 = now();
            for (int l = 0; l <= layers; l++) {
                for (int s = 0; s < nshapes; s++) {
                    int unembed = s == nshapes - 1;
                    if ((l == layers) != unembed) continue;
                    const char *w = weights[unembed ? layers * (nshapes - 1) : l * (nshapes - 1) + s];
                    long k = shapes[s].k, n = shapes[s].n, h = split_of(n);
                    if (mode == 0) {
                        run(&byRows[s], st, x + r0 * k * esize, w, c + r0 * n);
                    } else {
                        long c0 = t == 0 ? 0 : h, cols = t == 0 ? h : n - h;
                        run(&byCols[s], st, x, w + c0 * k * esize, own);
                        for (long i = 0; i < M; i++) memcpy(c + i * n + c0, own + i * cols, sizeof(float) * cols);
                    }
                    pthread_barrier_wait(&bar);
                }
            }
            if (t == 0 && rep > 0) times[mode][rep - 1] = now() - t0;
        }
    }
    free(own);
    return NULL;
}

static int cmp(const void *a, const void *b) { double u = *(const double *)a, v = *(const double *)b; return u < v ? -1 : u > v; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: packed_ceiling smollm2|gpt2|gpt2-large M [f32|bf16]\n"); return 2; }
    M = atol(argv[2]);
    if (argc > 3 && !strcmp(argv[3], "bf16")) { type = dnnl_bf16; esize = 2; }
    if (!strcmp(argv[1], "smollm2")) {        // q|k|v, o, gate|up, down, unembedding
        shape s[] = {{576, 960}, {576, 576}, {576, 3072}, {1536, 576}, {576, 49152}};
        memcpy(shapes, s, sizeof s);
        layers = 30;
    } else if (!strcmp(argv[1], "gpt2-large")) {
        shape s[] = {{1280, 3840}, {1280, 1280}, {1280, 5120}, {5120, 1280}, {1280, 50257}};
        memcpy(shapes, s, sizeof s);
        layers = 36;
    } else if (!strcmp(argv[1], "gpt2")) {
        shape s[] = {{768, 2304}, {768, 768}, {768, 3072}, {3072, 768}, {768, 50257}};
        memcpy(shapes, s, sizeof s);
        layers = 12;
    } else {
        fprintf(stderr, "packed_ceiling: unknown model %s\n", argv[1]);
        return 2;
    }
    nshapes = 5;
    if (M < 2) { fprintf(stderr, "packed_ceiling: M must be at least 2\n"); return 2; }
    dnnl_engine_t eng;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    int count = layers * (nshapes - 1) + 1;
    weights = calloc(count, sizeof *weights);
    double flops = 0;
    long maxk = 0, maxn = 0;
    for (int i = 0; i < count; i++) {
        int s = i == count - 1 ? nshapes - 1 : i % (nshapes - 1);
        dnnl_memory_desc_t wd;
        prim p = build(eng, 32, shapes[s].n, shapes[s].k, shapes[s].n, &wd);
        dnnl_primitive_destroy(p.p);
        size_t bytes = dnnl_memory_desc_get_size(&wd);
        weights[i] = aligned_alloc(64, (bytes + 63) / 64 * 64);
        // Small values (bf16: 0x3C00-ish patterns, ~0.008); the products' speed does not depend on them.
        for (size_t j = 0; j < bytes; j++) weights[i][j] = esize == 2 ? (char)(j % 2 ? 0x3C : (j * 31) % 256) : 0;
        flops += 2.0 * M * shapes[s].k * shapes[s].n;
        if (shapes[s].k > maxk) maxk = shapes[s].k;
        if (shapes[s].n > maxn) maxn = shapes[s].n;
    }
    x = malloc(esize * M * maxk);
    c = malloc(sizeof(float) * M * maxn);
    memset(x, 0x3C, esize * M * maxk);
    pthread_barrier_init(&bar, NULL, 2);
    pthread_t th[2];
    for (long t = 0; t < 2; t++) pthread_create(&th[t], NULL, worker, (void *)t);
    for (int t = 0; t < 2; t++) pthread_join(th[t], NULL);
    double med[2], lo[2], hi[2];
    for (int mode = 0; mode < 2; mode++) {
        qsort(times[mode], REPS, sizeof(double), cmp);
        med[mode] = flops / times[mode][REPS / 2] * 1e-9;
        lo[mode] = flops / times[mode][REPS - 1] * 1e-9;
        hi[mode] = flops / times[mode][0] * 1e-9;
    }
    int best = med[1] > med[0];
    printf("{\"gflops\": %.1f, \"min\": %.1f, \"max\": %.1f, \"split\": \"%s\", \"rows_gflops\": %.1f, \"columns_gflops\": %.1f}\n",
           med[best], lo[best], hi[best], best ? "columns" : "rows", med[0], med[1]);
    return 0;
}
