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
// fistaRowsSq (issue 15, session 5) = one whole evaluation of that FISTA for the squared loss on row-stacked
// data blocks (src/linalg/kernels/reference.ts fistaRowsSq is its definition): pass 1 reads x, x_prev and
// their gradients for the prox's row norms (rows) or the penalty's value (entries); pass 2 goes 32 tasks at a time, making y,
// ∇f(y), x⁺ for their columns, the loss and ∇f(x⁺) of those tasks (batched.h's dsqGradGathered, the same
// arithmetic as dsqGradBatched) and the check sums — so y and ∇f(y) are never written and x⁺, ∇f(x⁺) are
// not read back: per evaluation at T = 10 000 ~114 MB read and 8 MB written instead of ~122 MB and 16 MB
// (and three wake-ups of the pool instead of five).
#pragma GCC optimize("fp-contract=off")
#include <cmath>
#include <cstdlib>
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

// ---------------------------------------------------------------- fistaRowsSq

/** Tasks in flight in pass 2: with consecutive columns, 32 tasks = 4 cache lines per row of W (as batched.h's SQ_TB). */
enum { FT_TB = 32 };

/**
 * Pass 1 over rows j0 … j1−1 of v = y − step·∇f(y): rows, fac[j] = the group prox's factor for row j; entries,
 * sums[2] = Σ|soft-threshold(v)| (the penalty's terms at x⁺, in index order as fistaRowsStep: a sum whose
 * order decides restarts near the optimum, so it is kept identical); sums[0..1] = [⟨gx, Δ⟩, ⟨Δ, gx − gp⟩].
 */
void rowFactors(bool rows, long j0, long j1, long T, double beta, const double* x, const double* xp, const double* gx, const double* gp,
                double step, double tau, double* fac, double* sums) {
  const bool ex = beta != 0;
  double gDelta = 0, dHd = 0, pen = 0;
  if (!rows) {
    for (long i = j0 * T; i < j1 * T; i++) {
      double v;
      if (ex) {
        const double xi = x[i], gi = gx[i];
        const double dl = xi - xp[i], hd = gi - gp[i];
        const double yv = xi + beta * dl, gv = gi + beta * hd;
        gDelta += gi * dl;
        dHd += dl * hd;
        v = yv - step * gv;
      } else {
        v = x[i] - step * gx[i];
      }
      const double z = v > tau ? v - tau : v < -tau ? v + tau : 0;
      pen += std::fabs(z);
    }
    sums[0] = gDelta;
    sums[1] = dHd;
    sums[2] = pen;
    return;
  }
  for (long j = j0; j < j1; j++) {
    const long o = j * T, e = o + T;
    double s = 0;
    if (ex) {
      for (long i = o; i < e; i++) {
        const double xi = x[i], gi = gx[i];
        const double dl = xi - xp[i], hd = gi - gp[i];
        const double yv = xi + beta * dl, gv = gi + beta * hd;
        gDelta += gi * dl;
        dHd += dl * hd;
        const double v = yv - step * gv;
        s += v * v;
      }
    } else {
      for (long i = o; i < e; i++) {
        const double v = x[i] - step * gx[i];
        s += v * v;
      }
    }
    const double n = std::sqrt(s);
    fac[j] = n <= tau ? 0 : 1 - tau / n;
  }
  sums[0] = gDelta;
  sums[1] = dHd;
  sums[2] = 0;
}

typedef void (*GatheredFn)(long, long, const int*, long, const double*, const double*, const double*, const double*, double*, double*);

struct SqIter {
  bool rows; long d, T; double beta; const double *x, *xp, *gx, *gp; double *xn, *gn; double step, tau, L;
  const double* fac; const int* off; const double *A, *yv, *c; double* f; GatheredFn loss;
};

/**
 * Pass 2 over tasks k0 … k1−1: x⁺ of their columns, their loss and ∇f(x⁺), and the sums. rn[j] (d entries,
 * zeroed by the caller) continues the running Σ x⁺² of row j (rows) over these tasks in task order; out = the
 * five sums of passC (in task-block order). scratch: 5·FT_TB·d.
 */
