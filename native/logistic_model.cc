// The logistic loss's whole per-point pass for proximal Newton (src/linear/solver/prox-newton.ts,
// issue 17), all tasks in one call: per task t (rows offsets[t] … offsets[t+1] of the row-major x,
// d columns; weights column t of the d × T row-major w, intercept b[t], scale c[t]):
//   z_i = x_iᵀw_t + b_t,  f_t = c_t Σ s_i log(1 + e^(−y_i z_i)),  r_i = s_i (σ(z_i) − [y_i > 0]),
//   g_t = c_t Xᵀr (column t of g),  gb_t = c_t Σ r_i,
// and with `model`: D_i = s_i σ(z_i)σ(−z_i), H_t = c_t XᵀDX (both triangles), sx_t = c_t XᵀD1, s0_t = c_t 1ᵀD1.
// One read of each row: the d × d Gram is accumulated row by row (upper triangle, mirrored at the
// end), no √D·X copy, no separate GEMV/Gram calls. The TypeScript function logisticModelBatched
// (src/linalg/kernels/reference.ts) is the reference: same operations in the same order; only the
// libm exp / log1p and FMA contraction differ (test/linalg/kernels/logistic-model.test.ts: 1e-12).
#include <cmath>
#include <cstdlib>
#include <node_api.h>
#include "batched_kernels.h"

namespace {

bool run(long count, const int* off, long d, const double* x, const double* y, const double* s, const double* w, const double* b,
         const double* c, bool model, double* g, double* gb, double* H, double* sx, double* s0, double* f) {
  double* scratch = (double*)std::malloc(sizeof(double) * (size_t)(3 * d + d * d + 1));
  if (!scratch) return false;
  double* wt = scratch;
  double* gt = wt + d;
  double* st = gt + d;
  double* Ht = st + d;
  for (long t = 0; t < count; t++) {
    for (long j = 0; j < d; j++) {
      wt[j] = w[j * count + t];
      gt[j] = 0;
      st[j] = 0;
    }
    if (model) for (long q = 0; q < d * d; q++) Ht[q] = 0;
    const double bt = b[t];
    double val = 0, gsum = 0, S = 0;
    for (long i = off[t]; i < off[t + 1]; i++) {
      const double* xi = x + i * d;
      double z = 0;
      for (long j = 0; j < d; j++) z += xi[j] * wt[j];
      z += bt;
      const double si = s ? s[i] : 1.0;
      // Stable: e = e^(−|z|), σ(z) from it, log(1 + e^(−yz)) = max(−yz, 0) + log1p(e).
      const double e = std::exp(-std::fabs(z));
      const double p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const double yi = y[i];
      const double m = -yi * z;
      val += si * ((m > 0 ? m : 0) + std::log1p(e));
      const double r = si * (yi > 0 ? p - 1 : p);
      gsum += r;
      for (long j = 0; j < d; j++) gt[j] += r * xi[j];
      if (!model) continue;
      const double D = si * p * (1 - p);
      S += D;
      for (long j = 0; j < d; j++) {
        const double a = D * xi[j];
        st[j] += a;
        double* hr = Ht + j * d;
        for (long k = j; k < d; k++) hr[k] += a * xi[k];
      }
    }
    const double ct = c[t];
    f[t] = ct * val;
    gb[t] = ct * gsum;
    for (long j = 0; j < d; j++) g[j * count + t] = ct * gt[j];
    if (!model) continue;
    s0[t] = ct * S;
    double* Mt = H + t * d * d;
    for (long j = 0; j < d; j++) {
      sx[t * d + j] = ct * st[j];
      for (long k = j; k < d; k++) Mt[j * d + k] = Mt[k * d + j] = ct * Ht[j * d + k];
    }
  }
  std::free(scratch);
  return true;
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

void* arr(napi_env env, napi_value v, napi_typedarray_type want, long need, bool& ok) {
  napi_typedarray_type t;
  size_t n = 0;
  void* data = nullptr;
  if (!ok) return nullptr;
  if (napi_get_typedarray_info(env, v, &t, &n, &data, nullptr, nullptr) != napi_ok || t != want) {
    ok = fail(env, want == napi_int32_array ? "native: expected an Int32Array" : "native: expected a Float64Array");
    return nullptr;
  }
  if ((long)n < need) {
    ok = fail(env, "native: array shorter than its shape");
    return nullptr;
  }
  return data;
}

// dlogisticModelBatched(count, offsets, d, x, y, s | null, w, b, c, model, g, gb, h, sx, s0, f)
napi_value modelFn(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value v[16];
  if (napi_get_cb_info(env, info, &argc, v, nullptr, nullptr) != napi_ok || argc < 16) return fail(env, "native dlogisticModelBatched: 16 arguments"), nullptr;
  bool ok = true, model = false;
  const double cd = num(env, v[0], ok), dd = num(env, v[2], ok);
  if (ok && (cd < 0 || dd < 0 || cd != std::floor(cd) || dd != std::floor(dd) || cd > 1e9 || dd > 1e6))
    return fail(env, "native dlogisticModelBatched: count, d must be integers ≥ 0"), nullptr;
  const long count = (long)cd, d = (long)dd;
  const int* off = (const int*)arr(env, v[1], napi_int32_array, count + 1, ok);
  if (!ok) return nullptr;
  if (off[0] < 0) return fail(env, "native dlogisticModelBatched: offsets[0] < 0"), nullptr;
  for (long t = 0; t < count; t++)
    if (off[t + 1] < off[t]) return fail(env, "native dlogisticModelBatched: offsets must be non-decreasing"), nullptr;
  const long rows = off[count];
  const double* x = (const double*)arr(env, v[3], napi_float64_array, rows * d, ok);
  const double* y = (const double*)arr(env, v[4], napi_float64_array, rows, ok);
  napi_valuetype st;
  if (ok && napi_typeof(env, v[5], &st) != napi_ok) return fail(env, "native: bad argument"), nullptr;
  const double* s = ok && st != napi_null && st != napi_undefined ? (const double*)arr(env, v[5], napi_float64_array, rows, ok) : nullptr;
  const double* w = (const double*)arr(env, v[6], napi_float64_array, d * count, ok);
  const double* b = (const double*)arr(env, v[7], napi_float64_array, count, ok);
  const double* c = (const double*)arr(env, v[8], napi_float64_array, count, ok);
  if (ok && napi_get_value_bool(env, v[9], &model) != napi_ok) return fail(env, "native: expected a boolean"), nullptr;
  double* g = (double*)arr(env, v[10], napi_float64_array, d * count, ok);
  double* gb = (double*)arr(env, v[11], napi_float64_array, count, ok);
  double* H = (double*)arr(env, v[12], napi_float64_array, model ? count * d * d : 0, ok);
  double* sx = (double*)arr(env, v[13], napi_float64_array, model ? count * d : 0, ok);
  double* s0 = (double*)arr(env, v[14], napi_float64_array, model ? count : 0, ok);
  double* f = (double*)arr(env, v[15], napi_float64_array, count, ok);
  if (!ok) return nullptr;
  if (!run(count, off, d, x, y, s, w, b, c, model, g, gb, H, sx, s0, f)) return fail(env, "native dlogisticModelBatched: out of memory for its scratch"), nullptr;
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

}  // namespace

void ptRegisterLogisticModel(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "dlogisticModelBatched", NAPI_AUTO_LENGTH, modelFn, nullptr, &fn);
  napi_set_named_property(env, exports, "dlogisticModelBatched", fn);
}
