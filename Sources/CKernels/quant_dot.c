// Quantised row · int8 x dot products with AVX-512 VNNI: vpdpbusd multiplies 64 unsigned bytes by 64
// signed bytes and adds groups of 4 into 16 int32 lanes. Unsigned weights (Q4_0/Q4_1/Q4_K nibbles,
// Q6_K 6-bit values) go in as they are (offsets such as Q4_0's −8 come off as −8·Σx); Q8_0's signed weights use |w| and x·sign(w). Integer dots become floats
// once per 32 elements (or 16 for Q6_K) times the float scale of weight and x.
#include "quant_dot.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

static int quant_dot_state = -1;   // -1: not probed yet

static int cpu_has_kernels(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")
        && __builtin_cpu_supports("f16c") && __builtin_cpu_supports("fma");
}

int loupe_quant_dot_active(void) {
    if (quant_dot_state < 0) { quant_dot_state = cpu_has_kernels(); }
    return quant_dot_state;
}

void loupe_set_quant_dot(int enabled) { quant_dot_state = enabled ? cpu_has_kernels() : 0; }

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,f16c,fma,avx2")))

VNNI static inline float half_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/// Two 32-byte halves as one 512-bit vector.
VNNI static inline __m512i join(const signed char *lo, const signed char *hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)lo)),
                              _mm256_loadu_si256((const __m256i *)hi), 1);
}

/// Σ q_w·q_x of two Q8_0 blocks (weights at w0, w1; x at xq, 64 bytes): lanes 0–7 block 1, 8–15 block 2.
/// |w| is exact as an unsigned byte (even for −128); x·sign(w) stays in −127…127.
VNNI static inline __m512i q8_pair(const uint8_t *w0, const uint8_t *w1, const signed char *xq) {
    __m512i w = join((const signed char *)w0, (const signed char *)w1);
    __m512i x = _mm512_loadu_si512((const void *)xq);
    __m512i xs = _mm512_mask_sub_epi8(x, _mm512_movepi8_mask(w), _mm512_setzero_si512(), x);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_abs_epi8(w), xs);
}

/// Q8_0 (34 B): d, 32 signed bytes. Four blocks per step; their scales d·xd convert together.
VNNI float loupe_dot_q8_0(const void *w, const signed char *xq, const float *xd, long blocks) {
    const uint8_t *blk = (const uint8_t *)w;
    const __m512i lo = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(2));
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    long b = 0;
    for (; b + 4 <= blocks; b += 4, blk += 136) {
        uint16_t h[4];
        for (int i = 0; i < 4; i++) { memcpy(&h[i], blk + 34 * i, 2); }
        // Built in registers: four 2-byte stores read back as one 8-byte load would stall store forwarding.
        __m128i hv = _mm_set_epi16(0, 0, 0, 0, (short)h[3], (short)h[2], (short)h[1], (short)h[0]);
        __m128 s4 = _mm_mul_ps(_mm_cvtph_ps(hv), _mm_loadu_ps(xd + b));
        __m512 s = _mm512_castps128_ps512(s4);
        __m512i d01 = q8_pair(blk + 2, blk + 36, xq + 32 * b);
        __m512i d23 = q8_pair(blk + 70, blk + 104, xq + 32 * b + 64);
        acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d01), _mm512_permutexvar_ps(lo, s), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d23), _mm512_permutexvar_ps(hi, s), acc1);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    for (; b < blocks; b++, blk += 34) {
        __m256i w0 = _mm256_loadu_si256((const __m256i *)(blk + 2));
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(xq + 32 * b));
        __m256i d0 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(w0), _mm256_sign_epi8(x0, w0));
        sum += half_at(blk) * xd[b] * (float)_mm512_reduce_add_epi32(_mm512_zextsi256_si512(d0));
    }
    return sum;
}

