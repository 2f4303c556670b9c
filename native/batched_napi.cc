// N-API glue of the batched per-task kernels (batched.h): like addon.cc, every kernel works on the
// caller's Float64Array / Int32Array memory (no copy). Shapes are validated in
// src/linalg/kernels/native.ts and checked again here against each array's length — including
// the row offsets (monotone, within the arrays), so a bad call can never read or write outside an
// array. In its own file so that addon.cc (shared with the neural kernels' work) gains one line.
#include <cstdlib>
#include "batched_kernels.h"
#include "pool.h"
#include "napi_args.h"

namespace {

using namespace ptnapi;

// dsymvBatched(count, d, alpha, a, x, beta, y)
napi_value symvFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  const long count = integer(a, 0), d = integer(a, 1);
  const double alpha = num(a, 2), beta = num(a, 5);
  const double* A = (const double*)typedArray(a, 3, napi_float64_array, count * d * d);
  const double* x = (const double*)typedArray(a, 4, napi_float64_array, count * d);
  double* y = (double*)typedArray(a, 6, napi_float64_array, count * d);
  if (!a.ok) return nullptr;
  const bool done = (ptUse512() ? pt_avx512::dsymvBatched : pt_avx2::dsymvBatched)(count, d, alpha, A, x, beta, y);
  if (!done) return fail(env, "native dsymvBatched: out of memory for its scratch vector"), nullptr;
  return undef(env);
}

// dgemvBatched(trans, count, offsets, n, alpha, a, x, beta, y)
napi_value gemvFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 9)) return nullptr;
  const bool trans = flag(a, 0);
  const long count = integer(a, 1), n = integer(a, 3);
  const double alpha = num(a, 4), beta = num(a, 7);
  const int* off = (const int*)typedArray(a, 2, napi_int32_array, count + 1);
  const long rows = checkOffsets(a, off, count);
  const double* A = (const double*)typedArray(a, 5, napi_float64_array, rows * n);
  const double* x = (const double*)typedArray(a, 6, napi_float64_array, trans ? rows : count * n);
  double* y = (double*)typedArray(a, 8, napi_float64_array, trans ? count * n : rows);
  if (!a.ok) return nullptr;
  (ptUse512() ? pt_avx512::dgemvBatched : pt_avx2::dgemvBatched)(trans, count, off, n, alpha, A, x, beta, y);
  return undef(env);
}

// dresidualGradBatched(count, offsets, n, a, x, y, r, g)
napi_value residualGradFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 8)) return nullptr;
  const long count = integer(a, 0), n = integer(a, 2);
  const int* off = (const int*)typedArray(a, 1, napi_int32_array, count + 1);
  const long rows = checkOffsets(a, off, count);
  const double* A = (const double*)typedArray(a, 3, napi_float64_array, rows * n);
  const double* x = (const double*)typedArray(a, 4, napi_float64_array, count * n);
  const double* y = (const double*)typedArray(a, 5, napi_float64_array, rows);
  double* r = (double*)typedArray(a, 6, napi_float64_array, rows);
  double* g = (double*)typedArray(a, 7, napi_float64_array, count * n);
  if (!a.ok) return nullptr;
  (ptUse512() ? pt_avx512::dresidualGradBatched : pt_avx2::dresidualGradBatched)(count, off, n, A, x, y, r, g);
  return undef(env);
}

