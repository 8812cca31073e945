// f32 C = A·Bᵀ (A [M, K] activations, B [N, K] weights as stored, C [M, N]) at SmolLM2's and GPT-2-small's
// product shapes, every library in one process and one run: OpenBLAS sgemm, BLIS sgemm (its cblas) and oneDNN's
// f32 matmul on weights reordered once into its blocked layout (what Loupe's `PackedWeights` does).
// OpenBLAS and BLIS both export cblas_sgemm, so each BLAS is dlopen'ed with RTLD_LOCAL | RTLD_DEEPBIND; oneDNN
// is linked. Usage (bench/blas/run.sh builds and runs it):
//   gemm_peers [-t 1,2] [-m 1,32,256,1024] [-s 0,1,...] [-r reps] [-v] LABEL=LIB.so[@KERNELS] ... onednn
// -v: one row (M = 1) goes through the BLAS's cblas_sgemv (y = B·x) instead of its sgemm.
// The first backend is the reference of the "max |Δ|/max|c|" column. @KERNELS is set while the library
// initialises: a number as BLIS_ARCH_TYPE (BLIS's sub-config id), a name as OPENBLAS_CORETYPE. Both are read
// once per loaded library, so each choice of kernels in one process needs its own copy of the .so.
// Each cell: median (min–max) of REPS timed repetitions after a warm-up; a repetition is enough calls for
// ≥ 3 ms, cycling through copies of the weights that together exceed 2× the L3 cache (64 MB), as a forward
// pass meets each layer's weights cold. GFLOP/s = 2·M·N·K / wall time per call; "cpu" is the same from
// process CPU time (all threads, so at 2 threads it is the rate per busy core).
#include <dlfcn.h>
#include <dnnl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void omp_set_num_threads(int);

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, MAX_BACKENDS = 8, MAX_REPS = 31 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef struct {
    char label[96];
    void *lib;          // NULL for oneDNN
    sgemm_fn sgemm;
    sgemv_fn sgemv;
    void (*set_threads)(int);
} backend;

// (N, K) and name: GPT-2-small, then SmolLM2-135M (9 query heads and 3 key/value heads of 64).
static const struct { long n, k; const char *name; } shapes[] = {
    {2304, 768, "GPT-2 q|k|v"}, {768, 768, "GPT-2 attn out"}, {3072, 768, "GPT-2 MLP in"},
    {768, 3072, "GPT-2 MLP out"}, {50257, 768, "GPT-2 unembed"},
    {576, 576, "SmolLM2 q, o"}, {192, 576, "SmolLM2 k, v"}, {1536, 576, "SmolLM2 gate, up"},
    {576, 1536, "SmolLM2 down"}, {49152, 576, "SmolLM2 unembed"}};
enum { NSHAPES = sizeof shapes / sizeof shapes[0] };

