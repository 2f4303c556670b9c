// Decompositions in native code: the same algorithms, in the same order of operations, as the
// TypeScript ones in src/linalg/decomp/ (so the results agree to rounding, ~1e-14 relative), with
// the inner loops vectorised by the compiler (contiguous rows everywhere). See those files for the
// method notes and references (Golub & Van Loan 4th ed. Alg. 4.2.1, 8.3.1, 8.3.2; Hestenes 1958;
// Demmel & Veselić 1992).
#include "kernels.h"
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace {

const double EPS = 2.220446049250313e-16;
// eigh.ts TINY: below this an entry of the matrix scaled to max |entry| = 1 is far under ε‖A‖.
const double TINY = 1e-290;
// svd.ts NEGLIGIBLE: a column norm below this (input scaled to max |entry| = 1) is rounding noise: set to 0.
const double NEGLIGIBLE = 1e-280;

typedef double v4 __attribute__((vector_size(32)));
typedef double v4u __attribute__((vector_size(32), aligned(8), may_alias));

inline double dot(const double* a, const double* b, long len) {
  // Four partial sums: independent FMA chains (the TS code sums serially; the difference is rounding).
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  long i = 0;
  for (; i + 4 <= len; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < len; i++) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

// Householder tridiagonalisation (eigh.ts tridiagonalize): returns Q with A = Q T Qᵀ.
__attribute__((noinline)) void tridiagonalize(double* a, long n, double* d, double* e, std::vector<double>& Q) {
  std::vector<double> taus(n, 0.0);
  std::vector<std::vector<double>> vs;
  std::vector<double> p(n, 0.0);
  for (long k = 0; k + 2 < n; k++) {
    const long m = n - k - 1;
    const double x0 = a[k * n + k + 1];
    double scale = 0;
    for (long i = k + 2; i < n; i++) scale = std::max(scale, std::fabs(a[k * n + i]));
    vs.emplace_back(m, 0.0);
    std::vector<double>& v = vs.back();
    if (scale < TINY) {
      // eigh.ts: entries far below ε‖A‖ would make the reflector divide by a subnormal and overflow.
      e[k] = x0;
      taus[k] = 0;
      continue;
    }
    scale = std::max(scale, std::fabs(x0));
    double ss = 0;
    for (long i = k + 1; i < n; i++) {
      const double t = a[k * n + i] / scale;
      ss += t * t;
    }
    const double alpha = -(x0 >= 0 ? 1 : -1) * scale * std::sqrt(ss);
    const double tau = (alpha - x0) / alpha;
    const double inv = 1 / (x0 - alpha);
    v[0] = 1;
    for (long i = 1; i < m; i++) v[i] = a[k * n + k + 1 + i] * inv;
    e[k] = alpha;
    taus[k] = tau;
    // p = τ A₂₂ v from the upper triangle of the trailing block.
    std::fill(p.begin(), p.begin() + m, 0.0);
    for (long i = 0; i < m; i++) {
      const double* row = a + (k + 1 + i) * n + k + 1;
      const double vi = v[i];
      double s = row[i] * vi;
      double* pp = p.data();
      const double* vv = v.data();
      // Both halves of the symmetric product from one read of the row, four lanes at a time
      // (the compiler does not vectorise the reduction into s by itself).
      long j = i + 1;
      v4 sv = (v4){};
      for (; j + 4 <= m; j += 4) {
        const v4 aij = *(const v4u*)(row + j);
        sv += aij * *(const v4u*)(vv + j);
        *(v4u*)(pp + j) += aij * vi;
      }
      for (; j < m; j++) {
        const double aij = row[j];
        s += aij * vv[j];
        pp[j] += aij * vi;
      }
      s += (sv[0] + sv[1]) + (sv[2] + sv[3]);
      p[i] += s;
    }
    double vp = 0;
    for (long i = 0; i < m; i++) {
      p[i] *= tau;
      vp += v[i] * p[i];
    }
    const double K = 0.5 * tau * vp;
    for (long i = 0; i < m; i++) p[i] -= K * v[i];
    for (long i = 0; i < m; i++) {
      double* row = a + (k + 1 + i) * n + k + 1;
      const double vi = v[i];
      const double qi = p[i];
      const double* pp = p.data();
      const double* vv = v.data();
      for (long j = i; j < m; j++) row[j] -= vi * pp[j] + qi * vv[j];
    }
  }
  for (long i = 0; i < n; i++) d[i] = a[i * n + i];
  if (n >= 2) e[n - 2] = a[(n - 2) * n + n - 1];

  Q.assign(n * n, 0.0);
  for (long i = 0; i < n; i++) Q[i * n + i] = 1;
  std::vector<double> w(n, 0.0);
  for (long k = (long)vs.size() - 1; k >= 0; k--) {
    const double tau = taus[k];
    if (tau == 0) continue;
    const std::vector<double>& v = vs[k];
    const long m = (long)v.size();
    const long c0 = k + 1;
    std::fill(w.begin(), w.begin() + m, 0.0);
    double* ww = w.data();
    // w = vᵀ Q₂₂, four rows per pass so that w is loaded and stored once per four rows.
    long i = 0;
    for (; i + 4 <= m; i += 4) {
      const double* r0 = Q.data() + (c0 + i) * n + c0;
      const double* r1 = r0 + n;
      const double* r2 = r1 + n;
      const double* r3 = r2 + n;
      const double v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3];
      for (long j = 0; j < m; j++) ww[j] += v0 * r0[j] + v1 * r1[j] + v2 * r2[j] + v3 * r3[j];
    }
    for (; i < m; i++) {
      const double* row = Q.data() + (c0 + i) * n + c0;
      const double vi = v[i];
      for (long j = 0; j < m; j++) ww[j] += vi * row[j];
    }
    for (long i = 0; i < m; i++) {
      double* row = Q.data() + (c0 + i) * n + c0;
      const double f = tau * v[i];
      for (long j = 0; j < m; j++) row[j] -= f * ww[j];
    }
  }
}

/**
 * Rows k, k+1 of Zt ← [c·z_k + s·z_{k+1}, c·z_{k+1} − s·z_k] for k = lo..hi−1 in order, on a strip
 * of W = 4·NV columns: the carried row x is a chain of dependent FMAs from one rotation to the next,
 * so NV independent vectors keep the FMA units busy (latency 4, two units).
 */
template <int NV>
inline void sweepStrip(double* Zt, long n, long lo, long hi, const double* cs, long i) {
  v4 x[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; v++) x[v] = *(const v4u*)(Zt + lo * n + i + 4 * v);
  for (long k = lo; k < hi; k++) {
    const double c = cs[2 * k], s = cs[2 * k + 1];
    double* r0 = Zt + k * n + i;
    double* r1 = r0 + n;
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const v4 y = *(const v4u*)(r1 + 4 * v);
      *(v4u*)(r0 + 4 * v) = c * x[v] + s * y;
      x[v] = c * y - s * x[v];
    }
  }
#pragma GCC unroll 8
  for (int v = 0; v < NV; v++) *(v4u*)(Zt + hi * n + i + 4 * v) = x[v];
}

