// The kernel entry points, one set per instruction set (namespaces pt_avx2, pt_avx512), and the
// decompositions (decomp.cc). Row-major, leading dimensions in elements, BLAS semantics
// (beta = 0 never reads C). nthreads: how many pool threads the call may use.
#pragma once

#define PT_DECLARE_KERNELS                                                                                  \
  void dgemm(bool ta, bool tb, long m, long n, long k, double alpha, const double* A, long lda,             \
             const double* B, long ldb, double beta, double* C, long ldc, int nthreads);                   \
  void sgemm(bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda,                \
             const float* B, long ldb, float beta, float* C, long ldc, int nthreads);                      \
  void dgemv(bool trans, long m, long n, double alpha, const double* A, long lda, const double* x,         \
             double beta, double* y, int nthreads);                                                       \
  void sgemv(bool trans, long m, long n, float alpha, const float* A, long lda, const float* x,             \
             float beta, float* y, int nthreads);                                                         \
  void dgram(long n, long d, double alpha, const double* X, long ldx, double beta, double* C, long ldc,    \
             int nthreads);                                                                               \
  void sgram(long n, long d, float alpha, const float* X, long ldx, float beta, float* C, long ldc,         \
             int nthreads);

namespace pt_avx2 { PT_DECLARE_KERNELS }
namespace pt_avx512 { PT_DECLARE_KERNELS }

/** The dispatching GEMM (AVX-512 when the CPU has it), for the decompositions. */
void ptDgemm(bool ta, bool tb, long m, long n, long k, double alpha, const double* A, long lda, const double* B, long ldb,
             double beta, double* C, long ldc);
/** The dispatching XᵀX (AVX-512 when the CPU has it), for the decompositions. */
void ptDgram(long n, long d, double alpha, const double* X, long ldx, double beta, double* C, long ldc);

/** Cholesky L Lᵀ = A (lower triangle of A read); returns −1, or the failing pivot j with its value in *pivot. */
long ptCholesky(long n, const double* A, double* L, double* pivot);
/**
 * Core of eigh: w (n×n, symmetric, scaled) is overwritten; on return d holds the unordered
 * eigenvalues and Zt (n×n) the matching vectors as rows. Returns the QR steps, or −1 when the
 * iteration did not converge.
 */
long ptEighCore(long n, double* w, double* d, double* e, double* Zt);
/**
 * Thin SVD of a tall A (m ≥ n ≥ 1, scaled to max |entry| = 1): U m×n, s (descending), V n×n.
 * Returns the Jacobi sweeps, −1 when they did not converge, −2 when some singular value is exactly 0
 * (the caller completes that basis in TypeScript), −3 when the inner eigh did not converge.
 */
long ptSvdTall(long m, long n, const double* A, double* U, double* s, double* V);
/**
 * eigh.ts eigh() whole (symmetrise, scale, tridiagonalise, QR, sort): values ascending, vectors
 * column k. Returns 0, −1 (QR did not converge), −4 (non-finite entry) or −5 (zero matrix); the
 * caller handles the last two (error message, identity) as the TypeScript code does.
 */
long ptEigh(long n, const double* A, double* values, double* vectors);
/** svd.ts svd() whole: U m×r, s r, V n×r (r = min(m, n)); codes as ptSvdTall, plus −4 / −5 as ptEigh. */
long ptSvd(long m, long n, const double* A, double* U, double* s, double* V);

// The neural engine's kernels (nn.cc); shapes checked by the caller. act: 0 identity, 1 relu,
// 2 leakyRelu, 3 gelu, 4 tanh, 5 sigmoid. bias and d may be null.
void ptBiasAct(bool f32, int act, long rows, long n, const void* x, const void* bias, double slope, void* y, void* d);
void ptSoftmax(bool f32, long rows, long n, const void* x, void* y);
void ptColSums(bool f32, long rows, long n, const void* x, double beta, void* out);
void ptIm2col(bool f32, long N, long C, long H, long W, long kh, long kw, long stride, long pad, const void* x, void* cols);
/** gx += go ⊙ d, gb += column sums of go ⊙ d (d null: go); gx, gb may be null. */
void ptBiasActGrad(bool f32, long rows, long n, const void* go, const void* d, void* gx, void* gb);
/** out += a ⊙ b (b null: out += a). */
void ptMulAcc(bool f32, long n, const void* a, const void* b, void* out);
/** Strided batched GEMM C_i = op(A_i)·op(B_i) + beta·C_i (see NnKernels.bmm), split over examples on `threads`. */
void ptBmm(bool f32, bool ta, bool tb, long batch, long m, long n, long k, const void* A, long sa, long lda, const void* B, long sb,
           long ldb, double beta, void* C, long sc, long ldc, int threads);
/** Adam moment update in place (see NnKernels.adam). */
void ptAdam(bool f32, long n, void* g, void* m, void* v, double b1, double b2, double bc1, double sbc2, double eps);
/** x += the scatter-add of cols (the adjoint of ptIm2col; same geometry). */
void ptCol2im(bool f32, long N, long C, long H, long W, long kh, long kw, long stride, long pad, const void* cols, void* x);
