// bf16 products at the 8B's shapes, 2 threads, one run: oneDNN bf16 matmul (weights as stored, [n, k]),
// Loupe's AVX512_BF16 kernel (Sources/CBF16Kernels), OpenBLAS sgemm on the same weights widened to f32.
// Build and run: bench/bf16/run.sh. Prints GFLOP/s: median (min–max) of REPS runs for each.
#include <dnnl.h>
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include "bf16_kernels.h"

int dot_gemm_nt(const uint16_t *a, long lda, long m, const uint16_t *w, long ldw, long n, long k, float *c, long ldc, int accumulate);
#define REPS 7
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static uint16_t to_bf16(float f) { uint32_t u; memcpy(&u, &f, 4); return (uint16_t)((u + 0x7FFF + ((u >> 16) & 1)) >> 16); }
static float from_bf16(uint16_t h) { uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f; }

typedef struct { const float *x; uint16_t *xa; const uint16_t *w; float *c; long m, n, k, t, threads; int dnnl; } job;
static void *run_part(void *p) {
    job *j = p;
    long chunk = (j->n + j->threads - 1) / j->threads, n0 = j->t * chunk, n1 = n0 + chunk < j->n ? n0 + chunk : j->n;
    long kp = (j->k + 31) / 32 * 32;
    // Each thread rounds its share of rows of x, then both wait: here each thread rounds all (cheap) for simplicity.
    dot_gemm_nt(j->xa, kp, j->m, j->w + n0 * j->k, j->k, n1 - n0, j->k, j->c + n0, j->n, 0);
    return NULL;
}
static void loupe_gemm(const float *x, uint16_t *xa, const uint16_t *w, float *c, long m, long n, long k, int threads, int dnnl) {
    long kp = (k + 31) / 32 * 32;
    loupe_bf16_round_rows(x, k, m, k, xa, kp);
    if (dnnl) {  // Loupe's call: the whole product on the calling thread's OpenMP team
        loupe_bf16_gemm_nt(xa, kp, m, w, k, n, k, c, n, 0, threads, 0);
        return;
    }
    pthread_t th[8]; job js[8];
    for (int t = 0; t < threads; t++) { js[t] = (job){x, xa, w, c, m, n, k, t, threads, dnnl}; if (t) pthread_create(&th[t], NULL, run_part, &js[t]); }
    run_part(&js[0]);
    for (int t = 1; t < threads; t++) pthread_join(th[t], NULL);
}

#define CHECK(e) do { dnnl_status_t s = (e); if (s != dnnl_success) { fprintf(stderr, "%s: %d\n", #e, s); exit(1); } } while (0)

