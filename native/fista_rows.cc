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
//
// Task-major kernels (issue 15, session 5), for the l21 penalty with W stored T × d (task t's weights at t·d,
// as the loss's blocks want them): fistaRowsStepTasks = fistaRowsStep on that layout (a sweep making y, ∇f(y),
// v = y − step·∇f(y) and each row's Σ v² in task order — the same sums as the d × T pass — then a sweep
// scaling by the rows' factors), and dsqGradTasks = dsqGradBatched with w and g task-major: no gather or
// scatter of columns of an 80 kB-long row (at T = 10 000, 1 thread, the d × T loss took 1.23–1.27× the CPU).
//
// fistaFusedTasks (issue 15, session 6): one attempt of the task-major step, the loss and the check in ONE pass over
// the tasks (the per-task code is fista_fused.h, compiled per ISA beside batched.h); this file has its glue and the
// thread split. Reference: src/linalg/kernels/reference.ts fistaFusedTasks.
#pragma GCC optimize("fp-contract=off")
#include <cmath>
#include <cstdlib>
#include <node_api.h>
#include "batched_kernels.h"
#include "pool.h"
#include "napi_args.h"

namespace {

const long PAR_MIN = 1L << 18;

// One entry of the extrapolated step (both layouts): y = x + βΔ, ∇f(y) = ∇f(x) + β(∇f(x) − ∇f(x_prev)),
// the sums ⟨∇f(x), Δ⟩ and ⟨Δ, HΔ⟩, and the gradient step v = y − step·∇f(y) written to xn and returned.
inline double extrapolateEntry(long i, double beta, const double* x, const double* xp, const double* gx, const double* gp,
                               double* y, double* g, double* xn, double step, double& gDelta, double& dHd) {
  const double xi = x[i], gi = gx[i];
  const double dl = xi - xp[i], hd = gi - gp[i];
  const double yv = xi + beta * dl, gv = gi + beta * hd;
  y[i] = yv;
  g[i] = gv;
  gDelta += gi * dl;
  dHd += dl * hd;
  const double v = yv - step * gv;
  xn[i] = v;
  return v;
}

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
          const double v = extrapolateEntry(i, beta, x, xp, gx, gp, y, g, xn, step, gDelta, dHd);
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
          v = extrapolateEntry(i, beta, x, xp, gx, gp, y, g, xn, step, gDelta, dHd);  // xn[i] is overwritten below
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

// ---------------------------------------------------------------- task-major (T × d)

/**
 * Sweep 1 of fistaRowsStepTasks over tasks t0 … t1−1: y, g (β ≠ 0), v = y − step·g into xn, s[j] += v² for each
 * row j (in task order: the d × T pass's row sums, term for term), sums = [⟨gx, Δ⟩, ⟨Δ, gx − gp⟩] (task-major order).
 */
void sweepV(long t0, long t1, long d, double beta, const double* x, const double* xp, const double* gx, const double* gp,
            double* y, double* g, double* xn, double step, double* s, double* sums) {
  const bool ex = beta != 0;
  double gDelta = 0, dHd = 0;
  for (long t = t0; t < t1; t++) {
    const long o = t * d;
    if (ex) {
      for (long j = 0; j < d; j++) {
        const double v = extrapolateEntry(o + j, beta, x, xp, gx, gp, y, g, xn, step, gDelta, dHd);
        s[j] += v * v;
      }
    } else {
      for (long j = 0; j < d; j++) {
        const long i = o + j;
        const double v = y[i] - step * g[i];
        xn[i] = v;
        s[j] += v * v;
      }
    }
  }
  sums[0] = gDelta;
  sums[1] = dHd;
}

/** Sweep 2 over tasks t0 … t1−1: xn ← fac[j]·xn (0 where fac[j] = 0), r[j] += xn² (task order). */
void sweepScale(long t0, long t1, long d, const double* fac, double* xn, double* r) {
  for (long t = t0; t < t1; t++) {
    double* row = xn + t * d;
    for (long j = 0; j < d; j++) {
      const double z = fac[j] == 0 ? 0 : fac[j] * row[j];
      row[j] = z;
      r[j] += z * z;
    }
  }
}

typedef void (*GatheredFn)(long, long, const int*, long, const double*, const double*, const double*, const double*, double*, double*);

using namespace ptnapi;

/** The argument block fistaRowsStep and fistaRowsStepTasks share, from argument i0 on:
 * d, T, beta, x, xPrev, gx, gPrev, y, g, xn, step, tau, sums (read in that order, so a bad call fails on the
 * same argument as before). */
struct StepArgs {
  long d, T, len; double beta; const double *x, *xp, *gx, *gp; double *y, *g, *xn; double step, tau; double* sums;
};

/** Reads StepArgs from argument i0 on; false (after throwing) when an argument is bad. */
bool readStepArgs(Args& a, int i0, StepArgs& s) {
  s.d = integer(a, i0);
  s.T = integer(a, i0 + 1);
  s.len = s.d * s.T;
  s.beta = num(a, i0 + 2);
  const auto f64 = [&](int i, long need) { return (double*)typedArray(a, i0 + i, napi_float64_array, need); };
  s.x = f64(3, s.len);
  s.xp = f64(4, s.len);
  s.gx = f64(5, s.len);
  s.gp = f64(6, s.len);
  s.y = f64(7, s.len);
  s.g = f64(8, s.len);
  s.xn = f64(9, s.len);
  s.step = num(a, i0 + 10);
  s.tau = num(a, i0 + 11);
  s.sums = f64(12, 2);
  return a.ok;
}

/** sums ← Σ_p part[p] over the parts, added in part order. */
void addPartSums(double* sums, const double (*part)[2], int parts) {
  sums[0] = 0;
  sums[1] = 0;
  for (int p = 0; p < parts; p++) {
    sums[0] += part[p][0];
    sums[1] += part[p][1];
  }
}

// fistaRowsStepTasks(d, T, beta, x, xPrev, gx, gPrev, y, g, xn, step, tau, sums) → Σ_j ‖x⁺_j‖: fistaRowsStep's rows
// penalty on T × d arrays. Tasks split over the pool from d × T ≥ 2^18; each part's row sums added in part order.

// Task ranges of about equal row counts for `parts` threads: bounds[p] is the first task of part p
// (bounds[0] = 0, bounds[parts] = count); task t's rows are off[t]..off[t + 1].
void splitTasksByRows(const int* off, long count, long rows, int parts, long* bounds) {
  bounds[0] = 0;
  long k = 0;
  for (int p = 1; p < parts; p++) {
    const long target = off[0] + (long)((double)(rows - off[0]) * p / parts);
    while (k < count && off[k] < target) k++;
    bounds[p] = k;
  }
  bounds[parts] = count;
}

napi_value stepTasksFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 13)) return nullptr;
  StepArgs s;
  if (!readStepArgs(a, 0, s)) return nullptr;
  const long d = s.d, T = s.T, len = s.len;
  const double tau = s.tau;
  double* sums = s.sums;
  int parts = 1;
  const int want = ptCallerThreads();
  if (want > 1 && len >= PAR_MIN && T > 1) parts = ptAcquire(want < T ? want : (int)T);
  // Per part: s (d), r (d); then fac (d).
  double* buf = (double*)std::calloc((size_t)(2 * parts + 1) * (size_t)(d > 0 ? d : 1), sizeof(double));
  if (!buf) {
    if (parts > 1) ptRelease();
    return fail(env, "native fistaRowsStepTasks: out of memory"), nullptr;
  }
  double* fac = buf + 2 * parts * d;
  struct Ctx {
    StepArgs s; int parts; double* buf; const double* fac;
    double sums[PT_MAX_THREADS][2];
  } ctx = { s, parts, buf, fac, {} };
  const auto one = [](void* q, int p) {
    Ctx* c = (Ctx*)q;
    const StepArgs& s = c->s;
    const long t0 = s.T * p / c->parts, t1 = s.T * (p + 1) / c->parts;
    sweepV(t0, t1, s.d, s.beta, s.x, s.xp, s.gx, s.gp, s.y, s.g, s.xn, s.step, c->buf + 2 * p * s.d, c->sums[p]);
  };
  const auto two = [](void* q, int p) {
    Ctx* c = (Ctx*)q;
    const StepArgs& s = c->s;
    const long t0 = s.T * p / c->parts, t1 = s.T * (p + 1) / c->parts;
    sweepScale(t0, t1, s.d, c->fac, s.xn, c->buf + (2 * p + 1) * s.d);
  };
  if (parts == 1) one(&ctx, 0);
  else ptParallel(parts, one, &ctx);
  addPartSums(sums, ctx.sums, parts);
  for (long j = 0; j < d; j++) {
    double s = buf[j];
    for (int p = 1; p < parts; p++) s += buf[2 * p * d + j];
    const double n = std::sqrt(s);
    fac[j] = n <= tau ? 0 : 1 - tau / n;
  }
  if (parts == 1) two(&ctx, 0);
  else {
    ptParallel(parts, two, &ctx);
    ptRelease();
  }
  double pen = 0;
  for (long j = 0; j < d; j++) {
    double r = buf[d + j];
    for (int p = 1; p < parts; p++) r += buf[(2 * p + 1) * d + j];
    pen += std::sqrt(r);
  }
  std::free(buf);
  return number(env, pen);
}