/// Q4_K (144 B): d, dmin, 12 B of 6-bit scales/mins, 128 B of nibbles. Sub-block j = 2g + k (elements
/// 32j…32j+31) is nibble k of bytes qs[32g…32g+31]. w·x = Σ_j d·sc_j·xd_j·Σ q·xq − dmin·m_j·Σx_j.
VNNI float loupe_dot_q4_K(const void *w, const signed char *xq, const float *xd, const float *xsum, long superBlocks) {
    const uint8_t *blk = (const uint8_t *)w;
    const __m512i nib = _mm512_set1_epi8(0x0F);
    // Lane groups of 8 → sub-block within the super-block: low nibbles of qs[64p…] are sub-blocks
    // 4p and 4p+2, high nibbles 4p+1 and 4p+3.
    const __m512i lo0 = _mm512_set_epi32(2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i one = _mm512_set1_epi32(1), four = _mm512_set1_epi32(4);
    __m512 acc = _mm512_setzero_ps();
    __m256 minAcc = _mm256_setzero_ps();
    for (long sb = 0; sb < superBlocks; sb++, blk += 144, xq += 256, xd += 8, xsum += 8) {
        float d = half_at(blk), dmin = half_at(blk + 2);
        uint32_t u[3];
        memcpy(u, blk + 4, 12);
        // Scales 0…3 and mins 0…3 are the low 6 bits of bytes 0…3 and 4…7; 4…7 take 4 bits from
        // bytes 8…11 and their top 2 bits from the top of bytes 0…3 (scales) and 4…7 (mins).
        uint32_t sm[4] = {
            u[0] & 0x3F3F3F3Fu,
            (u[2] & 0x0F0F0F0Fu) | (((u[0] >> 6) & 0x03030303u) << 4),
            u[1] & 0x3F3F3F3Fu,
            ((u[2] >> 4) & 0x0F0F0F0Fu) | (((u[1] >> 6) & 0x03030303u) << 4),
        };
        __m128i smv = _mm_set_epi32((int)sm[3], (int)sm[2], (int)sm[1], (int)sm[0]);   // in registers (store forwarding)
        __m512 scmn = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(smv));  // [sc0…7, m0…7]
        __m256 sc = _mm512_castps512_ps256(scmn), mn = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(scmn), 1));
        minAcc = _mm256_fmadd_ps(_mm256_mul_ps(mn, _mm256_set1_ps(dmin)), _mm256_loadu_ps(xsum), minAcc);
        __m512 s = _mm512_castps256_ps512(_mm256_mul_ps(_mm256_mul_ps(sc, _mm256_set1_ps(d)), _mm256_loadu_ps(xd)));
        for (int p = 0; p < 2; p++) {
            __m512i q = _mm512_loadu_si512((const void *)(blk + 16 + 64 * p));
            __m512i ql = _mm512_and_si512(q, nib), qh = _mm512_and_si512(_mm512_srli_epi16(q, 4), nib);
            __m512i xl = join(xq + 128 * p, xq + 128 * p + 64), xh = join(xq + 128 * p + 32, xq + 128 * p + 96);
            __m512i dl = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ql, xl);
            __m512i dh = _mm512_dpbusd_epi32(_mm512_setzero_si512(), qh, xh);
            __m512i il = _mm512_add_epi32(lo0, p ? four : _mm512_setzero_si512());
            acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dl), _mm512_permutexvar_ps(il, s), acc);
            acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dh), _mm512_permutexvar_ps(_mm512_add_epi32(il, one), s), acc);
        }
    }
    return _mm512_reduce_add_ps(acc) - _mm512_reduce_add_ps(_mm512_castps256_ps512(minAcc));
}