typedef double v8 __attribute__((vector_size(64)));
typedef double v8u __attribute__((vector_size(64), aligned(8), may_alias));

/** sweepStrip with 512-bit vectors (4 × 8 columns), for CPUs with AVX-512 (chosen at run time). */
__attribute__((target("avx512f"))) void sweepStrips512(double* Zt, long n, long lo, long hi, const double* cs, long i0, long i1) {
  for (long i = i0; i + 32 <= i1; i += 32) {
    v8 x[4];
#pragma GCC unroll 4
    for (int v = 0; v < 4; v++) x[v] = *(const v8u*)(Zt + lo * n + i + 8 * v);
    for (long k = lo; k < hi; k++) {
      const double c = cs[2 * k], s = cs[2 * k + 1];
      double* r0 = Zt + k * n + i;
      double* r1 = r0 + n;
#pragma GCC unroll 4
      for (int v = 0; v < 4; v++) {
        const v8 y = *(const v8u*)(r1 + 8 * v);
        *(v8u*)(r0 + 8 * v) = c * x[v] + s * y;
        x[v] = c * y - s * x[v];
      }
    }
#pragma GCC unroll 4
    for (int v = 0; v < 4; v++) *(v8u*)(Zt + hi * n + i + 8 * v) = x[v];
  }
}

bool cpuAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}

