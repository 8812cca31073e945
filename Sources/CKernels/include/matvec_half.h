#ifndef LOUPE_MATVEC_HALF_H
#define LOUPE_MATVEC_HALF_H

// One position through a half-precision matrix stored [k, n] (GPT-2's Conv1D as the checkpoint has it):
// y[c] = Σ_i x[i]·W[i, c], each weight widened to f32 exactly and multiplied in f32 (fused multiply-add).
// Rows are read in order, so a thread given a range of rows streams its part of the matrix from memory once.

/// 1 when the CPU has AVX512F/BW/VL and F16C and the kernel is not switched off; 0 otherwise.
int loupe_matvec_half_active(void);
/// Switches the kernel off (0) or back on where the CPU has it (1); for tests.
void loupe_set_matvec_half(int enabled);

/// acc[0..<n] = Σ_{i in i0..<i1} x[i]·W[i, 0..<n], W's rows `ldw` elements apart, bf16 (`is_bf16` != 0) or
/// IEEE f16. Overwrites acc (zero when i0 == i1). Returns 0 without writing when the kernel is not active.
int loupe_matvec_half_rows(const unsigned short *w, long ldw, int is_bf16, long i0, long i1, long n,
                           const float *x, float *acc);

#endif
