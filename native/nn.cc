// The neural engine's element-wise kernels (NnKernels in src/linalg/kernels/types.ts), with the
// formulas of src/linalg/kernels/nn-reference.ts. Activations are evaluated in double and stored in
// the array's precision, as the TypeScript reference does (it computes in JavaScript numbers), so
// the two agree to the last bit or one rounding. The row loops vectorise (compiled for AVX2).
#include "kernels.h"
#include <cmath>
#include "pool.h"

namespace {

const double GELU_K0 = 0.7978845608028654; // √(2/π)
const double GELU_K1 = 0.044715;

template <typename T, int ACT>
void biasActT(long rows, long n, const T* x, const T* bias, double slope, T* y, T* d) {
  const T sl = (T)slope;
  for (long r = 0; r < rows; r++) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    T* dr = d ? d + r * n : nullptr;
    if (ACT <= 2) {
      // identity, relu, leakyRelu: exact in the array's precision (x + b is one rounding either way),
      // branch-free loops the compiler vectorises
      if (bias) for (long j = 0; j < n; j++) yr[j] = xr[j] + bias[j];
      else if (yr != xr) for (long j = 0; j < n; j++) yr[j] = xr[j];
      if (ACT == 0) {
        if (dr) for (long j = 0; j < n; j++) dr[j] = 1;
      } else {
        if (dr) for (long j = 0; j < n; j++) dr[j] = yr[j] > 0 ? (T)1 : (ACT == 1 ? (T)0 : sl);
        for (long j = 0; j < n; j++) yr[j] = yr[j] > 0 ? yr[j] : (ACT == 1 ? (T)0 : sl * yr[j]);
      }
      continue;
    }
    for (long j = 0; j < n; j++) {
      const double v = (double)xr[j] + (bias ? (double)bias[j] : 0.0);
      double out, der;
      if (ACT == 3) {
        const double t = std::tanh(GELU_K0 * (v + GELU_K1 * v * v * v));
        out = 0.5 * v * (1 + t);
        der = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_K0 * (1 + 3 * GELU_K1 * v * v);
      } else if (ACT == 4) { out = std::tanh(v); der = 1 - out * out; }
      else { out = v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v)); der = out * (1 - out); }
      yr[j] = (T)out;
      if (dr) dr[j] = (T)der;
    }
  }
}

template <typename T>
void biasActDispatch(int act, long rows, long n, const T* x, const T* bias, double slope, T* y, T* d) {
  switch (act) {
    case 0: biasActT<T, 0>(rows, n, x, bias, slope, y, d); break;
    case 1: biasActT<T, 1>(rows, n, x, bias, slope, y, d); break;
    case 2: biasActT<T, 2>(rows, n, x, bias, slope, y, d); break;
    case 3: biasActT<T, 3>(rows, n, x, bias, slope, y, d); break;
    case 4: biasActT<T, 4>(rows, n, x, bias, slope, y, d); break;
    default: biasActT<T, 5>(rows, n, x, bias, slope, y, d); break;
  }
}

template <typename T>
void softmaxT(long rows, long n, const T* x, T* y) {
  for (long r = 0; r < rows; r++) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    double m = -INFINITY;
    for (long j = 0; j < n; j++) if ((double)xr[j] > m) m = xr[j];
    double s = 0;
    for (long j = 0; j < n; j++) {
      const T e = (T)std::exp((double)xr[j] - m);
      yr[j] = e;
      s += (double)e;
    }
    const double inv = 1 / s;
    for (long j = 0; j < n; j++) yr[j] = (T)((double)yr[j] * inv);
  }
}

template <typename T>
void colSumsT(long rows, long n, const T* x, double beta, T* out) {
  // Column sums accumulated in the array's precision row by row, as the reference does.
  for (long j = 0; j < n; j++) out[j] = beta == 0 ? (T)0 : (T)(beta * (double)out[j]);
  for (long r = 0; r < rows; r++) {
    const T* xr = x + r * n;
    for (long j = 0; j < n; j++) out[j] += xr[j];
  }
}

