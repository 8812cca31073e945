// Stored rows to bf16 in registers: each block's values are made in Float32 exactly as Dequant's Swift code
// makes them (the same operands, multiply then add or subtract, no fused multiply-add), 16 to a vector, and
// each pair of vectors is rounded by vcvtne2ps2bf16, the instruction BF16Products.round uses. Nothing goes
// through memory as f32.
#include "quant_bf16.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#pragma clang fp contract(off)

static int quant_bf16_state = -1;   // -1: not probed yet

static int cpu_has_decoders(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16")
        && __builtin_cpu_supports("f16c");
}

int loupe_quant_bf16_active(void) {
    if (quant_bf16_state < 0) { quant_bf16_state = cpu_has_decoders(); }
    return quant_bf16_state;
}

void loupe_set_quant_bf16(int enabled) { quant_bf16_state = enabled ? cpu_has_decoders() : 0; }

#define DEC __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,f16c,avx2")))

/// The f16 at p, widened. Through vmovd (zeroing the rest of the register): _cvtsh_ss's vpinsrw would merge
/// into the previous block's register and chain every block's decode onto the last one's.
DEC static inline float half_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

/// The f16 at p, widened into all 16 lanes (vpbroadcastw, vcvtph2ps).
DEC static inline __m512 half_splat(const uint8_t *p) {
    int16_t h;
    memcpy(&h, p, 2);
    return _mm512_cvtph_ps(_mm256_set1_epi16(h));
}

/// Bytes ahead of the block being decoded that each block asks the cache for: from memory, prefetching 4 KiB
/// ahead took Q8_0 and Q4_K from 13 to 24 Gelem/s on one thread (14336 × 4096 rows; 1 KiB: 15–17, 8 KiB: as 4).
#define AHEAD 4096

/// Prefetches the `bytes` bytes AHEAD past p, a line at a time (prefetches never fault past a mapping's end).
DEC static inline void prefetch_ahead(const uint8_t *p, int bytes) {
    for (int o = 0; o < bytes; o += 64) { _mm_prefetch((const char *)p + AHEAD + o, _MM_HINT_T0); }
}

/// y[0..<32] = round_bf16(lo ++ hi).
DEC static inline void store32(uint16_t *y, __m512 lo, __m512 hi) {
    _mm512_storeu_si512((void *)y, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
}

/// 16 bytes widened to 16 int32 lanes.
DEC static inline __m512i bytes16(const uint8_t *p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p)); }

DEC static inline __m512 f32(__m512i v) { return _mm512_cvtepi32_ps(v); }

/// a + b with a as vaddps's first source: where both are NaN, a's NaN is the result (x86 returns the first
/// source's), as in Dequant's `d * q + m`; the compiler may otherwise swap the operands of `+`.
DEC static inline __m512 add_first(__m512 a, __m512 b) {
    __m512 r;
    __asm__("vaddps %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));
    return r;
}

// MARK: half precision (any count)

DEC static void dec_f16(const uint8_t *p, long n, uint16_t *y) {
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        prefetch_ahead(p + 2 * i, 64);
        __m512 a = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p + 2 * i)));
        __m512 b = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p + 2 * i + 32)));
        store32(y + i, a, b);
    }
    if (i < n) {
        __mmask32 m = (__mmask32)((1u << (n - i)) - 1);
        __m512i h = _mm512_maskz_loadu_epi16(m, p + 2 * i);
        __m512 a = _mm512_cvtph_ps(_mm512_castsi512_si256(h)), b = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1));
        _mm512_mask_storeu_epi16(y + i, m, (__m512i)_mm512_cvtne2ps_pbh(b, a));
    }
}

/// bf16 → f32 (the upper half of the pattern) → bf16: a copy but for NaNs (quietened) and subnormals (flushed).
DEC static inline __m512 widen_bf16(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }

