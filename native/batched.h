// Batched per-task products over many small blocks (issue 15, many tasks): the native versions of
// dsymvBatched, dgemvBatched, dresidualGradBatched and dsqGradBatched (semantics: src/linalg/kernels/types.ts,
// reference: src/linalg/kernels/reference.ts). Written once, compiled twice like gemm.h:
// batched_avx2.cc (256-bit vectors) and batched_avx512.cc (512-bit), each in its own namespace.
//
// Why hand-written and not GEMM calls: each block is tiny (20 × 50 rows of a task, a 50 × 50 Gram
// block), so per-call set-up (packing, dispatch) would cost more than the work; and the work is
// memory-bound (each matrix entry is used for 2 or 4 flops), so what matters is reading every block
// once, contiguously, with vector FMAs. The fused residual-gradient reads a row, takes its dot
// product with x_t and immediately adds the row times the residual into g_t while it is in L1.
// Sums are formed in a different order than the reference's left-to-right loop (vector lanes, two
// accumulators), so results agree to rounding, not bit for bit (tests: 1e-12 relative).
// dsymv/dgemv/dresidualGrad run on one thread: they stream their operand once and are memory-bound
// (gemvRun in gemm.h makes the same choice below 2^18 entries). sqGradRange, the whole squared-loss
// evaluation of the solvers, works on a range of tasks so that the glue (batched_napi.cc) can split
// large calls over the pool: each task's block is 8 kB at 20 × 50, L2-resident per core, and two
// cores draw more bandwidth from L3 than one (bench/batched.bench.ts).

#ifndef PT_VEC_BYTES
#error "define PT_VEC_BYTES"
#endif

typedef double bvd __attribute__((vector_size(PT_VEC_BYTES)));
typedef double bvd_u __attribute__((vector_size(PT_VEC_BYTES), aligned(8), may_alias));
enum { BL = PT_VEC_BYTES / 8 };

static inline bvd bload(const double* p) { return *(const bvd_u*)p; }
static inline void bstore(double* p, bvd v) { *(bvd_u*)p = v; }
static inline double bhsum(bvd v) {
  double s = 0;
  for (int k = 0; k < BL; k++) s += v[k];
  return s;
}

/** Σ_j a[j]·x[j] over n entries (two vector accumulators, scalar tail). */
static inline double bdot(const double* __restrict a, const double* __restrict x, long n) {
  bvd acc0 = {}, acc1 = {};
  long j = 0;
  for (; j + 2 * BL <= n; j += 2 * BL) {
    acc0 += bload(a + j) * bload(x + j);
    acc1 += bload(a + j + BL) * bload(x + j + BL);
  }
  for (; j + BL <= n; j += BL) acc0 += bload(a + j) * bload(x + j);
  double s = bhsum(acc0 + acc1);
  for (; j < n; j++) s += a[j] * x[j];
  return s;
}

/** y[j] += s·a[j] over n entries. */
static inline void baxpy(double s, const double* __restrict a, double* __restrict y, long n) {
  const bvd sv = (bvd){} + s;
  long j = 0;
  for (; j + BL <= n; j += BL) bstore(y + j, bload(y + j) + sv * bload(a + j));
  for (; j < n; j++) y[j] += s * a[j];
}

/** y[j] = beta·y[j] (beta = 0: overwritten with 0, NaN ignored as in BLAS). */
static inline void bscale(double beta, double* y, long n) {
  if (beta == 0) for (long j = 0; j < n; j++) y[j] = 0;
  else if (beta != 1) for (long j = 0; j < n; j++) y[j] *= beta;
}

/**
 * y_t = alpha·A_t·x_t + beta·y_t for count symmetric d×d blocks. A_t symmetric, so A_t·x_t = Σ_j x_j·(row j
 * of A_t): a sequence of axpys over contiguous rows (vectorises without reassociating a reduction).
 * tmp: d doubles of scratch.
 */
static void symvBatchedRun(long count, long d, double alpha, const double* A, const double* x, double beta, double* y, double* tmp) {
  const long dd = d * d;
  for (long t = 0; t < count; t++) {
    const double* At = A + t * dd;
    const double* xt = x + t * d;
    double* yt = y + t * d;
    for (long i = 0; i < d; i++) tmp[i] = 0;
    for (long j = 0; j < d; j++) {
      baxpy(xt[j], At + j * d, tmp, d); // no skip of x_j = 0: NaN in A_t propagates as in the reference
    }
    if (beta == 0) for (long i = 0; i < d; i++) yt[i] = alpha * tmp[i];
    else for (long i = 0; i < d; i++) yt[i] = alpha * tmp[i] + beta * yt[i];
  }
}