template <typename T>
void im2colT(long N, long C, long H, long W, long kh, long kw, long stride, long pad, const T* x, T* cols) {
  const long Ho = (H + 2 * pad - kh) / stride + 1, Wo = (W + 2 * pad - kw) / stride + 1;
  const long P = Ho * Wo, K = C * kh * kw;
  for (long b = 0; b < N; b++)
    for (long ho = 0; ho < Ho; ho++)
      for (long wo = 0; wo < Wo; wo++) {
        T* row = cols + (b * P + ho * Wo + wo) * K;
        for (long c = 0; c < C; c++)
          for (long i = 0; i < kh; i++) {
            const long hi = ho * stride + i - pad;
            T* dst = row + (c * kh + i) * kw;
            if (hi < 0 || hi >= H) {
              for (long j = 0; j < kw; j++) dst[j] = 0;
              continue;
            }
            const T* xrow = x + ((b * C + c) * H + hi) * W;
            const long w0 = wo * stride - pad;
            if (w0 >= 0 && w0 + kw <= W) {
              for (long j = 0; j < kw; j++) dst[j] = xrow[w0 + j];
            } else {
              for (long j = 0; j < kw; j++) {
                const long wi = w0 + j;
                dst[j] = wi < 0 || wi >= W ? (T)0 : xrow[wi];
              }
            }
          }
      }
}

template <typename T>
void col2imT(long N, long C, long H, long W, long kh, long kw, long stride, long pad, const T* cols, T* x) {
  const long Ho = (H + 2 * pad - kh) / stride + 1, Wo = (W + 2 * pad - kw) / stride + 1;
  const long P = Ho * Wo, K = C * kh * kw;
  for (long b = 0; b < N; b++)
    for (long ho = 0; ho < Ho; ho++)
      for (long wo = 0; wo < Wo; wo++) {
        const T* row = cols + (b * P + ho * Wo + wo) * K;
        for (long c = 0; c < C; c++)
          for (long i = 0; i < kh; i++) {
            const long hi = ho * stride + i - pad;
            if (hi < 0 || hi >= H) continue;
            const T* src = row + (c * kh + i) * kw;
            T* xrow = x + ((b * C + c) * H + hi) * W;
            const long w0 = wo * stride - pad;
            if (w0 >= 0 && w0 + kw <= W) {
              for (long j = 0; j < kw; j++) xrow[w0 + j] += src[j];
            } else {
              for (long j = 0; j < kw; j++) {
                const long wi = w0 + j;
                if (wi >= 0 && wi < W) xrow[wi] += src[j];
              }
            }
          }
      }
}

template <typename T>
void biasActGradT(long rows, long n, const T* go, const T* d, T* gx, T* gb) {
  for (long r = 0; r < rows; r++) {
    const T* g = go + r * n;
    const T* dr = d ? d + r * n : nullptr;
    T* xr = gx ? gx + r * n : nullptr;
    if (dr) {
      if (xr) for (long j = 0; j < n; j++) xr[j] += g[j] * dr[j];
      if (gb) for (long j = 0; j < n; j++) gb[j] += g[j] * dr[j];
    } else {
      if (xr) for (long j = 0; j < n; j++) xr[j] += g[j];
      if (gb) for (long j = 0; j < n; j++) gb[j] += g[j];
    }
  }
}

template <typename T>
void mulAccT(long n, const T* a, const T* b, T* out) {
  if (b) for (long i = 0; i < n; i++) out[i] += a[i] * b[i];
  else for (long i = 0; i < n; i++) out[i] += a[i];
}

/** Σ_p x[p]·y[p] with 16 independent partial sums (so the compiler vectorises the reduction). */
template <typename T>
T dot(long k, const T* x, const T* y) {
  T acc[16] = {};
  long p = 0;
  for (; p + 16 <= k; p += 16)
    for (int q = 0; q < 16; q++) acc[q] += x[p + q] * y[p + q];
  T s = 0;
  for (int q = 0; q < 16; q++) s += acc[q];
  for (; p < k; p++) s += x[p] * y[p];
  return s;
}

