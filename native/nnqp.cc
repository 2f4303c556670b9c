// Many non-negative QPs with one matrix, solved exactly in native code (issue 12: UPGrad's T
// projections at T = 128 cost T dense factorisations of ~T/2 × T/2 principal submatrices, which
// scalar TypeScript runs at ~1 GFLOP/s):
//     x⁽ⁱ⁾ = argmin_{x ≥ 0} ½ xᵀQx + q⁽ⁱ⁾ᵀx,   i = 1..m.
// The same algorithm as src/balance/solvers/nnqp.ts, step for step, so the TypeScript solver is the
// fallback with the same certified answer (test/balance/solvers/nnqp-native.test.ts compares them):
//  1. from the guessed passive set of problem i, a few steps of the primal-dual active-set method
//     (Hintermüller, Ito & Kunisch, SIAM J. Optim. 13, 2002, Alg. 1 with c = 1), each one dense
//     Cholesky of (Q + ρI)_PP gathered into a buffer — or, when the set changed by a few indices,
//     the previous step's factor updated (SetFactor below; accepted only when ∇ vanishes on the set
//     as for a new factor, else refactorised); accepted only when the free
//     solution is positive and ∇ = Qx + q ≥ −tol off the set (the KKT conditions); with Júdice &
//     Pires's safeguard against cycling (single pivots once the infeasible count stops falling; see
//     pdas() below), which lets a rank-64 Gramian at T = 128 be solved cold in ~9 steps;
//  2. otherwise (unless maxIter = 0: PDAS only, left uncertified) Lawson & Hanson's active-set method (Solving Least Squares Problems, 1974, ch. 23;
//     Bro & De Jong 1997, on Q and q directly) from the positive part of the last PDAS set, with a
//     Cholesky factor updated by one forward substitution per index that enters and a Givens
//     downdate per index that leaves (Golub & Van Loan §6.5.4).
// Problems are independent: they are spread over the addon's pool (problem i on thread i mod t), so
// the result does not depend on the thread count. The caller certifies every result again (one
// product XQ) before using it.
#include <node_api.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>
#include <immintrin.h>
#include "pool.h"
#include "kernels.h"
#include "batched_kernels.h"
#include "napi_args.h"

namespace {

/** Σ a_k b_k with AVX2 + FMA (two 4-wide accumulators; the TypeScript code sums in another order — rounding only). */
inline double dot(const double* a, const double* b, long len) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  long k = 0;
  for (; k + 8 <= len; k += 8) {
    s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + k), _mm256_loadu_pd(b + k), s0);
    s1 = _mm256_fmadd_pd(_mm256_loadu_pd(a + k + 4), _mm256_loadu_pd(b + k + 4), s1);
  }
  if (k + 4 <= len) { s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + k), _mm256_loadu_pd(b + k), s0); k += 4; }
  s0 = _mm256_add_pd(s0, s1);
  __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s0), _mm256_extractf128_pd(s0, 1));
  double s = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  for (; k < len; k++) s += a[k] * b[k];
  return s;
}

struct Problem {
  long n, m;
  const double* Q;   // n × n, the matrix given (certificate)
  const double* A;   // n × n, Q + ρI (factorised)
  const double* rhs; // m × n
  const unsigned char* start; // m × n guess of the passive sets
  double* X;         // m × n out
  int* stats;        // 2m out: iterations, method (1 PDAS, 3 PDAS on an updated factor, 2 Lawson–Hanson, 0 not converged)
  double relTol, scale, floor;
  long pdasSteps, maxIter;
  int threads;
  std::atomic<long>* next; // the next problem to take (threads > 1)
};

struct Work {
  std::vector<double> M, L, z, x, grad, tmp, ftmp;
  std::vector<int> idx, set;
  std::vector<unsigned char> inSet, member, fmember;
  explicit Work(long n) : M(n * n), L(n * n), z(n), x(n), grad(n), tmp(n), ftmp(n), idx(n), set(n), inSet(n), member(n), fmember(n) {}
};

/** The lanes 0..r−1 of a 4-wide vector (1 ≤ r ≤ 3): the mask of a row's last partial chunk. */
inline __m256i tailMask(long r) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(r), _mm256_set_epi64x(3, 2, 1, 0));
}

/**
 * Dense Cholesky Uᵀ U of the s × s matrix whose upper triangle is in M (row-major, leading dimension
 * ld), in place, right-looking by panels of 4 rows: the panel is factorised row by row, then its 4 rows
 * are subtracted from the trailing rows 4 at a time (a 4 × 4 register block: each load of the panel
 * serves 4 target rows, 16 multiply-adds per 8 loads; at s = 64 about 2× the speed of subtracting the
 * panel from one trailing row at a time, measured in isolation). Entries below the diagonal of the
 * trailing rows are overwritten with garbage (never read). False at a pivot ≤ floor.
 */
