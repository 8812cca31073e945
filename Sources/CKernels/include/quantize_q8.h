#ifndef LOUPE_QUANTIZE_Q8_H
#define LOUPE_QUANTIZE_Q8_H

// Float32 to Q8_0 blocks ([d:f16][q:i8 x32] per 32 values) with AVX-512, bit-identical to Loupe's
// Quantize.q8_0 (gguf-py's reference: d = max|x|/127, q = roundf(x·(1/d)), half away from zero).

/// 1 when the CPU has AVX512F/BW and F16C and the kernel below is not switched off; 0 otherwise.
int loupe_quantize_q8_0_active(void);
/// Switches the kernel off (0) or back on where the CPU has it (1); for tests.
void loupe_set_quantize_q8_0(int enabled);

/// Quantises `blocks` blocks of 32 floats from x into out (34 bytes each), stopping before the first block
/// holding a non-finite value or so small that 1/d overflows (max|x| below ~3.7e-37): returns the number of blocks written (the caller encodes that block its own
/// way and calls again past it). Returns 0 when the kernel is not active.
long loupe_quantize_q8_0(const float *x, long blocks, unsigned char *out);

#endif