// dsqGradBatched(count, offsets, n, a, cols, w, ldw, y, c, g, f): the squared loss's gradient and
// per-task values (batched.h sqGradRange), split over the pool by rows when the call reads at least
// 2^22 entries (32 MB, T ≥ ~4 000 tasks of 20 × 50). Measured on the shared 2-core machine
// (bench/batched.bench.ts): at T = 100 and 1 000 a second thread cost 3–4× the CPU (wake-up and spin
// between a solver's calls) and no wall time; only a call that streams from L3/DRAM can gain.
napi_value sqGradFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 11)) return nullptr;
  const long count = integer(a, 0), n = integer(a, 2), ldw = integer(a, 6);
  const int* off = (const int*)typedArray(a, 1, napi_int32_array, count + 1);
  const long rows = checkOffsets(a, off, count);
  const double* A = (const double*)typedArray(a, 3, napi_float64_array, rows * n);
  const int* cols = (const int*)typedArray(a, 4, napi_int32_array, count);
  const double* W = (const double*)typedArray(a, 5, napi_float64_array, n * ldw);
  const double* y = (const double*)typedArray(a, 7, napi_float64_array, rows);
  const double* c = (const double*)typedArray(a, 8, napi_float64_array, count);
  double* G = (double*)typedArray(a, 9, napi_float64_array, n * ldw);
  double* f = (double*)typedArray(a, 10, napi_float64_array, count);
  if (!a.ok) return nullptr;
  // Columns distinct and inside W: two tasks writing one column from two threads would race.
  if (count > 0) {
    char* seen = (char*)std::calloc((size_t)ldw, 1);
    if (!seen) return fail(env, "native dsqGradBatched: out of memory"), nullptr;
    long bad = -1;
    for (long k = 0; k < count && bad < 0; k++) {
      if (cols[k] < 0 || cols[k] >= ldw || seen[cols[k]]) bad = k;
      else seen[cols[k]] = 1;
    }
    std::free(seen);
    if (bad >= 0) return fail(env, "native dsqGradBatched: cols must be distinct columns in [0, ldw)"), nullptr;
  }
  auto run = ptUse512() ? pt_avx512::dsqGradRange : pt_avx2::dsqGradRange;
  int parts = 1;
  const int want = ptCallerThreads();
  if (want > 1 && (double)rows * n >= 4194304.0 && count > 1) parts = ptAcquire(want < count ? want : (int)count);
  if (parts == 1) {
    if (!run(0, count, off, n, A, cols, W, ldw, y, c, G, f)) return fail(env, "native dsqGradBatched: out of memory for its scratch"), nullptr;
    return undef(env);
  }
  // Task ranges of about equal rows: part p starts at the first task whose rows begin at or after p·rows/parts.
  struct Ctx {
    decltype(run) fn; long count; const int* off; long n; const double* A; const int* cols; const double* W; long ldw;
    const double* y; const double* c; double* G; double* f; long bounds[PT_MAX_THREADS + 1]; bool ok[PT_MAX_THREADS];
  } ctx = { run, count, off, n, A, cols, W, ldw, y, c, G, f, {}, {} };
  long k = 0;
  ctx.bounds[0] = 0;
  for (int p = 1; p < parts; p++) {
    const long target = off[0] + (long)((double)(rows - off[0]) * p / parts);
    while (k < count && off[k] < target) k++;
    ctx.bounds[p] = k;
  }
  ctx.bounds[parts] = count;
  ptParallel(parts, [](void* q, int p) {
    Ctx* x = (Ctx*)q;
    x->ok[p] = x->fn(x->bounds[p], x->bounds[p + 1], x->off, x->n, x->A, x->cols, x->W, x->ldw, x->y, x->c, x->G, x->f);
  }, &ctx);
  ptRelease();
  for (int p = 0; p < parts; p++) if (!ctx.ok[p]) return fail(env, "native dsqGradBatched: out of memory for its scratch"), nullptr;
  return undef(env);
}

} // namespace

void ptRegisterBatched(napi_env env, napi_value exports) {
  struct { const char* name; napi_callback cb; } fns[] = {
    { "dsymvBatched", symvFn }, { "dgemvBatched", gemvFn }, { "dresidualGradBatched", residualGradFn },
    { "dsqGradBatched", sqGradFn },
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  ptRegisterFistaRows(env, exports);
  ptRegisterLogisticModel(env, exports);
  ptRegisterNewtonStep(env, exports);
}
