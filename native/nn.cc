// The neural engine's element-wise kernels (NnKernels in src/linalg/kernels/types.ts), with the
// formulas of src/linalg/kernels/nn-reference.ts. Activations are evaluated in double and stored in
// the array's precision, as the TypeScript reference does (it computes in JavaScript numbers), so
// the two agree to the last bit or one rounding. The row loops vectorise (compiled for AVX2).
#include "kernels.h"
#include <cmath>

namespace {

const double GELU_K0 = 0.7978845608028654; // √(2/π)
const double GELU_K1 = 0.044715;

template <typename T, int ACT>
void biasActT(long rows, long n, const T* x, const T* bias, double slope, T* y, T* d) {
  for (long r = 0; r < rows; r++) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    T* dr = d ? d + r * n : nullptr;
    for (long j = 0; j < n; j++) {
      const double v = (double)xr[j] + (bias ? (double)bias[j] : 0.0);
      double out, der;
      if (ACT == 0) { out = v; der = 1; }
      else if (ACT == 1) { out = v > 0 ? v : 0; der = v > 0 ? 1 : 0; }
      else if (ACT == 2) { out = v > 0 ? v : slope * v; der = v > 0 ? 1 : slope; }
      else if (ACT == 3) {
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

} // namespace

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