static double clock_s(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static void pause_ms(long ms) { struct timespec t = {ms / 1000, (ms % 1000) * 1000000}; nanosleep(&t, NULL); }
static void die(const char *what, const char *detail) {
    fprintf(stderr, "gemm_peers: %s: %s\n", what, detail);
    exit(1);
}
#define CHECK(e) do { dnnl_status_t s_ = (e); \
    if (s_ != dnnl_success) { fprintf(stderr, "gemm_peers: %s: status %d\n", #e, s_); exit(1); } } while (0)

static int parse_list(const char *s, long *out, int cap) {
    int n = 0;
    for (char *end; *s && n < cap; s = *end ? end + 1 : end) out[n++] = strtol(s, &end, 10);
    return n;
}

// dlopen a BLAS (OpenBLAS or BLIS, told apart by their exported symbols) and initialise it now, so that a
// BLIS_ARCH_TYPE given for it applies to it alone.
static void open_blas(backend *b, const char *spec) {
    char path[512];
    const char *eq = strchr(spec, '='), *at = strchr(spec, '@');
    if (!eq) die("backend needs LABEL=PATH", spec);
    snprintf(b->label, sizeof b->label, "%.*s", (int)(eq - spec), spec);
    snprintf(path, sizeof path, "%.*s", (int)((at ? at : spec + strlen(spec)) - eq - 1), eq + 1);
    // A number after @ is a BLIS_ARCH_TYPE, a name an OPENBLAS_CORETYPE (read by OpenBLAS as it loads).
    unsetenv("BLIS_ARCH_TYPE");
    unsetenv("OPENBLAS_CORETYPE");
    if (at) setenv(at[1] >= '0' && at[1] <= '9' ? "BLIS_ARCH_TYPE" : "OPENBLAS_CORETYPE", at + 1, 1);
    b->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!b->lib) die(path, dlerror());
    b->sgemm = (sgemm_fn)dlsym(b->lib, "cblas_sgemm");
    b->sgemv = (sgemv_fn)dlsym(b->lib, "cblas_sgemv");
    if (!b->sgemm || !b->sgemv) die(path, "no cblas_sgemm or cblas_sgemv");
    void (*bli_init)(void) = (void (*)(void))dlsym(b->lib, "bli_init");
    if (bli_init) {
        bli_init();
        int (*arch)(void) = (int (*)(void))dlsym(b->lib, "bli_arch_query_id");
        const char *(*arch_name)(int) = (const char *(*)(int))dlsym(b->lib, "bli_arch_string");
        size_t l = strlen(b->label);
        snprintf(b->label + l, sizeof b->label - l, " (%s)", arch_name(arch()));
        b->set_threads = (void (*)(int))dlsym(b->lib, "bli_thread_set_num_threads");
    } else {
        char *(*core)(void) = (char *(*)(void))dlsym(b->lib, "openblas_get_corename");
        size_t l = strlen(b->label);
        if (core) snprintf(b->label + l, sizeof b->label - l, " (%s)", core());
        b->set_threads = (void (*)(int))dlsym(b->lib, "openblas_set_num_threads");
    }
    if (!b->set_threads) die(path, "no thread-count setter");
    unsetenv("BLIS_ARCH_TYPE");
    unsetenv("OPENBLAS_CORETYPE");
}

// oneDNN f32 matmul for M rows, and the R weight copies reordered into the layout it picked for them.
typedef struct {
    dnnl_primitive_t prim;
    dnnl_memory_t a, c, *w;
    int copies;
    char impl[64];
} onednn;

static void onednn_make(onednn *o, dnnl_engine_t eng, dnnl_stream_t st, long m, long n, long k, float *a, float *w,
                        int copies, float *c) {
    dnnl_memory_desc_t ad, wd, wany, cd;
    dnnl_dims_t adims = {m, k}, wdims = {k, n}, cdims = {m, n}, wstrides = {1, k};
    CHECK(dnnl_memory_desc_init_by_tag(&ad, 2, adims, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_strides(&wd, 2, wdims, dnnl_f32, wstrides));     // Bᵀ as a [K, N] view
    CHECK(dnnl_memory_desc_init_by_tag(&wany, 2, wdims, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&cd, 2, cdims, dnnl_f32, dnnl_ab));
    dnnl_matmul_desc_t md;
    CHECK(dnnl_matmul_desc_init(&md, &ad, &wany, NULL, &cd));
    dnnl_primitive_desc_t pd, rpd;
    CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
    const char *impl = "?";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(o->impl, sizeof o->impl, "%s", impl);
    const dnnl_memory_desc_t *packed = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    CHECK(dnnl_primitive_create(&o->prim, pd));
    CHECK(dnnl_memory_create(&o->a, &ad, eng, a));
    CHECK(dnnl_memory_create(&o->c, &cd, eng, c));
    CHECK(dnnl_reorder_primitive_desc_create(&rpd, &wd, eng, packed, eng, NULL));
    dnnl_primitive_t reorder;
    CHECK(dnnl_primitive_create(&reorder, rpd));
    o->copies = copies;
    o->w = malloc(copies * sizeof *o->w);
    for (int r = 0; r < copies; r++) {
        dnnl_memory_t stored;
        CHECK(dnnl_memory_create(&stored, &wd, eng, w + (size_t)r * n * k));
        CHECK(dnnl_memory_create(&o->w[r], packed, eng, DNNL_MEMORY_ALLOCATE));
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, stored}, {DNNL_ARG_TO, o->w[r]}};
        CHECK(dnnl_primitive_execute(reorder, st, 2, args));
        CHECK(dnnl_stream_wait(st));
        dnnl_memory_destroy(stored);
    }
    dnnl_primitive_destroy(reorder);
    dnnl_primitive_desc_destroy(rpd);
    dnnl_primitive_desc_destroy(pd);
}

static void onednn_free(onednn *o) {
    for (int r = 0; r < o->copies; r++) dnnl_memory_destroy(o->w[r]);
    free(o->w);
    dnnl_memory_destroy(o->a); dnnl_memory_destroy(o->c); dnnl_primitive_destroy(o->prim);
}

typedef struct { long m, n, k; float *a, *w, *c; int copies, gemv; onednn *dnn; dnnl_stream_t st; } product;

// One call of backend b on weight copy r.
static void call(const backend *b, const product *p, int r) {
    if (b->lib && p->m == 1 && p->gemv) {
        b->sgemv(ROW_MAJOR, NO_TRANS, p->n, p->k, 1, p->w + (size_t)r * p->n * p->k, p->k, p->a, 1, 0, p->c, 1);
    } else if (b->lib) {
        b->sgemm(ROW_MAJOR, NO_TRANS, TRANS, p->m, p->n, p->k, 1, p->a, p->k, p->w + (size_t)r * p->n * p->k, p->k,
                 0, p->c, p->n);
    } else {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, p->dnn->a}, {DNNL_ARG_WEIGHTS, p->dnn->w[r]},
                                   {DNNL_ARG_DST, p->dnn->c}};
        CHECK(dnnl_primitive_execute(p->dnn->prim, p->st, 3, args));
        CHECK(dnnl_stream_wait(p->st));
    }
}

