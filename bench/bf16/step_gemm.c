// The bf16 GEMM ceiling of one forward step: oneDNN's bf16 matmul (weights [n, k] as stored, activations
// already bf16, f32 out) at each product shape of a Llama layer and the unembedding, for each M (prompt
// positions), on THREADS (default 2) threads, two ways: one product on an OpenMP team of THREADS ("team"),
// and THREADS one-thread products on blocks of output columns through Loupe's call (Sources/CBF16Kernels,
// "split", as BF16Products.gemm runs it), and for M ≤ 40 the same split through Loupe's own vdpbf16ps tiles
// (Sources/CBF16Kernels/bf16_few_rows.c, "tiles": BF16Products.gemm's choice at those M). Prints a markdown row per shape (GFLOP/s from wall time, median
// (min–max) of REPS; and from process CPU time) and one JSON line per M:
//   {"m": M, "step_gflop": ..., "step_ms": ..., "step_gflops": ..., "best_gflops": ..., "cpu_gflops": ...}
// where step_ms adds each shape's better median time (team or split) as often as the step runs it (LAYERS ×
// q, k, v, o, gate, up, down + one unembedding over all M positions), step_gflops = step_gflop / step_ms,
// best_gflops is the highest median rate of any one shape at this M, cpu_gflops the step's rate from CPU time.
// Build: bench/bf16/run.sh builds it; by hand:
//   gcc -O2 -fopenmp -o step_gemm bench/bf16/step_gemm.c Sources/CBF16Kernels/bf16_kernels.c
//       Sources/CBF16Kernels/bf16_few_rows.c -ISources/CBF16Kernels/include -ldnnl -lpthread  (from the repository root)
// Usage: step_gemm M[,M...] [d_model q_dim kv_dim d_mlp vocab layers]   (default: Llama-3.1-8B, 4 layers)
#include <dnnl.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bf16_kernels.h"

#define CHECK(e) do { dnnl_status_t s_ = (e); if (s_ != dnnl_success) { fprintf(stderr, "%s: %d\n", #e, s_); exit(1); } } while (0)

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

#define COPIES 16

typedef struct { const char *name; long n, k, count; } shape;

// Random bf16 values in [-scale/2, scale/2): the top half of an f32 (rounding does not matter here).
static uint16_t *random_bf16(long count, float scale, unsigned *seed) {
    uint16_t *p = aligned_alloc(64, (count * 2 + 63) / 64 * 64);
    for (long i = 0; i < count; i++) {
        float f = ((float)rand_r(seed) / RAND_MAX - 0.5f) * scale;
        uint32_t u;
        memcpy(&u, &f, 4);
        p[i] = (uint16_t)(u >> 16);
    }
    return p;
}

// The split way: thread t computes output columns [t·width, min(n, (t+1)·width)) as a one-thread product;
// thread 0 is the caller, the others wait on a barrier between products (they block, never spin).
typedef struct { const uint16_t *a, *w; float *c; long m, n, k, width; int tiles; int status[64]; } split_job;
static split_job job;
static pthread_barrier_t go, done;
static int split_threads;
static volatile int quit;