// dsqGradTasks(count, offsets, n, a, w, y, c, g, f): dsqGradBatched with w and g count × n (task t's weights at
// t·n): g_t = c_t A_tᵀ(A_t w_t − y_t), f[t] = ½ c_t ‖A_t w_t − y_t‖² — batched.h's dsqGradGathered on the
// arrays themselves, then the scaling by c_t (the same products as dsqGradBatched's). Split over the pool by
// tasks of about equal rows from 2^22 entries of a, as dsqGradBatched.
napi_value sqGradTasksFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 9)) return nullptr;
  const long count = integer(a, 0), n = integer(a, 2);
  const int* off = (const int*)typedArray(a, 1, napi_int32_array, count + 1);
  const long rows = off ? checkOffsets(a, off, count) : 0;
  const double* A = (const double*)typedArray(a, 3, napi_float64_array, rows * n);
  const double* W = (const double*)typedArray(a, 4, napi_float64_array, count * n);
  const double* y = (const double*)typedArray(a, 5, napi_float64_array, rows);
  const double* c = (const double*)typedArray(a, 6, napi_float64_array, count);
  double* G = (double*)typedArray(a, 7, napi_float64_array, count * n);
  double* f = (double*)typedArray(a, 8, napi_float64_array, count);
  if (!a.ok) return nullptr;
  struct Ctx { GatheredFn fn; const int* off; long n; const double *A, *W, *y, *c; double *G, *f; long bounds[PT_MAX_THREADS + 1]; } ctx =
    { ptUse512() ? pt_avx512::dsqGradGathered : pt_avx2::dsqGradGathered, off, n, A, W, y, c, G, f, {} };
  const auto run = [](void* q, int p) {
    Ctx* x = (Ctx*)q;
    const long k0 = x->bounds[p], k1 = x->bounds[p + 1];
    x->fn(k0, k1 - k0, x->off, x->n, x->A, x->W + k0 * x->n, x->y, x->c, x->G + k0 * x->n, x->f);
    for (long k = k0; k < k1; k++) {
      double* g = x->G + k * x->n;
      const double ck = x->c[k];
      for (long j = 0; j < x->n; j++) g[j] = ck * g[j];
    }
  };
  int parts = 1;
  const int want = ptCallerThreads();
  if (want > 1 && (double)rows * n >= 4194304.0 && count > 1) parts = ptAcquire(want < count ? want : (int)count);
  splitTasksByRows(off, count, rows, parts, ctx.bounds);
  if (parts == 1) run(&ctx, 0);
  else {
    ptParallel(parts, run, &ctx);
    ptRelease();
  }
  return undef(env);
}


