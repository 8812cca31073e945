// bf16 products for few rows: oneDNN one-thread products on column blocks (Loupe's BF16Products.gemm) against
// the dot-product tiles of Sources/CBF16Kernels/bf16_few_rows.c, on the 8B's shapes, weights from memory (each
// shape cycles through copies adding up to >= 96 MB), THREADS (default 2) threads splitting the columns. The
// two ways alternate rep by rep; median (min–max) GFLOP/s of REPS, and the largest relative difference.
// Build and run: bench/bf16/small_m.sh [M,M,...]
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <sys/resource.h>

#include "bf16_kernels.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
// Process CPU seconds (both threads): with other jobs on the machine, the rate per CPU-second × threads is
// steadier than wall time (a thread preempted at a barrier costs wall time, not CPU time).
static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}
static int use_cpu;
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

static uint16_t *random_bf16(long count, float scale, unsigned *seed) {
    uint16_t *p = aligned_alloc(64, (count * 2 + 63) / 64 * 64);
    for (long i = 0; i < count; i++) {
        float f = ((float)rand_r(seed) / (float)RAND_MAX - 0.5f) * scale;
        uint32_t u;
        memcpy(&u, &f, 4);
        p[i] = (uint16_t)(u >> 16);
    }
    return p;
}

typedef struct { const uint16_t *a, *w; float *c; long m, n, k, width; int mode; } jobs;
static jobs job;
static pthread_barrier_t go, done;
static int nthreads;
static volatile int quit;

static void part(int t) {
    long n0 = t * job.width, nb = job.n - n0 < job.width ? job.n - n0 : job.width;
    if (nb <= 0) return;
    int s = job.mode == 0 ? loupe_bf16_gemm_nt(job.a, job.k, job.m, job.w + n0 * job.k, job.k, nb, job.k, job.c + n0, job.n, 0, 1, 0)
                          : job.mode == 1 ? loupe_bf16_dot_gemm(job.a, job.k, job.m, job.w + n0 * job.k, job.k, nb, job.k, job.c + n0, job.n, 0)
                          : loupe_bf16_bcast_gemm(job.a, job.k, job.m, job.w + n0 * job.k, job.k, nb, job.k, job.c + n0, job.n, 0);
    if (s) { fprintf(stderr, "mode %d status %d\n", job.mode, s); exit(1); }
}
static void *worker(void *arg) {
    int t = (int)(long)arg;
    for (;;) {
        pthread_barrier_wait(&go);
        if (quit) return NULL;
        part(t);
        pthread_barrier_wait(&done);
    }
}
static void run(int mode, const uint16_t *a, const uint16_t *w, float *c, long m, long n, long k) {
    long width = ((n + nthreads - 1) / nthreads + 63) / 64 * 64;
    job = (jobs){a, w, c, m, n, k, width, mode};
    pthread_barrier_wait(&go);
    part(0);
    pthread_barrier_wait(&done);
}

int main(int argc, char **argv) {
    nthreads = getenv("THREADS") ? atoi(getenv("THREADS")) : 2;
    int reps = getenv("REPS") ? atoi(getenv("REPS")) : 7;
    use_cpu = getenv("CPUTIME") != NULL;                                    // rates from CPU time instead of wall
    pthread_barrier_init(&go, NULL, nthreads);
    pthread_barrier_init(&done, NULL, nthreads);
    pthread_t th[64];
    for (int t = 1; t < nthreads; t++) pthread_create(&th[t], NULL, worker, (void *)(long)t);
    struct { const char *name; long n, k; } shapes[] = {{"q/o", 4096, 4096}, {"k/v", 1024, 4096}, {"gate/up", 14336, 4096},
                                                         {"down", 4096, 14336}, {"unembed", 128256, 4096}};
    int ns = sizeof shapes / sizeof shapes[0];
    unsigned seed = 1;
    char *list = strdup(argc > 1 ? argv[1] : "1,4,8,16,32,64");
    printf("| M × N × K | oneDNN column split | dot tiles | broadcast tiles | best / oneDNN | max rel diff |\n|---|---:|---:|---:|---:|---:|\n");
    for (int s = 0; s < ns; s++) {
        long n = shapes[s].n, k = shapes[s].k, bytes = n * k * 2;
        int copies = (int)((96L << 20) / bytes + 1);
        if (copies > 16) copies = 16;
        if (getenv("HOT")) copies = 1;                                     // weights stay in cache
        uint16_t *w[16];
        for (int i = 0; i < copies; i++) w[i] = random_bf16(n * k, 0.05f, &seed);
        char *save = NULL;
        char *l2 = strdup(list);
        for (char *tok = strtok_r(l2, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            long m = atol(tok);
            int modes = m <= 48 ? 3 : 2;
            uint16_t *x = random_bf16(m * k, 1.0f, &seed);
            float *cs[3];
            for (int q = 0; q < 3; q++) cs[q] = aligned_alloc(64, (m * n * 4 + 63) / 64 * 64);
            double t[3][100];
            for (int r = -1; r < reps; r++)
                for (int mode = 0; mode < modes; mode++) {
                    const uint16_t *wr = w[(3 * (r + 1) + mode) % copies];
                    double t0 = use_cpu ? cpu() : now();
                    run(mode, x, wr, cs[mode], m, n, k);
                    if (r >= 0) t[mode][r] = ((use_cpu ? cpu() : now()) - t0) / (use_cpu ? nthreads : 1);
                }
            for (int mode = 0; mode < modes; mode++) run(mode, x, w[0], cs[mode], m, n, k);   // same weights for the check
            double diff = 0, mx = 0;
            for (int mode = 1; mode < modes; mode++)
                for (long i = 0; i < m * n; i++) {
                    double d = fabs(cs[0][i] - cs[mode][i]);
                    if (d > diff || d != d) diff = d;
                    if (fabs(cs[0][i]) > mx) mx = fabs(cs[0][i]);
                }
            double fl = 2.0 * m * n * k * 1e-9, med[3] = {0, 0, 0};
            char cell[3][64] = {"—", "—", "—"};
            for (int mode = 0; mode < modes; mode++) {
                qsort(t[mode], reps, sizeof t[mode][0], cmp);
                med[mode] = t[mode][reps / 2];
                snprintf(cell[mode], 64, "%.0f (%.0f–%.0f)", fl / med[mode], fl / t[mode][reps - 1], fl / t[mode][0]);
            }
            double best = med[1] < med[0] ? med[1] : med[0];
            if (modes == 3 && med[2] < best) best = med[2];
            printf("| %ld × %ld × %ld (%s) | %s | %s | %s | %.2f× | %.1e |\n", m, n, k, shapes[s].name, cell[0], cell[1], cell[2],
                   med[0] / best, diff / (mx > 0 ? mx : 1));
            fflush(stdout);
            free(x);
            for (int q = 0; q < 3; q++) free(cs[q]);
        }
        free(l2);
        for (int i = 0; i < copies; i++) free(w[i]);
    }
    quit = 1;
    pthread_barrier_wait(&go);
    for (int t = 1; t < nthreads; t++) pthread_join(th[t], NULL);
    return 0;
}