template <typename T>
void adamT(long n, T* g, T* m, T* v, double b1, double b2, double bc1, double sbc2, double eps) {
  for (long i = 0; i < n; i++) {
    const double gi = g[i];
    const double mi = b1 * (double)m[i] + (1 - b1) * gi;
    const double vi = b2 * (double)v[i] + (1 - b2) * gi * gi;
    m[i] = (T)mi;
    v[i] = (T)vi;
    g[i] = (T)(mi / bc1 / (std::sqrt(vi) / sbc2 + eps));
  }
}

template <typename T>
struct BmmJob {
  bool ta, tb;
  long batch, m, n, k;
  const T* A; long sa, lda;
  const T* B; long sb, ldb;
  T beta;
  T* C; long sc, ldc;
  int parts;
};

/** The products of examples [i0, i1): no packing (m, k are small: experts, tasks), inner loops over n vectorise. */
template <typename T>
void bmmRange(const BmmJob<T>& J, long i0, long i1) {
  const long m = J.m, n = J.n, k = J.k;
  for (long i = i0; i < i1; i++) {
    const T* A = J.A + i * J.sa;
    const T* B = J.B + i * J.sb;
    T* C = J.C + i * J.sc;
    for (long r = 0; r < m; r++) {
      T* c = C + r * J.ldc;
      if (!J.tb) {
        // a block of JB columns of the C row stays in registers over the whole sum (k is small:
        // experts or tasks), so C is read and written once, not once per p
        enum { JB = 64 };
        long j0 = 0;
        for (; j0 + JB <= n; j0 += JB) {
          T acc[JB];
          for (int q = 0; q < JB; q++) acc[q] = J.beta == 0 ? (T)0 : J.beta * c[j0 + q];
          for (long p = 0; p < k; p++) {
            const T av = J.ta ? A[p * J.lda + r] : A[r * J.lda + p];
            const T* b = B + p * J.ldb + j0;
            for (int q = 0; q < JB; q++) acc[q] += av * b[q];
          }
          for (int q = 0; q < JB; q++) c[j0 + q] = acc[q];
        }
        if (j0 < n) {
          for (long j = j0; j < n; j++) c[j] = J.beta == 0 ? (T)0 : J.beta * c[j];
          for (long p = 0; p < k; p++) {
            const T av = J.ta ? A[p * J.lda + r] : A[r * J.lda + p];
            const T* b = B + p * J.ldb;
            for (long j = j0; j < n; j++) c[j] += av * b[j];
          }
        }
        continue;
      }
      if (J.beta == 0) for (long j = 0; j < n; j++) c[j] = 0;
      else if (J.beta != 1) for (long j = 0; j < n; j++) c[j] *= J.beta;
      if (!J.ta) {
        for (long j = 0; j < n; j++) c[j] += dot<T>(k, A + r * J.lda, B + j * J.ldb);
      } else {
        for (long j = 0; j < n; j++) {
          const T* b = B + j * J.ldb;
          T s = 0;
          for (long p = 0; p < k; p++) s += A[p * J.lda + r] * b[p];
          c[j] += s;
        }
      }
    }
  }
}

template <typename T>
void bmmPart(void* ctx, int t) {
  const BmmJob<T>& J = *(const BmmJob<T>*)ctx;
  const long per = (J.batch + J.parts - 1) / J.parts;
  const long i0 = t * per, i1 = i0 + per < J.batch ? i0 + per : J.batch;
  if (i0 < i1) bmmRange<T>(J, i0, i1);
}