bool denseCholesky(double* M, long s, long ld, double floor) {
  for (long j0 = 0; j0 < s; j0 += 4) {
    const long j1 = std::min(s, j0 + 4);
    for (long j = j0; j < j1; j++) {
      double* rj = M + j * ld;
      const double d = rj[j];
      if (!(d > floor)) return false;
      const double ujj = std::sqrt(d);
      rj[j] = ujj;
      const double inv = 1 / ujj;
      for (long k = j + 1; k < s; k++) rj[k] *= inv;
      for (long k = j + 1; k < j1; k++) {
        const double c = rj[k];
        double* rk = M + k * ld;
        for (long l = k; l < s; l++) rk[l] -= c * rj[l];
      }
    }
    if (j1 - j0 < 4) {
      for (long j = j0; j < j1; j++) {
        const double* rj = M + j * ld;
        for (long k = j1; k < s; k++) {
          const double c = rj[k];
          double* rk = M + k * ld;
          for (long l = k; l < s; l++) rk[l] -= c * rj[l];
        }
      }
      continue;
    }
    const double *r0 = M + j0 * ld, *r1 = r0 + ld, *r2 = r1 + ld, *r3 = r2 + ld;
    for (long k = j1; k < s; k += 4) {
      if (k + 4 > s) {
        for (long kr = k; kr < s; kr++) {
          const double c0 = r0[kr], c1 = r1[kr], c2 = r2[kr], c3 = r3[kr];
          double* rk = M + kr * ld;
          for (long l = kr; l < s; l++) rk[l] -= (c0 * r0[l] + c1 * r1[l]) + (c2 * r2[l] + c3 * r3[l]);
        }
        break;
      }
      __m256d c[4][4];
      for (int kk = 0; kk < 4; kk++) {
        c[0][kk] = _mm256_set1_pd(r0[k + kk]);
        c[1][kk] = _mm256_set1_pd(r1[k + kk]);
        c[2][kk] = _mm256_set1_pd(r2[k + kk]);
        c[3][kk] = _mm256_set1_pd(r3[k + kk]);
      }
      double* t[4] = { M + k * ld, M + (k + 1) * ld, M + (k + 2) * ld, M + (k + 3) * ld };
      long l = k;
      for (; l + 4 <= s; l += 4) {
        const __m256d p0 = _mm256_loadu_pd(r0 + l), p1 = _mm256_loadu_pd(r1 + l), p2 = _mm256_loadu_pd(r2 + l), p3 = _mm256_loadu_pd(r3 + l);
        for (int kk = 0; kk < 4; kk++) {
          __m256d v = _mm256_loadu_pd(t[kk] + l);
          v = _mm256_fnmadd_pd(c[0][kk], p0, v);
          v = _mm256_fnmadd_pd(c[1][kk], p1, v);
          v = _mm256_fnmadd_pd(c[2][kk], p2, v);
          v = _mm256_fnmadd_pd(c[3][kk], p3, v);
          _mm256_storeu_pd(t[kk] + l, v);
        }
      }
      if (l < s) {
        const __m256i mk = tailMask(s - l);
        const __m256d p0 = _mm256_maskload_pd(r0 + l, mk), p1 = _mm256_maskload_pd(r1 + l, mk), p2 = _mm256_maskload_pd(r2 + l, mk), p3 = _mm256_maskload_pd(r3 + l, mk);
        for (int kk = 0; kk < 4; kk++) {
          __m256d v = _mm256_maskload_pd(t[kk] + l, mk);
          v = _mm256_fnmadd_pd(c[0][kk], p0, v);
          v = _mm256_fnmadd_pd(c[1][kk], p1, v);
          v = _mm256_fnmadd_pd(c[2][kk], p2, v);
          v = _mm256_fnmadd_pd(c[3][kk], p3, v);
          _mm256_maskstore_pd(t[kk] + l, mk, v);
        }
      }
    }
  }
  return true;
}

/** Σ_{c < len} a_r[c]·x[c] for the four rows a_0..a_3 at once (four independent accumulators). */
inline void dot4(const double* a0, const double* a1, const double* a2, const double* a3, const double* x, long len, double out[4]) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
  long c = 0;
  for (; c + 4 <= len; c += 4) {
    const __m256d v = _mm256_loadu_pd(x + c);
    s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a0 + c), v, s0);
    s1 = _mm256_fmadd_pd(_mm256_loadu_pd(a1 + c), v, s1);
    s2 = _mm256_fmadd_pd(_mm256_loadu_pd(a2 + c), v, s2);
    s3 = _mm256_fmadd_pd(_mm256_loadu_pd(a3 + c), v, s3);
  }
  if (c < len) {
    const __m256i mk = tailMask(len - c);
    const __m256d v = _mm256_maskload_pd(x + c, mk);
    s0 = _mm256_fmadd_pd(_mm256_maskload_pd(a0 + c, mk), v, s0);
    s1 = _mm256_fmadd_pd(_mm256_maskload_pd(a1 + c, mk), v, s1);
    s2 = _mm256_fmadd_pd(_mm256_maskload_pd(a2 + c, mk), v, s2);
    s3 = _mm256_fmadd_pd(_mm256_maskload_pd(a3 + c, mk), v, s3);
  }
  // transpose-and-add: out[r] = the horizontal sum of s_r
  const __m256d t01 = _mm256_hadd_pd(s0, s1), t23 = _mm256_hadd_pd(s2, s3);
  const __m256d sum = _mm256_add_pd(_mm256_permute2f128_pd(t01, t23, 0x20), _mm256_permute2f128_pd(t01, t23, 0x31));
  _mm256_storeu_pd(out, sum);
}

/**
 * Solves Uᵀ U z = b in place with the factor of denseCholesky (leading dimension ld). The backward
 * substitution takes 4 rows at a time: their dot products with the solved part run as four
 * independent chains, then a 4 × 4 triangle finishes them (one dot per row, each waiting on the last,
 * was latency-bound: ~2.6 µs at s = 64 against ~1 µs).
 */
void denseSolve(const double* U, long s, long ld, double* b) {
  for (long k = 0; k < s; k++) {
    const double* rk = U + k * ld;
    const double y = b[k] / rk[k];
    b[k] = y;
    for (long l = k + 1; l < s; l++) b[l] -= y * rk[l];
  }
  long i = s;
  while (i > 0) {
    const long i0 = std::max(0L, i - 4);
    double acc[4] = { 0, 0, 0, 0 };
    if (i < s) {
      const double* a[4];
      for (long r = 0; r < 4; r++) a[r] = U + std::min(i0 + r, i - 1) * ld + i;
      dot4(a[0], a[1], a[2], a[3], b + i, s - i, acc);
    }
    for (long r = i - 1; r >= i0; r--) {
      const double* ur = U + r * ld;
      double v = b[r] - acc[r - i0];
      for (long c = r + 1; c < i; c++) v -= ur[c] * b[c];
      b[r] = v / ur[r];
    }
    i = i0;
  }
}

/**
 * The factor Uᵀ U = A_SS of the current PDAS set S, kept across steps (leading dimension n; position a
 * holds index set[a], in the order the indices entered): when a step changes few indices, the factor is
 * updated instead of recomputed — an index that enters costs one triangular solve (s²/2 multiply-adds),
 * one that leaves a Givens re-triangularisation of the rows after it (Golub & Van Loan §6.5.4: the
 * trailing block R becomes R'ᵀR' = RᵀR + uuᵀ with u the removed row) — against s³/6 for a new factor.
 */
struct SetFactor {
  double* U;
  int* set;
  unsigned char* member;
  double* tmp;
  long n, size = 0;

  /** Appends index j (A: the ridged matrix, n × n); false when the new pivot is ≤ floor. */
  bool append(const double* A, long j, double floor) {
    const long s = size;
    double* a = tmp;
    const double* rj = A + j * n;
    for (long k = 0; k < s; k++) a[k] = rj[set[k]];
    double ss = 0;
    for (long k = 0; k < s; k++) {
      const double* rk = U + k * n;
      const double w = a[k] / rk[k];
      U[k * n + s] = w;
      ss += w * w;
      for (long l = k + 1; l < s; l++) a[l] -= w * rk[l];
    }
    const double d = rj[j] - ss;
    if (!(d > floor)) return false;
    U[s * n + s] = std::sqrt(d);
    set[s] = (int)j;
    member[j] = 1;
    size = s + 1;
    return true;
  }

