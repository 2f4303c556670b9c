// conv2d (NCHW) by im2col straight into the product's layout, and max pooling; with their gradients.
// Why this layout: example n's column matrix cols_n is K × P (K = C·kh·kw rows, one per kernel tap;
// P = Ho·Wo output positions: the layout of Chellapilla et al. 2006 / Caffe), so y_n = W·cols_n is
// already example n's NCHW block and dY_n is read in place by dW += dY_n·cols_nᵀ and
// dcols = Wᵀ·dY_n — no layout transposes (the previous row-per-position layout needed an element-wise
// NCHW ↔ row-major transpose each way in TypeScript). One example at a time, so its K × P columns
// stay in cache from im2col through the products (a whole-batch K × N·P layout with one big GEMM per
// product measured slower: im2col and col2im then stream it through memory). The products are
// register-blocked loops (below), not the packed GEMM, which is slow on these thin shapes.
// Formulas and the reference: src/linalg/kernels/nn-reference.ts (conv2d, conv2dGrad, maxPool, maxPoolGrad).
#include "conv.h"
#include "napi_args.h"
#include <cmath>

namespace {

// -------------------------------------------------------------------------------------------------
// kernels

struct Geo {
  long N, C, H, W, O, kh, kw, stride, pad, Ho, Wo, P, K;
};

/** Columns [n·P, (n+1)·P) of cols (K × ld) from example x (C × H × W). */
template <typename T>
void im2colKP(const Geo& g, const T* x, T* cols, long ld) {
  for (long c = 0; c < g.C; c++)
    for (long i = 0; i < g.kh; i++)
      for (long j = 0; j < g.kw; j++) {
        T* dst = cols + ((c * g.kh + i) * g.kw + j) * ld;
        for (long ho = 0; ho < g.Ho; ho++) {
          const long hi = ho * g.stride + i - g.pad;
          T* d = dst + ho * g.Wo;
          if (hi < 0 || hi >= g.H) {
            for (long wo = 0; wo < g.Wo; wo++) d[wo] = 0;
            continue;
          }
          const T* xr = x + (c * g.H + hi) * g.W;
          const long w0 = j - g.pad;
          if (g.stride == 1 && w0 >= 0 && w0 + g.Wo <= g.W) {
            for (long wo = 0; wo < g.Wo; wo++) d[wo] = xr[wo + w0]; // the common case: a contiguous copy
          } else {
            for (long wo = 0; wo < g.Wo; wo++) {
              const long wi = wo * g.stride + w0;
              d[wo] = wi < 0 || wi >= g.W ? (T)0 : xr[wi];
            }
          }
        }
      }
}

/** x (C × H × W) += the scatter-add of columns [n·P, (n+1)·P) of cols (K × ld): the adjoint of im2colKP. */
template <typename T>
void col2imKP(const Geo& g, const T* cols, long ld, T* x) {
  for (long c = 0; c < g.C; c++)
    for (long i = 0; i < g.kh; i++)
      for (long j = 0; j < g.kw; j++) {
        const T* src = cols + ((c * g.kh + i) * g.kw + j) * ld;
        for (long ho = 0; ho < g.Ho; ho++) {
          const long hi = ho * g.stride + i - g.pad;
          if (hi < 0 || hi >= g.H) continue;
          const T* s = src + ho * g.Wo;
          T* xr = x + (c * g.H + hi) * g.W;
          const long w0 = j - g.pad;
          if (g.stride == 1 && w0 >= 0 && w0 + g.Wo <= g.W) {
            for (long wo = 0; wo < g.Wo; wo++) xr[wo + w0] += s[wo];
          } else {
            for (long wo = 0; wo < g.Wo; wo++) {
              const long wi = wo * g.stride + w0;
              if (wi >= 0 && wi < g.W) xr[wi] += s[wo];
            }
          }
        }
      }
}

// Register-blocked small products. The convolution's GEMMs are thin (O = 10 or 20 rows, K = 25 or
// 250, P = 144 or 1024 per example): the packed GEMM spends as much time packing as multiplying on
// them (measured 5–13 GMAC/s), so the two shapes the convolution needs are written out here, per
// example, on data that is still in cache (the example's column matrix, K × P).
template <typename T> struct Vec;
template <> struct Vec<float> { typedef float type __attribute__((vector_size(32))); enum { L = 8 }; };
template <> struct Vec<double> { typedef double type __attribute__((vector_size(32))); enum { L = 4 }; };

template <typename T>
inline typename Vec<T>::type vload(const T* p) {
  typename Vec<T>::type v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}
template <typename T>
inline void vstore(T* p, typename Vec<T>::type v) { __builtin_memcpy(p, &v, sizeof(v)); }

/** C[m][p] = Σ_j A[m·am + j·aj]·B[j·ldb + p] for m < MB rows starting at m0, p in [p0, p0 + 2L). */
template <typename T, int MB>
inline void axpyTile(long J, const T* A, long am, long aj, const T* B, long ldb, T* C, long ldc, long m0, long p0) {
  typedef typename Vec<T>::type V;
  enum { L = Vec<T>::L };
  V acc[MB][2];
  for (int r = 0; r < MB; r++) acc[r][0] = acc[r][1] = V{} ;
  for (long j = 0; j < J; j++) {
    const T* b = B + j * ldb + p0;
    const V b0 = vload<T>(b), b1 = vload<T>(b + L);
    for (int r = 0; r < MB; r++) {
      const T a = A[(m0 + r) * am + j * aj];
      acc[r][0] += a * b0;
      acc[r][1] += a * b1;
    }
  }
  for (int r = 0; r < MB; r++) {
    vstore<T>(C + (m0 + r) * ldc + p0, acc[r][0]);
    vstore<T>(C + (m0 + r) * ldc + p0 + L, acc[r][1]);
  }
}

/** C (M × Pn, ldc) = A·B with A(m, j) = A[m·am + j·aj] (M × J: W or Wᵀ) and B J × Pn (ldb). */
template <typename T>
void axpyBlock(long M, long Pn, long J, const T* A, long am, long aj, const T* B, long ldb, T* C, long ldc) {
  enum { L = Vec<T>::L };
  long p0 = 0;
  for (; p0 + 2 * L <= Pn; p0 += 2 * L) {
    long m = 0;
    for (; m + 4 <= M; m += 4) axpyTile<T, 4>(J, A, am, aj, B, ldb, C, ldc, m, p0);
    for (; m < M; m++) axpyTile<T, 1>(J, A, am, aj, B, ldb, C, ldc, m, p0);
  }
  if (p0 < Pn)
    for (long m = 0; m < M; m++) {
      T* c = C + m * ldc;
      for (long p = p0; p < Pn; p++) c[p] = 0;
      for (long j = 0; j < J; j++) {
        const T a = A[m * am + j * aj];
        const T* b = B + j * ldb;
        for (long p = p0; p < Pn; p++) c[p] += a * b[p];
      }
    }
}

/**
 * C[o·ldc + k] += Σ_e Σ_p A_e[o·lda + p]·B_e[k·ldb + p] over G examples (A_e = A + e·sa, B_e = B + e·sb)
 * for OB rows of A from o0 and KB rows of B from k0: the sums stay in vector registers across the
 * examples and are reduced once (P alone, 144 for LeNet's second layer, is too short to pay for it).
 */
template <typename T, int OB, int KB>
inline void dotTile(long G, long P, const T* A, long sa, long lda, const T* B, long sb, long ldb, T* C, long ldc, long o0, long k0) {
  typedef typename Vec<T>::type V;
  enum { L = Vec<T>::L };
  V acc[OB][KB];
  T tail[OB][KB];
  for (int a = 0; a < OB; a++) for (int b = 0; b < KB; b++) { acc[a][b] = V{}; tail[a][b] = 0; }
  for (long e = 0; e < G; e++) {
    const T* Ae = A + e * sa;
    const T* Be = B + e * sb;
    long p = 0;
    for (; p + L <= P; p += L) {
      V va[OB], vb[KB];
      for (int a = 0; a < OB; a++) va[a] = vload<T>(Ae + (o0 + a) * lda + p);
      for (int b = 0; b < KB; b++) vb[b] = vload<T>(Be + (k0 + b) * ldb + p);
      for (int a = 0; a < OB; a++) for (int b = 0; b < KB; b++) acc[a][b] += va[a] * vb[b];
    }
    for (; p < P; p++)
      for (int a = 0; a < OB; a++) for (int b = 0; b < KB; b++) tail[a][b] += Ae[(o0 + a) * lda + p] * Be[(k0 + b) * ldb + p];
  }
  for (int a = 0; a < OB; a++)
    for (int b = 0; b < KB; b++) {
      T s = tail[a][b];
      for (int q = 0; q < L; q++) s += acc[a][b][q];
      C[(o0 + a) * ldc + k0 + b] += s;
    }
}

/** C (O × K) += Σ_e A_e (O × P) · B_eᵀ (B_e is K × P) over G examples: the weight gradient. */
template <typename T>
void dotBlock(long G, long O, long K, long P, const T* A, long sa, long lda, const T* B, long sb, long ldb, T* C, long ldc) {
  long o = 0;
  for (; o + 4 <= O; o += 4) {
    long k = 0;
    for (; k + 3 <= K; k += 3) dotTile<T, 4, 3>(G, P, A, sa, lda, B, sb, ldb, C, ldc, o, k);
    for (; k < K; k++) dotTile<T, 4, 1>(G, P, A, sa, lda, B, sb, ldb, C, ldc, o, k);
  }
  for (; o < O; o++)
    for (long k = 0; k < K; k++) dotTile<T, 1, 1>(G, P, A, sa, lda, B, sb, ldb, C, ldc, o, k);
}

// Per example n (its column matrix cols_n = cols[n·K·P …], K × P, written by the forward and read
// back by the backward while the other examples run; each product on cache-resident data):
//   y_n = W·cols_n + b,  db += Σ_p dY_n,  dcols = Wᵀ·dY_n → col2im into dX_n;
// dW += Σ_n dY_n·cols_nᵀ over groups of examples (register sums reduced once per group).
template <typename T>
void conv2dT(const Geo& g, const T* x, const T* w, const T* b, T* cols, T* y) {
  const long xs = g.C * g.H * g.W, cs = g.K * g.P, ys = g.O * g.P;
  for (long n = 0; n < g.N; n++) {
    T* cn = cols + n * cs;
    T* yn = y + n * ys;
    im2colKP<T>(g, x + n * xs, cn, g.P);
    axpyBlock<T>(g.O, g.P, g.K, w, g.K, 1, cn, g.P, yn, g.P);
    if (b)
      for (long o = 0; o < g.O; o++) {
        const T bv = b[o];
        T* r = yn + o * g.P;
        for (long p = 0; p < g.P; p++) r[p] += bv;
      }
  }
}

template <typename T>
void conv2dGradT(const Geo& g, const T* cols, const T* w, const T* go, T* gw, T* gb, T* gx, T* dcols) {
  const long xs = g.C * g.H * g.W, cs = g.K * g.P, ys = g.O * g.P;
  // dW over groups of examples whose column matrices fit in L2 together (~1 MiB)
  if (gw) {
    long G = (1L << 20) / ((g.K + g.O) * g.P * (long)sizeof(T));
    if (G < 1) G = 1;
    for (long n0 = 0; n0 < g.N; n0 += G) {
      const long cnt = n0 + G <= g.N ? G : g.N - n0;
      dotBlock<T>(cnt, g.O, g.K, g.P, go + n0 * ys, ys, g.P, cols + n0 * cs, cs, g.P, gw, g.K);
    }
  }
  for (long n = 0; n < g.N; n++) {
    const T* gn = go + n * ys;
    if (gb)
      for (long o = 0; o < g.O; o++) {
        const T* r = gn + o * g.P;
        T s = 0;
        for (long p = 0; p < g.P; p++) s += r[p];
        gb[o] += s;
      }
    if (gx) {
      axpyBlock<T>(g.K, g.P, g.O, w, 1, g.K, gn, g.P, dcols, g.P);
      col2imKP<T>(g, dcols, g.P, gx + n * xs);
    }
  }
}

template <typename T>
void maxPoolT(long NC, long H, long W, long k, long stride, const T* x, T* y, int* arg) {
  const long Ho = (H - k) / stride + 1, Wo = (W - k) / stride + 1;
  long q = 0;
  if (k == 2 && stride == 2) {
    // LeNet's pool: two input rows per output row, a fixed 2 × 2 window (same first-maximum rule)
    for (long nc = 0; nc < NC; nc++) {
      const long base = nc * H * W;
      for (long ho = 0; ho < Ho; ho++) {
        const long r0 = base + 2 * ho * W, r1 = r0 + W;
        for (long wo = 0; wo < Wo; wo++) {
          const long i0 = r0 + 2 * wo, i1 = r1 + 2 * wo;
          long bi = i0;
          T best = x[i0];
          if (x[i0 + 1] > best) { best = x[i0 + 1]; bi = i0 + 1; }
          if (x[i1] > best) { best = x[i1]; bi = i1; }
          if (x[i1 + 1] > best) { best = x[i1 + 1]; bi = i1 + 1; }
          y[q] = best;
          arg[q++] = (int)bi;
        }
      }
    }
    return;
  }
  for (long nc = 0; nc < NC; nc++) {
    const long base = nc * H * W;
    for (long ho = 0; ho < Ho; ho++)
      for (long wo = 0; wo < Wo; wo++) {
        long bi = base + ho * stride * W + wo * stride;
        T best = x[bi];
        // first maximum in row-major window order, as the reference (NaN never wins: >)
        for (long i = 0; i < k; i++) {
          const long row = base + (ho * stride + i) * W + wo * stride;
          for (long j = 0; j < k; j++)
            if (x[row + j] > best) { best = x[row + j]; bi = row + j; }
        }
        y[q] = x[bi];
        arg[q++] = (int)bi;
      }
  }
}

// -------------------------------------------------------------------------------------------------
// N-API glue (shapes were validated in src/linalg/kernels/native.ts; checked again against lengths)

using namespace ptnapi;


/** A Float32Array / Float64Array (precision in *f32, shared by the call) or, when `intArr`, an Int32Array. */
void* carr(Args& a, int i, long need, int* f32, bool optional, bool intArr = false) {
  if (!a.ok) return nullptr;
  napi_valuetype vt;
  napi_typeof(a.env, a.v[i], &vt);
  if (optional && (vt == napi_null || vt == napi_undefined)) return nullptr;
  napi_typedarray_type t;
  size_t len = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(a.env, a.v[i], &t, &len, &data, nullptr, nullptr) != napi_ok) {
    a.ok = fail(a.env, "native conv: expected a typed array");
    return nullptr;
  }
  if (intArr) {
    if (t != napi_int32_array) { a.ok = fail(a.env, "native conv: expected an Int32Array"); return nullptr; }
  } else {
    if (t != napi_float32_array && t != napi_float64_array) { a.ok = fail(a.env, "native conv: expected a Float32Array or Float64Array"); return nullptr; }
    const int is32 = t == napi_float32_array;
    if (*f32 < 0) *f32 = is32;
    else if (*f32 != is32) { a.ok = fail(a.env, "native conv: arrays of one call must share a precision"); return nullptr; }
  }
  if ((long)len < need) {
    a.ok = fail(a.env, "native conv: array shorter than its shape");
    return nullptr;
  }
  return data;
}

