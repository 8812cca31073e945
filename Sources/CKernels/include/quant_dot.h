#ifndef LOUPE_QUANT_DOT_H
#define LOUPE_QUANT_DOT_H

// Row · x dot products of quantised weight rows against x quantised to int8 per block of 32
// (xq[cols], xd[cols/32] = block scale), with AVX-512 VNNI (vpdpbusd). x86-64 only; call them only
// when loupe_quant_dot_active() is 1. Element orders match Loupe's Dequant (ggml's block layouts).

/// 1 when the CPU has AVX512F/BW/VL/VNNI and F16C and the kernels are not switched off.
int loupe_quant_dot_active(void);
/// Switches the kernels off (0) or back on where the CPU has them (1); for tests.
void loupe_set_quant_dot(int enabled);

#if defined(__x86_64__)
/// Q8_0 row of `blocks` 34-byte blocks: Σ_b d_w·xd[b]·Σ q_w·xq.
float loupe_dot_q8_0(const void *w, const signed char *xq, const float *xd, long blocks);
/// Q4_K row of `superBlocks` 144-byte super-blocks; xsum[cols/32] = exact Σx per block (for the mins).
float loupe_dot_q4_K(const void *w, const signed char *xq, const float *xd, const float *xsum, long superBlocks);
/// Q6_K row of `superBlocks` 210-byte super-blocks; xsum16[cols/16] = Σ xq per 16 (integers, for the −32 offset).
float loupe_dot_q6_K(const void *w, const signed char *xq, const float *xd, const float *xsum16, long superBlocks);
/// Q4_1 row of `blocks` 20-byte blocks; xsum[cols/32] = exact Σx per block (for the mins m).
float loupe_dot_q4_1(const void *w, const signed char *xq, const float *xd, const float *xsum, long blocks);
/// Q4_0 row of `blocks` 18-byte blocks; xsum16[cols/16] = Σ xq per 16 (integers, for the −8 offset).
float loupe_dot_q4_0(const void *w, const signed char *xq, const float *xd, const float *xsum16, long blocks);
#endif

#endif