// fistaFusedTasks(count, offsets, n, a, y, c, beta, step, L, fac, spec, w, wp, g, gp, wn, gn, f, rows, sums) → wn finite:
// one attempt of the task-major l21 FISTA step with the loss and the check in one pass over the tasks (fista_fused.h;
// reference: src/linalg/kernels/reference.ts fistaFusedTasks). Split over the pool by tasks of about equal rows from
// 2^22 entries of a, as dsqGradTasks; each part's per-feature accumulators are added in part order, then over the
// features in order; sums[0] = Σ_t f[t] in task order. The arrays are the solver's own, distinct (not checked for
// overlap, as fistaRowsStep's).
napi_value fusedTasksFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 20)) return nullptr;
  const long count = integer(a, 0), n = integer(a, 2);
  const int* off = (const int*)typedArray(a, 1, napi_int32_array, count + 1);
  const long rows = off ? checkOffsets(a, off, count) : 0;
  const auto f64 = [&](int i, long need) { return (double*)typedArray(a, i, napi_float64_array, need); };
  const double* A = f64(3, rows * n);
  const double* y = f64(4, rows);
  const double* c = f64(5, count);
  const double beta = num(a, 6), step = num(a, 7), L = num(a, 8);
  const double* fac = f64(9, n);
  const double* spec = f64(10, 3);
  const long len = count * n;
  const double* w = f64(11, len);
  const double* g = f64(13, len);
  // β = 0 (the first iteration, after a restart): x_prev and its gradient are not read (taken as w and g, so Δ = 0
  // and z = w exactly): 8 MB less to stream at T = 10 000, d = 50.
  const double* wp = beta == 0 ? w : f64(12, len);
  const double* gp = beta == 0 ? g : f64(14, len);
  double* wn = f64(15, len);
  double* gn = f64(16, len);
  double* f = f64(17, count);
  double* rowsOut = f64(18, 5 * n);
  double* sums = f64(19, 8);
  if (!a.ok) return nullptr;
  typedef void (*RangeFn)(long, long, const int*, long, const double*, const double*, const double*, double, double, double, const double*,
                          const double*, const double*, const double*, const double*, const double*, double*, double*, double*, double*, double*);
  int parts = 1;
  const int want = ptCallerThreads();
  if (want > 1 && (double)rows * n >= 4194304.0 && count > 1) parts = ptAcquire(want < count ? want : (int)count);
  // Per part: FUSED_ACC·n accumulators (zeroed) and 2·n scratch.
  const long per = 15 * (n > 0 ? n : 1);
  double* buf = (double*)std::calloc((size_t)parts * (size_t)per, sizeof(double));
  if (!buf) {
    if (parts > 1) ptRelease();
    return fail(env, "native fistaFusedTasks: out of memory"), nullptr;
  }
  struct Ctx {
    RangeFn fn; const int* off; long n; const double *A, *y, *c; double beta, step, L; const double *fac, *spec, *w, *wp, *g, *gp;
    double *wn, *gn, *f, *buf; long per; long bounds[PT_MAX_THREADS + 1];
  } ctx = { ptUse512() ? pt_avx512::fistaFusedRange : pt_avx2::fistaFusedRange, off, n, A, y, c, beta, step, L, fac, spec, w, wp, g, gp,
            wn, gn, f, buf, per, {} };
  splitTasksByRows(off, count, rows, parts, ctx.bounds);
  const auto run = [](void* q, int p) {
    Ctx* x = (Ctx*)q;
    double* acc = x->buf + p * x->per;
    x->fn(x->bounds[p], x->bounds[p + 1], x->off, x->n, x->A, x->y, x->c, x->beta, x->step, x->L, x->fac, x->spec, x->w, x->wp, x->g, x->gp,
          x->wn, x->gn, x->f, acc, acc + 13 * x->n);
  };
  if (parts == 1) run(&ctx, 0);
  else {
    ptParallel(parts, run, &ctx);
    ptRelease();
  }
  // Accumulator rows 0–6: the check sums; 7–11: rows (Σ wn², the candidates); 12: the finiteness probe.
  bool finite = true;
  double fs = 0;
  for (long t = 0; t < count; t++) fs += f[t];
  sums[0] = fs;
  for (int r = 0; r < 13; r++) {
    double tot = 0;
    for (long j = 0; j < n; j++) {
      double v = buf[r * n + j];
      for (int p = 1; p < parts; p++) v += buf[p * per + r * n + j];
      if (r < 7) tot += v;
      else if (r < 12) rowsOut[(r - 7) * n + j] = v;
      else if (v != v) finite = false;
    }
    if (r < 7) sums[r + 1] = tot;
  }
  std::free(buf);
  napi_value res;
  napi_get_boolean(env, finite, &res);
  return res;
}

