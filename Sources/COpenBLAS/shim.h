#pragma once
#include <cblas.h>
// Exposed so Loupe can pin the BLAS thread count (see `Blas.setThreads`).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