DEC static void dec_bf16(const uint8_t *p, long n, uint16_t *y) {
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        prefetch_ahead(p + 2 * i, 64);
        store32(y + i, widen_bf16(_mm256_loadu_si256((const __m256i *)(p + 2 * i))),
                widen_bf16(_mm256_loadu_si256((const __m256i *)(p + 2 * i + 32))));
    }
    if (i < n) {
        __mmask32 m = (__mmask32)((1u << (n - i)) - 1);
        __m512i h = _mm512_maskz_loadu_epi16(m, p + 2 * i);
        __m512 a = widen_bf16(_mm512_castsi512_si256(h)), b = widen_bf16(_mm512_extracti64x4_epi64(h, 1));
        _mm512_mask_storeu_epi16(y + i, m, (__m512i)_mm512_cvtne2ps_pbh(b, a));
    }
}

// MARK: 32-element blocks

/// Q8_0 (34 B): x = Float(q) · d.
DEC static void dec_q8_0(const uint8_t *p, long blocks, uint16_t *y) {
    for (long b = 0; b < blocks; b++, p += 34, y += 32) {
        prefetch_ahead(p, 34);
        __m512 d = half_splat(p);
        __m512 a = f32(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 2))));
        __m512 c = f32(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 18))));
        store32(y, _mm512_mul_ps(a, d), _mm512_mul_ps(c, d));
    }
}

/// Q4_0 (18 B): x = d · Float(nibble − 8), low nibbles first.
DEC static void dec_q4_0(const uint8_t *p, long blocks, uint16_t *y) {
    const __m512i nib = _mm512_set1_epi32(15), eight = _mm512_set1_epi32(8);
    for (long b = 0; b < blocks; b++, p += 18, y += 32) {
        prefetch_ahead(p, 18);
        __m512 d = half_splat(p);
        __m512i q = bytes16(p + 2);
        __m512 lo = f32(_mm512_sub_epi32(_mm512_and_si512(q, nib), eight));
        __m512 hi = f32(_mm512_sub_epi32(_mm512_srli_epi32(q, 4), eight));
        store32(y, _mm512_mul_ps(d, lo), _mm512_mul_ps(d, hi));
    }
}

/// Q4_1 (20 B): x = d · Float(nibble) + m.
DEC static void dec_q4_1(const uint8_t *p, long blocks, uint16_t *y) {
    const __m512i nib = _mm512_set1_epi32(15);
    for (long b = 0; b < blocks; b++, p += 20, y += 32) {
        prefetch_ahead(p, 20);
        __m512 d = half_splat(p), m = half_splat(p + 2);
        __m512i q = bytes16(p + 4);
        __m512 lo = f32(_mm512_and_si512(q, nib)), hi = f32(_mm512_srli_epi32(q, 4));
        store32(y, add_first(_mm512_mul_ps(d, lo), m), add_first(_mm512_mul_ps(d, hi), m));
    }
}

/// The 32 five-bit values of a Q5_0/Q5_1 block (5th bits: the u32 at `qh`, bit j for element j; nibbles after it).
DEC static inline void five_bits(const uint8_t *qh, __m512i *lo, __m512i *hi) {
    uint32_t h;
    memcpy(&h, qh, 4);
    const __m512i sixteen = _mm512_set1_epi32(16);
    __m512i q = bytes16(qh + 4);
    __m512i l = _mm512_and_si512(q, _mm512_set1_epi32(15)), u = _mm512_srli_epi32(q, 4);
    *lo = _mm512_mask_or_epi32(l, (__mmask16)h, l, sixteen);
    *hi = _mm512_mask_or_epi32(u, (__mmask16)(h >> 16), u, sixteen);
}