bool geometry(Args& a, Geo& g) {
  g.N = integer(a, 0); g.C = integer(a, 1); g.H = integer(a, 2); g.W = integer(a, 3); g.O = integer(a, 4);
  g.kh = integer(a, 5); g.kw = integer(a, 6); g.stride = integer(a, 7); g.pad = integer(a, 8);
  if (!a.ok) return false;
  if (g.stride < 1 || g.kh < 1 || g.kw < 1 || g.H + 2 * g.pad < g.kh || g.W + 2 * g.pad < g.kw) return fail(a.env, "native conv: bad geometry");
  g.Ho = (g.H + 2 * g.pad - g.kh) / g.stride + 1;
  g.Wo = (g.W + 2 * g.pad - g.kw) / g.stride + 1;
  g.P = g.Ho * g.Wo;
  g.K = g.C * g.kh * g.kw;
  return true;
}

// conv2d(N, C, H, W, O, kh, kw, stride, pad, x, w, b|null, cols, y)
napi_value conv2dFn(napi_env env, napi_callback_info info) {
  Args a;
  Geo g;
  if (!getArgs(env, info, a, 14) || !geometry(a, g)) return nullptr;
  int f32 = -1;
  const void* x = carr(a, 9, g.N * g.C * g.H * g.W, &f32, false);
  const void* w = carr(a, 10, g.O * g.K, &f32, false);
  const void* b = carr(a, 11, g.O, &f32, true);
  void* cols = carr(a, 12, g.N * g.K * g.P, &f32, false);
  void* y = carr(a, 13, g.N * g.O * g.P, &f32, false);
  if (!a.ok) return nullptr;
  if (f32) conv2dT<float>(g, (const float*)x, (const float*)w, (const float*)b, (float*)cols, (float*)y);
  else conv2dT<double>(g, (const double*)x, (const double*)w, (const double*)b, (double*)cols, (double*)y);
  return undef(env);
}

// conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, cols, w, go, gw|null, gb|null, gx|null, dcols|null)
napi_value conv2dGradFn(napi_env env, napi_callback_info info) {
  Args a;
  Geo g;
  if (!getArgs(env, info, a, 16) || !geometry(a, g)) return nullptr;
  int f32 = -1;
  const void* cols = carr(a, 9, g.N * g.K * g.P, &f32, false);
  const void* w = carr(a, 10, g.O * g.K, &f32, false);
  const void* go = carr(a, 11, g.N * g.O * g.P, &f32, false);
  void* gw = carr(a, 12, g.O * g.K, &f32, true);
  void* gb = carr(a, 13, g.O, &f32, true);
  void* gx = carr(a, 14, g.N * g.C * g.H * g.W, &f32, true);
  void* dcols = carr(a, 15, g.K * g.P, &f32, true);
  if (!a.ok) return nullptr;
  if (gx && !dcols) return fail(env, "native conv2dGrad: gx needs dcols"), nullptr;
  if (f32) conv2dGradT<float>(g, (const float*)cols, (const float*)w, (const float*)go, (float*)gw, (float*)gb, (float*)gx, (float*)dcols);
  else conv2dGradT<double>(g, (const double*)cols, (const double*)w, (const double*)go, (double*)gw, (double*)gb, (double*)gx, (double*)dcols);
  return undef(env);
}