/** GEMV over row-stacked blocks (offsets: count + 1 row starts), both orientations. */
static void gemvBatchedRun(bool trans, long count, const int* offsets, long n, double alpha, const double* A, const double* x,
                           double beta, double* y) {
  for (long t = 0; t < count; t++) {
    const long r0 = offsets[t], r1 = offsets[t + 1];
    if (!trans) {
      const double* xt = x + t * n;
      for (long i = r0; i < r1; i++) {
        const double s = bdot(A + i * n, xt, n);
        y[i] = beta == 0 ? alpha * s : alpha * s + beta * y[i];
      }
    } else {
      double* yt = y + t * n;
      bscale(beta, yt, n);
      for (long i = r0; i < r1; i++) {
        const double xi = alpha * x[i];
        if (xi != 0) baxpy(xi, A + i * n, yt, n);
      }
    }
  }
}

/** r_t = A_t·x_t − y_t, g_t = A_tᵀ·r_t: each row is read once (dot, then axpy while it is in L1). */
static void residualGradBatchedRun(long count, const int* offsets, long n, const double* A, const double* x, const double* yv,
                                   double* r, double* g) {
  for (long t = 0; t < count; t++) {
    const double* xt = x + t * n;
    double* gt = g + t * n;
    for (long j = 0; j < n; j++) gt[j] = 0;
    for (long i = offsets[t]; i < offsets[t + 1]; i++) {
      const double* ai = A + i * n;
      const double ri = bdot(ai, xt, n) - yv[i];
      r[i] = ri;
      baxpy(ri, ai, gt, n);
    }
  }
}

/** Tasks gathered together by sqGradRange: 8 consecutive columns of W or G share one cache line; 32 = 4 lines per row, 25 kB of scratch at d = 50 (in L1); 8 and 32 measured alike within noise. */
enum { SQ_TB = 32 };

/**
 * Tasks kb … kb+nb−1 with their weights gathered in wb (task kb+b at wb + b·n): gb (same layout) = A_kᵀr
 * unscaled, f[k] = ½ c_k ‖r‖², r = A_k w_k − y_k. Within a task, rows go in chunks of 32: first the chunk's
 * residuals, then its axpys while the rows are in L1. Shared by sqGradRange and the fused FISTA evaluation
 * (fista_rows.cc), so both give the same numbers.
 */
static void sqGradGatheredRun(long kb, long nb, const int* offsets, long n, const double* A, const double* wb, const double* yv,
                              const double* c, double* gb, double* f) {
  enum { CH = 32 };
  // Software prefetch SQ_PF doubles (8 kB) ahead of the row being read, one line per 8 entries: the blocks
  // are one sequential stream, but the hardware's streamer stops at each 4 kB page, i.e. twice per 20 × 50
  // task. At T = 10 000 (80 MB, from memory), 1 thread, dsqGradTasks: 13.7 / 16.1 ms without, 11.3 / 9.3 ms
  // with (two alternating builds, load 8; 2 kB and 4 kB ahead in between). Prefetches never fault, so
  // reading past the end is harmless.
  enum { SQ_PF = 1024 };
  double rc[CH];
  for (long b = 0; b < nb; b++) {
    const long k = kb + b;
    const double* w = wb + b * n;
    double* g = gb + b * n;
    for (long i = 0; i < n; i++) g[i] = 0;
    double rr = 0;
    for (long i0 = offsets[k]; i0 < offsets[k + 1]; i0 += CH) {
      const long m = offsets[k + 1] - i0 < (long)CH ? offsets[k + 1] - i0 : (long)CH;
      for (long i = 0; i < m; i++) {
        for (long l = 0; l < n; l += 8) __builtin_prefetch(A + (i0 + i) * n + SQ_PF + l, 0, 3);
        const double ri = bdot(A + (i0 + i) * n, w, n) - yv[i0 + i];
        rc[i] = ri;
        rr += ri * ri;
      }
      for (long i = 0; i < m; i++) baxpy(rc[i], A + (i0 + i) * n, g, n); // no skip of r_i = 0: NaN in A propagates
    }
    f[k] = 0.5 * c[k] * rr;
  }
}