template <typename T>
void bmmT(bool ta, bool tb, long batch, long m, long n, long k, const T* A, long sa, long lda, const T* B, long sb, long ldb,
          double beta, T* C, long sc, long ldc, int threads) {
  BmmJob<T> J = { ta, tb, batch, m, n, k, A, sa, lda, B, sb, ldb, (T)beta, C, sc, ldc, 1 };
  // Split over examples only when there is enough work to pay for the wake-up (as the GEMM: ~96³).
  if (threads > 1 && batch > 1 && (double)batch * m * n * k >= 96.0 * 96 * 96) {
    J.parts = ptAcquire(threads < batch ? threads : (int)batch);
  }
  if (J.parts <= 1) bmmRange<T>(J, 0, batch);
  else {
    ptParallel(J.parts, bmmPart<T>, &J);
    ptRelease();
  }
}

} // namespace

void ptCol2im(bool f32, long N, long C, long H, long W, long kh, long kw, long stride, long pad, const void* cols, void* x) {
  if (f32) col2imT<float>(N, C, H, W, kh, kw, stride, pad, (const float*)cols, (float*)x);
  else col2imT<double>(N, C, H, W, kh, kw, stride, pad, (const double*)cols, (double*)x);
}
void ptBiasActGrad(bool f32, long rows, long n, const void* go, const void* d, void* gx, void* gb) {
  if (f32) biasActGradT<float>(rows, n, (const float*)go, (const float*)d, (float*)gx, (float*)gb);
  else biasActGradT<double>(rows, n, (const double*)go, (const double*)d, (double*)gx, (double*)gb);
}
void ptMulAcc(bool f32, long n, const void* a, const void* b, void* out) {
  if (f32) mulAccT<float>(n, (const float*)a, (const float*)b, (float*)out);
  else mulAccT<double>(n, (const double*)a, (const double*)b, (double*)out);
}
void ptAdam(bool f32, long n, void* g, void* m, void* v, double b1, double b2, double bc1, double sbc2, double eps) {
  if (f32) adamT<float>(n, (float*)g, (float*)m, (float*)v, b1, b2, bc1, sbc2, eps);
  else adamT<double>(n, (double*)g, (double*)m, (double*)v, b1, b2, bc1, sbc2, eps);
}
void ptBmm(bool f32, bool ta, bool tb, long batch, long m, long n, long k, const void* A, long sa, long lda, const void* B, long sb,
           long ldb, double beta, void* C, long sc, long ldc, int threads) {
  if (f32) bmmT<float>(ta, tb, batch, m, n, k, (const float*)A, sa, lda, (const float*)B, sb, ldb, beta, (float*)C, sc, ldc, threads);
  else bmmT<double>(ta, tb, batch, m, n, k, (const double*)A, sa, lda, (const double*)B, sb, ldb, beta, (double*)C, sc, ldc, threads);
}

void ptBiasAct(bool f32, int act, long rows, long n, const void* x, const void* bias, double slope, void* y, void* d) {
  if (f32) biasActDispatch<float>(act, rows, n, (const float*)x, (const float*)bias, slope, (float*)y, (float*)d);
  else biasActDispatch<double>(act, rows, n, (const double*)x, (const double*)bias, slope, (double*)y, (double*)d);
}
void ptSoftmax(bool f32, long rows, long n, const void* x, void* y) {
  if (f32) softmaxT<float>(rows, n, (const float*)x, (float*)y);
  else softmaxT<double>(rows, n, (const double*)x, (double*)y);
}
void ptColSums(bool f32, long rows, long n, const void* x, double beta, void* out) {
  if (f32) colSumsT<float>(rows, n, (const float*)x, beta, (float*)out);
  else colSumsT<double>(rows, n, (const double*)x, beta, (double*)out);
}
void ptIm2col(bool f32, long N, long C, long H, long W, long kh, long kw, long stride, long pad, const void* x, void* cols) {
  if (f32) im2colT<float>(N, C, H, W, kh, kw, stride, pad, (const float*)x, (float*)cols);
  else im2colT<double>(N, C, H, W, kh, kw, stride, pad, (const double*)x, (double*)cols);
}
