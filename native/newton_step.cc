// The inner solve of proximal Newton for the logistic loss (src/linear/solver/prox-newton.ts, issue 17):
// the Schur elimination of the intercepts from the quadratic model, cyclic block coordinate descent over
// the feature rows of W with the row's exact minimiser (lasso: soft-thresholding; L21: the group secular
// equation), the model's minimum-norm subgradient after every pass, and the intercept step. With the
// per-point pass (logistic_model.cc) a whole Newton iteration is two native calls: no JIT warm-up for the
// hot loop of a fresh fit. The TypeScript function proxNewtonStepTs (src/linear/solver/newton-step.ts) is
// the reference and its comment the specification: same operations in the same order, and no FMA
// contraction here (the pragma overrides binding.gyp's -ffp-contract=fast), so that the two agree to
// rounding (test/linear/solver/newton-step.test.ts).
#pragma GCC optimize("fp-contract=off")
#include <cmath>
#include <cstdlib>
#include <limits>
#include <immintrin.h>
#include <node_api.h>
#include "batched_kernels.h"
#include "napi_args.h"

namespace {

constexpr double TINY = 1e-300;

/** argmin_u ½Σ a_t u_t² − bᵀu + λ‖u‖₂ (‖b‖ > λ): u_t = b_t/(a_t + μ), μ the root of μ‖(a + μ)⁻¹b‖ = λ by
 *  safeguarded Newton from mu0 (the row's previous root) or the bracket; returns μ (NaN when degenerate).
 *  newton-step.ts rowSecular, operation for operation (a, b padded to n4 = 4⌈n/4⌉ entries: a = 1, b = 0). */
double rowSecular(long n, long n4, const double* a, const double* b, double lambda, double* out, double mu0) {
  double nb = 0, amin = std::numeric_limits<double>::infinity(), amax = 0;
  for (long i = 0; i < n; i++) {
    nb += b[i] * b[i];
    if (a[i] < amin) amin = a[i];
    if (a[i] > amax) amax = a[i];
  }
  nb = std::sqrt(nb);
  if (lambda == 0) {
    for (long i = 0; i < n; i++) out[i] = b[i] == 0 || a[i] <= 0 ? 0 : b[i] / a[i];
    return 0;
  }
  double lo = (lambda * amin) / (nb - lambda);
  double hi = (lambda * amax) / (nb - lambda);
  if (!(hi > 0)) {
    for (long i = 0; i < n; i++) out[i] = 0;
    return std::numeric_limits<double>::quiet_NaN();
  }
  double mu = mu0 > lo && mu0 < hi ? mu0 : lo > 0 ? lo : 0.5 * hi;
  if (hi - lo > 1e-15 * hi) {
    for (int it = 0; it < 200; it++) {
      // Four lanes, entry i in lane i mod 4, added as (0 + 1) + (2 + 3) (rowSecular's partial sums); a, b
      // padded to n4 entries with a = 1, b = 0. Each lane's operations are the scalar ones, IEEE-rounded.
      const __m256d muv = _mm256_set1_pd(mu), one = _mm256_set1_pd(1.0);
      __m256d v2 = _mm256_setzero_pd(), v3 = v2;
      for (long i = 0; i < n4; i += 4) {
        const __m256d q = _mm256_div_pd(one, _mm256_add_pd(_mm256_loadu_pd(a + i), muv));
        const __m256d r = _mm256_mul_pd(_mm256_loadu_pd(b + i), q);
        const __m256d rr = _mm256_mul_pd(r, r);
        v2 = _mm256_add_pd(v2, rr);
        v3 = _mm256_add_pd(v3, _mm256_mul_pd(rr, q));
      }
      alignas(32) double l2[4], l3[4];
      _mm256_store_pd(l2, v2);
      _mm256_store_pd(l3, v3);
      const double s2 = l2[0] + l2[1] + (l2[2] + l2[3]);
      const double s3 = l3[0] + l3[1] + (l3[2] + l3[3]);
      const double S = std::sqrt(s2);
      const double phi = mu * S - lambda;
      if (phi < 0) lo = mu;
      else hi = mu;
      if (std::fabs(phi) <= 1e-15 * lambda || hi - lo <= 1e-15 * hi) break;
      const double dphi = S - (mu * s3) / (S > TINY ? S : TINY);
      double next = dphi > 0 ? mu - phi / dphi : std::numeric_limits<double>::quiet_NaN();
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      else if (std::fabs(next - mu) <= 1e-13 * mu) {
        mu = next;
        break;
      }
      mu = next;
    }
  }
  for (long i = 0; i < n; i++) out[i] = b[i] == 0 ? 0 : b[i] / (a[i] + mu);
  return mu;
}

double modelSubgradient(int kind, long d, long T, const double* HW, const double* h, double r2, double lambda, const double* U) {
  double s = 0;
  for (long j = 0; j < d; j++) {
    const long o = j * T;
    if (kind == 0) {
      for (long t = 0; t < T; t++) {
        const double w = U[o + t];
        const double g = HW[t * d + j] - h[t * d + j] + r2 * w;
        const double m = std::fabs(g) - lambda;
        const double v = w > 0 ? g + lambda : w < 0 ? g - lambda : m > 0 ? m : 0;
        s += v * v;
      }
      continue;
    }
    double nw = 0, ng = 0;
    for (long t = 0; t < T; t++) {
      const double w = U[o + t];
      const double g = HW[t * d + j] - h[t * d + j] + r2 * w;
      nw += w * w;
      ng += g * g;
    }
    if (nw == 0) {
      const double m = std::sqrt(ng) - lambda;
      const double v = m > 0 ? m : 0;
      s += v * v;
      continue;
    }
    const double inv = lambda / std::sqrt(nw);
    for (long t = 0; t < T; t++) {
      const double w = U[o + t];
      const double v = HW[t * d + j] - h[t * d + j] + r2 * w + inv * w;
      s += v * v;
    }
  }
  return std::sqrt(s);
}

bool run(int kind, long d, long T, double* H, const double* sx, const double* s0, const double* G, const double* gb, bool withB,
         double ridge, double lambda, const double* W, double* U, double* db, double tolAbs, long maxPasses, double* out) {
  const long dd = d * d;
  const long T4 = (T + 3) / 4 * 4;
  double* scratch = (double*)std::malloc(sizeof(double) * (size_t)(2 * T * d + 2 * d + 2 * T4 + T));
  if (!scratch) return false;
  double* HW = scratch;
  double* h = HW + T * d;
  double* gw = h + T * d;
  double* mu = gw + d;
  double* a = mu + d;
  double* b = a + T4;
  double* u = b + T4;
  for (long t = T; t < T4; t++) a[t] = 1, b[t] = 0;
  const double r2 = 2 * ridge;
  for (long j = 0; j < d; j++) mu[j] = std::numeric_limits<double>::quiet_NaN();
  for (long t = 0; t < T; t++) {
    double* M = H + t * dd;
    const double S0 = s0[t];
    for (long j = 0; j < d; j++) gw[j] = G[j * T + t] - r2 * W[j * T + t];
    if (withB && S0 > 0) {
      for (long j = 0; j < d; j++) {
        const double sj = sx[t * d + j];
        for (long k = 0; k < d; k++) M[j * d + k] -= (sj * sx[t * d + k]) / S0;
      }
      for (long j = 0; j < d; j++) gw[j] -= (sx[t * d + j] * gb[t]) / S0;
    }
    for (long j = 0; j < d; j++) {
      double v = 0;
      for (long k = 0; k < d; k++) v += M[j * d + k] * W[k * T + t];
      HW[t * d + j] = v;
      h[t * d + j] = v - gw[j];
    }
  }
  for (long i = 0; i < d * T; i++) U[i] = W[i];
  long passes = 0;
  double sub = std::numeric_limits<double>::infinity();
  while (passes < maxPasses) {
    passes++;
    for (long j = 0; j < d; j++) {
      const long o = j * T;
      for (long t = 0; t < T; t++) {
        const double at = H[t * dd + j * d + j] + r2;
        a[t] = at;
        b[t] = at * U[o + t] - (HW[t * d + j] - h[t * d + j] + r2 * U[o + t]);
      }
      if (kind == 0) {
        for (long t = 0; t < T; t++) {
          const double v = b[t];
          const double st = v > lambda ? v - lambda : v < -lambda ? v + lambda : 0;
          u[t] = st == 0 || a[t] <= 0 ? 0 : st / a[t];
        }
      } else {
        double nb = 0;
        for (long t = 0; t < T; t++) nb += b[t] * b[t];
        if (std::sqrt(nb) <= lambda)
          for (long t = 0; t < T; t++) u[t] = 0;
        else mu[j] = rowSecular(T, T4, a, b, lambda, u, mu[j]);
      }
      for (long t = 0; t < T; t++) {
        const double delta = u[t] - U[o + t];
        if (delta == 0) continue;
        U[o + t] = u[t];
        const double* Mj = H + t * dd + j * d;
        double* hw = HW + t * d;
        for (long k = 0; k < d; k++) hw[k] += delta * Mj[k];
      }
    }
    sub = modelSubgradient(kind, d, T, HW, h, r2, lambda, U);
    if (sub <= tolAbs) break;
  }
  for (long t = 0; t < T; t++) {
    const double S0 = s0[t];
    if (!withB || !(S0 > 0)) {
      db[t] = 0;
      continue;
    }
    double v = gb[t];
    for (long j = 0; j < d; j++) v += sx[t * d + j] * (U[j * T + t] - W[j * T + t]);
    db[t] = -v / S0;
  }
  out[0] = (double)passes;
  out[1] = sub;
  std::free(scratch);
  return true;
}

using namespace ptnapi;

// proxNewtonStep(kind, d, T, H, sx, s0, G, gb, withB, ridge, lambda, W, U, db, tolAbs, maxPasses, out)
napi_value stepFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 17)) return nullptr;
  const long kind = integer(a, 0), d = integer(a, 1), T = integer(a, 2);
  if (a.ok && (kind > 1 || d > 100000L || T > 100000000L || d * d * T > (1L << 40))) return fail(env, "native proxNewtonStep: kind, d or T out of range"), nullptr;
  const auto f64 = [&](int i, long need) { return (double*)typedArray(a, i, napi_float64_array, need); };
  double* H = f64(3, T * d * d);
  const double* sx = f64(4, T * d);
  const double* s0 = f64(5, T);
  const double* G = f64(6, d * T);
  const double* gb = f64(7, T);
  const bool withB = flag(a, 8);
  const double ridge = num(a, 9), lambda = num(a, 10);
  const double* W = f64(11, d * T);
  double* U = f64(12, d * T);
  double* db = f64(13, T);
  const double tolAbs = num(a, 14);
  const long maxPasses = integer(a, 15);
  double* out = f64(16, 2);
  if (!a.ok) return nullptr;
  if (!(ridge >= 0) || !(lambda >= 0)) return fail(env, "native proxNewtonStep: ridge and lambda must be ≥ 0"), nullptr;
  if (U == W || (U < W + d * T && W < U + d * T)) return fail(env, "native proxNewtonStep: U must not overlap W"), nullptr;
  if (!run((int)kind, d, T, H, sx, s0, G, gb, withB, ridge, lambda, W, U, db, tolAbs, maxPasses, out))
    return fail(env, "native proxNewtonStep: out of memory for its scratch"), nullptr;
  return undef(env);
}

}  // namespace

void ptRegisterNewtonStep(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "proxNewtonStep", NAPI_AUTO_LENGTH, stepFn, nullptr, &fn);
  napi_set_named_property(env, exports, "proxNewtonStep", fn);
}
