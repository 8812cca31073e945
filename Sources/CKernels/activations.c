// Vectorised activations and row softmax: AVX-512 bodies (target attribute, chosen by CPUID at run
// time) and scalar bodies with the same formulas for other CPUs.
#include "ckernels.h"
#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define LOUPE_X86 1
#endif

static int avx512_state = -1;   // -1: not probed yet

int loupe_avx512_active(void) {
    if (avx512_state < 0) {
#if LOUPE_X86
        __builtin_cpu_init();
        avx512_state = __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
        avx512_state = 0;
#endif
    }
    return avx512_state;
}

void loupe_set_avx512(int enabled) {
    avx512_state = -1;
    if (!enabled) { avx512_state = 0; } else { (void)loupe_avx512_active(); }
}

// MARK: scalar bodies

static inline float sigmoid_mul(float x, float t) { return x / (1.0f + expf(-t)); }

static void gelu_tanh_scalar(const float *x, float *out, long n) {
    const float c = 0.7978845608028654f;
    for (long i = 0; i < n; i++) {
        float v = x[i];
        out[i] = 0.5f * v * (1.0f + tanhf(c * (v + 0.044715f * v * v * v)));
    }
}

static void gelu_erf_scalar(const float *x, float *out, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        out[i] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    }
}

static void silu_scalar(const float *x, float *out, long n, float beta) {
    for (long i = 0; i < n; i++) out[i] = sigmoid_mul(x[i], beta * x[i]);
}

static void softmax_rows_scalar(const float *x, float *out, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *o = out + r * cols;
        float mx = -INFINITY;
        for (long j = 0; j < cols; j++) mx = xr[j] > mx ? xr[j] : mx;
        if (mx == -INFINITY) { for (long j = 0; j < cols; j++) o[j] = 0; continue; }
        float sum = 0;
        for (long j = 0; j < cols; j++) { float e = expf(xr[j] - mx); o[j] = e; sum += e; }
        float inv = 1.0f / sum;
        for (long j = 0; j < cols; j++) o[j] *= inv;
    }
}

#if LOUPE_X86
#define AVX512 __attribute__((target("avx512f")))

// e^x, 16 lanes (Cephes' expf polynomial after n = round(x·log2 e), scaled by 2^n with scalef):
// ~1 ulp on [-87, 88]; x below -103.9 (and −∞) gives exactly 0, above 88.7 gives 2^128-ish (caller clamps).
static inline AVX512 __m512 exp16(__m512 x) {
    const __m512 hi = _mm512_set1_ps(88.7228f), lo = _mm512_set1_ps(-103.9f);
    __mmask16 under = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    x = _mm512_min_ps(_mm512_max_ps(x, lo), hi);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_maskz_mov_ps((__mmask16)~under, _mm512_scalef_ps(p, n));
}

static inline AVX512 __mmask16 tail_mask(long left) {
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}

// x·σ(t) = x / (1 + e^(−t)), t clamped so e^(−t) stays finite.
static inline AVX512 __m512 x_sigmoid16(__m512 x, __m512 t) {
    __m512 e = exp16(_mm512_min_ps(_mm512_sub_ps(_mm512_setzero_ps(), t), _mm512_set1_ps(88.0f)));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

// gelu_new = 0.5·x·(1 + tanh(u)) = x·σ(2u), u = √(2/π)·(x + 0.044715·x³): the same function without
// the cancellation of 1 + tanh(u) for negative u.
static AVX512 void gelu_tanh_avx512(const float *x, float *out, long n) {
    const __m512 c2 = _mm512_set1_ps(2.0f * 0.7978845608028654f), k = _mm512_set1_ps(0.044715f);
    for (long i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __m512 u2 = _mm512_mul_ps(c2, _mm512_fmadd_ps(_mm512_mul_ps(k, v), _mm512_mul_ps(v, v), v));
        _mm512_mask_storeu_ps(out + i, m, x_sigmoid16(v, u2));
    }
}

// gelu(x) = 0.5·x·erfc(−x/√2); erfc(z) = t·e^(−z² + P(t)), t = 1/(1 + |z|/2) (Numerical Recipes' erfcc,
// fractional error < 1.2e-7 everywhere), and erfc(z) = 2 − erfc(−z) for z < 0.
static AVX512 void gelu_erf_avx512(const float *x, float *out, long n) {
    const __m512 one = _mm512_set1_ps(1.0f), half = _mm512_set1_ps(0.5f), two = _mm512_set1_ps(2.0f);
    for (long i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __m512 z = _mm512_mul_ps(v, _mm512_set1_ps(-0.70710678118654752f));
        __m512 az = _mm512_abs_ps(z);
        __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(half, az, one));
        __m512 p = _mm512_set1_ps(0.17087277f);
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.82215223f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.48851587f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.13520398f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.27886807f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.18628806f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.09678418f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.37409196f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.00002368f));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.26551223f));
        __m512 e = exp16(_mm512_fnmadd_ps(az, az, p));
        __m512 erfc = _mm512_mul_ps(t, e);                        // erfc(|z|)
        __mmask16 neg = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ);
        erfc = _mm512_mask_sub_ps(erfc, neg, two, erfc);
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(_mm512_mul_ps(half, v), erfc));
    }
}

static AVX512 void silu_avx512(const float *x, float *out, long n, float beta) {
    const __m512 b = _mm512_set1_ps(beta);
    for (long i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        _mm512_mask_storeu_ps(out + i, m, x_sigmoid16(v, _mm512_mul_ps(b, v)));
    }
}

static AVX512 void softmax_rows_avx512(const float *x, float *out, long rows, long cols) {
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *o = out + r * cols;
        __m512 mv = ninf;
        for (long j = 0; j < cols; j += 16)
            mv = _mm512_max_ps(mv, _mm512_mask_loadu_ps(ninf, tail_mask(cols - j), xr + j));
        float mx = _mm512_reduce_max_ps(mv);
        if (mx == -INFINITY) { for (long j = 0; j < cols; j++) o[j] = 0; continue; }
        const __m512 mb = _mm512_set1_ps(mx);
        __m512 sv = _mm512_setzero_ps();
        for (long j = 0; j < cols; j += 16) {
            __mmask16 m = tail_mask(cols - j);
            __m512 e = exp16(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, m, xr + j), mb));
            sv = _mm512_add_ps(sv, e);
            _mm512_mask_storeu_ps(o + j, m, e);
        }
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sv));
        for (long j = 0; j < cols; j += 16) {
            __mmask16 m = tail_mask(cols - j);
            _mm512_mask_storeu_ps(o + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, o + j), inv));
        }
    }
}
#endif

// MARK: dispatch

void loupe_gelu_tanh(const float *x, float *out, long n) {
#if LOUPE_X86
    if (loupe_avx512_active()) { gelu_tanh_avx512(x, out, n); return; }
#endif
    gelu_tanh_scalar(x, out, n);
}

void loupe_gelu_erf(const float *x, float *out, long n) {
#if LOUPE_X86
    if (loupe_avx512_active()) { gelu_erf_avx512(x, out, n); return; }
#endif
    gelu_erf_scalar(x, out, n);
}

void loupe_silu(const float *x, float *out, long n, float beta) {
#if LOUPE_X86
    if (loupe_avx512_active()) { silu_avx512(x, out, n, beta); return; }
#endif
    silu_scalar(x, out, n, beta);
}

void loupe_softmax_rows(const float *x, float *out, long rows, long cols) {
#if LOUPE_X86
    if (loupe_avx512_active()) { softmax_rows_avx512(x, out, rows, cols); return; }
#endif
    softmax_rows_scalar(x, out, rows, cols);
}