bool taskRange(const SqIter& q, long k0, long k1, double* rn, double* out, double* scratch) {
  const long d = q.d, T = q.T;
  const bool ex = q.beta != 0;
  double* wb = scratch;
  double* yb = wb + FT_TB * d;
  double* gyb = yb + FT_TB * d;
  double* xb = gyb + FT_TB * d;
  double* gb = xb + FT_TB * d;
  double dd = 0, gd = 0, gdiff = 0, r2 = 0, up = 0;
  bool finite = true;
  for (long kb = k0; kb < k1; kb += FT_TB) {
    const long nb = k1 - kb < FT_TB ? k1 - kb : (long)FT_TB;
    for (long j = 0; j < d; j++) {
      const long o = j * T + kb;
      const double fj = q.rows ? q.fac[j] : 0;
      double r = rn[j]; // continues the row's running sum (task order, as fistaRowsStep)
      for (long b = 0; b < nb; b++) {
        const long i = o + b;
        const double xi = q.x[i], gi = q.gx[i];
        double yv = xi, gv = gi;
        if (ex) {
          const double dl = xi - q.xp[i], hd = gi - q.gp[i];
          yv = xi + q.beta * dl;
          gv = gi + q.beta * hd;
        }
        const double v = yv - q.step * gv;
        double z;
        if (q.rows) {
          z = fj == 0 ? 0 : fj * v;
          r += z * z;
        } else {
          z = v > q.tau ? v - q.tau : v < -q.tau ? v + q.tau : 0;
        }
        q.xn[i] = z;
        const long s = b * d + j;
        wb[s] = z;
        yb[s] = yv;
        gyb[s] = gv;
        xb[s] = xi;
      }
      if (q.rows) rn[j] = r;
    }
    q.loss(kb, nb, q.off, d, q.A, wb, q.yv, q.c, gb, q.f);
    for (long j = 0; j < d; j++) {
      const long o = j * T + kb;
      for (long b = 0; b < nb; b++) {
        const long s = b * d + j;
        const double gnj = q.c[kb + b] * gb[s];
        q.gn[o + b] = gnj;
        const double xj = wb[s], yj = yb[s], gyj = gyb[s];
        const double di = xj - yj;
        dd += di * di;
        gd += gyj * di;
        gdiff += (gnj - gyj) * di;
        if (xj - xj != 0 || std::isnan(xj)) finite = false;
        const double v = gnj - gyj + q.L * (yj - xj);
        r2 += v * v;
        up += (yj - xj) * (xj - xb[s]);
      }
    }
  }
  out[0] = dd;
  out[1] = gd;
  out[2] = gdiff;
  out[3] = r2;
  out[4] = up;
  return finite;
}

/** Per-thread scratch of pass 2 (5·FT_TB·d doubles), kept. */
double* iterScratch(long d) {
  thread_local double* buf = nullptr;
  thread_local long cap = 0;
  const long need = 5 * FT_TB * d > 1 ? 5 * FT_TB * d : 1;
  if (cap < need) {
    double* grown = (double*)std::realloc(buf, (size_t)need * sizeof(double));
    if (!grown) return nullptr;
    buf = grown;
    cap = need;
  }
  return buf;
}

using namespace ptnapi;