  /** Removes the index at position p. */
  void removeAt(long p) {
    const long s = size, m = s - p - 1;
    for (long r = 0; r < p; r++) {
      double* row = U + r * n;
      for (long c = p; c < s - 1; c++) row[c] = row[c + 1];
    }
    double* u = tmp;
    for (long l = 0; l < m; l++) u[l] = U[p * n + p + 1 + l];
    for (long k = 0; k < m; k++) {
      double* R = U + (p + 1 + k) * n + p + 1;
      const double a = R[k], b = u[k];
      const double r = std::sqrt(a * a + b * b);
      const double c = a / r, sn = b / r;
      R[k] = r;
      for (long l = k + 1; l < m; l++) {
        const double v = R[l];
        R[l] = c * v + sn * u[l];
        u[l] = c * u[l] - sn * v;
      }
    }
    for (long r = p + 1; r < s; r++) {
      const double* src = U + r * n + r;
      double* dst = U + (r - 1) * n + (r - 1);
      for (long c = 0; c < s - r; c++) dst[c] = src[c];
    }
    member[set[p]] = 0;
    for (long a = p; a < s - 1; a++) set[a] = set[a + 1];
    size = s - 1;
  }

  /** A new factor of the indices with inSet[j] set, in ascending order; false at a pivot ≤ floor. */
  bool refactor(const double* A, const unsigned char* inSet, double floor) {
    long s = 0;
    for (long i = 0; i < n; i++) {
      member[i] = inSet[i];
      if (inSet[i]) set[s++] = (int)i;
    }
    size = s;
    for (long a = 0; a < s; a++) {
      const double* ra = A + (long)set[a] * n;
      double* row = U + a * n;
      // four entries per AVX2 gather (the indices are the set's, ascending)
      long b = a;
      // (the masked form with a zero source: the plain one trips GCC's -Wmaybe-uninitialized)
      const __m256d all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
      for (; b + 4 <= s; b += 4) _mm256_storeu_pd(row + b, _mm256_mask_i32gather_pd(_mm256_setzero_pd(), ra, _mm_loadu_si128((const __m128i*)(set + b)), all, 8));
      for (; b < s; b++) row[b] = ra[set[b]];
    }
    if (denseCholesky(U, s, n, floor)) return true;
    size = 0;
    std::fill(member, member + n, 0);
    return false;
  }
};

/** Solves L Lᵀ z = b in place for the lower factor L (leading dimension ld) of the active set. */
void lowerSolve(const double* L, long s, long ld, double* b) {
  for (long i = 0; i < s; i++) b[i] = (b[i] - dot(L + i * ld, b, i)) / L[i * ld + i];
  for (long i = s - 1; i >= 0; i--) {
    const double y = b[i] / L[i * ld + i];
    b[i] = y;
    const double* ri = L + i * ld;
    for (long k = 0; k < i; k++) b[k] -= y * ri[k];
  }
}

/** ∇ = q + Σ_j x_j Q_j· over the indices with x_j ≠ 0 (rows of the symmetric Q, contiguous). */
void gradient(const Problem& P, const double* q, const double* x, double* g) {
  const long n = P.n;
  for (long i = 0; i < n; i++) g[i] = q[i];
  for (long j = 0; j < n; j++) {
    const double xj = x[j];
    if (xj == 0) continue;
    const double* row = P.Q + j * n;
    for (long i = 0; i < n; i++) g[i] += xj * row[i];
  }
}

/**
 * ∇ = q + Σ_a z_a Q_{set[a]}· over the s positions of a set (rows of the symmetric Q): 16 entries of ∇
 * at a time held in four registers while the rows stream past, so ∇ is stored once rather than once
 * per row (the row-by-row form above was ~15 % of a PDAS step).
 */
void gradientOn(const Problem& P, const double* q, const int* set, const double* z, long s, double* g) {
  const long n = P.n;
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256d a0 = _mm256_loadu_pd(q + i), a1 = _mm256_loadu_pd(q + i + 4), a2 = _mm256_loadu_pd(q + i + 8), a3 = _mm256_loadu_pd(q + i + 12);
    for (long a = 0; a < s; a++) {
      const double* row = P.Q + (long)set[a] * n + i;
      const __m256d za = _mm256_set1_pd(z[a]);
      a0 = _mm256_fmadd_pd(za, _mm256_loadu_pd(row), a0);
      a1 = _mm256_fmadd_pd(za, _mm256_loadu_pd(row + 4), a1);
      a2 = _mm256_fmadd_pd(za, _mm256_loadu_pd(row + 8), a2);
      a3 = _mm256_fmadd_pd(za, _mm256_loadu_pd(row + 12), a3);
    }
    _mm256_storeu_pd(g + i, a0);
    _mm256_storeu_pd(g + i + 4, a1);
    _mm256_storeu_pd(g + i + 8, a2);
    _mm256_storeu_pd(g + i + 12, a3);
  }
  for (; i < n; i++) {
    double v = q[i];
    for (long a = 0; a < s; a++) v += z[a] * P.Q[(long)set[a] * n + i];
    g[i] = v;
  }
}

/**
 * A PDAS step updates the previous step's factor when at most 1/kUpdateRatio of the set's size changes
 * (indices that leave plus indices that enter), and factorises anew otherwise. On the rank-64 Gramian
 * at T = 128 about half of the ~1 100 steps of a cold UPGrad call change only a few indices; the ratio
 * is the measured break-even (bench/upgrad-cold.bench.ts).
 */
#ifndef NNQP_UPDATE_RATIO
#define NNQP_UPDATE_RATIO 6
#endif
constexpr long kUpdateRatio = NNQP_UPDATE_RATIO;

/**
 * The PDAS fast path: 1 when certified on a new factor, 3 when on an updated one (x, W.grad hold the
 * solution), 0 otherwise (leaves the positive part of the last set in W.inSet).
 */
