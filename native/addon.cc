// N-API glue: every kernel works directly on the memory of the Float64Array / Float32Array it is
// given (napi_get_typedarray_info's data pointer; no copy per call). Shapes are validated in
// src/linalg/kernels/native.ts, and checked here again, cheaply, against each array's length,
// so that a bad call can never read or write outside an array.
//
// The whole addon is compiled for AVX2 + FMA; src/linalg/kernels/native.ts loads it only after
// checking that the CPU has both. The AVX-512 kernels are chosen at run time (cpuid).
#include <node_api.h>
#include <cstdio>
#include <cstring>
#include "kernels.h"
#include "pool.h"
#include "batched_kernels.h"
#include "conv.h"
#include "napi_args.h"

void ptRegisterNnqp(napi_env env, napi_value exports); // many NNQPs with one matrix (nnqp.cc)

namespace {

bool haveAvx512 = false;
bool forceAvx2 = false; // tests and benchmarks compare the two paths

bool use512() { return haveAvx512 && !forceAvx2; }

using namespace ptnapi;


long span(long rows, long cols, long ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

// Threads a call from this JavaScript thread may use: set by setThreads from the thread's own
// POLYTASK_THREADS (a compare worker gets 1), else the pool size. Per OS thread, because Node's
// worker threads share the addon and its pool.
thread_local int callerThreads = 0;
int threadsFor() {
  const int p = ptPoolSize();
  return callerThreads > 0 && callerThreads < p ? callerThreads : p;
}

// gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
template <typename T>
napi_value gemm(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 13)) return nullptr;
  const napi_typedarray_type ty = sizeof(T) == 8 ? napi_float64_array : napi_float32_array;
  bool ta = flag(a, 0), tb = flag(a, 1);
  long m = integer(a, 2), n = integer(a, 3), k = integer(a, 4);
  double alpha = num(a, 5);
  long lda = integer(a, 7), ldb = integer(a, 9);
  double beta = num(a, 10);
  long ldc = integer(a, 12);
  if (!a.ok) return nullptr;
  if ((ta ? m : k) > lda && (ta ? k : m) > 0) return fail(env, "native gemm: lda too small"), nullptr;
  if ((tb ? k : n) > ldb && (tb ? n : k) > 0) return fail(env, "native gemm: ldb too small"), nullptr;
  if (n > ldc && m > 0) return fail(env, "native gemm: ldc too small"), nullptr;
  const T* A = (const T*)typedArray(a, 6, ty, span(ta ? k : m, ta ? m : k, lda));
  const T* B = (const T*)typedArray(a, 8, ty, span(tb ? n : k, tb ? k : n, ldb));
  T* C = (T*)typedArray(a, 11, ty, span(m, n, ldc));
  if (!a.ok) return nullptr;
  if (sizeof(T) == 8) {
    (use512() ? pt_avx512::dgemm : pt_avx2::dgemm)(ta, tb, m, n, k, alpha, (const double*)A, lda, (const double*)B, ldb, beta,
                                                 (double*)C, ldc, threadsFor());
  } else {
    (use512() ? pt_avx512::sgemm : pt_avx2::sgemm)(ta, tb, m, n, k, (float)alpha, (const float*)A, lda, (const float*)B, ldb,
                                                 (float)beta, (float*)C, ldc, threadsFor());
  }
  return undef(env);
}

// gemv(trans, m, n, alpha, a, lda, x, beta, y)
template <typename T>
napi_value gemv(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 9)) return nullptr;
  const napi_typedarray_type ty = sizeof(T) == 8 ? napi_float64_array : napi_float32_array;
  bool tr = flag(a, 0);
  long m = integer(a, 1), n = integer(a, 2);
  double alpha = num(a, 3);
  long lda = integer(a, 5);
  double beta = num(a, 7);
  if (!a.ok) return nullptr;
  if (n > lda && m > 0) return fail(env, "native gemv: lda too small"), nullptr;
  const T* A = (const T*)typedArray(a, 4, ty, span(m, n, lda));
  const T* x = (const T*)typedArray(a, 6, ty, tr ? m : n);
  T* y = (T*)typedArray(a, 8, ty, tr ? n : m);
  if (!a.ok) return nullptr;
  if (sizeof(T) == 8)
    (use512() ? pt_avx512::dgemv : pt_avx2::dgemv)(tr, m, n, alpha, (const double*)A, lda, (const double*)x, beta, (double*)y, threadsFor());
  else
    (use512() ? pt_avx512::sgemv : pt_avx2::sgemv)(tr, m, n, (float)alpha, (const float*)A, lda, (const float*)x, (float)beta, (float*)y,
                                                 threadsFor());
  return undef(env);
}