static void split_part(int t) {
    long n0 = t * job.width, nb = job.n - n0 < job.width ? job.n - n0 : job.width;
    if (nb <= 0) { job.status[t] = 0; return; }
    const uint16_t *w = job.w + n0 * job.k;
    if (!job.tiles) job.status[t] = loupe_bf16_gemm_nt(job.a, job.k, job.m, w, job.k, nb, job.k, job.c + n0, job.n, 0, 1, 0);
    else if (job.m <= 4) job.status[t] = loupe_bf16_dot_gemm(job.a, job.k, job.m, w, job.k, nb, job.k, job.c + n0, job.n, 0);
    else job.status[t] = loupe_bf16_bcast_gemm(job.a, job.k, job.m, w, job.k, nb, job.k, job.c + n0, job.n, 0);
}
static void *split_worker(void *arg) {
    int t = (int)(long)arg;
    for (;;) {
        pthread_barrier_wait(&go);
        if (quit) return NULL;
        split_part(t);
        pthread_barrier_wait(&done);
    }
}
static void split_run(const uint16_t *a, const uint16_t *w, float *c, long m, long n, long k, int tiles) {
    long width = ((n + split_threads - 1) / split_threads + 63) / 64 * 64;
    job = (split_job){a, w, c, m, n, k, width, tiles, {0}};
    pthread_barrier_wait(&go);
    split_part(0);
    pthread_barrier_wait(&done);
    for (int t = 0; t < split_threads; t++) if (job.status[t]) { fprintf(stderr, "split product: oneDNN status %d\n", job.status[t]); exit(1); }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: step_gemm M[,M...] [d_model q_dim kv_dim d_mlp vocab layers]\n"); return 2; }
    long d = 4096, qd = 4096, kvd = 1024, mlp = 14336, vocab = 128256, layers = 4;
    if (argc >= 8) { d = atol(argv[2]); qd = atol(argv[3]); kvd = atol(argv[4]); mlp = atol(argv[5]); vocab = atol(argv[6]); layers = atol(argv[7]); }
    int threads = getenv("THREADS") ? atoi(getenv("THREADS")) : 2;
    int reps = getenv("REPS") ? atoi(getenv("REPS")) : 7;
    if (reps < 1 || reps > 100) reps = 7;
    if (threads < 1 || threads > 64) threads = 2;
    omp_set_num_threads(threads);
    split_threads = threads;
    pthread_barrier_init(&go, NULL, threads);
    pthread_barrier_init(&done, NULL, threads);
    pthread_t workers[64];
    for (int t = 1; t < threads; t++) pthread_create(&workers[t], NULL, split_worker, (void *)(long)t);
    shape shapes[] = {{"q", qd, d, layers}, {"k", kvd, d, layers}, {"v", kvd, d, layers}, {"o", d, qd, layers},
                      {"gate", mlp, d, layers}, {"up", mlp, d, layers}, {"down", d, mlp, layers}, {"unembed", vocab, d, 1}};
    int ns = sizeof shapes / sizeof shapes[0];
    dnnl_engine_t eng;
    dnnl_stream_t st;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    unsigned seed = 1;
    // Each shape cycles through copies of its weight adding up to at least 96 MB (beyond this CPU's L3), so
    // every product reads its weights from memory as a step's distinct layers do.
    uint16_t *w[8][COPIES];
    int copies[8];
    for (int s = 0; s < ns; s++) {
        long bytes = shapes[s].n * shapes[s].k * 2;
        copies[s] = (int)((96L << 20) / bytes + 1);
        if (copies[s] > COPIES) copies[s] = COPIES;
        for (int i = 0; i < copies[s]; i++) w[s][i] = random_bf16(shapes[s].n * shapes[s].k, 0.05f, &seed);   // [n, k]
    }
    printf("bf16 GEMM ceiling (oneDNN matmul, %d threads; Loupe's tiles up to 40 rows), GFLOP/s median (min–max) of %d from wall "
           "time; CPU: from process CPU time\n\n", threads, reps);
    printf("| M | product | M × N × K | × per step | team: GFLOP/s wall | team: CPU | split: GFLOP/s wall | split: CPU "
           "| tiles: GFLOP/s wall | tiles: CPU |\n|---|---|---|---|---|---|---|---|---|---|\n");
    char *list = strdup(argv[1]);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        long m = atol(tok);
        if (m < 1) continue;
        long kmax = mlp > qd ? (mlp > d ? mlp : d) : (qd > d ? qd : d);
        uint16_t *x = random_bf16(m * kmax, 1.0f, &seed);                 // [m, k] bf16 activations
        double step_flop = 0, step_s = 0, step_cpu = 0, best = 0;
        for (int s = 0; s < ns; s++) {
            long n = shapes[s].n, k = shapes[s].k;
            float *c = aligned_alloc(64, (m * n * 4 + 63) / 64 * 64);    // [m, n]
            dnnl_memory_desc_t ad, bd, cd;
            dnnl_dims_t adims = {m, k}, bdims = {k, n}, cdims = {m, n};
            CHECK(dnnl_memory_desc_init_by_tag(&ad, 2, adims, dnnl_bf16, dnnl_ab));
            CHECK(dnnl_memory_desc_init_by_tag(&bd, 2, bdims, dnnl_bf16, dnnl_ba));   // the stored [n, k]
            CHECK(dnnl_memory_desc_init_by_tag(&cd, 2, cdims, dnnl_f32, dnnl_ab));
            dnnl_matmul_desc_t md;
            CHECK(dnnl_matmul_desc_init(&md, &ad, &bd, NULL, &cd));
            dnnl_primitive_desc_t pd;
            CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
            dnnl_primitive_t prim;
            CHECK(dnnl_primitive_create(&prim, pd));
            dnnl_memory_t am, bm, cm;
            CHECK(dnnl_memory_create(&am, &ad, eng, x));
            CHECK(dnnl_memory_create(&bm, &bd, eng, w[s][0]));
            CHECK(dnnl_memory_create(&cm, &cd, eng, c));
            dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
            double t[3][100], ct[3][100];
            int modes = m <= 40 ? 3 : 2;                                   // the tiles take up to 40 rows
            for (int r = -1; r < reps; r++) {
                for (int mode = 0; mode < modes; mode++) {                 // the ways alternate, rep by rep
                    const uint16_t *wr = w[s][(3 * (r + 1) + mode) % copies[s]];
                    double c0 = cpu(), t0 = now();
                    if (mode == 0) {
                        CHECK(dnnl_memory_set_data_handle(bm, (void *)wr));
                        CHECK(dnnl_primitive_execute(prim, st, 3, args));
                        CHECK(dnnl_stream_wait(st));
                    } else {
                        split_run(x, wr, c, m, n, k, mode == 2);
                    }
                    double t1 = now(), c1 = cpu();
                    if (r >= 0) { t[mode][r] = t1 - t0; ct[mode][r] = c1 - c0; }
                }
            }
            double fl = 2.0 * m * n * k * 1e-9, med[3] = {0, 0, 0}, cmed[3] = {0, 0, 0};
            for (int mode = 0; mode < modes; mode++) {
                qsort(t[mode], reps, sizeof t[mode][0], cmp);
                qsort(ct[mode], reps, sizeof ct[mode][0], cmp);
                med[mode] = t[mode][reps / 2];
                cmed[mode] = ct[mode][reps / 2];
            }
            int better = med[1] < med[0];
            if (modes == 3 && med[2] < med[better]) better = 2;
            step_flop += fl * shapes[s].count;
            step_s += med[better] * shapes[s].count;
            step_cpu += cmed[better] * shapes[s].count;
            if (fl / med[better] > best) best = fl / med[better];
            char tiles[64] = "—", tiles_cpu[32] = "—";
            if (modes == 3) {
                snprintf(tiles, sizeof tiles, "%.0f (%.0f–%.0f)", fl / med[2], fl / t[2][reps - 1], fl / t[2][0]);
                snprintf(tiles_cpu, sizeof tiles_cpu, "%.0f", cmed[2] > 0 ? fl / cmed[2] * threads : 0.0);
            }
            printf("| %ld | %s | %ld × %ld × %ld | %ld | %.0f (%.0f–%.0f) | %.0f | %.0f (%.0f–%.0f) | %.0f | %s | %s |\n", m, shapes[s].name, m,
                   n, k, shapes[s].count, fl / med[0], fl / t[0][reps - 1], fl / t[0][0], cmed[0] > 0 ? fl / cmed[0] * threads : 0.0,
                   fl / med[1], fl / t[1][reps - 1], fl / t[1][0], cmed[1] > 0 ? fl / cmed[1] * threads : 0.0, tiles, tiles_cpu);
            fflush(stdout);
            dnnl_memory_destroy(am);
            dnnl_memory_destroy(bm);
            dnnl_memory_destroy(cm);
            dnnl_primitive_destroy(prim);
            dnnl_primitive_desc_destroy(pd);
            free(c);
        }
        printf("| %ld | **the step's products, the best way each** | | | **%.0f** | %.0f | | | | |\n", m, step_flop / step_s,
               step_cpu > 0 ? step_flop / step_cpu * threads : 0.0);
        printf("{\"m\": %ld, \"step_gflop\": %.3f, \"step_ms\": %.2f, \"step_gflops\": %.1f, \"best_gflops\": %.1f, \"cpu_gflops\": %.1f}\n",
                m, step_flop, step_s * 1e3, step_flop / step_s, best, step_cpu > 0 ? step_flop / step_cpu * threads : 0.0);
        free(x);
    }
    free(list);
    for (int s = 0; s < ns; s++) for (int i = 0; i < copies[s]; i++) free(w[s][i]);
    quit = 1;
    pthread_barrier_wait(&go);
    for (int t = 1; t < threads; t++) pthread_join(workers[t], NULL);
    dnnl_stream_destroy(st);
    dnnl_engine_destroy(eng);
    return 0;
}