int pdas(const Problem& P, Work& W, const double* q, double qInf, long& steps) {
  const long n = P.n;
  double* x = W.x.data();
  SetFactor F{ W.M.data(), W.idx.data(), W.fmember.data(), W.ftmp.data(), n };
  std::fill(W.fmember.begin(), W.fmember.end(), 0);
  bool valid = false; // F holds the factor of the previous step's set
  long best = n + 1;
  int budget = 3;
  for (long step = 0; step < P.pdasSteps; step++) {
    bool fresh = false;
    if (valid) {
      long changes = 0;
      for (long a = 0; a < F.size; a++) changes += !W.inSet[F.set[a]];
      for (long i = 0; i < n; i++) changes += W.inSet[i] && !F.member[i];
      if (changes * kUpdateRatio > F.size) valid = false;
      else {
        for (long a = F.size - 1; a >= 0; a--) if (!W.inSet[F.set[a]]) F.removeAt(a);
        for (long i = 0; i < n && valid; i++) if (W.inSet[i] && !F.member[i]) valid = F.append(P.A, i, P.floor);
      }
    }
    if (!valid) {
      if (!F.refactor(P.A, W.inSet.data(), P.floor)) return 0;
      valid = fresh = true;
    }
    const long s = F.size;
    steps = step + 1;
    for (long a = 0; a < s; a++) W.z[a] = -q[F.set[a]];
    denseSolve(F.U, s, n, W.z.data());
    std::fill(x, x + n, 0.0);
    bool positive = true;
    double xInf = 0;
    for (long a = 0; a < s; a++) {
      const double v = W.z[a];
      if (v > 0) { x[F.set[a]] = v; xInf = std::max(xInf, v); } else positive = false;
    }
    // ∇ = q + Q z at the free solution z of the set (negative entries included: the complementary
    // variable of the LCP, which the pivoting rules below need; = Qx + q when z > 0)
    gradientOn(P, q, F.set, W.z.data(), s, W.grad.data());
    const double tol = P.relTol * (qInf + P.scale * xInf);
    bool dualOk = true;
    for (long i = 0; i < n; i++) if (!W.inSet[i] && W.grad[i] < -tol) { dualOk = false; break; }
    if (positive && dualOk) {
      if (fresh) return 1;
      // An updated factor carries the rounding of its updates: the solution is accepted only when ∇
      // vanishes on the set to 20·tol (a new factor reaches up to ~6·tol on the rank-64 Gramian, through
      // the ridge and the conditioning; the caller's certificate allows 100·tol); otherwise the same set
      // is factorised anew.
      double worst = 0;
      for (long a = 0; a < s; a++) worst = std::max(worst, std::fabs(W.grad[F.set[a]]));
      if (worst <= 20 * tol) return 3;
      valid = false;
      step--;
      continue;
    }
    // The infeasible indices V: in the set with z ≤ 0, or outside it with ∇ < −tol.
    long nInf = 0, last = -1;
    for (long a = 0; a < s; a++) if (!(W.z[a] > 0)) { nInf++; last = std::max(last, (long)F.set[a]); }
    for (long i = 0; i < n; i++) if (!W.inSet[i] && W.grad[i] < -tol) { nInf++; last = std::max(last, i); }
    if (nInf == 0) break;
    // Júdice & Pires's safeguard (Comput. Oper. Res. 21, 1994; Kim & Park, SIAM J. Sci. Comput. 33,
    // 2011, Alg. 2): exchange all of V while |V| decreases, allow 3 full exchanges that do not, then
    // exchange only the largest index of V (Murty's single principal pivot, finite on a P-matrix)
    // until |V| falls below its best again — plain PDAS cycles on rank-deficient Gramians.
    bool full = true;
    if (nInf < best) { best = nInf; budget = 3; }
    else if (budget > 0) budget--;
    else full = false;
    if (!full) { W.inSet[last] = W.inSet[last] ? 0 : 1; continue; }
    for (long a = 0; a < s; a++) if (!(W.z[a] > 0)) W.inSet[F.set[a]] = 0;
    for (long i = 0; i < n; i++) if (!W.inSet[i] && x[i] == 0 && W.grad[i] < -tol) W.inSet[i] = 1;
  }
  for (long i = 0; i < n; i++) W.inSet[i] = x[i] > 0;
  return 0;
}

/** The Cholesky factor of A_SS kept up to date (src/balance/solvers/active-cholesky.ts). */
struct Active {
  const Problem& P;
  Work& W;
  long size = 0;
  Active(const Problem& p, Work& w) : P(p), W(w) { std::fill(W.member.begin(), W.member.end(), 0); }

  void add(long j) {
    const long n = P.n, s = size;
    double* L = W.L.data();
    double* row = L + s * n;
    double ll = 0;
    for (long p = 0; p < s; p++) {
      const double v = (P.A[(long)W.set[p] * n + j] - dot(L + p * n, row, p)) / L[p * n + p];
      row[p] = v;
      ll += v * v;
    }
    row[s] = std::sqrt(std::max(P.A[j * n + j] - ll, P.floor));
    W.set[s] = (int)j;
    W.member[j] = 1;
    size = s + 1;
  }

  void removeAt(long k) {
    const long n = P.n, s = size, m = s - k - 1;
    double* L = W.L.data();
    double* x = W.tmp.data();
    for (long i = 0; i < m; i++) x[i] = L[(k + 1 + i) * n + k];
    for (long r = k + 1; r < s; r++) {
      double* src = L + r * n;
      double* dst = L + (r - 1) * n;
      for (long c = 0; c < k; c++) dst[c] = src[c];
      for (long c = k + 1; c <= r; c++) dst[c - 1] = src[c];
    }
    for (long j = 0; j < m; j++) {
      const long jj = (k + j) * n + (k + j);
      const double ljj = L[jj];
      const double r = std::hypot(ljj, x[j]);
      const double c = r / ljj, sn = x[j] / ljj;
      L[jj] = r;
      for (long i = j + 1; i < m; i++) {
        const long id = (k + i) * n + (k + j);
        const double v = (L[id] + sn * x[i]) / c;
        L[id] = v;
        x[i] = c * x[i] - sn * v;
      }
    }
    W.member[W.set[k]] = 0;
    for (long p = k; p < s - 1; p++) W.set[p] = W.set[p + 1];
    size = s - 1;
  }

  void solve(double* b) const { lowerSolve(W.L.data(), size, P.n, b); }
};