void applySweep(double* Zt, long n, long lo, long hi, const double* cs) {
  long i = 0;
  if (cpuAvx512()) {
    sweepStrips512(Zt, n, lo, hi, cs, 0, n);
    i = n / 32 * 32;
  }
  for (; i + 24 <= n; i += 24) sweepStrip<6>(Zt, n, lo, hi, cs, i);
  for (; i + 4 <= n; i += 4) sweepStrip<1>(Zt, n, lo, hi, cs, i);
  for (; i < n; i++) {
    double x = Zt[lo * n + i];
    for (long k = lo; k < hi; k++) {
      const double c = cs[2 * k], s = cs[2 * k + 1];
      const double y = Zt[(k + 1) * n + i];
      Zt[k * n + i] = c * x + s * y;
      x = c * y - s * x;
    }
    Zt[hi * n + i] = x;
  }
}

/**
 * √(x² + z²). libm's hypot guards against overflow at ~20 ns a call (11 % of eigh 200 in perf);
 * the matrix is scaled to max |entry| = 1, so only underflow can bite, and then hypot is used.
 */
inline double fastHypot(double x, double z) {
  const double r = std::sqrt(x * x + z * z);
  return r > 1e-150 && r < 1e150 ? r : std::hypot(x, z);
}

// eigh.ts negligible(): G&VL eq. 8.3.6 with an absolute floor, so that an off-diagonal among
// subnormal diagonals (graded Gram matrices) deflates instead of exhausting the step budget.
inline bool negligible(double e, double d0, double d1) {
  const double a = std::fabs(e);
  return a <= EPS * (std::fabs(d0) + std::fabs(d1)) || a < TINY;
}

// Implicit symmetric QR with Wilkinson shift (eigh.ts tridiagonalQR); rotations on rows of Zt.
__attribute__((noinline)) long tridiagonalQR(double* d, double* e, double* Zt, long n) {
  std::vector<double> cs;
  const long maxSteps = 50 * std::max(n, 1L);
  long steps = 0;
  long hi = n - 1;
  while (hi > 0) {
    if (negligible(e[hi - 1], d[hi - 1], d[hi])) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    long lo = hi - 1;
    while (lo > 0 && !negligible(e[lo - 1], d[lo - 1], d[lo])) lo--;
    if (lo > 0) e[lo - 1] = 0;
    if (++steps > maxSteps) return -1;
    const double delta = 0.5 * (d[hi - 1] - d[hi]);
    const double eh = e[hi - 1];
    // eh·(eh/…), not eh²/…: the square underflows for tiny (graded) blocks and the shift is lost.
    const double mu = d[hi] - eh * (eh / (delta + (delta >= 0 ? 1 : -1) * fastHypot(delta, eh)));
    double x = d[lo] - mu;
    double z = e[lo];
    // The rotations of this sweep only depend on d and e, so they are computed first and then
    // applied to Zt in one pass that walks down the rows carrying the running row in registers
    // (each entry loaded and stored once per sweep instead of twice per rotation; the same
    // arithmetic in the same order per entry). Van Zee, van de Geijn & Quintana-Ortí,
    // "Restructuring the tridiagonal and bidiagonal QR algorithms for performance", ACM TOMS 40(3), 2014.
    cs.resize(2 * n);
    for (long k = lo; k < hi; k++) {
      const double r = fastHypot(x, z);
      const double c = r == 0 ? 1 : x / r;
      const double s = r == 0 ? 0 : z / r;
      if (k > lo) e[k - 1] = r;
      const double a0 = d[k], b0 = e[k], a1 = d[k + 1];
      d[k] = c * c * a0 + 2 * c * s * b0 + s * s * a1;
      d[k + 1] = s * s * a0 - 2 * c * s * b0 + c * c * a1;
      e[k] = c * s * (a1 - a0) + (c * c - s * s) * b0;
      if (k + 1 < hi) {
        z = s * e[k + 1];
        e[k + 1] = c * e[k + 1];
        x = e[k];
      }
      cs[2 * k] = c;
      cs[2 * k + 1] = s;
    }
    applySweep(Zt, n, lo, hi, cs.data());
  }
  return steps;
}

