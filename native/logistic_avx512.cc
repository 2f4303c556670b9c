// The per-chunk arithmetic of prox-Newton's logistic pass (logistic_model.cc) with 512-bit vectors, for
// CPUs with AVX-512 (used when ptUse512(), i.e. not forced to AVX2): z for the chunk's 64 rows, e^(−|z|) and
// log1p of it by glibc's 8-wide vector math where it links (libmvec's AVX-512 variants, glibc ≥ 2.35),
// and the task's reductions — the gradient's Xᵀr, XᵀD1 and the upper triangle of XᵀDX over all its chunks —
// with eight lanes per FMA. Compiled in the AVX-512 static library (binding.gyp); the same operations as the AVX2 path in
// logistic_model.cc, so the results differ from it (and from the TypeScript reference) by the order of
// the sums and libmvec's few-ulp differences only (test/linalg/kernels/logistic-model.test.ts: 1e-12).
#include <cmath>
#include <immintrin.h>
#include "batched_kernels.h"

#if defined(__GLIBC__) && defined(__GLIBC_PREREQ) && defined(PT_HAVE_LIBMVEC)
#if __GLIBC_PREREQ(2, 35)
#define PT_LIBMVEC512 1
extern "C" __m512d _ZGVeN8v_exp(__m512d);
extern "C" __m512d _ZGVeN8v_log1p(__m512d);
#endif
#endif
#ifndef PT_LIBMVEC512
#define PT_LIBMVEC512 0
#endif

namespace pt_avx512 {

namespace {
constexpr long B = PT_LOGISTIC_CHUNK;
}  // namespace

void logisticZ(long d, double bt, const double* wt, const double* xt, double* zv, double* ev, double* lv) {
  for (long i = 0; i < B; i += 16) {
    __m512d z0 = _mm512_set1_pd(bt), z1 = z0;
    for (long j = 0; j < d; j++) {
      const __m512d wj = _mm512_set1_pd(wt[j]);
      const double* col = xt + j * B + i;
      z0 = _mm512_fmadd_pd(wj, _mm512_loadu_pd(col), z0);
      z1 = _mm512_fmadd_pd(wj, _mm512_loadu_pd(col + 8), z1);
    }
    _mm512_storeu_pd(zv + i, z0);
    _mm512_storeu_pd(zv + i + 8, z1);
  }
  for (long i = 0; i < B; i++) ev[i] = -std::fabs(zv[i]);
#if PT_LIBMVEC512
  for (long i = 0; i < B; i += 8) {
    const __m512d v = _ZGVeN8v_exp(_mm512_loadu_pd(ev + i));
    _mm512_storeu_pd(ev + i, v);
    _mm512_storeu_pd(lv + i, _ZGVeN8v_log1p(v));
  }
#else
  for (long i = 0; i < B; i++) {
    ev[i] = std::exp(ev[i]);
    lv[i] = std::log1p(ev[i]);
  }
#endif
}

void logisticTaskReduce(long d, long nc, bool model, const double* rv, const double* dv, const double* X, const double* ax,
                        double* gt, double* st, double* Ht) {
  const long cs = d * B;
  const auto dot = [&](const double* a, long as, const double* x) {
    __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    for (long c = 0; c < nc; c++) {
      const double* ac = a + c * as;
      const double* xc = x + c * cs;
      for (long i = 0; i < B; i += 32) {
        s0 = _mm512_fmadd_pd(_mm512_loadu_pd(ac + i), _mm512_loadu_pd(xc + i), s0);
        s1 = _mm512_fmadd_pd(_mm512_loadu_pd(ac + i + 8), _mm512_loadu_pd(xc + i + 8), s1);
        s2 = _mm512_fmadd_pd(_mm512_loadu_pd(ac + i + 16), _mm512_loadu_pd(xc + i + 16), s2);
        s3 = _mm512_fmadd_pd(_mm512_loadu_pd(ac + i + 24), _mm512_loadu_pd(xc + i + 24), s3);
      }
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
  };
  for (long j = 0; j < d; j++) gt[j] = dot(rv, B, X + j * B);
  if (!model) return;
  for (long j = 0; j < d; j++) {
    st[j] = dot(dv, B, X + j * B);
    for (long k = j; k < d; k++) Ht[j * d + k] = dot(ax + j * B, cs, X + k * B);
  }
}

}  // namespace pt_avx512