/// Q6_K (210 B): ql 128 B, qh 64 B, 16 signed scales, d. Chunk c = 4g + k (elements 32c…32c+31):
/// low 4 bits from ql[64g + 32(k&1) + l] >> 4(k>>1), high 2 bits from qh[32g + l] >> 2k; value − 32.
/// Elements 16n…16n+15 have scale n. The −32 is applied as −32·Σxq per 16 (xsum16).
VNNI float loupe_dot_q6_K(const void *w, const signed char *xq, const float *xd, const float *xsum16, long superBlocks) {
    const uint8_t *blk = (const uint8_t *)w;
    const __m512i nib = _mm512_set1_epi8(0x0F), two = _mm512_set1_epi8(0x30);
    // The high 256 bits hold chunk k = 1 (2-bit fields 2 up in qh).
    const __m512i qhShift = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
    // Lane i of a 64-element vector covers elements 4i…4i+3: group of 16 = i/4.
    const __m512i g4 = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    const __m512i pairOfXd = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    __m512 acc = _mm512_setzero_ps(), corr = _mm512_setzero_ps();
    for (long sb = 0; sb < superBlocks; sb++, blk += 210, xq += 256, xd += 8, xsum16 += 16) {
        float d = half_at(blk + 208);
        __m512 sc = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(blk + 192))));
        __m512 xd16 = _mm512_permutexvar_ps(pairOfXd, _mm512_castps256_ps512(_mm256_loadu_ps(xd)));
        __m512 s = _mm512_mul_ps(_mm512_mul_ps(sc, xd16), _mm512_set1_ps(d));   // [16] per group of 16
        corr = _mm512_fmadd_ps(s, _mm512_loadu_ps(xsum16), corr);
        for (int g = 0; g < 2; g++) {
            __m512i ql = _mm512_loadu_si512((const void *)(blk + 64 * g));
            __m256i qh256 = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * g));
            __m512i qh = _mm512_srlv_epi16(_mm512_inserti64x4(_mm512_castsi256_si512(qh256), qh256, 1), qhShift);
            // Chunks 4g, 4g+1: low nibbles | bits 0–1 (shifted to 4–5); chunks 4g+2, 4g+3: high nibbles | bits 4–5.
            __m512i qa = _mm512_or_si512(_mm512_and_si512(ql, nib), _mm512_and_si512(_mm512_slli_epi16(qh, 4), two));
            __m512i qb = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), nib), _mm512_and_si512(qh, two));
            __m512i da = _mm512_dpbusd_epi32(_mm512_setzero_si512(), qa, _mm512_loadu_si512((const void *)(xq + 128 * g)));
            __m512i db = _mm512_dpbusd_epi32(_mm512_setzero_si512(), qb, _mm512_loadu_si512((const void *)(xq + 128 * g + 64)));
            __m512i ia = _mm512_add_epi32(g4, _mm512_set1_epi32(8 * g));
            acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(da), _mm512_permutexvar_ps(ia, s), acc);
            acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(db), _mm512_permutexvar_ps(_mm512_add_epi32(ia, _mm512_set1_epi32(4)), s), acc);
        }
    }
    return _mm512_reduce_add_ps(acc) - 32.0f * _mm512_reduce_add_ps(corr);
}

/// Four 32-element nibble blocks (16 bytes each at q0…q3, element j = low nibble of byte j, element
/// 16 + j = its high nibble) against x blocks b…b+3 (xq, 128 bytes): 128-bit lane i = block i,
/// int32 lanes 4i…4i+3 sum to block i's Σ q·xq.
VNNI static inline __m512i nib4(const uint8_t *q0, const uint8_t *q1, const uint8_t *q2, const uint8_t *q3,
                                const signed char *xq) {
    const __m512i nib = _mm512_set1_epi8(0x0F);
    __m512i q = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)q0));
    q = _mm512_inserti32x4(q, _mm_loadu_si128((const __m128i *)q1), 1);
    q = _mm512_inserti32x4(q, _mm_loadu_si128((const __m128i *)q2), 2);
    q = _mm512_inserti32x4(q, _mm_loadu_si128((const __m128i *)q3), 3);
    __m512i x0 = _mm512_loadu_si512((const void *)xq), x1 = _mm512_loadu_si512((const void *)(xq + 64));
    // First and second halves of each block's x: 128-bit lanes (x0.0, x0.2, x1.0, x1.2) and (x0.1, x0.3, x1.1, x1.3).
    __m512i xlo = _mm512_shuffle_i64x2(x0, x1, 0x88), xhi = _mm512_shuffle_i64x2(x0, x1, 0xDD);
    __m512i d = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(q, nib), xlo);
    return _mm512_dpbusd_epi32(d, _mm512_and_si512(_mm512_srli_epi16(q, 4), nib), xhi);
}

/// One nibble block's Σ q·xq (the tail after steps of four).
VNNI static inline int nib1(const uint8_t *q, const signed char *xq) {
    const __m128i nib = _mm_set1_epi8(0x0F);
    __m128i v = _mm_loadu_si128((const __m128i *)q);
    __m128i d = _mm_dpbusd_epi32(_mm_setzero_si128(), _mm_and_si128(v, nib), _mm_loadu_si128((const __m128i *)xq));
    d = _mm_dpbusd_epi32(d, _mm_and_si128(_mm_srli_epi16(v, 4), nib), _mm_loadu_si128((const __m128i *)(xq + 16)));
    d = _mm_add_epi32(d, _mm_shuffle_epi32(d, 0x4E));
    d = _mm_add_epi32(d, _mm_shuffle_epi32(d, 0xB1));
    return _mm_cvtsi128_si32(d);
}