/** Lawson–Hanson from the passive set in W.inSet (x = 0 there); returns converged. */
bool lawsonHanson(const Problem& P, Work& W, const double* q, double qInf, long& it) {
  const long n = P.n;
  double* x = W.x.data();
  double* z = W.z.data();
  double* grad = W.grad.data();
  std::fill(x, x + n, 0.0);
  Active ch(P, W);
  auto inner = [&]() {
    while (ch.size > 0) {
      const long p = ch.size;
      for (long r = 0; r < p; r++) z[r] = -q[W.set[r]];
      ch.solve(z);
      bool feasible = true;
      for (long r = 0; r < p; r++) if (!(z[r] > 0)) feasible = false;
      if (feasible) {
        for (long r = 0; r < p; r++) x[W.set[r]] = z[r];
        return;
      }
      it++;
      bool fresh = true;
      for (long r = 0; r < p; r++) if (x[W.set[r]] != 0) fresh = false;
      if (fresh) {
        for (long r = p - 1; r >= 0; r--) if (!(z[r] > 0)) ch.removeAt(r);
        if (it >= P.maxIter) return;
        continue;
      }
      double alpha = 1;
      long drop = -1;
      for (long r = 0; r < p; r++) {
        if (!(z[r] > 0)) {
          const double xi = x[W.set[r]];
          const double th = xi - z[r] > 0 ? xi / (xi - z[r]) : 0;
          if (drop < 0 || th < alpha) { alpha = th; drop = r; }
        }
      }
      for (long r = 0; r < p; r++) {
        const long i = W.set[r];
        x[i] = r == drop ? 0 : std::max(x[i] + alpha * (z[r] - x[i]), 0.0);
      }
      for (long r = p - 1; r >= 0; r--) if (!(x[W.set[r]] > 0)) ch.removeAt(r);
      if (it >= P.maxIter) return;
    }
  };
  bool any = false;
  for (long j = 0; j < n; j++) if (W.inSet[j]) { ch.add(j); any = true; }
  if (any) inner();
  while (it < P.maxIter) {
    gradient(P, q, x, grad);
    double xInf = 0;
    for (long j = 0; j < n; j++) xInf = std::max(xInf, x[j]);
    const double tol = P.relTol * (qInf + P.scale * xInf);
    long jStar = -1;
    double most = -tol;
    for (long i = 0; i < n; i++) if (!W.member[i] && grad[i] < most) { most = grad[i]; jStar = i; }
    if (jStar < 0) return true;
    it++;
    ch.add(jStar);
    inner();
  }
  return false;
}

void solveOne(const Problem& P, Work& W, long i) {
  const long n = P.n;
  const double* q = P.rhs + i * n;
  double qInf = 0;
  for (long j = 0; j < n; j++) qInf = std::max(qInf, std::fabs(q[j]));
  const unsigned char* st = P.start + i * n;
  bool anyStart = false;
  for (long j = 0; j < n; j++) { W.inSet[j] = st[j] ? 1 : 0; anyStart |= st[j] != 0; }
  long steps = 0;
  int method = 0;
  if (anyStart && P.pdasSteps > 0) method = pdas(P, W, q, qInf, steps);
  if (method != 0) {
    // certified by PDAS
  } else if (P.maxIter == 0) {
    // PDAS only (a cheap probe): not certified here, x = 0
    std::fill(W.x.begin(), W.x.end(), 0.0);
  } else {
    if (!anyStart) std::fill(W.inSet.begin(), W.inSet.end(), 0);
    else if (steps > 0) {
      // PDAS failed: its last positive part is the warm start, unless it is empty (then the guess)
      bool anyPos = false;
      for (long j = 0; j < n; j++) anyPos |= W.inSet[j] != 0;
      if (!anyPos) for (long j = 0; j < n; j++) W.inSet[j] = st[j] ? 1 : 0;
    }
    steps = 0;
    method = lawsonHanson(P, W, q, qInf, steps) ? 2 : 0;
  }
  std::copy(W.x.begin(), W.x.end(), P.X + i * n);
  P.stats[2 * i] = (int)steps;
  P.stats[2 * i + 1] = method;
}

void solvePart(void* ctx, int t) {
  const Problem& P = *(const Problem*)ctx;
  Work W(P.n);
  if (P.threads <= 1) {
    for (long i = t; i < P.m; i++) solveOne(P, W, i);
    return;
  }
  // Problems taken one at a time from a shared counter: their costs differ by 10× and more (one PDAS
  // step to tens of pivots), so a fixed split leaves one thread idle. Each problem is solved the same
  // way whichever thread takes it, so results do not depend on the thread count.
  for (long i = P.next->fetch_add(1); i < P.m; i = P.next->fetch_add(1)) solveOne(P, W, i);
}

using namespace ptnapi;

// nnqpBatch(n, m, Q, rhs, start (Uint8Array m×n), X (out), stats (Int32Array 2m, out), relTol, ridge, pdasSteps, maxIter, threads)
napi_value nnqpBatchFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 12)) return nullptr;
  double num[7];
  const int numIdx[7] = { 0, 1, 7, 8, 9, 10, 11 };
  for (int k = 0; k < 7; k++)
    if (napi_get_value_double(env, a.v[numIdx[k]], &num[k]) != napi_ok || !std::isfinite(num[k]) || num[k] < 0) return fail(env, "native nnqpBatch: expected a non-negative number"), nullptr;
  const long n = (long)num[0], m = (long)num[1];
  if (n < 1 || n > 100000 || m > 100000000 / n) return fail(env, "native nnqpBatch: bad shape"), nullptr;
  Problem P{};
  P.n = n;
  P.m = m;
  P.Q = (const double*)typedArray(a, 2, napi_float64_array, n * n);
  P.rhs = (const double*)typedArray(a, 3, napi_float64_array, m * n);
  P.start = (const unsigned char*)typedArray(a, 4, napi_uint8_array, m * n);
  P.X = (double*)typedArray(a, 5, napi_float64_array, m * n);
  P.stats = (int*)typedArray(a, 6, napi_int32_array, 2 * m);
  if (!a.ok) return nullptr;
  P.relTol = num[2];
  P.pdasSteps = (long)num[4];
  P.maxIter = (long)num[5];
  double scale = 0;
  for (long i = 0; i < n; i++) scale = std::max(scale, P.Q[i * n + i]);
  P.scale = scale;
  const double ridge = num[3] * (scale > 0 ? scale : 1);
  P.floor = ridge * 1e-6;
  std::vector<double> A(P.Q, P.Q + n * n);
  for (long i = 0; i < n; i++) A[i * n + i] += ridge;
  P.A = A.data();
  // One thread per ≥ 4 problems, at most the pool (or the caller's cap): UPGrad's cold probe is 8
  // problems of up to 4 PDAS steps on ~64 × 64 sets (~0.1 ms each), worth a second thread.
  int want = (int)std::min<long>(std::max<long>(1, (long)num[6]), std::max<long>(1, m / 4));
  const int granted = want > 1 ? ptAcquire(want) : 1;
  std::atomic<long> next{0};
  P.next = &next;
  P.threads = granted;
  if (granted > 1) {
    ptParallel(granted, solvePart, &P);
    ptRelease();
  } else solvePart(&P, 0);
  return undef(env);
}

struct Admm {
  long n;
  const double* M;
  const double* Qb0;
  unsigned char* out;
  double rho, relax;
  long maxIter, check, b0;
  std::vector<long> its;
  int parts;
  std::vector<float> Mf; // M in single precision (single = true)
};