// fistaRowsSq(rows, d, T, beta, x, xPrev, gx, gPrev, xn, gn, step, tau, L, offsets, a, y, c, f, out) → x⁺ finite
// out (8): [⟨gx, Δ⟩, ⟨Δ, gx − gPrev⟩, Σ penalty terms at x⁺, ‖x⁺ − y‖², ⟨∇f(y), x⁺ − y⟩, ⟨∇f(x⁺) − ∇f(y), x⁺ − y⟩,
// ‖∇f(x⁺) − ∇f(y) + L(y − x⁺)‖², ⟨y − x⁺, x⁺ − x⟩]. Pass 1 is split by rows and pass 2 by tasks of about equal
// rows when the call is as large as the passes' / the loss's thresholds (d × T ≥ 2^18 or rows × d ≥ 2^22);
// parts' sums (and their rows' Σ x⁺²) are added in part order.
napi_value sqIterFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 19)) return nullptr;
  SqIter q{};
  q.rows = flag(a, 0);
  const long d = integer(a, 1), T = integer(a, 2), len = d * T;
  q.d = d;
  q.T = T;
  q.beta = num(a, 3);
  const auto f64 = [&](int i, long need) { return (double*)typedArray(a, i, napi_float64_array, need); };
  q.x = f64(4, len);
  q.xp = f64(5, len);
  q.gx = f64(6, len);
  q.gp = f64(7, len);
  q.xn = f64(8, len);
  q.gn = f64(9, len);
  q.step = num(a, 10);
  q.tau = num(a, 11);
  q.L = num(a, 12);
  q.off = (const int*)typedArray(a, 13, napi_int32_array, T + 1);
  const long nrows = q.off ? checkOffsets(a, q.off, T) : 0;
  q.A = f64(14, nrows * d);
  q.yv = f64(15, nrows);
  q.c = f64(16, T);
  q.f = f64(17, T);
  double* out = f64(18, 8);
  if (!a.ok) return nullptr;
  q.loss = ptUse512() ? pt_avx512::dsqGradGathered : pt_avx2::dsqGradGathered;
  const int want = ptCallerThreads();
  const bool big = len >= PAR_MIN || (double)nrows * d >= 4194304.0;
  double* fac = (double*)std::malloc((size_t)(d > 0 ? d : 1) * sizeof(double) * (1 + PT_MAX_THREADS));
  if (!fac) return fail(env, "native fistaRowsSq: out of memory"), nullptr;
  double* rn = fac + d; // PT_MAX_THREADS × d: each part's rows' Σ x⁺²
  q.fac = fac;
  double s1[3] = { 0, 0, 0 };
  // Pass 1: the factors of the group prox (rows), or the penalty's terms (entries); ⟨gx, Δ⟩, ⟨Δ, gx − gp⟩.
  if (d > 0) {
    int parts = 1;
    if (want > 1 && big && d > 1) parts = ptAcquire(want < d ? want : (int)d);
    if (parts == 1) rowFactors(q.rows, 0, d, T, q.beta, q.x, q.xp, q.gx, q.gp, q.step, q.tau, fac, s1);
    else {
      struct Ctx { const SqIter* q; double* fac; int parts; double sums[PT_MAX_THREADS][3]; } ctx = { &q, fac, parts, {} };
      ptParallel(parts, [](void* v, int p) {
        Ctx* c = (Ctx*)v;
        const SqIter& q = *c->q;
        const long j0 = q.d * p / c->parts, j1 = q.d * (p + 1) / c->parts;
        rowFactors(q.rows, j0, j1, q.T, q.beta, q.x, q.xp, q.gx, q.gp, q.step, q.tau, c->fac, c->sums[p]);
      }, &ctx);
      ptRelease();
      for (int p = 0; p < parts; p++) for (int m = 0; m < 3; m++) s1[m] += ctx.sums[p][m];
    }
  }
  // Pass 2: tasks.
  int parts = 1;
  if (want > 1 && big && T > 1) parts = ptAcquire(want < T ? want : (int)T);
  for (long k = 0; k < (long)parts * d; k++) rn[k] = 0;
  double outs[PT_MAX_THREADS][5];
  bool fin[PT_MAX_THREADS];
  bool okScratch = true;
  if (parts == 1) {
    double* scr = iterScratch(d);
    if (!scr) okScratch = false;
    else fin[0] = taskRange(q, 0, T, rn, outs[0], scr);
  } else {
    struct Ctx { const SqIter* q; long bounds[PT_MAX_THREADS + 1]; double* rn; double (*outs)[5]; bool* fin; bool ok[PT_MAX_THREADS]; } ctx{};
    ctx.q = &q;
    ctx.rn = rn;
    ctx.outs = outs;
    ctx.fin = fin;
    // Task ranges of about equal rows (batched_napi.cc's split of dsqGradBatched).
    long k = 0;
    ctx.bounds[0] = 0;
    for (int p = 1; p < parts; p++) {
      const long target = q.off[0] + (long)((double)(nrows - q.off[0]) * p / parts);
      while (k < T && q.off[k] < target) k++;
      ctx.bounds[p] = k;
    }
    ctx.bounds[parts] = T;
    ptParallel(parts, [](void* v, int p) {
      Ctx* c = (Ctx*)v;
      double* scr = iterScratch(c->q->d);
      c->ok[p] = scr != nullptr;
      if (scr) c->fin[p] = taskRange(*c->q, c->bounds[p], c->bounds[p + 1], c->rn + p * c->q->d, c->outs[p], scr);
    }, &ctx);
    ptRelease();
    for (int p = 0; p < parts; p++) okScratch = okScratch && ctx.ok[p];
  }
  if (!okScratch) {
    std::free(fac);
    return fail(env, "native fistaRowsSq: out of memory for its scratch"), nullptr;
  }
  bool finite = true;
  for (int m = 0; m < 8; m++) out[m] = 0;
  for (int p = 0; p < parts; p++) {
    finite = finite && fin[p];
    for (int m = 0; m < 5; m++) out[3 + m] += outs[p][m];
  }
  out[0] = s1[0];
  out[1] = s1[1];
  out[2] = s1[2];
  if (q.rows) {
    double pen = 0;
    for (long j = 0; j < d; j++) {
      double r = rn[j];
      for (int p = 1; p < parts; p++) r += rn[p * d + j];
      pen += std::sqrt(r);
    }
    out[2] = pen;
  }
  std::free(fac);
  napi_value r;
  napi_get_boolean(env, finite, &r);
  return r;
}


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
  struct { const char* name; napi_callback cb; } fns[] = { { "fistaRowsStep", stepFn }, { "fistaRowsCheck", checkFn }, { "fistaRowsSq", sqIterFn } };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
}