/// Q4_1 (20 B): d, m, 16 B of nibbles; w = d·q + m. w·x = Σ_b d·xd_b·Σ q·xq + m·Σx_b.
VNNI float loupe_dot_q4_1(const void *w, const signed char *xq, const float *xd, const float *xsum, long blocks) {
    const uint8_t *blk = (const uint8_t *)w;
    // (d0, m0, d1, m1, …) as floats → d_i in lanes 4i…4i+3; xd_i likewise; m_i in lane i.
    const __m512i dIdx = _mm512_set_epi32(6, 6, 6, 6, 4, 4, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0);
    const __m512i xIdx = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    const __m256i mIdx = _mm256_set_epi32(7, 5, 3, 1, 7, 5, 3, 1);
    __m512 acc = _mm512_setzero_ps();
    __m128 minAcc = _mm_setzero_ps();
    long b = 0;
    for (; b + 4 <= blocks; b += 4, blk += 80) {
        uint32_t h[4];
        for (int i = 0; i < 4; i++) { memcpy(&h[i], blk + 20 * i, 4); }
        __m256 dm = _mm256_cvtph_ps(_mm_set_epi32((int)h[3], (int)h[2], (int)h[1], (int)h[0]));
        __m512 s = _mm512_mul_ps(_mm512_permutexvar_ps(dIdx, _mm512_castps256_ps512(dm)),
                                 _mm512_permutexvar_ps(xIdx, _mm512_castps128_ps512(_mm_loadu_ps(xd + b))));
        minAcc = _mm_fmadd_ps(_mm256_castps256_ps128(_mm256_permutexvar_ps(mIdx, dm)), _mm_loadu_ps(xsum + b), minAcc);
        __m512i d = nib4(blk + 4, blk + 24, blk + 44, blk + 64, xq + 32 * b);
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d), s, acc);
    }
    float sum = _mm512_reduce_add_ps(acc);
    __m128 t = _mm_add_ps(minAcc, _mm_movehl_ps(minAcc, minAcc));
    sum += _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
    for (; b < blocks; b++, blk += 20) {
        sum += half_at(blk) * xd[b] * (float)nib1(blk + 4, xq + 32 * b) + half_at(blk + 2) * xsum[b];
    }
    return sum;
}

/// Q4_0 (18 B): d, 16 B of nibbles; w = d·(q − 8). The −8 is applied in integers as −8·Σ xq per block
/// (xsum16, two entries per block).
VNNI float loupe_dot_q4_0(const void *w, const signed char *xq, const float *xd, const float *xsum16, long blocks) {
    const uint8_t *blk = (const uint8_t *)w;
    const __m512i xIdx = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    __m512 acc = _mm512_setzero_ps();
    long b = 0;
    for (; b + 4 <= blocks; b += 4, blk += 72) {
        uint16_t h[4];
        for (int i = 0; i < 4; i++) { memcpy(&h[i], blk + 18 * i, 2); }
        __m128 dx = _mm_mul_ps(_mm_cvtph_ps(_mm_set_epi16(0, 0, 0, 0, (short)h[3], (short)h[2], (short)h[1], (short)h[0])),
                               _mm_loadu_ps(xd + b));
        // Σ xq of block i (two halves of 16) → lane 4i, as an int32 to subtract 8× from the dot.
        __m256 halves = _mm256_permutexvar_ps(_mm256_set_epi32(7, 5, 3, 1, 6, 4, 2, 0), _mm256_loadu_ps(xsum16 + 2 * b));
        __m128 xs = _mm_add_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1));
        __m512i corr = _mm512_maskz_mov_epi32(0x1111, _mm512_permutexvar_epi32(xIdx,
                          _mm512_castsi128_si512(_mm_slli_epi32(_mm_cvtps_epi32(xs), 3))));
        __m512i d = _mm512_sub_epi32(nib4(blk + 2, blk + 20, blk + 38, blk + 56, xq + 32 * b), corr);
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d), _mm512_permutexvar_ps(xIdx, _mm512_castps128_ps512(dx)), acc);
    }
    float sum = _mm512_reduce_add_ps(acc);
    for (; b < blocks; b++, blk += 18) {
        int sx = (int)(xsum16[2 * b] + xsum16[2 * b + 1]);
        sum += half_at(blk) * xd[b] * (float)(nib1(blk + 2, xq + 32 * b) - 8 * sx);
    }
    return sum;
}

#else
int loupe_quant_dot_active(void) { return 0; }
void loupe_set_quant_dot(int enabled) { (void)enabled; }
#endif