// gram(n, d, alpha, x, ldx, beta, c, ldc)
template <typename T>
napi_value gram(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 8)) return nullptr;
  const napi_typedarray_type ty = sizeof(T) == 8 ? napi_float64_array : napi_float32_array;
  long n = integer(a, 0), d = integer(a, 1);
  double alpha = num(a, 2);
  long ldx = integer(a, 4);
  double beta = num(a, 5);
  long ldc = integer(a, 7);
  if (!a.ok) return nullptr;
  if (d > ldx && n > 0) return fail(env, "native gram: ldx too small"), nullptr;
  if (d > ldc) return fail(env, "native gram: ldc too small"), nullptr;
  const T* X = (const T*)typedArray(a, 3, ty, span(n, d, ldx));
  T* C = (T*)typedArray(a, 6, ty, span(d, d, ldc));
  if (!a.ok) return nullptr;
  if (sizeof(T) == 8)
    (use512() ? pt_avx512::dgram : pt_avx2::dgram)(n, d, alpha, (const double*)X, ldx, beta, (double*)C, ldc, threadsFor());
  else
    (use512() ? pt_avx512::sgram : pt_avx2::sgram)(n, d, (float)alpha, (const float*)X, ldx, (float)beta, (float*)C, ldc, threadsFor());
  return undef(env);
}

// cholesky(n, a, l, pivot[1]) → −1 or the failing pivot index
napi_value cholesky(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  long n = integer(a, 0);
  const double* A = (const double*)typedArray(a, 1, napi_float64_array, n * n);
  double* L = (double*)typedArray(a, 2, napi_float64_array, n * n);
  double* piv = (double*)typedArray(a, 3, napi_float64_array, 1);
  if (!a.ok) return nullptr;
  return number(env, (double)ptCholesky(n, A, L, piv));
}

// eigh(n, a, values, vectors) → 0 or a negative code (kernels.h)
napi_value eighFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  long n = integer(a, 0);
  const double* A = (const double*)typedArray(a, 1, napi_float64_array, n * n);
  double* vals = (double*)typedArray(a, 2, napi_float64_array, n);
  double* vecs = (double*)typedArray(a, 3, napi_float64_array, n * n);
  if (!a.ok) return nullptr;
  if (n < 1) return fail(env, "native eigh: needs n ≥ 1"), nullptr;
  return number(env, (double)ptEigh(n, A, vals, vecs));
}

// svd(m, n, a, u, s, v) → sweeps or a negative code (kernels.h)
napi_value svdFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  long m = integer(a, 0), n = integer(a, 1);
  const long r = m < n ? m : n;
  const double* A = (const double*)typedArray(a, 2, napi_float64_array, m * n);
  double* U = (double*)typedArray(a, 3, napi_float64_array, m * r);
  double* s = (double*)typedArray(a, 4, napi_float64_array, r);
  double* V = (double*)typedArray(a, 5, napi_float64_array, n * r);
  if (!a.ok) return nullptr;
  if (r < 1) return fail(env, "native svd: needs m, n ≥ 1"), nullptr;
  return number(env, (double)ptSvd(m, n, A, U, s, V));
}

/** A Float32Array or Float64Array (type in *f32) with at least `need` elements; null/undefined allowed when `optional`. */
void* anyArr(Args& a, int i, long need, int* f32, bool optional) {
  if (!a.ok) return nullptr;
  napi_valuetype vt;
  napi_typeof(a.env, a.v[i], &vt);
  if (optional && (vt == napi_null || vt == napi_undefined)) return nullptr;
  napi_typedarray_type t;
  size_t len = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(a.env, a.v[i], &t, &len, &data, nullptr, nullptr) != napi_ok ||
      (t != napi_float32_array && t != napi_float64_array)) {
    a.ok = fail(a.env, "native nn: expected a Float32Array or Float64Array");
    return nullptr;
  }
  const int is32 = t == napi_float32_array;
  if (*f32 < 0) *f32 = is32;
  else if (*f32 != is32) {
    a.ok = fail(a.env, "native nn: arrays of one call must share a precision");
    return nullptr;
  }
  if ((long)len < need) {
    a.ok = fail(a.env, "native nn: array shorter than its shape");
    return nullptr;
  }
  return data;
}

// biasAct(act, rows, n, x, bias|null, slope, y, d|null)
napi_value biasActFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 8)) return nullptr;
  long act = integer(a, 0), rows = integer(a, 1), n = integer(a, 2);
  double slope = num(a, 5);
  int f32 = -1;
  const void* x = anyArr(a, 3, rows * n, &f32, false);
  const void* bias = anyArr(a, 4, n, &f32, true);
  void* y = anyArr(a, 6, rows * n, &f32, false);
  void* d = anyArr(a, 7, rows * n, &f32, true);
  if (!a.ok) return nullptr;
  if (act > 5) return fail(env, "native biasAct: unknown activation"), nullptr;
  ptBiasAct(f32 == 1, (int)act, rows, n, x, bias, slope, y, d);
  return undef(env);
}