// maxPool(NC, H, W, k, stride, x, y, arg)
napi_value maxPoolFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 8)) return nullptr;
  long NC = integer(a, 0), H = integer(a, 1), W = integer(a, 2), k = integer(a, 3), stride = integer(a, 4);
  if (!a.ok) return nullptr;
  if (k < 1 || stride < 1 || H < k || W < k) return fail(env, "native maxPool: bad geometry"), nullptr;
  const long n = NC * ((H - k) / stride + 1) * ((W - k) / stride + 1);
  int f32 = -1;
  const void* x = carr(a, 5, NC * H * W, &f32, false);
  void* y = carr(a, 6, n, &f32, false);
  int* arg = (int*)carr(a, 7, n, &f32, false, true);
  if (!a.ok) return nullptr;
  if (NC * H * W > 2147483647L) return fail(env, "native maxPool: input too large for Int32 indices"), nullptr;
  if (f32) maxPoolT<float>(NC, H, W, k, stride, (const float*)x, (float*)y, arg);
  else maxPoolT<double>(NC, H, W, k, stride, (const double*)x, (double*)y, arg);
  return undef(env);
}

// maxPoolGrad(n, nx, arg, go, gx): gx[arg[i]] += go[i] (arg checked against gx's length nx)
napi_value maxPoolGradFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 5)) return nullptr;
  long n = integer(a, 0), nx = integer(a, 1);
  int f32 = -1;
  const int* arg = (const int*)carr(a, 2, n, &f32, false, true);
  const void* go = carr(a, 3, n, &f32, false);
  void* gx = carr(a, 4, nx, &f32, false);
  if (!a.ok) return nullptr;
  for (long i = 0; i < n; i++) if (arg[i] < 0 || arg[i] >= nx) return fail(env, "native maxPoolGrad: index out of range"), nullptr;
  if (f32) { const float* g = (const float*)go; float* x = (float*)gx; for (long i = 0; i < n; i++) x[arg[i]] += g[i]; }
  else { const double* g = (const double*)go; double* x = (double*)gx; for (long i = 0; i < n; i++) x[arg[i]] += g[i]; }
  return undef(env);
}

} // namespace

void ptRegisterConv(napi_env env, napi_value exports) {
  struct { const char* name; napi_callback cb; } fns[] = {
    { "conv2d", conv2dFn }, { "conv2dGrad", conv2dGradFn }, { "maxPool", maxPoolFn }, { "maxPoolGrad", maxPoolGradFn },
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
}
