// Attention's per-head products at the models' shapes, one thread: OpenBLAS sgemm (whatever core type
// OPENBLAS_CORETYPE selects) against oneDNN's sgemm (what `Kernels.headProduct` runs). q·kᵀ and pattern·v
// of one head (dHead 64, heads·dHead = 768 row stride) in causal blocks of 64 query rows, as the forward
// pass runs them; GFLOP/s from thread CPU time, best of 5.
// Build and run (bench/RESULTS.md, issue #12, "Where the milliseconds go"):
//   gcc -O2 bench/attention/head_products.c -o /tmp/head_products -ldnnl -lgomp -lopenblas \
//       -I/usr/include/x86_64-linux-gnu/openblas-pthread
//   /tmp/head_products; env -u OPENBLAS_CORETYPE /tmp/head_products
#include <cblas.h>
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void omp_set_num_threads(int);

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// scores[T, T] (causal blocks) = q[T, 64] (stride 768) · k[T, 64]ᵀ (stride 768) / 8
static void scores(int onednn, long T, const float *q, const float *k, float *s) {
    for (long r0 = 0; r0 < T; r0 += 64) {
        long rn = T - r0 < 64 ? T - r0 : 64, seen = r0 + rn;
        if (onednn) dnnl_sgemm('N', 'T', rn, seen, 64, 0.125f, q + r0 * 768, 768, k, 768, 0, s + r0 * T, T);
        else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rn, seen, 64, 0.125f, q + r0 * 768, 768, k, 768, 0, s + r0 * T, T);
    }
}

// z[T, 64] (stride 768) = pattern[T, T] (causal blocks) · v[T, 64] (stride 768)
static void values(int onednn, long T, const float *p, const float *v, float *z) {
    for (long r0 = 0; r0 < T; r0 += 64) {
        long rn = T - r0 < 64 ? T - r0 : 64, seen = r0 + rn;
        if (onednn) dnnl_sgemm('N', 'N', rn, 64, seen, 1, p + r0 * T, T, v, 768, 0, z + r0 * 768, 768);
        else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rn, 64, seen, 1, p + r0 * T, T, v, 768, 0, z + r0 * 768, 768);
    }
}

int main(void) {
    omp_set_num_threads(1);
    openblas_set_num_threads(1);
    const char *core = getenv("OPENBLAS_CORETYPE");
    printf("OPENBLAS_CORETYPE=%s\n", core ? core : "(unset: detected)");
    long lengths[] = {32, 256, 1024};
    for (int li = 0; li < 3; li++) {
        long T = lengths[li];
        float *q = malloc(T * 768 * 4), *k = malloc(T * 768 * 4), *s = malloc(T * T * 4), *z = malloc(T * 768 * 4);
        for (long i = 0; i < T * 768; i++) { q[i] = rand() / (float)RAND_MAX; k[i] = rand() / (float)RAND_MAX; }
        for (long i = 0; i < T * T; i++) s[i] = rand() / (float)RAND_MAX;
        double flops = 0;
        for (long r0 = 0; r0 < T; r0 += 64) { long rn = T - r0 < 64 ? T - r0 : 64; flops += 2.0 * rn * (r0 + rn) * 64; }
        for (int onednn = 0; onednn < 2; onednn++) {
            int reps = (int)(2000000 / (T * T)) + 3;
            double best_s = 1e9, best_v = 1e9;
            for (int round = 0; round < 5; round++) {
                double t0 = cpu_now();
                for (int i = 0; i < reps; i++) scores(onednn, T, q, k, s);
                double t1 = cpu_now();
                for (int i = 0; i < reps; i++) values(onednn, T, s, k, z);
                double t2 = cpu_now();
                if ((t1 - t0) / reps < best_s) best_s = (t1 - t0) / reps;
                if ((t2 - t1) / reps < best_v) best_v = (t2 - t1) / reps;
            }
            printf("T=%4ld %-13s q·kT %8.1f us %6.1f GFLOP/s   pattern·v %8.1f us %6.1f GFLOP/s\n", T,
                   onednn ? "oneDNN sgemm" : "OpenBLAS", best_s * 1e6, flops / best_s / 1e9, best_v * 1e6, flops / best_v / 1e9);
        }
        free(q); free(k); free(s); free(z);
    }
    return 0;
}
