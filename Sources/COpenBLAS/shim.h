#pragma once
#include <cblas.h>
// Exposed so Loupe can pin the BLAS thread count (see `Blas.setThreads`).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// LAPACK (Fortran calling convention, column-major) from OpenBLAS: the reduced SVD and the general
// eigenvalue problem, for TransformerLens's FactoredMatrix (see `TensorLinalg.swift`).
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s, float *u,
             const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork, int *iwork, int *info);
void sgeev_(const char *jobvl, const char *jobvr, const int *n, float *a, const int *lda, float *wr, float *wi,
            float *vl, const int *ldvl, float *vr, const int *ldvr, float *work, const int *lwork, int *info);
