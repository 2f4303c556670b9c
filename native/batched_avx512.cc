// The batched per-task kernels compiled for avx512 (512-bit vectors); see batched.h.
#include <cstdlib>
#include "batched_kernels.h"

namespace pt_avx512 {
#define PT_VEC_BYTES 64
#include "batched.h"

bool dsymvBatched(long count, long d, double alpha, const double* A, const double* x, double beta, double* y) {
  // Scratch per calling thread, kept (no std:: templates here: see gemm.h on per-ISA symbols).
  thread_local double* tmp = nullptr;
  thread_local long cap = 0;
  if (cap < d) {
    double* grown = (double*)std::realloc(tmp, (size_t)d * sizeof(double));
    if (!grown) return false;
    tmp = grown;
    cap = d;
  }
  symvBatchedRun(count, d, alpha, A, x, beta, y, tmp);
  return true;
}
void dgemvBatched(bool trans, long count, const int* offsets, long n, double alpha, const double* A, const double* x,
                  double beta, double* y) {
  gemvBatchedRun(trans, count, offsets, n, alpha, A, x, beta, y);
}
void dresidualGradBatched(long count, const int* offsets, long n, const double* A, const double* x, const double* y,
                          double* r, double* g) {
  residualGradBatchedRun(count, offsets, n, A, x, y, r, g);
}
bool dsqGradRange(long k0, long k1, const int* offsets, long n, const double* A, const int* cols, const double* W, long ldw,
                  const double* y, const double* c, double* G, double* f) {
  // Scratch per calling thread (pool threads included), kept: w and g of SQ_TB tasks.
  thread_local double* scratch = nullptr;
  thread_local long cap = 0;
  const long need = 2 * SQ_TB * n > 1 ? 2 * SQ_TB * n : 1;
  if (cap < need) {
    double* grown = (double*)std::realloc(scratch, (size_t)need * sizeof(double));
    if (!grown) return false;
    scratch = grown;
    cap = need;
  }
  sqGradRange(k0, k1, offsets, n, A, cols, W, ldw, y, c, G, f, scratch);
  return true;
}
} // namespace pt_avx512