// eigh.ts eigh() for a finite, non-empty, non-zero symmetric A: values ascending, vectors column k.
long eighFull(long n, const double* A, double* values, double* vectors) {
  double top = 0;
  for (long i = 0; i < n * n; i++) {
    if (!std::isfinite(A[i])) return -4;
    top = std::max(top, std::fabs(A[i]));
  }
  if (top == 0) return -5;
  std::vector<double> w(n * n), d(n), e(std::max(n - 1, 1L)), Zt(n * n);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) w[i * n + j] = (0.5 * (A[i * n + j] + A[j * n + i])) / top;
  if (ptEighCore(n, w.data(), d.data(), e.data(), Zt.data()) < 0) return -1;
  std::vector<long> order(n);
  std::iota(order.begin(), order.end(), 0L);
  std::stable_sort(order.begin(), order.end(), [&](long i, long j) { return d[i] < d[j]; });
  for (long k = 0; k < n; k++) {
    values[k] = d[order[k]] * top;
    const double* src = Zt.data() + order[k] * n;
    for (long i = 0; i < n; i++) vectors[i * n + k] = src[i];
  }
  return 0;
}

inline void rotateRows(double* a, long p, long q, long len, double c, double s) {
  double* __restrict xp = a + p * len;
  double* __restrict xq = a + q * len;
  for (long i = 0; i < len; i++) {
    const double x = xp[i], y = xq[i];
    xp[i] = c * x - s * y;
    xq[i] = s * x + c * y;
  }
}

/**
 * rotateRows that also returns the sums of squares of the two new rows (one pass instead of the
 * three of rotate + two rowNorm; svd.ts recomputes both norms after every rotation).
 */
inline void rotateRowsSq(double* a, long p, long q, long len, double c, double s, double* ssp, double* ssq) {
  double* __restrict xp = a + p * len;
  double* __restrict xq = a + q * len;
  // Four-lane partial sums by hand: GCC does not vectorise a floating-point reduction by itself
  // (the fused loop was 15 % slower than rotate + dot when scalar).
  v4 sp4 = (v4){}, sq4 = (v4){};
  long i = 0;
  for (; i + 4 <= len; i += 4) {
    const v4 x = *(const v4u*)(xp + i), y = *(const v4u*)(xq + i);
    const v4 u = c * x - s * y, v = s * x + c * y;
    *(v4u*)(xp + i) = u;
    *(v4u*)(xq + i) = v;
    sp4 += u * u;
    sq4 += v * v;
  }
  double sp = (sp4[0] + sp4[1]) + (sp4[2] + sp4[3]), sq = (sq4[0] + sq4[1]) + (sq4[2] + sq4[3]);
  for (; i < len; i++) {
    const double x = xp[i], y = xq[i];
    const double u = c * x - s * y, v = s * x + c * y;
    xp[i] = u;
    xq[i] = v;
    sp += u * u;
    sq += v * v;
  }
  *ssp = sp;
  *ssq = sq;
}

/** svd.ts rowNorm: ‖x‖₂ scaled by max |x_i| (an exact power of two when that is subnormal). */
double rowNormScaled(const double* x, long len) {
  double big = 0;
  for (long i = 0; i < len; i++) big = std::max(big, std::fabs(x[i]));
  if (big == 0) return 0;
  const double inv = big < 1e-300 ? 0x1p1000 : 1 / big;
  double s = 0;
  for (long i = 0; i < len; i++) {
    const double v = x[i] * inv;
    s += v * v;
  }
  return std::sqrt(s) / inv;
}

/**
 * ‖x‖₂ from its plain sum of squares ss when that is safe, else rowNormScaled. Safe: ss > 1e-250
 * means ‖x‖ > 1e-125, so entries whose squares underflow (|x_i| < 1e-154) change ‖x‖² by less than
 * len·1e-308 / 1e-250 — far below rounding; no overflow since the input is scaled to max |entry| = 1.
 * The result differs from svd.ts's scaled two-pass rowNorm only by rounding.
 */
inline double normFromSq(const double* x, long len, double ss) {
  return ss > 1e-250 ? std::sqrt(ss) : rowNormScaled(x, len);
}

/** svd.ts cosine: cos∠(x_p, x_q) for known norms np, nq > 0, pre-scaled when a product could underflow. */
inline double cosine(const double* xp, const double* xq, long len, double np, double nq) {
  if (np > 1e-140 && nq > 1e-140) return dot(xp, xq, len) / np / nq;
  const double ip = 1 / np, iq = 1 / nq;
  double s = 0;
  for (long i = 0; i < len; i++) s += xp[i] * ip * (xq[i] * iq);
  return s;
}

