// The two memory passes of the many-small-task FISTA (src/linear/solver/fista-rows.ts, issue 15), in C++:
// fistaRowsStep = extrapolation y = x + β(x − x_prev), ∇f(y) likewise, the sums ⟨∇f(x), Δ⟩ and ⟨Δ, HΔ⟩,
// the gradient step and the separable prox (group soft-thresholding per row, or soft-thresholding per
// entry) with the penalty's terms at x⁺, one row at a time; fistaRowsCheck = the backtracking sums, the
// certificate, the restart product and finiteness. The TypeScript functions passA / passC are the
// reference: same operations in the same order, and no FMA contraction here (the pragma below overrides
// binding.gyp's -ffp-contract=fast), so the two agree to the last bit on the same inputs
// (test/linear/solver/fista-rows.test.ts checks 1e-12). Single-threaded: at d × T = 500 000 a pass is a
// few milliseconds, the range where the pool's wake-up cost more than it saved (batched_napi.cc).
#pragma GCC optimize("fp-contract=off")
#include <cmath>
#include <node_api.h>
#include "batched_kernels.h"

namespace {

double stepRows(bool rows, long d, long T, double beta, const double* x, const double* xp, const double* gx, const double* gp,
                double* y, double* g, double* xn, double step, double tau, double* sums) {
  const bool ex = beta != 0;
  double gDelta = 0, dHd = 0, pen = 0;
  for (long j = 0; j < d; j++) {
    const long o = j * T, e = o + T;
    if (rows) {
      double s = 0;
      if (ex) {
        for (long i = o; i < e; i++) {
          const double xi = x[i], gi = gx[i];
          const double dl = xi - xp[i], hd = gi - gp[i];
          const double yv = xi + beta * dl, gv = gi + beta * hd;
          y[i] = yv;
          g[i] = gv;
          gDelta += gi * dl;
          dHd += dl * hd;
          const double v = yv - step * gv;
          xn[i] = v;
          s += v * v;
        }
      } else {
        for (long i = o; i < e; i++) {
          const double v = y[i] - step * g[i];
          xn[i] = v;
          s += v * v;
        }
      }
      const double n = std::sqrt(s);
      const double f = n <= tau ? 0 : 1 - tau / n;
      double r = 0;
      if (f == 0) {
        for (long i = o; i < e; i++) xn[i] = 0;
      } else {
        for (long i = o; i < e; i++) {
          const double z = f * xn[i];
          xn[i] = z;
          r += z * z;
        }
      }
      pen += std::sqrt(r);
    } else {
      for (long i = o; i < e; i++) {
        double v;
        if (ex) {
          const double xi = x[i], gi = gx[i];
          const double dl = xi - xp[i], hd = gi - gp[i];
          const double yv = xi + beta * dl, gv = gi + beta * hd;
          y[i] = yv;
          g[i] = gv;
          gDelta += gi * dl;
          dHd += dl * hd;
          v = yv - step * gv;
        } else {
          v = y[i] - step * g[i];
        }
        const double z = v > tau ? v - tau : v < -tau ? v + tau : 0;
        xn[i] = z;
        pen += std::fabs(z);
      }
    }
  }
  sums[0] = gDelta;
  sums[1] = dHd;
  return pen;
}

bool checkPass(long len, const double* xn, const double* y, const double* gy, const double* gn, const double* x, double L, double* out) {
  double dd = 0, gd = 0, gdiff = 0, r2 = 0, up = 0;
  bool finite = true;
  for (long i = 0; i < len; i++) {
    const double xj = xn[i], yj = y[i], gyj = gy[i], gnj = gn[i];
    const double di = xj - yj;
    dd += di * di;
    gd += gyj * di;
    gdiff += (gnj - gyj) * di;
    if (xj - xj != 0 || std::isnan(xj)) finite = false;
    const double v = gnj - gyj + L * (yj - xj);
    r2 += v * v;
    up += (yj - xj) * (xj - x[i]);
  }
  out[0] = dd;
  out[1] = gd;
  out[2] = gdiff;
  out[3] = r2;
  out[4] = up;
  return finite;
}

bool fail(napi_env env, const char* msg) {
  napi_throw_error(env, "POLYTASK_NATIVE", msg);
  return false;
}

double num(napi_env env, napi_value v, bool& ok) {
  double x = 0;
  if (ok && napi_get_value_double(env, v, &x) != napi_ok) ok = fail(env, "native: expected a number");
  return x;
}

double* f64(napi_env env, napi_value v, long need, bool& ok) {
  napi_typedarray_type t;
  size_t n = 0;
  void* data = nullptr;
  if (!ok) return nullptr;
  if (napi_get_typedarray_info(env, v, &t, &n, &data, nullptr, nullptr) != napi_ok || t != napi_float64_array) {
    ok = fail(env, "native: expected a Float64Array");
    return nullptr;
  }
  if ((long)n < need) {
    ok = fail(env, "native: array shorter than its shape");
    return nullptr;
  }
  return (double*)data;
}

// fistaRowsStep(rows: boolean, d, T, beta, x, xPrev, gx, gPrev, y, g, xn, step, tau, sums) → Σ penalty terms at x⁺
napi_value stepFn(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value v[14];
  if (napi_get_cb_info(env, info, &argc, v, nullptr, nullptr) != napi_ok || argc < 14) return fail(env, "native fistaRowsStep: 14 arguments"), nullptr;
  bool ok = true, rows = false;
  if (napi_get_value_bool(env, v[0], &rows) != napi_ok) return fail(env, "native: expected a boolean"), nullptr;
  const double dd = num(env, v[1], ok), Td = num(env, v[2], ok), beta = num(env, v[3], ok);
  if (ok && (dd < 0 || Td < 0 || dd != std::floor(dd) || Td != std::floor(Td))) return fail(env, "native fistaRowsStep: d, T must be integers ≥ 0"), nullptr;
  const long d = (long)dd, T = (long)Td, len = d * T;
  const double* x = f64(env, v[4], len, ok);
  const double* xp = f64(env, v[5], len, ok);
  const double* gx = f64(env, v[6], len, ok);
  const double* gp = f64(env, v[7], len, ok);
  double* y = f64(env, v[8], len, ok);
  double* g = f64(env, v[9], len, ok);
  double* xn = f64(env, v[10], len, ok);
  const double step = num(env, v[11], ok), tau = num(env, v[12], ok);
  double* sums = f64(env, v[13], 2, ok);
  if (!ok) return nullptr;
  const double pen = stepRows(rows, d, T, beta, x, xp, gx, gp, y, g, xn, step, tau, sums);
  napi_value r;
  napi_create_double(env, pen, &r);
  return r;
}

// fistaRowsCheck(len, xn, y, gy, gn, x, L, out) → x⁺ finite
napi_value checkFn(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value v[8];
  if (napi_get_cb_info(env, info, &argc, v, nullptr, nullptr) != napi_ok || argc < 8) return fail(env, "native fistaRowsCheck: 8 arguments"), nullptr;
  bool ok = true;
  const double ld = num(env, v[0], ok);
  if (ok && (ld < 0 || ld != std::floor(ld))) return fail(env, "native fistaRowsCheck: len must be an integer ≥ 0"), nullptr;
  const long len = (long)ld;
  const double* xn = f64(env, v[1], len, ok);
  const double* y = f64(env, v[2], len, ok);
  const double* gy = f64(env, v[3], len, ok);
  const double* gn = f64(env, v[4], len, ok);
  const double* x = f64(env, v[5], len, ok);
  const double L = num(env, v[6], ok);
  double* out = f64(env, v[7], 5, ok);
  if (!ok) return nullptr;
  napi_value r;
  napi_get_boolean(env, checkPass(len, xn, y, gy, gn, x, L, out), &r);
  return r;
}

}  // namespace

void ptRegisterFistaRows(napi_env env, napi_value exports) {
  struct { const char* name; napi_callback cb; } fns[] = { { "fistaRowsStep", stepFn }, { "fistaRowsCheck", checkFn } };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
}
