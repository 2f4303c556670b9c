// The two memory passes of the many-small-task FISTA (src/linear/solver/fista-rows.ts, issue 15), in C++:
// fistaRowsStep = extrapolation y = x + β(x − x_prev), ∇f(y) likewise, the sums ⟨∇f(x), Δ⟩ and ⟨Δ, HΔ⟩,
// the gradient step and the separable prox (group soft-thresholding per row, or soft-thresholding per
// entry) with the penalty's terms at x⁺, one row at a time; fistaRowsCheck = the backtracking sums, the
// certificate, the restart product and finiteness. The TypeScript functions passA / passC are the
// reference: same operations in the same order, and no FMA contraction here (the pragma below overrides
// binding.gyp's -ffp-contract=fast), so the two agree to the last bit on the same inputs
// (test/linear/solver/fista-rows.test.ts checks 1e-12). Calls over at least PAR_MIN entries (d × T ≥ 2^18,
// T ≥ ~5 000 at d = 50) are split over the pool (rows of W for the step, index ranges for the check; each
// part's sums added in part order, so the result depends on the thread count only by rounding of the
// sums); smaller ones stay on one thread, where the pool's wake-up cost more than it saved (batched_napi.cc).
#pragma GCC optimize("fp-contract=off")
#include <cmath>
#include <node_api.h>
#include "batched_kernels.h"
#include "pool.h"
#include "napi_args.h"

namespace {

const long PAR_MIN = 1L << 18;

double stepRows(bool rows, long j0, long j1, long T, double beta, const double* x, const double* xp, const double* gx, const double* gp,
                double* y, double* g, double* xn, double step, double tau, double* sums) {
  const bool ex = beta != 0;
  double gDelta = 0, dHd = 0, pen = 0;
  for (long j = j0; j < j1; j++) {
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

bool checkPass(long i0, long len, const double* xn, const double* y, const double* gy, const double* gn, const double* x, double L, double* out) {
  double dd = 0, gd = 0, gdiff = 0, r2 = 0, up = 0;
  bool finite = true;
  for (long i = i0; i < len; i++) {
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

using namespace ptnapi;

// fistaRowsStep(rows: boolean, d, T, beta, x, xPrev, gx, gPrev, y, g, xn, step, tau, sums) → Σ penalty terms at x⁺
napi_value stepFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 14)) return nullptr;
  const bool rows = flag(a, 0);
  const long d = integer(a, 1), T = integer(a, 2), len = d * T;
  const double beta = num(a, 3);
  const auto f64 = [&](int i, long need) { return (double*)typedArray(a, i, napi_float64_array, need); };
  const double* x = f64(4, len);
  const double* xp = f64(5, len);
  const double* gx = f64(6, len);
  const double* gp = f64(7, len);
  double* y = f64(8, len);
  double* g = f64(9, len);
  double* xn = f64(10, len);
  const double step = num(a, 11), tau = num(a, 12);
  double* sums = f64(13, 2);
  if (!a.ok) return nullptr;
  int parts = 1;
  const int want = ptCallerThreads();
  if (want > 1 && len >= PAR_MIN && d > 1) parts = ptAcquire(want < d ? want : (int)d);
  double pen;
  if (parts == 1) {
    pen = stepRows(rows, 0, d, T, beta, x, xp, gx, gp, y, g, xn, step, tau, sums);
  } else {
    // Rows of W split evenly: the prox works on whole rows, so no row is shared between threads.
    struct Ctx {
      bool rows; long d, T; double beta; const double *x, *xp, *gx, *gp; double *y, *g, *xn; double step, tau; int parts;
      double pen[PT_MAX_THREADS]; double sums[PT_MAX_THREADS][2];
    } ctx = { rows, d, T, beta, x, xp, gx, gp, y, g, xn, step, tau, parts, {}, {} };
    ptParallel(parts, [](void* q, int p) {
      Ctx* c = (Ctx*)q;
      const long j0 = c->d * p / c->parts, j1 = c->d * (p + 1) / c->parts;
      c->pen[p] = stepRows(c->rows, j0, j1, c->T, c->beta, c->x, c->xp, c->gx, c->gp, c->y, c->g, c->xn, c->step, c->tau, c->sums[p]);
    }, &ctx);
    ptRelease();
    pen = 0;
    sums[0] = 0;
    sums[1] = 0;
    for (int p = 0; p < parts; p++) {
      pen += ctx.pen[p];
      sums[0] += ctx.sums[p][0];
      sums[1] += ctx.sums[p][1];
    }
  }
  napi_value r;
  napi_create_double(env, pen, &r);
  return r;
}

// fistaRowsCheck(len, xn, y, gy, gn, x, L, out) → x⁺ finite
napi_value checkFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 8)) return nullptr;
  const long len = integer(a, 0);
  const auto f64 = [&](int i, long need) { return (double*)typedArray(a, i, napi_float64_array, need); };
  const double* xn = f64(1, len);
  const double* y = f64(2, len);
  const double* gy = f64(3, len);
  const double* gn = f64(4, len);
  const double* x = f64(5, len);
  const double L = num(a, 6);
  double* out = f64(7, 5);
  if (!a.ok) return nullptr;
  int parts = 1;
  const int want = ptCallerThreads();
  if (want > 1 && len >= PAR_MIN) parts = ptAcquire(want);
  bool finite;
  if (parts == 1) {
    finite = checkPass(0, len, xn, y, gy, gn, x, L, out);
  } else {
    struct Ctx {
      long len; const double *xn, *y, *gy, *gn, *x; double L; int parts; double out[PT_MAX_THREADS][5]; bool fin[PT_MAX_THREADS];
    } ctx = { len, xn, y, gy, gn, x, L, parts, {}, {} };
    ptParallel(parts, [](void* q, int p) {
      Ctx* c = (Ctx*)q;
      // Index ranges on 8-entry boundaries (cache lines stay with one thread).
      const long i0 = (c->len * p / c->parts) & ~7L, i1 = p + 1 == c->parts ? c->len : (c->len * (p + 1) / c->parts) & ~7L;
      c->fin[p] = checkPass(i0, i1, c->xn, c->y, c->gy, c->gn, c->x, c->L, c->out[p]);
    }, &ctx);
    ptRelease();
    finite = true;
    for (int k = 0; k < 5; k++) out[k] = 0;
    for (int p = 0; p < parts; p++) {
      finite = finite && ctx.fin[p];
      for (int k = 0; k < 5; k++) out[k] += ctx.out[p][k];
    }
  }
  napi_value r;
  napi_get_boolean(env, finite, &r);
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