/**
 * svd.ts rotationTangent: tan θ of the Jacobi rotation for norms np, nq and cosine c, written in
 * the ratio r of the norms so that nothing is squared (G&VL Alg. 8.5.1; see svd.ts).
 */
inline double rotationTangent(double np, double nq, double c) {
  if (np >= nq) {
    const double r = nq / np;
    if (r < 1e-8) return (-c * r) / (1 - r * r);
    const double zeta = (r - 1 / r) / (2 * c);
    return (zeta >= 0 ? 1 : -1) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
  }
  const double r = np / nq;
  if (r < 1e-8) return (c * r) / (1 - r * r);
  const double zeta = (1 / r - r) / (2 * c);
  return (zeta >= 0 ? 1 : -1) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
}

/**
 * svd.ts jacobiSweeps (issue 9's robust version): the test and the angle from norms and the cosine
 * of pre-scaled columns (never ‖b_p‖²‖b_q‖², which underflowed for graded columns), both norms
 * recomputed after every rotation (Drmač & Veselić 2008), columns of norm < NEGLIGIBLE zeroed.
 * Returns the number of sweeps, or −1 when 60 did not converge. On return norms[k] = ‖row k of Bt‖
 * (current: recomputed after the last rotation that touched the row), which svd.ts recomputes as σ.
 */
long jacobiSweeps(double* Bt, double* Vt, long m, long n, std::vector<double>& norms) {
  const double tol = std::max(m, 1L) * EPS;
  norms.assign(n, 0.0);
  auto setNorm = [&](long k, double nk) {
    if (nk < NEGLIGIBLE) {
      std::fill(Bt + k * m, Bt + (k + 1) * m, 0.0);
      nk = 0;
    }
    norms[k] = nk;
  };
  for (long k = 0; k < n; k++) setNorm(k, normFromSq(Bt + k * m, m, dot(Bt + k * m, Bt + k * m, m)));
  for (long sweep = 1; sweep <= 60; sweep++) {
    bool rotated = false;
    for (long p = 0; p < n - 1; p++) {
      for (long q = p + 1; q < n; q++) {
        const double np = norms[p], nq = norms[q];
        if (np == 0 || nq == 0) continue;
        const double c = cosine(Bt + p * m, Bt + q * m, m, np, nq);
        if (!(std::fabs(c) > tol)) continue;
        rotated = true;
        const double t = rotationTangent(np, nq, c);
        const double cs = 1 / std::sqrt(1 + t * t);
        const double sn = cs * t;
        double ssp, ssq;
        rotateRowsSq(Bt, p, q, m, cs, sn, &ssp, &ssq);
        rotateRows(Vt, p, q, n, cs, sn);
        setNorm(p, normFromSq(Bt + p * m, m, ssp));
        setNorm(q, normFromSq(Bt + q * m, m, ssq));
      }
    }
    if (!rotated) return sweep;
  }
  return -1;
}

} // namespace

namespace {

/**
 * Crout on the diagonal block [k0, k1) of L, whose entries already hold A minus the updates of the
 * blocks left of k0; then the rows below, restricted to the block's columns (the panel solve
 * L21 = A21 L11⁻ᵀ). Returns −1, or the failing pivot index.
 */
long choleskyBlock(long n, double* L, long k0, long k1, double* pivot) {
  for (long j = k0; j < k1; j++) {
    double* lj = L + j * n;
    const double s = lj[j] - dot(lj + k0, lj + k0, j - k0);
    if (!(s > 0) || !std::isfinite(s)) {
      *pivot = s;
      return j;
    }
    const double ljj = std::sqrt(s);
    lj[j] = ljj;
    for (long i = j + 1; i < n; i++) {
      double* li = L + i * n;
      li[j] = (li[j] - dot(li + k0, lj + k0, j - k0)) / ljj;
    }
  }
  return -1;
}

} // namespace

