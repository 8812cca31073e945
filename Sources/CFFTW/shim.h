// Debian's FFTW (libfftw3-dev), double precision: t-SNE's FFT-accelerated interpolation.
#include <fftw3.h>