/// Q5_0 (22 B): x = d · Float(q − 16).
DEC static void dec_q5_0(const uint8_t *p, long blocks, uint16_t *y) {
    const __m512i sixteen = _mm512_set1_epi32(16);
    for (long b = 0; b < blocks; b++, p += 22, y += 32) {
        prefetch_ahead(p, 22);
        __m512 d = half_splat(p);
        __m512i lo, hi;
        five_bits(p + 2, &lo, &hi);
        store32(y, _mm512_mul_ps(d, f32(_mm512_sub_epi32(lo, sixteen))), _mm512_mul_ps(d, f32(_mm512_sub_epi32(hi, sixteen))));
    }
}

/// Q5_1 (24 B): x = d · Float(q) + m.
DEC static void dec_q5_1(const uint8_t *p, long blocks, uint16_t *y) {
    for (long b = 0; b < blocks; b++, p += 24, y += 32) {
        prefetch_ahead(p, 24);
        __m512 d = half_splat(p), m = half_splat(p + 2);
        __m512i lo, hi;
        five_bits(p + 4, &lo, &hi);
        store32(y, add_first(_mm512_mul_ps(d, f32(lo)), m), add_first(_mm512_mul_ps(d, f32(hi)), m));
    }
}

// MARK: K-quants (256-element super-blocks)

/// Q4_K (144 B) and Q5_K (176 B): d, dmin, 12 B of 6-bit scales and mins, (Q5_K) 32 B of 5th bits, 128 B of
/// nibbles. Sub-block j = 2g + k is nibble k of qs[32g…32g+31]; x = (d·sc_j)·Float(q) − dmin·mn_j.
DEC static void dec_scale_min_k(const uint8_t *p, long blocks, uint16_t *y, int five) {
    const __m512i nib = _mm512_set1_epi32(15), sixteen = _mm512_set1_epi32(16);
    const long size = five ? 176 : 144;
    for (long b = 0; b < blocks; b++, p += size, y += 256) {
        prefetch_ahead(p, (int)size);
        const float d = half_at(p), dmin = half_at(p + 2);
        const uint8_t *s = p + 4, *qs = p + (five ? 48 : 16);
        float dj[8], mj[8];
        for (int j = 0; j < 8; j++) {
            uint8_t sc, mn;
            if (j < 4) {
                sc = s[j] & 0x3F;
                mn = s[j + 4] & 0x3F;
            } else {
                sc = (uint8_t)((s[j + 4] & 0x0F) | ((s[j - 4] >> 2) & 0x30));
                mn = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 2) & 0x30));
            }
            dj[j] = d * (float)sc;
            mj[j] = dmin * (float)mn;
        }
        __m512i h0 = _mm512_setzero_si512(), h1 = _mm512_setzero_si512();
        if (five) { h0 = bytes16(p + 16); h1 = bytes16(p + 32); }
        for (int g = 0; g < 4; g++) {
            __m512i q0 = bytes16(qs + 32 * g), q1 = bytes16(qs + 32 * g + 16);
            for (int k = 0; k < 2; k++) {
                const int j = 2 * g + k;
                __m512i a = _mm512_and_si512(k ? _mm512_srli_epi32(q0, 4) : q0, nib);
                __m512i c = _mm512_and_si512(k ? _mm512_srli_epi32(q1, 4) : q1, nib);
                if (five) {
                    const __m512i bit = _mm512_set1_epi32(1 << j);
                    a = _mm512_mask_or_epi32(a, _mm512_test_epi32_mask(h0, bit), a, sixteen);
                    c = _mm512_mask_or_epi32(c, _mm512_test_epi32_mask(h1, bit), c, sixteen);
                }
                const __m512 dv = _mm512_set1_ps(dj[j]), mv = _mm512_set1_ps(mj[j]);
                store32(y + 32 * j, _mm512_sub_ps(_mm512_mul_ps(dv, f32(a)), mv),
                        _mm512_sub_ps(_mm512_mul_ps(dv, f32(c)), mv));
            }
        }
    }
}

