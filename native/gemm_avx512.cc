// The kernels compiled for avx512 (vectors of 64 bytes); see gemm.h.
#include "pool.h"
#include "kernels.h"

namespace pt_avx512 {
#define PT_VEC_BYTES 64
#include "gemm.h"

void dgemm(bool ta, bool tb, long m, long n, long k, double alpha, const double* A, long lda,
           const double* B, long ldb, double beta, double* C, long ldc, int nthreads) {
  gemmRun<double>(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, false, nthreads);
}
void sgemm(bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda,
           const float* B, long ldb, float beta, float* C, long ldc, int nthreads) {
  gemmRun<float>(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, false, nthreads);
}
void dgemv(bool trans, long m, long n, double alpha, const double* A, long lda, const double* x,
           double beta, double* y, int nthreads) {
  gemvRun<double>(trans, m, n, alpha, A, lda, x, beta, y, nthreads);
}
void sgemv(bool trans, long m, long n, float alpha, const float* A, long lda, const float* x,
           float beta, float* y, int nthreads) {
  gemvRun<float>(trans, m, n, alpha, A, lda, x, beta, y, nthreads);
}
void dgram(long n, long d, double alpha, const double* X, long ldx, double beta, double* C, long ldc, int nthreads) {
  gramRun<double>(n, d, alpha, X, ldx, beta, C, ldc, nthreads);
}
void sgram(long n, long d, float alpha, const float* X, long ldx, float beta, float* C, long ldc, int nthreads) {
  gramRun<float>(n, d, alpha, X, ldx, beta, C, ldc, nthreads);
}
} // namespace pt_avx512
