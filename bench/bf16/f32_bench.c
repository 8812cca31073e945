// f32 products at the models' shapes: OpenBLAS sgemm (weights as stored, packed by each call) against
// oneDNN's brgemm matmul on weights reordered once into its blocked layout (what `PackedWeights` does).
// One thread each (T=1), GFLOP/s from process CPU time, median (min–max) of REPS runs, and the largest
// difference between the two relative to the largest output.
// Build and run:
//   gcc -O2 -o /tmp/f32_bench bench/bf16/f32_bench.c -I/usr/include/x86_64-linux-gnu/openblas-pthread
//       -ldnnl -lopenblas -lgomp -lm && T=1 OMP_NUM_THREADS=1 /tmp/f32_bench
#include <dnnl.h>
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPS 7
static double now(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
#define CHECK(e) do { dnnl_status_t s = (e); if (s != dnnl_success) { fprintf(stderr, "%s: %d\n", #e, s); exit(1); } } while (0)

int main(void) {
    // (N, K): GPT-2 q|k|v, attention out, MLP in, MLP out, unembedding; SmolLM2 q|k|v, out, gate/up, down, unembedding.
    long shapes[][2] = {{2304, 768}, {768, 768}, {3072, 768}, {768, 3072}, {50257, 768},
                        {960, 576}, {576, 576}, {1536, 576}, {576, 1536}, {49152, 576}};
    long ms[] = {8, 16, 32, 256, 1024};
    openblas_set_num_threads(getenv("T") ? atoi(getenv("T")) : 1);
    dnnl_engine_t eng;
    dnnl_stream_t st;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    printf("| M × N × K | OpenBLAS sgemm | oneDNN brgemm, packed weights | max |Δ|/max|c| |\n|---|---|---|---|\n");
    for (int mi = 0; mi < 5; mi++) {
        for (int s = 0; s < 10; s++) {
            long m = ms[mi], n = shapes[s][0], k = shapes[s][1];
            if (m == 1024 && s >= 5) continue;
            float *x = malloc(m * k * 4), *w = malloc(n * k * 4), *c1 = malloc(m * n * 4), *c2 = malloc(m * n * 4);
            for (long i = 0; i < m * k; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
            for (long i = 0; i < n * k; i++) w[i] = (rand() / (float)RAND_MAX - 0.5f) * 0.1f;
            double tb[REPS], td[REPS];
            for (int r = 0; r <= REPS; r++) {
                double t0 = now();
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, x, k, w, k, 0, c1, n);
                if (r) tb[r - 1] = now() - t0;
            }
            dnnl_memory_desc_t ad, wd, wany, cd;
            dnnl_dims_t adims = {m, k}, wdims = {k, n}, cdims = {m, n}, wstr = {1, k};
            CHECK(dnnl_memory_desc_init_by_tag(&ad, 2, adims, dnnl_f32, dnnl_ab));
            CHECK(dnnl_memory_desc_init_by_strides(&wd, 2, wdims, dnnl_f32, wstr));
            CHECK(dnnl_memory_desc_init_by_tag(&wany, 2, wdims, dnnl_f32, dnnl_format_tag_any));
            CHECK(dnnl_memory_desc_init_by_tag(&cd, 2, cdims, dnnl_f32, dnnl_ab));
            dnnl_matmul_desc_t md;
            CHECK(dnnl_matmul_desc_init(&md, &ad, &wany, NULL, &cd));
            dnnl_primitive_desc_t pd;
            CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
            const dnnl_memory_desc_t *wq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            dnnl_primitive_t prim;
            CHECK(dnnl_primitive_create(&prim, pd));
            dnnl_memory_t am, wm, wpm, cm;
            CHECK(dnnl_memory_create(&am, &ad, eng, x));
            CHECK(dnnl_memory_create(&wm, &wd, eng, w));
            CHECK(dnnl_memory_create(&wpm, wq, eng, DNNL_MEMORY_ALLOCATE));
            CHECK(dnnl_memory_create(&cm, &cd, eng, c2));
            dnnl_primitive_desc_t rpd;
            CHECK(dnnl_reorder_primitive_desc_create(&rpd, &wd, eng, wq, eng, NULL));
            dnnl_primitive_t rp;
            CHECK(dnnl_primitive_create(&rp, rpd));
            dnnl_exec_arg_t ra[2] = {{DNNL_ARG_FROM, wm}, {DNNL_ARG_TO, wpm}};
            CHECK(dnnl_primitive_execute(rp, st, 2, ra));
            dnnl_stream_wait(st);
            dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, wpm}, {DNNL_ARG_DST, cm}};
            for (int r = 0; r <= REPS; r++) {
                double t0 = now();
                CHECK(dnnl_primitive_execute(prim, st, 3, args));
                dnnl_stream_wait(st);
                if (r) td[r - 1] = now() - t0;
            }
            double worst = 0, top = 0;
            for (long i = 0; i < m * n; i++) {
                double d = fabs(c1[i] - c2[i]);
                if (d > worst) worst = d;
                if (fabs(c1[i]) > top) top = fabs(c1[i]);
            }
            qsort(tb, REPS, 8, cmp);
            qsort(td, REPS, 8, cmp);
            double f = 2.0 * m * n * k / 1e9;
            printf("| %ld × %ld × %ld | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %.1e |\n", m, n, k, f / tb[REPS / 2],
                   f / tb[REPS - 1], f / tb[0], f / td[REPS / 2], f / td[REPS - 1], f / td[0], worst / top);
            fflush(stdout);
            dnnl_primitive_destroy(rp); dnnl_primitive_desc_destroy(rpd); dnnl_primitive_destroy(prim);
            dnnl_primitive_desc_destroy(pd);
            dnnl_memory_destroy(am); dnnl_memory_destroy(wm); dnnl_memory_destroy(wpm); dnnl_memory_destroy(cm);
            free(x); free(w); free(c1); free(c2);
        }
    }
    return 0;
}