/// Q6_K (210 B): ql 128 B, qh 64 B, 16 signed scales, d. Element i = 128g + l (l < 128): low 4 bits
/// ql[64g + l%64] >> 4(l/64), high 2 bits qh[32g + l%32] >> 2(l/32); x = (d·sc[i/16])·Float(q − 32).
DEC static void dec_q6_k(const uint8_t *p, long blocks, uint16_t *y) {
    const __m512i nib = _mm512_set1_epi32(15), two = _mm512_set1_epi32(3), off = _mm512_set1_epi32(32);
    for (long b = 0; b < blocks; b++, p += 210, y += 256) {
        prefetch_ahead(p, 210);
        const float d = half_at(p + 208);
        const int8_t *sc = (const int8_t *)(p + 192);
        for (int g = 0; g < 2; g++) {
            const uint8_t *ql = p + 64 * g, *qh = p + 128 + 32 * g;
            __m512i lv[4] = { bytes16(ql), bytes16(ql + 16), bytes16(ql + 32), bytes16(ql + 48) };
            __m512i hv[2] = { bytes16(qh), bytes16(qh + 16) };
            for (int c = 0; c < 8; c += 2) {             // elements 16c…16c+31 of this half
                __m512 v[2];
                for (int e = 0; e < 2; e++) {
                    const int cc = c + e;
                    __m512i lo = _mm512_and_si512(_mm512_srli_epi32(lv[cc & 3], 4 * (cc >> 2)), nib);
                    __m512i hi = _mm512_and_si512(_mm512_srli_epi32(hv[cc & 1], 2 * (cc >> 1)), two);
                    __m512i q = _mm512_sub_epi32(_mm512_or_si512(lo, _mm512_slli_epi32(hi, 4)), off);
                    v[e] = _mm512_mul_ps(_mm512_set1_ps(d * (float)sc[8 * g + cc]), f32(q));
                }
                store32(y + 128 * g + 16 * c, v[0], v[1]);
            }
        }
    }
}

/// Q2_K (84 B): 16 scale bytes (low nibble scale, high nibble min), 64 B of 2-bit quants, d, dmin. Element
/// i = 128g + 32k + l is bits 2k of qs[32g + l], sub-block i/16; x = (d·sc)·Float(q) − dmin·mn.
DEC static void dec_q2_k(const uint8_t *p, long blocks, uint16_t *y) {
    const __m512i three = _mm512_set1_epi32(3);
    for (long b = 0; b < blocks; b++, p += 84, y += 256) {
        prefetch_ahead(p, 84);
        const float d = half_at(p + 80), dmin = half_at(p + 82);
        const uint8_t *sc = p, *qs = p + 16;
        for (int g = 0; g < 2; g++) {
            const __m512i q0 = bytes16(qs + 32 * g), q1 = bytes16(qs + 32 * g + 16);
            for (int k = 0; k < 4; k++) {
                const int sb = 8 * g + 2 * k;                  // sub-blocks of elements l < 16 and l ≥ 16
                const __m512i a = _mm512_and_si512(_mm512_srli_epi32(q0, 2 * k), three);
                const __m512i c = _mm512_and_si512(_mm512_srli_epi32(q1, 2 * k), three);
                const __m512 d0 = _mm512_set1_ps(d * (float)(sc[sb] & 0x0F)), m0 = _mm512_set1_ps(dmin * (float)(sc[sb] >> 4));
                const __m512 d1 = _mm512_set1_ps(d * (float)(sc[sb + 1] & 0x0F)), m1 = _mm512_set1_ps(dmin * (float)(sc[sb + 1] >> 4));
                store32(y + 128 * g + 32 * k, _mm512_sub_ps(_mm512_mul_ps(d0, f32(a)), m0),
                        _mm512_sub_ps(_mm512_mul_ps(d1, f32(c)), m1));
            }
        }
    }
}