int main(int argc, char **argv) {
    long shapes[][3] = {{1, 14336, 4096}, {2, 14336, 4096}, {4, 14336, 4096}, {8, 14336, 4096}, {1, 4096, 14336},
                        {34, 14336, 4096}, {256, 14336, 4096}, {34, 4096, 14336}, {256, 4096, 4096}, {34, 128256, 4096}};
    int ns = sizeof shapes / sizeof shapes[0];
    int threads = getenv("THREADS") ? atoi(getenv("THREADS")) : 2;
    openblas_set_num_threads(threads);
    dnnl_engine_t eng; dnnl_stream_t st;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    printf("GFLOP/s, median (min–max) of %d, %d threads\n| M × N × K | oneDNN bf16, its own %d OpenMP threads | Loupe (oneDNN through Sources/CBF16Kernels, team of %d) | hand-written vdpbf16ps dot kernel | OpenBLAS sgemm, f32 weights | max |Δ|/max|c| vs oneDNN: Loupe / dot |\n|---|---|---|---|---|---|\n", REPS, threads, threads, threads);
    for (int s = 0; s < ns; s++) {
        long m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        if (argc > 1 && m * n * k > atol(argv[1])) continue;
        long kp = (k + 31) / 32 * 32;
        float *x = malloc(m * k * 4), *wf = malloc(n * k * 4), *c1 = malloc(m * n * 4), *c2 = malloc(m * n * 4), *c3 = malloc(m * n * 4), *c4 = malloc(m * n * 4);
        uint16_t *w = malloc(n * k * 2), *xa = aligned_alloc(64, (m * kp * 2 + 63) / 64 * 64);
        srand(1);
        for (long i = 0; i < m * k; i++) x[i] = (float)rand() / RAND_MAX - 0.5f;
        for (long i = 0; i < n * k; i++) { w[i] = to_bf16(((float)rand() / RAND_MAX - 0.5f) * 0.05f); wf[i] = from_bf16(w[i]); }
        // oneDNN: src bf16 [m, k], weights bf16 [k, n] with strides (1, k) = the stored [n, k], dst f32.
        dnnl_memory_desc_t ad, bd, cd;
        dnnl_dims_t adims = {m, k}, bdims = {k, n}, cdims = {m, n};
        CHECK(dnnl_memory_desc_init_by_tag(&ad, 2, adims, dnnl_bf16, dnnl_ab));
        CHECK(dnnl_memory_desc_init_by_tag(&bd, 2, bdims, dnnl_bf16, dnnl_ba));
        CHECK(dnnl_memory_desc_init_by_tag(&cd, 2, cdims, dnnl_f32, dnnl_ab));
        dnnl_matmul_desc_t md; CHECK(dnnl_matmul_desc_init(&md, &ad, &bd, NULL, &cd));
        dnnl_primitive_desc_t pd; CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
        dnnl_primitive_t prim; CHECK(dnnl_primitive_create(&prim, pd));
        uint16_t *xb = malloc(m * k * 2);
        dnnl_memory_t am, bm, cm;
        CHECK(dnnl_memory_create(&am, &ad, eng, xb)); CHECK(dnnl_memory_create(&bm, &bd, eng, w)); CHECK(dnnl_memory_create(&cm, &cd, eng, c1));
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
        double td[REPS], tp[REPS], tl[REPS], tb[REPS];
        for (int r = -1; r < REPS; r++) {
            double t0 = now();
            loupe_bf16_round_rows(x, k, m, k, xb, k);
            CHECK(dnnl_primitive_execute(prim, st, 3, args)); CHECK(dnnl_stream_wait(st));
            double t1 = now();
            loupe_gemm(x, xa, w, c4, m, n, k, threads, 1);
            double t2 = now();
            loupe_gemm(x, xa, w, c2, m, n, k, threads, 0);
            double t3 = now();
            // sgemm on the same rounded activations, so the four differ only in summation order.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, x, k, wf, k, 0, c3, n);
            double t4 = now();
            if (r >= 0) { td[r] = t1 - t0; tp[r] = t2 - t1; tl[r] = t3 - t2; tb[r] = t4 - t3; }
        }
        double maxd = 0, maxabs = 0, maxd4 = 0;
        for (long i = 0; i < m * n; i++) {
            double d = fabs(c1[i] - c2[i]), d4 = fabs(c1[i] - c4[i]), a = fabs(c1[i]);
            if (d > maxd) maxd = d; if (d4 > maxd4) maxd4 = d4; if (a > maxabs) maxabs = a;
        }
        qsort(td, REPS, 8, cmp); qsort(tp, REPS, 8, cmp); qsort(tl, REPS, 8, cmp); qsort(tb, REPS, 8, cmp);
        double fl = 2.0 * m * n * k * 1e-9;
#define G(t) fl / t[REPS / 2], fl / t[REPS - 1], fl / t[0]
        printf("| %ld × %ld × %ld | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %.0e / %.0e |",
               m, n, k, G(td), G(tp), G(tl), G(tb), maxd4 / maxabs, maxd / maxabs);
        if (m <= 8) printf(" weights GB/s %.1f / %.1f / %.1f", n * k * 2e-9 / td[REPS / 2], n * k * 2e-9 / tp[REPS / 2], n * k * 2e-9 / tl[REPS / 2]);
        printf("\n");
        fflush(stdout);
        dnnl_primitive_destroy(prim); dnnl_primitive_desc_destroy(pd);
        dnnl_memory_destroy(am); dnnl_memory_destroy(bm); dnnl_memory_destroy(cm);
        free(x); free(wf); free(c1); free(c2); free(c3); free(c4); free(w); free(xa); free(xb);
    }
    return 0;
}