/**
 * The squared loss's value and gradient over row-stacked task blocks, for tasks k0 … k1−1 (issue 15,
 * many tasks): task k's block A_k is rows offsets[k] … offsets[k+1] of A (n columns), its weights are
 * column cols[k] of W and its gradient goes to the same column of G (element i at [i·ldw + col]: the
 * solvers' d × T matrices, so no transposes around the call), and
 *   r = A_k w_k − y_k,   G[:, cols[k]] = c_k A_kᵀ r,   f[k] = ½ c_k ‖r‖².
 * Tasks go SQ_TB at a time: their columns of W are gathered row by row (with consecutive columns, one
 * cache line per row of W for SQ_TB tasks; gathering one task at a time touched n lines on n pages per
 * task and ran 2.8× slower at T = 10 000, where a row of W is 80 kB long), and their gradients are
 * scattered the same way. Within a task, rows go in chunks of 32: first the chunk's residuals
 * (independent dot products, so the core overlaps them instead of waiting on each reduction), then
 * the chunk's axpys into g while its rows are still in L1 — each block is read from memory once.
 * scratch: 2·SQ_TB·n doubles (w and g of the tasks in flight).
 */
static void sqGradRange(long k0, long k1, const int* offsets, long n, const double* A, const int* cols, const double* W, long ldw,
                        const double* yv, const double* c, double* G, double* f, double* scratch) {
  double* wb = scratch;
  double* gb = scratch + SQ_TB * n;
  for (long kb = k0; kb < k1; kb += SQ_TB) {
    const long nb = k1 - kb < SQ_TB ? k1 - kb : (long)SQ_TB;
    for (long i = 0; i < n; i++) {
      const double* Wi = W + i * ldw;
      for (long b = 0; b < nb; b++) wb[b * n + i] = Wi[cols[kb + b]];
    }
    sqGradGatheredRun(kb, nb, offsets, n, A, wb, yv, c, gb, f);
    for (long i = 0; i < n; i++) {
      double* Gi = G + i * ldw;
      for (long b = 0; b < nb; b++) Gi[cols[kb + b]] = c[kb + b] * gb[b * n + i];
    }
  }
}

// ---------------------------------------------------------------- the entry points (batched_kernels.h)
// Each ISA's namespace gets the same thin wrappers: per-thread scratch where a kernel needs one.

bool dsymvBatched(long count, long d, double alpha, const double* A, const double* x, double beta, double* y) {
  // Scratch per calling thread, kept (no std:: templates here: see gemm.h on per-ISA symbols).
  thread_local double* tmp = nullptr;
  thread_local long cap = 0;
  if (cap < d) {
    double* grown = (double*)std::realloc(tmp, (size_t)d * sizeof(double));
    if (!grown) return false;
    tmp = grown;
    cap = d;
  }
  symvBatchedRun(count, d, alpha, A, x, beta, y, tmp);
  return true;
}
void dgemvBatched(bool trans, long count, const int* offsets, long n, double alpha, const double* A, const double* x,
                  double beta, double* y) {
  gemvBatchedRun(trans, count, offsets, n, alpha, A, x, beta, y);
}
void dresidualGradBatched(long count, const int* offsets, long n, const double* A, const double* x, const double* y,
                          double* r, double* g) {
  residualGradBatchedRun(count, offsets, n, A, x, y, r, g);
}
void dsqGradGathered(long kb, long nb, const int* offsets, long n, const double* A, const double* wb, const double* y,
                     const double* c, double* gb, double* f) {
  sqGradGatheredRun(kb, nb, offsets, n, A, wb, y, c, gb, f);
}
bool dsqGradRange(long k0, long k1, const int* offsets, long n, const double* A, const int* cols, const double* W, long ldw,
                  const double* y, const double* c, double* G, double* f) {
  // Scratch per calling thread (pool threads included), kept: w and g of SQ_TB tasks.
  thread_local double* scratch = nullptr;
  thread_local long cap = 0;
  const long need = 2 * SQ_TB * n > 1 ? 2 * SQ_TB * n : 1;
  if (cap < need) {
    double* grown = (double*)std::realloc(scratch, (size_t)need * sizeof(double));
    if (!grown) return false;
    scratch = grown;
    cap = need;
  }
  sqGradRange(k0, k1, offsets, n, A, cols, W, ldw, y, c, G, f, scratch);
  return true;
}