// fistaRowsStep(rows: boolean, d, T, beta, x, xPrev, gx, gPrev, y, g, xn, step, tau, sums) → Σ penalty terms at x⁺
napi_value stepFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 14)) return nullptr;
  const bool rows = flag(a, 0);
  StepArgs s;
  if (!readStepArgs(a, 1, s)) return nullptr;
  const long d = s.d, len = s.len;
  int parts = 1;
  const int want = ptCallerThreads();
  if (want > 1 && len >= PAR_MIN && d > 1) parts = ptAcquire(want < d ? want : (int)d);
  double pen;
  if (parts == 1) {
    pen = stepRows(rows, 0, d, s.T, s.beta, s.x, s.xp, s.gx, s.gp, s.y, s.g, s.xn, s.step, s.tau, s.sums);
  } else {
    // Rows of W split evenly: the prox works on whole rows, so no row is shared between threads.
    struct Ctx {
      bool rows; StepArgs s; int parts;
      double pen[PT_MAX_THREADS]; double sums[PT_MAX_THREADS][2];
    } ctx = { rows, s, parts, {}, {} };
    ptParallel(parts, [](void* q, int p) {
      Ctx* c = (Ctx*)q;
      const StepArgs& s = c->s;
      const long j0 = s.d * p / c->parts, j1 = s.d * (p + 1) / c->parts;
      c->pen[p] = stepRows(c->rows, j0, j1, s.T, s.beta, s.x, s.xp, s.gx, s.gp, s.y, s.g, s.xn, s.step, s.tau, c->sums[p]);
    }, &ctx);
    ptRelease();
    pen = 0;
    for (int p = 0; p < parts; p++) pen += ctx.pen[p];
    addPartSums(s.sums, ctx.sums, parts);
  }
  return number(env, pen);
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
  struct { const char* name; napi_callback cb; } fns[] = { { "fistaRowsStep", stepFn }, { "fistaRowsCheck", checkFn }, { "fistaRowsStepTasks", stepTasksFn }, { "dsqGradTasks", sqGradTasksFn }, { "fistaFusedTasks", fusedTasksFn } };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
}