inline void gemmOf(bool, bool, long m, long n, long k, double alpha, const double* A, long lda, const double* B, long ldb, double beta, double* C, long ldc, int threads) {
  (ptUse512() ? pt_avx512::dgemm : pt_avx2::dgemm)(false, false, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, threads);
}
inline void gemmOf(bool, bool, long m, long n, long k, float alpha, const float* A, long lda, const float* B, long ldb, float beta, float* C, long ldc, int threads) {
  (ptUse512() ? pt_avx512::sgemm : pt_avx2::sgemm)(false, false, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, threads);
}

/**
 * ADMM's elementwise step after the product: x̂ = αx + (1 − α)z, z = max(0, x̂ + u), u = x̂ + u − z.
 * In AVX2 intrinsics: GCC left the plain loop scalar with a branch per element (it does not turn
 * max into maxps under IEEE NaN rules), ~150 µs per iteration on 128 × 128, 3.5× the product
 * (measured in isolation, one thread); vectorised it is a few µs.
 */
inline void admmUpdate(float* z, float* u, const float* x, long len, float relax) {
  const __m256 a = _mm256_set1_ps(relax), a1 = _mm256_set1_ps(1 - relax), zero = _mm256_setzero_ps();
  long k = 0;
  for (; k + 8 <= len; k += 8) {
    const __m256 xh = _mm256_fmadd_ps(a, _mm256_loadu_ps(x + k), _mm256_mul_ps(a1, _mm256_loadu_ps(z + k)));
    const __m256 v = _mm256_add_ps(xh, _mm256_loadu_ps(u + k));
    const __m256 zn = _mm256_max_ps(v, zero);
    _mm256_storeu_ps(u + k, _mm256_sub_ps(v, zn));
    _mm256_storeu_ps(z + k, zn);
  }
  for (; k < len; k++) {
    const float v = relax * x[k] + (1 - relax) * z[k] + u[k];
    const float zn = v > 0 ? v : 0;
    u[k] = v - zn;
    z[k] = zn;
  }
}
inline void admmUpdate(double* z, double* u, const double* x, long len, double relax) {
  const __m256d a = _mm256_set1_pd(relax), a1 = _mm256_set1_pd(1 - relax), zero = _mm256_setzero_pd();
  long k = 0;
  for (; k + 4 <= len; k += 4) {
    const __m256d xh = _mm256_fmadd_pd(a, _mm256_loadu_pd(x + k), _mm256_mul_pd(a1, _mm256_loadu_pd(z + k)));
    const __m256d v = _mm256_add_pd(xh, _mm256_loadu_pd(u + k));
    const __m256d zn = _mm256_max_pd(v, zero);
    _mm256_storeu_pd(u + k, _mm256_sub_pd(v, zn));
    _mm256_storeu_pd(z + k, zn);
  }
  for (; k < len; k++) {
    const double v = relax * x[k] + (1 - relax) * z[k] + u[k];
    const double zn = v > 0 ? v : 0;
    u[k] = v - zn;
    z[k] = zn;
  }
}

/**
 * ADMM on rows [r0, r1) of the batch (see admmSupportsFn), one thread, in precision R: double, or
 * float — ADMM only has to find the supports (the exact solver finishes from them and the caller
 * certifies), and single precision halves the cost of its products and updates.
 */
template <typename R>
void admmRows(Admm& J, int t, const R* M) {
  const long n = J.n;
  const long r0 = J.b0 * t / J.parts, r1 = J.b0 * (t + 1) / J.parts, b1 = r1 - r0;
  const R rho = (R)J.rho, relax = (R)J.relax;
  const long maxIter = J.maxIter, check = J.check;
  std::vector<R> Z(b1 * n, 0), U(b1 * n, 0), B(b1 * n), X(b1 * n), Qb(J.Qb0 + r0 * n, J.Qb0 + r1 * n);
  std::vector<unsigned char> prev(b1 * n, 2);
  std::vector<long> rows(b1);
  for (long r = 0; r < b1; r++) rows[r] = r0 + r;
  long b = b1, it = 0;
  const int gemmThreads = J.parts > 1 ? 1 : ptCallerThreads();
  while (it < maxIter && b > 0) {
    {
      R* __restrict z = Z.data();
      R* __restrict u = U.data();
      R* __restrict bb = B.data();
      const R* __restrict qb = Qb.data();
      for (long k = 0; k < b * n; k++) bb[k] = rho * (z[k] - u[k]) - qb[k];
    }
    gemmOf(false, false, b, n, n, (R)1, B.data(), n, M, n, (R)0, X.data(), n, gemmThreads);
    admmUpdate(Z.data(), U.data(), X.data(), b * n, relax);
    it++;
    if (it % check != 0 && it < maxIter) continue;
    long keep = 0;
    for (long r = 0; r < b; r++) {
      const R* z = Z.data() + r * n;
      unsigned char* pr = prev.data() + r * n;
      bool same = true;
      for (long j = 0; j < n; j++) {
        const unsigned char s = z[j] > 0;
        if (s != pr[j]) same = false;
        pr[j] = s;
      }
      if ((it >= 2 * check && same) || it >= maxIter) {
        std::copy(pr, pr + n, J.out + rows[r] * n);
        continue;
      }
      if (keep != r) {
        std::copy(Z.begin() + r * n, Z.begin() + r * n + n, Z.begin() + keep * n);
        std::copy(U.begin() + r * n, U.begin() + r * n + n, U.begin() + keep * n);
        std::copy(Qb.begin() + r * n, Qb.begin() + r * n + n, Qb.begin() + keep * n);
        std::copy(pr, pr + n, prev.begin() + keep * n);
        rows[keep] = rows[r];
      }
      keep++;
    }
    b = keep;
  }
  J.its[t] = it;
}

void admmPart(void* ctx, int t) {
  Admm& J = *(Admm*)ctx;
  if (!J.Mf.empty()) admmRows<float>(J, t, J.Mf.data());
  else admmRows<double>(J, t, J.M);
}

