#ifndef LOUPE_QUANT_BF16_H
#define LOUPE_QUANT_BF16_H

#include <stdint.h>

// Stored weight rows (GGUF blocks, IEEE half, bfloat16) decoded straight to bf16 with AVX-512, for the
// panels of bf16 prompt products. Each value is computed in Float32 with the float operations, operands and
// order of Loupe's Dequant (separate multiply and add, never fused), then rounded to bf16 to nearest even by
// AVX512_BF16's vcvtne2ps2bf16 (BF16Products.round's instruction): bit-identical to round_bf16(Dequant).

#define LOUPE_QB_F16 1
#define LOUPE_QB_BF16 2
#define LOUPE_QB_Q8_0 3
#define LOUPE_QB_Q4_0 4
#define LOUPE_QB_Q4_1 5
#define LOUPE_QB_Q5_0 6
#define LOUPE_QB_Q5_1 7
#define LOUPE_QB_Q4_K 8
#define LOUPE_QB_Q5_K 9
#define LOUPE_QB_Q6_K 10
#define LOUPE_QB_Q2_K 11
#define LOUPE_QB_Q3_K 12

/// 1 when the CPU has AVX512F/BW/VL/BF16 and F16C and the decoders are not switched off.
int loupe_quant_bf16_active(void);
/// Switches the decoders off (0) or back on where the CPU has them (1); for tests and timings.
void loupe_set_quant_bf16(int enabled);

/// Decodes `count` elements of `type` (LOUPE_QB_*) stored at `src` into bf16 `dst[0..<count]`: whole blocks
/// (32 or 256 elements) for the block types, any count for F16/BF16. Returns 1, or 0 (nothing written) when
/// the decoders are off or the type has none.
int loupe_decode_bf16(int type, const void *src, long count, uint16_t *dst);

#endif