// softmaxRows(rows, n, x, y)
napi_value softmaxFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  long rows = integer(a, 0), n = integer(a, 1);
  int f32 = -1;
  const void* x = anyArr(a, 2, rows * n, &f32, false);
  void* y = anyArr(a, 3, rows * n, &f32, false);
  if (!a.ok) return nullptr;
  ptSoftmax(f32 == 1, rows, n, x, y);
  return undef(env);
}

// colSums(rows, n, x, beta, out)
napi_value colSumsFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 5)) return nullptr;
  long rows = integer(a, 0), n = integer(a, 1);
  double beta = num(a, 3);
  int f32 = -1;
  const void* x = anyArr(a, 2, rows * n, &f32, false);
  void* out = anyArr(a, 4, n, &f32, false);
  if (!a.ok) return nullptr;
  ptColSums(f32 == 1, rows, n, x, beta, out);
  return undef(env);
}

// im2col(N, C, H, W, kh, kw, stride, pad, x, cols)
napi_value im2colFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 10)) return nullptr;
  long N = integer(a, 0), C = integer(a, 1), H = integer(a, 2), W = integer(a, 3), kh = integer(a, 4), kw = integer(a, 5);
  long stride = integer(a, 6), pad = integer(a, 7);
  if (!a.ok) return nullptr;
  if (stride < 1 || kh < 1 || kw < 1 || H + 2 * pad < kh || W + 2 * pad < kw) return fail(env, "native im2col: bad geometry"), nullptr;
  const long Ho = (H + 2 * pad - kh) / stride + 1, Wo = (W + 2 * pad - kw) / stride + 1;
  int f32 = -1;
  const void* x = anyArr(a, 8, N * C * H * W, &f32, false);
  void* cols = anyArr(a, 9, N * Ho * Wo * C * kh * kw, &f32, false);
  if (!a.ok) return nullptr;
  ptIm2col(f32 == 1, N, C, H, W, kh, kw, stride, pad, x, cols);
  return undef(env);
}

// col2im(N, C, H, W, kh, kw, stride, pad, cols, x)
napi_value col2imFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 10)) return nullptr;
  long N = integer(a, 0), C = integer(a, 1), H = integer(a, 2), W = integer(a, 3), kh = integer(a, 4), kw = integer(a, 5);
  long stride = integer(a, 6), pad = integer(a, 7);
  if (!a.ok) return nullptr;
  if (stride < 1 || kh < 1 || kw < 1 || H + 2 * pad < kh || W + 2 * pad < kw) return fail(env, "native col2im: bad geometry"), nullptr;
  const long Ho = (H + 2 * pad - kh) / stride + 1, Wo = (W + 2 * pad - kw) / stride + 1;
  int f32 = -1;
  const void* cols = anyArr(a, 8, N * Ho * Wo * C * kh * kw, &f32, false);
  void* x = anyArr(a, 9, N * C * H * W, &f32, false);
  if (!a.ok) return nullptr;
  ptCol2im(f32 == 1, N, C, H, W, kh, kw, stride, pad, cols, x);
  return undef(env);
}

// biasActGrad(rows, n, go, d|null, gx|null, gb|null)
napi_value biasActGradFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  long rows = integer(a, 0), n = integer(a, 1);
  int f32 = -1;
  const void* go = anyArr(a, 2, rows * n, &f32, false);
  const void* d = anyArr(a, 3, rows * n, &f32, true);
  void* gx = anyArr(a, 4, rows * n, &f32, true);
  void* gb = anyArr(a, 5, n, &f32, true);
  if (!a.ok) return nullptr;
  ptBiasActGrad(f32 == 1, rows, n, go, d, gx, gb);
  return undef(env);
}

// mulAcc(n, a, b|null, out)
napi_value mulAccFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  long n = integer(a, 0);
  int f32 = -1;
  const void* x = anyArr(a, 1, n, &f32, false);
  const void* y = anyArr(a, 2, n, &f32, true);
  void* out = anyArr(a, 3, n, &f32, false);
  if (!a.ok) return nullptr;
  ptMulAcc(f32 == 1, n, x, y, out);
  return undef(env);
}

