// Float32 to Q8_0 with AVX-512: one block of 32 values is two zmm. Every step is the exact float operation
// of Quantize.q8_0 (max, one division for d and one for 1/d, a product, floor, the half-away-from-zero
// rule on the exact fraction), so the bytes are the same; d goes to f16 by F16C's round-to-nearest-even,
// as Quantize.f32ToF16 rounds.
#include "quantize_q8.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

static int q8_state = -1;   // -1: not probed yet

static int cpu_has_quantizer(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("f16c");
}

int loupe_quantize_q8_0_active(void) {
    if (q8_state < 0) { q8_state = cpu_has_quantizer(); }
    return q8_state;
}

void loupe_set_quantize_q8_0(int enabled) { q8_state = enabled ? cpu_has_quantizer() : 0; }

#define Q8 __attribute__((target("avx512f,avx512bw,f16c")))

// q = roundf(v) as an int8 (|v| ≤ 127.00002): floor of |v|, plus one when twice the fraction is ≥ 1, signed.
Q8 static inline __m128i round_half_away(__m512 v) {
    __m512 a = _mm512_abs_ps(v);
    __m512 fl = _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 twice = _mm512_mul_ps(_mm512_sub_ps(a, fl), _mm512_set1_ps(2.0f));
    __mmask16 up = _mm512_cmp_ps_mask(twice, _mm512_set1_ps(1.0f), _CMP_GE_OQ);
    __m512 r = _mm512_mask_add_ps(fl, up, fl, _mm512_set1_ps(1.0f));
    __m512i q = _mm512_cvttps_epi32(r);
    __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
    q = _mm512_mask_sub_epi32(q, neg, _mm512_setzero_si512(), q);
    return _mm512_cvtepi32_epi8(q);
}

Q8 static long quantize(const float *x, long blocks, unsigned char *out) {
    const __m512 inf = _mm512_set1_ps(__builtin_inff());
    for (long b = 0; b < blocks; b++) {
        __m512 lo = _mm512_loadu_ps(x + 32 * b), hi = _mm512_loadu_ps(x + 32 * b + 16);
        __m512 alo = _mm512_abs_ps(lo), ahi = _mm512_abs_ps(hi);
        // Finite means |x| < ∞ (false for NaN): a block with anything else is the caller's.
        if ((__mmask16)(_mm512_cmp_ps_mask(alo, inf, _CMP_LT_OQ) & _mm512_cmp_ps_mask(ahi, inf, _CMP_LT_OQ)) != 0xFFFF) return b;
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(alo, ahi));
        float d = amax / 127.0f;
        float id = d == 0.0f ? 0.0f : 1.0f / d;
        if (!(id < __builtin_inff())) return b;                         // d subnormal: 1/d overflows
        unsigned char *o = out + 34 * b;
        uint16_t h = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        memcpy(o, &h, 2);
        __m512 vid = _mm512_set1_ps(id);
        _mm_storeu_si128((__m128i *)(o + 2), round_half_away(_mm512_mul_ps(lo, vid)));
        _mm_storeu_si128((__m128i *)(o + 18), round_half_away(_mm512_mul_ps(hi, vid)));
    }
    return blocks;
}

long loupe_quantize_q8_0(const float *x, long blocks, unsigned char *out) {
    if (!loupe_quantize_q8_0_active()) return 0;
    return quantize(x, blocks, out);
}

#else
int loupe_quantize_q8_0_active(void) { return 0; }
void loupe_set_quantize_q8_0(int enabled) { (void)enabled; }
long loupe_quantize_q8_0(const float *x, long blocks, unsigned char *out) { (void)x; (void)blocks; (void)out; return 0; }
#endif
