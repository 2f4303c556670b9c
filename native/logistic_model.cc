// The logistic loss's whole per-point pass for proximal Newton (src/linear/solver/prox-newton.ts,
// issue 17), all tasks in one call: per task t (rows offsets[t] … offsets[t+1] of the row-major x,
// d columns; weights column t of the d × T row-major w, intercept b[t], scale c[t]):
//   z_i = x_iᵀw_t + b_t,  f_t = c_t Σ s_i log(1 + e^(−y_i z_i)),  r_i = s_i (σ(z_i) − [y_i > 0]),
//   g_t = c_t Xᵀr (column t of g),  gb_t = c_t Σ r_i,
// and with `model`: D_i = s_i σ(z_i)σ(−z_i), H_t = c_t XᵀDX (both triangles), sx_t = c_t XᵀD1, s0_t = c_t 1ᵀD1.
// One read of each row (in chunks of 64, see run()), the d × d Gram accumulated in its upper triangle
// and mirrored at the end: no √D·X copy, no separate GEMV/Gram calls. The TypeScript function logisticModelBatched
// (src/linalg/kernels/reference.ts) is the reference: same operations in the same order; only the
// libm exp / log1p and FMA contraction differ (test/linalg/kernels/logistic-model.test.ts: 1e-12).
#include <cmath>
#include <cstdlib>
#include <immintrin.h>
#include <node_api.h>
#include "batched_kernels.h"
#include "napi_args.h"

// glibc's vector math library (libmvec): its AVX2 exp has been there since 2.22, log1p since 2.35.
// binding.gyp links -lmvec on Linux; elsewhere, or with an older glibc, the scalar loop runs.
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ) && defined(PT_HAVE_LIBMVEC)
#if __GLIBC_PREREQ(2, 35)
#define PT_LIBMVEC 1
extern "C" __m256d _ZGVdN4v_exp(__m256d);
extern "C" __m256d _ZGVdN4v_log1p(__m256d);
#endif
#endif
#ifndef PT_LIBMVEC
#define PT_LIBMVEC 0
#endif