long ptCholesky(long n, const double* A, double* L, double* pivot) {
  // Right-looking blocked Cholesky (Golub & Van Loan §4.2.9): factor a 64-column diagonal block
  // and its panel with the Crout loop of cholesky.ts, then subtract L21 L21ᵀ from the trailing
  // matrix with one GEMM (most of the n³/3 flops). Only the lower triangle of A is read.
  const long NB = 64;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) L[i * n + j] = j <= i ? A[i * n + j] : 0.0;
  for (long k0 = 0; k0 < n; k0 += NB) {
    const long k1 = std::min(n, k0 + NB);
    const long bad = choleskyBlock(n, L, k0, k1, pivot);
    if (bad >= 0) return bad;
    const long m2 = n - k1;
    if (m2 > 0) {
      // L22 ← L22 − L21 L21ᵀ over the full trailing square (its strict upper part is scratch,
      // cleared below): a square GEMM is faster than a triangular loop at these sizes.
      ptDgemm(false, true, m2, m2, k1 - k0, -1.0, L + k1 * n + k0, n, L + k1 * n + k0, n, 1.0, L + k1 * n + k1, n);
    }
  }
  for (long i = 0; i < n; i++)
    for (long j = i + 1; j < n; j++) L[i * n + j] = 0.0;
  return -1;
}

long ptEighCore(long n, double* w, double* d, double* e, double* Zt) {
  std::vector<double> Q;
  tridiagonalize(w, n, d, e, Q);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) Zt[i * n + j] = Q[j * n + i];
  return tridiagonalQR(d, e, Zt, n);
}

long ptSvdTall(long m, long n, const double* A, double* U, double* s, double* V) {
  std::vector<double> G(n * n), gvals(n), gvecs(n * n);
  ptDgram(m, n, 1.0, A, n, 0.0, G.data(), n);
  double top = 0;
  for (double g : G) top = std::max(top, std::fabs(g));
  std::vector<double> Vt(n * n, 0.0);
  if (top == 0) {
    for (long k = 0; k < n; k++) Vt[k * n + (n - 1 - k)] = 1; // eigh(0) = identity, reversed
  } else {
    if (eighFull(n, G.data(), gvals.data(), gvecs.data()) != 0) return -3;
    for (long k = 0; k < n; k++) {
      const long src = n - 1 - k;
      for (long i = 0; i < n; i++) Vt[k * n + i] = gvecs[i * n + src];
    }
  }
  // Bt = V₀ᵀ Aᵀ (n×m) by the GEMM kernels: svd.ts forms each entry as a serial dot product, a chain
  // of dependent FMAs that took ~1 ms of the 1000×28 case here; the sums differ only in rounding.
  std::vector<double> Bt(n * m);
  ptDgemm(false, true, n, m, n, 1.0, Vt.data(), n, A, n, 0.0, Bt.data(), m);
  std::vector<double> sig;
  const long sweeps = jacobiSweeps(Bt.data(), Vt.data(), m, n, sig);
  if (sweeps < 0) return -1;
  std::vector<long> order(n);
  std::iota(order.begin(), order.end(), 0L);
  std::stable_sort(order.begin(), order.end(), [&](long p, long q) { return sig[p] > sig[q]; });
  for (long k = 0; k < n; k++) {
    const long src = order[k];
    const double sk = sig[src];
    s[k] = sk;
    if (sk == 0) return -2;
    const double* b = Bt.data() + src * m;
    for (long i = 0; i < m; i++) U[i * n + k] = b[i] / sk;
    const double* v = Vt.data() + src * n;
    for (long i = 0; i < n; i++) V[i * n + k] = v[i];
  }
  return sweeps;
}

long ptEigh(long n, const double* A, double* values, double* vectors) {
  return eighFull(n, A, values, vectors);
}

long ptSvd(long m, long n, const double* A, double* U, double* s, double* V) {
  // svd.ts svd(): scale to max |entry| = 1, work on Aᵀ when wide, scale s back.
  double top = 0;
  for (long i = 0; i < m * n; i++) {
    if (!std::isfinite(A[i])) return -4;
    top = std::max(top, std::fabs(A[i]));
  }
  if (top == 0) return -5;
  const bool wide = m < n;
  const long mt = wide ? n : m, nt = wide ? m : n;
  std::vector<double> src(m * n);
  if (wide) {
    for (long i = 0; i < m; i++)
      for (long j = 0; j < n; j++) src[j * m + i] = A[i * n + j] / top;
  } else {
    for (long i = 0; i < m * n; i++) src[i] = A[i] / top;
  }
  // Tall: U (m×n), V (n×n). Wide: the tall factors of Aᵀ are (V: n×m, U: m×m).
  const long code = wide ? ptSvdTall(mt, nt, src.data(), V, s, U) : ptSvdTall(mt, nt, src.data(), U, s, V);
  if (code > 0) for (long k = 0; k < nt; k++) s[k] *= top;
  return code;
}