// Seconds per call (wall and CPU) of reps repetitions, sorted.
static void time_backend(const backend *b, const product *p, int reps, double *wall, double *cpu) {
    int r = 0;
    double t0 = clock_s(CLOCK_MONOTONIC);
    for (int i = 0; i < p->copies; i++) call(b, p, r++ % p->copies);            // warm-up, one pass over the copies
    double per_call = (clock_s(CLOCK_MONOTONIC) - t0) / p->copies;
    long inner = per_call > 3e-3 ? 1 : (long)ceil(3e-3 / per_call);
    for (int i = 0; i < reps; i++) {
        double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for (long j = 0; j < inner; j++) call(b, p, r++ % p->copies);
        wall[i] = (clock_s(CLOCK_MONOTONIC) - w0) / inner;
        cpu[i] = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / inner;
    }
    qsort(wall, reps, sizeof *wall, cmp);
    qsort(cpu, reps, sizeof *cpu, cmp);
}

static double loadavg(void) {
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) { if (fscanf(f, "%lf", &l) != 1) l = -1; fclose(f); }
    return l;
}

int main(int argc, char **argv) {
    long threads[4] = {1, 2}, ms[8] = {1, 32, 256, 1024}, sel[NSHAPES];
    int nt = 2, nm = 4, ns = NSHAPES, nb = 0, reps = 7, gemv = 0;
    for (int s = 0; s < NSHAPES; s++) sel[s] = s;
    backend bs[MAX_BACKENDS] = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) nt = parse_list(argv[++i], threads, 4);
        else if (!strcmp(argv[i], "-m") && i + 1 < argc) nm = parse_list(argv[++i], ms, 8);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc) ns = parse_list(argv[++i], sel, NSHAPES);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-v")) gemv = 1;
        else if (nb == MAX_BACKENDS) die("too many backends", argv[i]);
        else if (!strcmp(argv[i], "onednn")) snprintf(bs[nb++].label, sizeof bs[0].label, "oneDNN packed");
        else open_blas(&bs[nb++], argv[i]);
    }
    if (nb == 0 || reps < 1 || reps > MAX_REPS)
        die("usage", "gemm_peers [-t T,..] [-m M,..] [-s S,..] [-r reps] [-v] LABEL=LIB.so[@KERNELS] .. onednn");
    for (int s = 0; s < ns; s++) if (sel[s] < 0 || sel[s] >= NSHAPES) die("-s", "shape index out of range");
    dnnl_engine_t eng;
    dnnl_stream_t st;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));

    printf("load average at start %.2f; cells: GFLOP/s from wall time, median (min–max) of %d, then from CPU "
           "time%s\n\n",
           loadavg(), reps, gemv ? "; a BLAS at M = 1 runs cblas_sgemv" : "");
    printf("| T | M × N × K | product |");
    for (int b = 0; b < nb; b++) printf(" %s |", bs[b].label);
    printf(" max |Δ|/max|c| vs %s | oneDNN impl |\n|---|---|---|", bs[0].label);
    for (int b = 0; b <= nb; b++) printf("---|");
    printf("---|\n");
    fflush(stdout);
    srand(12);
    for (int ti = 0; ti < nt; ti++) {
        int t = (int)threads[ti];
        omp_set_num_threads(t);
        for (int b = 0; b < nb; b++) if (bs[b].lib) bs[b].set_threads(t);
        for (int mi = 0; mi < nm; mi++) {
            for (int si = 0; si < ns; si++) {
                long m = ms[mi], n = shapes[sel[si]].n, k = shapes[sel[si]].k;
                size_t wbytes = (size_t)n * k * sizeof(float);
                int copies = (int)((64u << 20) / wbytes + 1);
                float *a = malloc(m * k * sizeof(float)), *w = malloc(copies * wbytes);
                float *ref = malloc(m * n * sizeof(float)), *c = malloc(m * n * sizeof(float));
                if (!a || !w || !ref || !c) die("malloc", shapes[sel[si]].name);
                for (long i = 0; i < m * k; i++) a[i] = rand() / (float)RAND_MAX - 0.5f;
                for (size_t i = 0; i < (size_t)copies * n * k; i++) w[i] = (rand() / (float)RAND_MAX - 0.5f) * 0.1f;
                onednn dnn = {0};
                int has_dnn = 0;
                for (int b = 0; b < nb; b++) has_dnn |= !bs[b].lib;
                if (has_dnn) onednn_make(&dnn, eng, st, m, n, k, a, w, copies, c);
                product p = {m, n, k, a, w, c, copies, gemv, &dnn, st};
                double gf = 2.0 * m * n * k / 1e9, worst = 0, wall[MAX_REPS], cpu[MAX_REPS];
                printf("| %d | %ld × %ld × %ld | %s |", t, m, n, k, shapes[sel[si]].name);
                for (int b = 0; b < nb; b++) {
                    pause_ms(150);        // lets the previous library's idle threads stop spinning
                    time_backend(&bs[b], &p, reps, wall, cpu);
                    printf(" %.0f (%.0f–%.0f), cpu %.0f |", gf / wall[reps / 2], gf / wall[reps - 1], gf / wall[0],
                           gf / cpu[reps / 2]);
                    fflush(stdout);
                    memset(c, 0, m * n * sizeof(float));
                    call(&bs[b], &p, 0);
                    if (b == 0) { memcpy(ref, c, m * n * sizeof(float)); continue; }
                    double top = 0, d = 0;
                    for (long i = 0; i < m * n; i++) {
                        if (isnan(c[i])) { d = NAN; break; }
                        if (fabs(ref[i]) > top) top = fabs(ref[i]);
                        if (fabs(c[i] - ref[i]) > d) d = fabs(c[i] - ref[i]);
                    }
                    if (isnan(d) || d / top > worst) worst = d / top;
                }
                printf(" %.1e | %s |\n", worst, has_dnn ? dnn.impl : "—");
                fflush(stdout);
                if (has_dnn) onednn_free(&dnn);
                free(a); free(w); free(ref); free(c);
            }
        }
    }
    printf("\nload average at end %.2f\n", loadavg());
    dnnl_stream_destroy(st);
    dnnl_engine_destroy(eng);
    return 0;
}