namespace {

constexpr long B = PT_LOGISTIC_CHUNK;  // rows per chunk (64): the chunk's transposed rows (d × 64 doubles) stay in L1

inline double hsum(__m256d v) {
  __m128d lo = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(lo) + _mm_cvtsd_f64(_mm_unpackhi_pd(lo, lo));
}

inline double sumB(const double* a) {
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
  for (long i = 0; i < B; i += 16) {
    s0 = _mm256_add_pd(_mm256_loadu_pd(a + i), s0);
    s1 = _mm256_add_pd(_mm256_loadu_pd(a + i + 4), s1);
    s2 = _mm256_add_pd(_mm256_loadu_pd(a + i + 8), s2);
    s3 = _mm256_add_pd(_mm256_loadu_pd(a + i + 12), s3);
  }
  return hsum(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
}

/** In place e ← exp(e), and l ← log1p(exp(e)), over B entries: four at a time by libmvec (glibc ≥ 2.35, its
 *  AVX2 variants, ≤ 4 ulp), else the scalar libm functions. */
inline void expLog1p(double* e, double* l) {
#if PT_LIBMVEC
  for (long i = 0; i < B; i += 4) {
    const __m256d v = _ZGVdN4v_exp(_mm256_loadu_pd(e + i));
    _mm256_storeu_pd(e + i, v);
    _mm256_storeu_pd(l + i, _ZGVdN4v_log1p(v));
  }
#else
  for (long i = 0; i < B; i++) {
    e[i] = std::exp(e[i]);
    l[i] = std::log1p(e[i]);
  }
#endif
}

/** The task's reductions over its nc chunks (chunk-major: chunk c's column j at X + c·d·B + j·B): gt = Xᵀr and,
 *  with the model, st = XᵀD1 and the upper triangle of Ht = XᵀDX (ax = D∘X in the same layout). Each entry is
 *  one dot product over all the task's rows with four vector accumulators, added across lanes once per task
 *  (not once per chunk: that horizontal sum cost as much as the products at d = 9). */
void taskReduce(long d, long nc, bool model, const double* rv, const double* dv, const double* X, const double* ax,
                double* gt, double* st, double* Ht) {
  const long cs = d * B;
  const auto dot = [&](const double* a, long as, const double* x) {
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    for (long c = 0; c < nc; c++) {
      const double* ac = a + c * as;
      const double* xc = x + c * cs;
      for (long i = 0; i < B; i += 16) {
        s0 = _mm256_fmadd_pd(_mm256_loadu_pd(ac + i), _mm256_loadu_pd(xc + i), s0);
        s1 = _mm256_fmadd_pd(_mm256_loadu_pd(ac + i + 4), _mm256_loadu_pd(xc + i + 4), s1);
        s2 = _mm256_fmadd_pd(_mm256_loadu_pd(ac + i + 8), _mm256_loadu_pd(xc + i + 8), s2);
        s3 = _mm256_fmadd_pd(_mm256_loadu_pd(ac + i + 12), _mm256_loadu_pd(xc + i + 12), s3);
      }
    }
    return hsum(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  };
  for (long j = 0; j < d; j++) gt[j] = dot(rv, B, X + j * B);
  if (!model) return;
  for (long j = 0; j < d; j++) {
    st[j] = dot(dv, B, X + j * B);
    for (long k = j; k < d; k++) Ht[j * d + k] = dot(ax + j * B, cs, X + k * B);
  }
}

// Rows are taken 64 at a time, each chunk transposed (column j of the chunk contiguous): stored so by the
// packer once per fit (packed), else transposed here into a task-sized scratch. Per chunk: z, e^(−|z|),
// log1p, and the row math giving the loss, r and D; then per task every reduction over rows — the
// gradient, XᵀD1 and each of the d(d+1)/2 Gram entries — is one dot product of contiguous 64-vectors
// chunk after chunk (taskReduce; the addon requires AVX2 + FMA at load; AVX-512 CPUs run z, exp/log1p and
// the reductions in 512-bit vectors, logistic_avx512.cc). A block's last chunk is padded with zero rows
// whose r and D are 0, so they add nothing. The loss and σ are per row exactly as the reference; only the
// summation order differs from it.
bool run(long count, const int* off, long d, const double* x, bool packed, const double* y, const double* s, const double* w, const double* b,
         const double* c, bool model, double* g, double* gb, double* H, double* sx, double* s0, double* f) {
  long maxChunks = 0;
  for (long t = 0; t < count; t++) {
    const long nc = (off[t + 1] - off[t] + B - 1) / B;
    if (nc > maxChunks) maxChunks = nc;
  }
  const long tb = maxChunks * B;  // the largest task's rows, padded
  double* scratch = (double*)std::malloc(sizeof(double) * (size_t)((packed ? 0 : tb * d) + (model ? tb * d : 0) + 2 * tb + 5 * B + 3 * d + d * d + 1));
  if (!scratch) return false;
  double* xs = scratch;
  double* axT = xs + (packed ? 0 : tb * d);
  double* rvT = axT + (model ? tb * d : 0);
  double* dvT = rvT + tb;
  double* zv = dvT + tb;
  double* sv = zv + B;
  double* ev = sv + B;
  double* lv = ev + B;
  double* yv = lv + B;
  double* wt = yv + B;
  double* gt = wt + d;
  double* st = gt + d;
  double* Ht = st + d;
  const long cs = d * B;
  long chunk = 0;  // packed: the chunk index of the current block's first rows
  // AVX-512 CPUs (unless forced to AVX2): z, exp/log1p and the reductions in 512-bit vectors.
  const bool v512 = ptUse512();
  for (long t = 0; t < count; t++) {
    const long nc = (off[t + 1] - off[t] + B - 1) / B;
    const double* X = packed ? x + chunk * cs : xs;  // packLogisticRows' layout: transposed and zero-padded
    chunk += nc;
    if (!packed) {
      for (long ci = 0; ci < nc; ci++) {
        const long i0 = off[t] + ci * B;
        const long m = off[t + 1] - i0 < B ? off[t + 1] - i0 : B;
        const double* xc = x + i0 * d;
        double* xo = xs + ci * cs;
        for (long i = 0; i < m; i++)
          for (long j = 0; j < d; j++) xo[j * B + i] = xc[i * d + j];
        if (m < B)
          for (long j = 0; j < d; j++)
            for (long i = m; i < B; i++) xo[j * B + i] = 0;
      }
    }
    for (long j = 0; j < d; j++) wt[j] = w[j * count + t];
    const double bt = b[t];
    double val = 0, gsum = 0, S = 0;
    for (long ci = 0; ci < nc; ci++) {
      const long i0 = off[t] + ci * B;
      const long m = off[t + 1] - i0 < B ? off[t + 1] - i0 : B;
      const double* xt = X + ci * cs;
      double* rv = rvT + ci * B;
      double* dv = dvT + ci * B;
      // z = b + Σ_j w_j x_j, 16 rows at a time in four registers.
      if (v512) pt_avx512::logisticZ(d, bt, wt, xt, zv, ev, lv);
      else {
        for (long i = 0; i < B; i += 16) {
          __m256d z0 = _mm256_set1_pd(bt), z1 = z0, z2 = z0, z3 = z0;
          for (long j = 0; j < d; j++) {
            const __m256d wj = _mm256_set1_pd(wt[j]);
            const double* col = xt + j * B + i;
            z0 = _mm256_fmadd_pd(wj, _mm256_loadu_pd(col), z0);
            z1 = _mm256_fmadd_pd(wj, _mm256_loadu_pd(col + 4), z1);
            z2 = _mm256_fmadd_pd(wj, _mm256_loadu_pd(col + 8), z2);
            z3 = _mm256_fmadd_pd(wj, _mm256_loadu_pd(col + 12), z3);
          }
          _mm256_storeu_pd(zv + i, z0);
          _mm256_storeu_pd(zv + i + 4, z1);
          _mm256_storeu_pd(zv + i + 8, z2);
          _mm256_storeu_pd(zv + i + 12, z3);
        }
        for (long i = 0; i < B; i++) ev[i] = -std::fabs(zv[i]);
        expLog1p(ev, lv);
      }
      // Per row: e = e^(−|z|), σ(z) from it, the stable loss max(−yz, 0) + log1p(e), r and D. The padding
      // rows get weight 0. (Plain copies, not `i < m ? s[i0 + i] : …` selects: the compiler turns those
      // into masked loads, which take a microcode assist per call when a masked-off lane points at an
      // invalid page — s = null.)
      if (s) for (long i = 0; i < m; i++) sv[i] = s[i0 + i];
      else for (long i = 0; i < m; i++) sv[i] = 1.0;
      for (long i = 0; i < m; i++) yv[i] = y[i0 + i];
      for (long i = m; i < B; i++) sv[i] = 0.0, yv[i] = 1.0;
      // The row math in AVX2 (the scalar form compiled to a branch on the label's sign: mispredicted
      // half the time); each lane computes exactly the reference's expressions.
      const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
      for (long i = 0; i < B; i += 4) {
        const __m256d z = _mm256_loadu_pd(zv + i), e = _mm256_loadu_pd(ev + i), si = _mm256_loadu_pd(sv + i), yi = _mm256_loadu_pd(yv + i);
        const __m256d p = _mm256_div_pd(_mm256_blendv_pd(e, one, _mm256_cmp_pd(z, zero, _CMP_GE_OQ)), _mm256_add_pd(one, e));
        const __m256d mz = _mm256_mul_pd(_mm256_sub_pd(zero, yi), z);
        const __m256d mzp = _mm256_and_pd(mz, _mm256_cmp_pd(mz, zero, _CMP_GT_OQ));
        _mm256_storeu_pd(lv + i, _mm256_mul_pd(si, _mm256_add_pd(mzp, _mm256_loadu_pd(lv + i))));
        const __m256d ypos = _mm256_and_pd(one, _mm256_cmp_pd(yi, zero, _CMP_GT_OQ));
        _mm256_storeu_pd(rv + i, _mm256_mul_pd(si, _mm256_sub_pd(p, ypos)));
        _mm256_storeu_pd(dv + i, _mm256_mul_pd(_mm256_mul_pd(si, p), _mm256_sub_pd(one, p)));
      }
      val += sumB(lv);
      gsum += sumB(rv);
      S += sumB(dv);
      if (!model) continue;
      double* axc = axT + ci * cs;
      for (long j = 0; j < d; j++) {
        const double* col = xt + j * B;
        double* a = axc + j * B;
        for (long i = 0; i < B; i++) a[i] = dv[i] * col[i];
      }
    }
    if (v512) pt_avx512::logisticTaskReduce(d, nc, model, rvT, dvT, X, axT, gt, st, Ht);
    else taskReduce(d, nc, model, rvT, dvT, X, axT, gt, st, Ht);
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

using namespace ptnapi;

/** The block layout both calls open with: count (argument 0), offsets (1, count + 1 entries), d (2); rows =
 * offsets[count]. rangeError is the call's message when count or d is out of range; false after throwing it. */
struct Blocks { long count, d, rows; const int* off; };

bool readBlocks(Args& a, const char* rangeError, Blocks& b) {
  b.count = integer(a, 0);
  b.d = integer(a, 2);
  if (a.ok && (b.count > 1000000000L || b.d > 1000000L)) return fail(a.env, rangeError);
  b.off = (const int*)typedArray(a, 1, napi_int32_array, b.count + 1);
  b.rows = checkOffsets(a, b.off, b.count);
  return true;
}

/** The chunks of B rows the packed layout stores for the blocks (the last of each zero-padded). */
long chunkCount(const Blocks& b) {
  long chunks = 0;
  for (long t = 0; t < b.count; t++) chunks += (b.off[t + 1] - b.off[t] + B - 1) / B;
  return chunks;
}

// dlogisticModelBatched(count, offsets, d, x, y, s | null, w, b, c, model, g, gb, h, sx, s0, f[, packed])
napi_value modelFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 16)) return nullptr;
  Blocks bl;
  if (!readBlocks(a, "native dlogisticModelBatched: count or d out of range", bl)) return nullptr;
  const long count = bl.count, d = bl.d, rows = bl.rows;
  const int* off = bl.off;
  napi_valuetype pt = napi_undefined;
  if (a.ok && a.n > 16 && napi_typeof(env, a.v[16], &pt) != napi_ok) return fail(env, "native: bad argument"), nullptr;
  const bool packed = a.ok && a.n > 16 && pt == napi_boolean && flag(a, 16);
  const long chunks = a.ok && packed ? chunkCount(bl) : 0;
  const auto f64 = [&](int i, long need) { return (double*)typedArray(a, i, napi_float64_array, need); };
  const double* x = f64(3, packed ? chunks * B * d : rows * d);
  const double* y = f64(4, rows);
  napi_valuetype st = napi_undefined;
  if (a.ok && napi_typeof(env, a.v[5], &st) != napi_ok) return fail(env, "native: bad argument"), nullptr;
  const double* s = a.ok && st != napi_null && st != napi_undefined ? f64(5, rows) : nullptr;
  const double* w = f64(6, d * count);
  const double* b = f64(7, count);
  const double* c = f64(8, count);
  const bool model = flag(a, 9);
  double* g = f64(10, d * count);
  double* gb = f64(11, count);
  double* H = f64(12, model ? count * d * d : 0);
  double* sx = f64(13, model ? count * d : 0);
  double* s0 = f64(14, model ? count : 0);
  double* f = f64(15, count);
  if (!a.ok) return nullptr;
  if (!run(count, off, d, x, packed, y, s, w, b, c, model, g, gb, H, sx, s0, f)) return fail(env, "native dlogisticModelBatched: out of memory for its scratch"), nullptr;
  return undef(env);
}

// dpackLogisticRows(count, offsets, d, x, out): x (row-major stacked blocks) into the packed layout of
// src/linalg/kernels/reference.ts packLogisticRows (its definition): per block, chunks of B rows, each
// stored transposed (column j of the chunk contiguous), the last one zero-padded. Once per fit.
napi_value packFn(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 5)) return nullptr;
  Blocks bl;
  if (!readBlocks(a, "native dpackLogisticRows: count or d out of range", bl)) return nullptr;
  const long count = bl.count, d = bl.d, rows = bl.rows;
  const int* off = bl.off;
  const long chunks = a.ok ? chunkCount(bl) : 0;
  const double* x = (const double*)typedArray(a, 3, napi_float64_array, rows * d);
  double* out = (double*)typedArray(a, 4, napi_float64_array, chunks * B * d);
  if (!a.ok) return nullptr;
  double* o = out;
  for (long t = 0; t < count; t++) {
    for (long i0 = off[t]; i0 < off[t + 1]; i0 += B, o += B * d) {
      const long m = off[t + 1] - i0 < B ? off[t + 1] - i0 : B;
      const double* xc = x + i0 * d;
      for (long i = 0; i < m; i++)
        for (long j = 0; j < d; j++) o[j * B + i] = xc[i * d + j];
      for (long j = 0; j < d; j++)
        for (long i = m; i < B; i++) o[j * B + i] = 0;
    }
  }
  return undef(env);
}

}  // namespace

void ptRegisterLogisticModel(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "dlogisticModelBatched", NAPI_AUTO_LENGTH, modelFn, nullptr, &fn);
  napi_set_named_property(env, exports, "dlogisticModelBatched", fn);
  napi_create_function(env, "dpackLogisticRows", NAPI_AUTO_LENGTH, packFn, nullptr, &fn);
  napi_set_named_property(env, exports, "dpackLogisticRows", fn);
}