// ADMM on b problems at once, only to find their active sets (src/balance/solvers/nnqp-batch.ts,
// admmSupports: the same iteration, moved here because its elementwise updates cost more than the
// products in TypeScript): x = M(ρ(z − u) − q) with M = (Q + ρI)⁻¹ given, over-relaxation, z = max(0, ·),
// u += x̂ − z. Every `check` iterations a row whose support {j : z_j > 0} did not change since the last
// check (and after at least 2·check iterations) leaves the batch with that support; at maxIter all do.
// With single = 1 (an optional 10th argument) the iterations run in single precision.
// admmSupports(n, b, M, Qb, rho, relax, maxIter, check, supports (Uint8Array b×n, out)[, single]) → iterations
napi_value admmSupportsFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 9)) return nullptr;
  double num[6];
  const int numIdx[6] = { 0, 1, 4, 5, 6, 7 };
  for (int k = 0; k < 6; k++)
    if (napi_get_value_double(env, a.v[numIdx[k]], &num[k]) != napi_ok || !std::isfinite(num[k]) || num[k] < 0) return fail(env, "native admmSupports: expected a non-negative number"), nullptr;
  const long n = (long)num[0], b0 = (long)num[1];
  if (n < 1 || n > 100000 || b0 > 100000000 / n) return fail(env, "native admmSupports: bad shape"), nullptr;
  const double* M = (const double*)typedArray(a, 2, napi_float64_array, n * n);
  const double* Qb0 = (const double*)typedArray(a, 3, napi_float64_array, b0 * n);
  unsigned char* out = (unsigned char*)typedArray(a, 8, napi_uint8_array, b0 * n);
  if (!a.ok) return nullptr;
  Admm job{ n, M, Qb0, out, num[2], num[3], (long)num[4], std::max(1L, (long)num[5]), 0, {}, 1, {} };
  double single = 0;
  if (a.n > 9 && (napi_get_value_double(env, a.v[9], &single) != napi_ok || !std::isfinite(single))) return fail(env, "native admmSupports: expected a number for single"), nullptr;
  if (single != 0) job.Mf.assign(M, M + n * n);
  // Rows are independent (the product is row by row): with t threads each runs the whole iteration on
  // its own contiguous share of the rows with a one-thread GEMM — no barrier per iteration (the pool's
  // threaded GEMM on b × 128 × 128 products gained nothing measurable: cold UPGrad on the rank-64
  // Gramian 12.7 vs 12.6 ms with 1 vs 2 threads). A row's iterates do not depend on the other rows
  // (up to the GEMM's rounding), so the supports are those of one batch.
  const int want = (int)std::min<long>(std::max(1, ptCallerThreads()), std::max<long>(1, b0 / 16));
  const int granted = want > 1 ? ptAcquire(want) : 1;
  job.parts = granted;
  job.b0 = b0;
  job.its.assign(granted, 0);
  if (granted > 1) {
    ptParallel(granted, admmPart, &job);
    ptRelease();
  } else admmPart(&job, 0);
  long it = 0;
  for (long v : job.its) it = std::max(it, v);
  return number(env, (double)it);
}

/**
 * ADMM's x-update matrix M = (Q + ρI)⁻¹ with ρ = ½√(λ_min λ_max) (src/balance/solvers/nnqp-batch.ts,
 * admmSupports), without an eigendecomposition (1.6 ms at n = 128, half a cold UPGrad call on the
 * rank-64 Gramian): ρ only balances ADMM's linear rate, so the extreme eigenvalues are estimated —
 * λ_max by power iteration, λ_min by inverse iteration on the Cholesky factor of Q + 10⁻¹²λ_max·I
 * (the Rayleigh quotients bound λ_max from below and λ_min from above; each stops when it moves by
 * < 1 % — ρ is a rate heuristic, √ of a 1 % error is 0.5 % — or after 15 (λ_max) / 30 (λ_min) steps), and λ_min is floored at 10⁻¹²λ_max as the eigh route does. Then
 * Q + ρI = UᵀU, Z = U⁻¹ (back substitution on the identity, n³/6 multiply-adds) and M = Z Zᵀ by the
 * tuned GEMM. out = [λ_min, λ_max, ρ]. Returns false when Q is not numerically positive definite
 * (the caller then takes the eigendecomposition route).
 */
bool admmMatrix(const double* Q, long n, double* M, double* out) {
  std::vector<double> v(n), w(n), C(n * n), Y(n * n, 0.0);
  // λ_max: power iteration from the normalised ones vector
  for (long i = 0; i < n; i++) v[i] = 1 / std::sqrt((double)n);
  double lmax = 0;
  for (int it = 0; it < 15; it++) {
    for (long i = 0; i < n; i++) w[i] = dot(Q + i * n, v.data(), n);
    const double rq = dot(v.data(), w.data(), n);
    const double nw = std::sqrt(dot(w.data(), w.data(), n));
    if (!(nw > 0) || !std::isfinite(nw)) return false;
    for (long i = 0; i < n; i++) v[i] = w[i] / nw;
    const bool settled = it > 0 && std::fabs(rq - lmax) <= 1e-2 * rq;
    lmax = std::max(lmax, rq);
    if (settled) break;
  }
  if (!(lmax > 0)) return false;
  const double lfloor = 1e-12 * lmax;
  for (long i = 0; i < n; i++) {
    for (long j = i; j < n; j++) C[i * n + j] = Q[i * n + j];
    C[i * n + i] += lfloor;
  }
  if (!denseCholesky(C.data(), n, n, 0)) return false;
  // λ_min: inverse iteration from a fixed spread-out start (not the ones vector, which on a Gramian
  // of similar tasks lies near the top eigenvector)
  double nv = 0;
  for (long i = 0; i < n; i++) { v[i] = (double)((i * 7919) % 257) / 257 - 0.5; nv += v[i] * v[i]; }
  nv = std::sqrt(nv);
  for (long i = 0; i < n; i++) v[i] /= nv;
  double lmin = lmax;
  for (int it = 0; it < 30; it++) {
    std::copy(v.begin(), v.end(), w.begin());
    denseSolve(C.data(), n, n, w.data());
    const double rq = dot(v.data(), w.data(), n); // vᵀC⁻¹v ≤ 1/λ_min
    const double nw = std::sqrt(dot(w.data(), w.data(), n));
    if (!(rq > 0) || !std::isfinite(nw)) return false;
    for (long i = 0; i < n; i++) v[i] = w[i] / nw;
    const double est = 1 / rq;
    const bool settled = it > 0 && std::fabs(est - lmin) <= 1e-2 * est;
    lmin = std::min(lmin, est);
    if (settled) break;
  }
  lmin = std::max(lmin - lfloor, lfloor);
  const double rho = 0.5 * std::sqrt(lmin * lmax);
  for (long i = 0; i < n; i++) {
    for (long j = i; j < n; j++) C[i * n + j] = Q[i * n + j];
    C[i * n + i] += rho;
  }
  if (!denseCholesky(C.data(), n, n, 0)) return false;
  // Z = U⁻¹ (upper triangular) row by row from the bottom: Z[i,·] = (e_i − Σ_{k>i} U[i,k] Z[k,·]) / U[i,i],
  // each term an axpy on the contiguous part k..n−1 of row k; then M = Z Zᵀ
  for (long i = n - 1; i >= 0; i--) {
    double* __restrict zi = Y.data() + i * n;
    const double* ui = C.data() + i * n;
    zi[i] = 1;
    for (long k = i + 1; k < n; k++) {
      const double c = ui[k];
      const double* __restrict zk = Y.data() + k * n;
      for (long j = k; j < n; j++) zi[j] -= c * zk[j];
    }
    const double inv = 1 / ui[i];
    for (long j = i; j < n; j++) zi[j] *= inv;
  }
  (ptUse512() ? pt_avx512::dgemm : pt_avx2::dgemm)(false, true, n, n, n, 1.0, Y.data(), n, Y.data(), n, 0.0, M, n, 1);
  out[0] = lmin;
  out[1] = lmax;
  out[2] = rho;
  return true;
}