/// Q3_K (110 B): 32 B of high bits, 64 B of 2-bit quants, 12 B of 6-bit scales, d. Element i = 128g + 32k + l:
/// low bits 2k of qs[32g + l], high bit (i/32) of hmask[l]; x = (d·(sc − 32))·Float(q2 − 4·(1 − h)).
DEC static void dec_q3_k(const uint8_t *p, long blocks, uint16_t *y) {
    const __m512i three = _mm512_set1_epi32(3), four = _mm512_set1_epi32(4);
    for (long b = 0; b < blocks; b++, p += 110, y += 256) {
        prefetch_ahead(p, 110);
        const float d = half_at(p + 108);
        const uint8_t *qs = p + 32, *s = p + 96;
        float dl[16];
        for (int sb = 0; sb < 16; sb++) {
            const int lo = (s[sb & 7] >> (4 * (sb >> 3))) & 0x0F, hi = (s[8 + (sb & 3)] >> (2 * (sb >> 2))) & 0x03;
            dl[sb] = d * (float)((lo | (hi << 4)) - 32);
        }
        const __m512i h0 = bytes16(p), h1 = bytes16(p + 16);
        for (int g = 0; g < 2; g++) {
            const __m512i q0 = bytes16(qs + 32 * g), q1 = bytes16(qs + 32 * g + 16);
            for (int k = 0; k < 4; k++) {
                const int sb = 8 * g + 2 * k;
                const __m512i bit = _mm512_set1_epi32(1 << (4 * g + k));
                __m512i a = _mm512_and_si512(_mm512_srli_epi32(q0, 2 * k), three);
                __m512i c = _mm512_and_si512(_mm512_srli_epi32(q1, 2 * k), three);
                a = _mm512_mask_sub_epi32(a, _mm512_testn_epi32_mask(h0, bit), a, four);
                c = _mm512_mask_sub_epi32(c, _mm512_testn_epi32_mask(h1, bit), c, four);
                store32(y + 128 * g + 32 * k, _mm512_mul_ps(_mm512_set1_ps(dl[sb]), f32(a)),
                        _mm512_mul_ps(_mm512_set1_ps(dl[sb + 1]), f32(c)));
            }
        }
    }
}

int loupe_decode_bf16(int type, const void *src, long count, uint16_t *dst) {
    if (!loupe_quant_bf16_active() || count < 0) { return 0; }
    const uint8_t *p = (const uint8_t *)src;
    switch (type) {
    case LOUPE_QB_F16: dec_f16(p, count, dst); return 1;
    case LOUPE_QB_BF16: dec_bf16(p, count, dst); return 1;
    case LOUPE_QB_Q8_0: dec_q8_0(p, count / 32, dst); return 1;
    case LOUPE_QB_Q4_0: dec_q4_0(p, count / 32, dst); return 1;
    case LOUPE_QB_Q4_1: dec_q4_1(p, count / 32, dst); return 1;
    case LOUPE_QB_Q5_0: dec_q5_0(p, count / 32, dst); return 1;
    case LOUPE_QB_Q5_1: dec_q5_1(p, count / 32, dst); return 1;
    case LOUPE_QB_Q4_K: dec_scale_min_k(p, count / 256, dst, 0); return 1;
    case LOUPE_QB_Q5_K: dec_scale_min_k(p, count / 256, dst, 1); return 1;
    case LOUPE_QB_Q6_K: dec_q6_k(p, count / 256, dst); return 1;
    case LOUPE_QB_Q2_K: dec_q2_k(p, count / 256, dst); return 1;
    case LOUPE_QB_Q3_K: dec_q3_k(p, count / 256, dst); return 1;
    default: return 0;
    }
}

#else
int loupe_quant_bf16_active(void) { return 0; }
void loupe_set_quant_bf16(int enabled) { (void)enabled; }
int loupe_decode_bf16(int type, const void *src, long count, uint16_t *dst) {
    (void)type; (void)src; (void)count; (void)dst;
    return 0;
}
#endif