// adam(n, g, m, v, b1, b2, bc1, sbc2, eps)
napi_value adamFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 9)) return nullptr;
  long n = integer(a, 0);
  double b1 = num(a, 4), b2 = num(a, 5), bc1 = num(a, 6), sbc2 = num(a, 7), eps = num(a, 8);
  int f32 = -1;
  void* g = anyArr(a, 1, n, &f32, false);
  void* m = anyArr(a, 2, n, &f32, false);
  void* v = anyArr(a, 3, n, &f32, false);
  if (!a.ok) return nullptr;
  ptAdam(f32 == 1, n, g, m, v, b1, b2, bc1, sbc2, eps);
  return undef(env);
}

long bspan(long batch, long stride, long rows, long cols, long ld) {
  return batch == 0 || rows == 0 || cols == 0 ? 0 : (batch - 1) * stride + (rows - 1) * ld + cols;
}

// bmm(ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, beta, c, sc, ldc)
napi_value bmmFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 16)) return nullptr;
  bool ta = flag(a, 0), tb = flag(a, 1);
  long batch = integer(a, 2), m = integer(a, 3), n = integer(a, 4), k = integer(a, 5);
  long sa = integer(a, 7), lda = integer(a, 8), sb = integer(a, 10), ldb = integer(a, 11);
  double beta = num(a, 12);
  long sc = integer(a, 14), ldc = integer(a, 15);
  if (!a.ok) return nullptr;
  const long ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  if ((ac > lda && ar > 0) || (bc > ldb && br > 0) || (n > ldc && m > 0)) return fail(env, "native bmm: leading dimension too small"), nullptr;
  int f32 = -1;
  const void* A = anyArr(a, 6, bspan(batch, sa, ar, ac, lda), &f32, false);
  const void* B = anyArr(a, 9, bspan(batch, sb, br, bc, ldb), &f32, false);
  void* C = anyArr(a, 13, bspan(batch, sc, m, n, ldc), &f32, false);
  if (!a.ok) return nullptr;
  ptBmm(f32 == 1, ta, tb, batch, m, n, k, A, sa, lda, B, sb, ldb, beta, C, sc, ldc, threadsFor());
  return undef(env);
}

// setThreads(n): threads for calls from this JavaScript thread (0: the pool size); grows the pool if needed
napi_value setThreads(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  long n = integer(a, 0);
  if (!a.ok) return nullptr;
  if (n > 0) ptSetPoolSize((int)n);
  callerThreads = (int)n;
  return undef(env);
}

napi_value setAvx2Only(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  bool b = flag(a, 0);
  if (!a.ok) return nullptr;
  forceAvx2 = b;
  return undef(env);
}

// info() → { isa, threads }
napi_value infoFn(napi_env env, napi_callback_info) {
  napi_value o, isa, th;
  napi_create_object(env, &o);
  const char* s = use512() ? "avx512" : "avx2+fma";
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, threadsFor(), &th);
  napi_set_named_property(env, o, "isa", isa);
  napi_set_named_property(env, o, "threads", th);
  return o;
}

} // namespace

void ptDgemm(bool ta, bool tb, long m, long n, long k, double alpha, const double* A, long lda, const double* B, long ldb,
             double beta, double* C, long ldc) {
  (use512() ? pt_avx512::dgemm : pt_avx2::dgemm)(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, threadsFor());
}

void ptDgram(long n, long d, double alpha, const double* X, long ldx, double beta, double* C, long ldc) {
  (use512() ? pt_avx512::dgram : pt_avx2::dgram)(n, d, alpha, X, ldx, beta, C, ldc, threadsFor());
}

bool ptUse512() { return use512(); }
int ptCallerThreads() { return threadsFor(); }

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  haveAvx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  struct { const char* name; napi_callback cb; } fns[] = {
    { "dgemm", gemm<double> }, { "sgemm", gemm<float> },
    { "dgemv", gemv<double> }, { "sgemv", gemv<float> },
    { "dgram", gram<double> }, { "sgram", gram<float> },
    { "cholesky", cholesky }, { "eigh", eighFn }, { "svd", svdFn },
    { "biasAct", biasActFn }, { "softmaxRows", softmaxFn }, { "colSums", colSumsFn }, { "im2col", im2colFn },
    { "col2im", col2imFn }, { "biasActGrad", biasActGradFn }, { "mulAcc", mulAccFn }, { "adam", adamFn }, { "bmm", bmmFn },
    { "setThreads", setThreads }, { "setAvx2Only", setAvx2Only }, { "info", infoFn },
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  ptRegisterBatched(env, exports); // batched per-task kernels (batched_napi.cc)
  ptRegisterNnqp(env, exports);    // many NNQPs with one matrix (nnqp.cc, issue 12)
  ptRegisterConv(env, exports); // conv2d and max-pool (conv.cc)
  return exports;
}