using namespace ptnapi;

// admmMatrix(n, Q, M (out, n × n), bounds (out, [λ_min, λ_max, ρ])) → 1, or 0 when Q is not positive definite
napi_value admmMatrixFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  const long n = integer(a, 0);
  if (a.ok && (n < 1 || n > 20000)) return fail(env, "native admmMatrix: bad shape"), nullptr;
  const double* Q = (const double*)typedArray(a, 1, napi_float64_array, n * n);
  double* M = (double*)typedArray(a, 2, napi_float64_array, n * n);
  double* out = (double*)typedArray(a, 3, napi_float64_array, 3);
  if (!a.ok) return nullptr;
  for (long k = 0; k < n * n; k++) if (!std::isfinite(Q[k])) return number(env, 0);
  return number(env, admmMatrix(Q, n, M, out) ? 1 : 0);
}

/**
 * The KKT certificate of src/balance/solvers/nnqp-batch.ts (exactBatchNnqp) in native code: R = XQ + rhs
 * by the tuned GEMM, then per row x ≥ 0, ∇ ≥ −tol, ∇_j ≤ tol where x_j > 0, NaN never certified, with
 * tol = 100·relTol·(‖q‖∞ + max Q_jj·‖x‖∞) — the same comparisons as the TypeScript loop (which stays
 * the fallback): that loop cost ~0.3 ms per 128 × 128 call in V8 (branches on random signs), a
 * twentieth of a cold UPGrad call. certified[i] = 1 or 0; returns the count certified.
 */
long nnqpCertify(const double* Q, const double* rhs, const double* X, long n, long m, double relTol, unsigned char* certified) {
  std::vector<double> R(rhs, rhs + m * n);
  // one thread: at 128 × 128 × 128 (~0.1 ms) a second thread's hand-off costs about what it saves
  (ptUse512() ? pt_avx512::dgemm : pt_avx2::dgemm)(false, false, m, n, n, 1.0, X, n, Q, n, 1.0, R.data(), n, 1);
  double scale = 0;
  for (long i = 0; i < n; i++) scale = std::max(scale, Q[i * n + i]);
  long count = 0;
  for (long i = 0; i < m; i++) {
    const double* q = rhs + i * n;
    const double* x = X + i * n;
    const double* g = R.data() + i * n;
    double qInf = 0, xInf = 0, viol = 0;
    bool nan = false;
    for (long j = 0; j < n; j++) {
      qInf = std::max(qInf, std::fabs(q[j]));
      const double xj = x[j], gj = g[j];
      xInf = std::max(xInf, xj);
      viol = std::max(viol, xj > 0 ? gj : -xj);
      viol = std::max(viol, -gj);
      nan |= gj != gj || xj != xj;
    }
    const bool ok = !nan && (viol <= 100 * relTol * (qInf + scale * xInf) || !(viol > 0));
    certified[i] = ok ? 1 : 0;
    count += ok;
  }
  return count;
}

// nnqpCertify(n, m, Q, rhs, X, relTol, certified (Uint8Array m, out)) → the count certified
napi_value nnqpCertifyFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  const long n = integer(a, 0), m = integer(a, 1);
  if (a.ok && (n < 1 || n > 100000 || m > 100000000 / n)) return fail(env, "native nnqpCertify: bad shape"), nullptr;
  const double* Q = (const double*)typedArray(a, 2, napi_float64_array, n * n);
  const double* rhs = (const double*)typedArray(a, 3, napi_float64_array, m * n);
  const double* X = (const double*)typedArray(a, 4, napi_float64_array, m * n);
  const double relTol = num(a, 5);
  unsigned char* out = (unsigned char*)typedArray(a, 6, napi_uint8_array, m);
  if (!a.ok) return nullptr;
  return number(env, (double)nnqpCertify(Q, rhs, X, n, m, relTol, out));
}

// spdSolve(n, A (n × n, overwritten by the factor), b (n, overwritten by x)) → 1, or 0 when a pivot is
// ≤ 0 (A not positive definite; b then unspecified). Solves A x = b with the register-blocked
// denseCholesky (upper triangle of the symmetric A read) and denseSolve: Nash-MTL's and FairGrad's
// Newton steps (src/balance/solvers/power-equation.ts) factor a T × T matrix each, ~0.25 ms at T = 128
// through decomp.cc's Cholesky plus the TypeScript substitutions (about half of a Nash-MTL call).
napi_value spdSolveFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 3)) return nullptr;
  const long n = integer(a, 0);
  if (a.ok && (n < 1 || n > 20000)) return fail(env, "native spdSolve: bad shape"), nullptr;
  double* A = (double*)typedArray(a, 1, napi_float64_array, n * n);
  double* b = (double*)typedArray(a, 2, napi_float64_array, n);
  if (!a.ok) return nullptr;
  if (!denseCholesky(A, n, n, 0)) return number(env, 0);
  denseSolve(A, n, n, b);
  return number(env, 1);
}

} // namespace

void ptRegisterNnqp(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "nnqpBatch", NAPI_AUTO_LENGTH, nnqpBatchFn, nullptr, &fn);
  napi_set_named_property(env, exports, "nnqpBatch", fn);
  napi_create_function(env, "admmSupports", NAPI_AUTO_LENGTH, admmSupportsFn, nullptr, &fn);
  napi_set_named_property(env, exports, "admmSupports", fn);
  napi_create_function(env, "admmMatrix", NAPI_AUTO_LENGTH, admmMatrixFn, nullptr, &fn);
  napi_set_named_property(env, exports, "admmMatrix", fn);
  napi_create_function(env, "nnqpCertify", NAPI_AUTO_LENGTH, nnqpCertifyFn, nullptr, &fn);
  napi_set_named_property(env, exports, "nnqpCertify", fn);
  napi_create_function(env, "spdSolve", NAPI_AUTO_LENGTH, spdSolveFn, nullptr, &fn);
  napi_set_named_property(env, exports, "spdSolve", fn);
}
