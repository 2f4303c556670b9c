// The fused attempt of the many-small-task FISTA for l21 (issue 15, session 6): one pass over tasks k0 … k1−1
// doing what fistaRowsStepTasks + dsqGradTasks + fistaRowsCheck do in three passes, so that an iteration streams
// the data blocks once. Definition: src/linalg/kernels/reference.ts fistaFusedTasks; glue and thread split:
// fista_rows.cc. Included after batched.h in batched_avx2.cc / batched_avx512.cc (each ISA's namespace), so the
// per-task vector work runs on the same vector width as the loss.
//
// Per task t (T × d arrays, task t at t·n), with fac (the prox's per-feature factors, from the row sums of v over
// all tasks, reduced before the call):
//   1. z = w + β(w − wp), gz = g + β(g − gp), wn = fac ∘ (z − step·gz)   (the extrapolation and the prox);
//   2. the loss at wn: dsqGradGathered on this one task (the very function dsqGradTasks runs, called, not inlined,
//      so gn and f are dsqGradTasks' to the bit);
//   3. gn ← c_t·gn, the check sums of passC (y = z, ∇f(y) = gz, x = w), Σ wn² per feature (the penalty), and per
//      feature Σ v² of the next iteration's gradient step for its four candidate (β', s') (see the reference).
// Task t's 8 kB block is read once, in L1 for step 2; z and gz live in a d-sized scratch. Every per-feature
// accumulator is its own lane (acc[k·n + j]), so the loops vectorise without reassociating a sum: each
// accumulator sums its terms in task order, as the reference does. Steps 1 and 3 without FMA contraction (as
// the reference and fista.ts, whose iterates the solver's tests pin); step 2 as dsqGradTasks.

static void fusedLossTask(long k, long n, const int* offsets, const double* A, const double* wn, const double* y, const double* c,
                          double* gn, double* f) {
  // Through a volatile pointer: never inlined here, so the machine code is the one dsqGradTasks calls.
  static void (*volatile fn)(long, long, const int*, long, const double*, const double*, const double*, const double*, double*, double*) =
    dsqGradGathered;
  fn(k, 1, offsets, n, A, wn + k * n, y, c, gn + k * n, f);
}

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

enum { FUSED_ACC = 13 };  // acc rows: 7 check sums, Σ wn², 4 candidates, the finiteness probe

// The per-feature work written once for a vector of BL features and for one (the tail): V = bvd or double.
template <class V> struct FusedV;
template <> struct FusedV<double> {
  static double ld(const double* p) { return *p; }
  static void st(double* p, double v) { *p = v; }
  static double bc(double s) { return s; }
};
template <> struct FusedV<bvd> {
  static bvd ld(const double* p) { return bload(p); }
  static void st(double* p, bvd v) { bstore(p, v); }
  static bvd bc(double s) { return (bvd){} + s; }
};

/** Step 1 at features j … j+|V|−1: the extrapolation, the prox, ⟨g, Δ⟩ and ⟨Δ, HΔ⟩. */
template <class V>
static inline void fusedStep(long j, long n, double beta, double step, const double* fac, const double* wt, const double* wpt, const double* gt,
                             const double* gpt, double* wnt, double* z, double* gz, double* acc) {
  typedef FusedV<V> F;
  const V wi = F::ld(wt + j), gi = F::ld(gt + j);
  const V dl = wi - F::ld(wpt + j), hd = gi - F::ld(gpt + j);
  const V zv = wi + F::bc(beta) * dl, gv = gi + F::bc(beta) * hd;
  F::st(acc + j, F::ld(acc + j) + gi * dl);
  F::st(acc + n + j, F::ld(acc + n + j) + dl * hd);
  const V fj = F::ld(fac + j);
  const V v = zv - F::bc(step) * gv;
  const V zero = F::bc(0);
  F::st(wnt + j, fj == zero ? zero : fj * v);
  F::st(z + j, zv);
  F::st(gz + j, gv);
}

/** Step 3 at features j … j+|V|−1: gn scaled, the check sums, Σ wn², the candidates' Σ v², the finiteness probe. */
template <class V>
static inline void fusedCheck(long j, long n, double ck, double L, double bs, double s1, double s2, const double* wt, const double* gt,
                              const double* wnt, double* gnt, const double* z, const double* gz, double* acc) {
  typedef FusedV<V> F;
  const auto add = [&](int r, V x) { F::st(acc + r * n + j, F::ld(acc + r * n + j) + x); };
  const V gnj = F::bc(ck) * F::ld(gnt + j);
  F::st(gnt + j, gnj);
  const V xj = F::ld(wnt + j), yj = F::ld(z + j), gyj = F::ld(gz + j);
  const V di = xj - yj;
  add(2, di * di);
  add(3, gyj * di);
  add(4, (gnj - gyj) * di);
  const V v = gnj - gyj + F::bc(L) * (yj - xj);
  add(5, v * v);
  const V wi = F::ld(wt + j);
  add(6, (yj - xj) * (xj - wi));
  add(7, xj * xj);
  const V dl = xj - wi, hd = gnj - F::ld(gt + j);
  const V za = xj + F::bc(bs) * dl, ga = gnj + F::bc(bs) * hd;
  const V z0 = xj + F::bc(0) * dl, g0 = gnj + F::bc(0) * hd;
  const V v1 = za - F::bc(s1) * ga, v2 = z0 - F::bc(s1) * g0, v3 = za - F::bc(s2) * ga, v4 = z0 - F::bc(s2) * g0;
  add(8, v1 * v1);
  add(9, v2 * v2);
  add(10, v3 * v3);
  add(11, v4 * v4);
  add(12, xj - xj);
}

/**
 * Tasks k0 … k1−1 of fistaFusedTasks. acc: FUSED_ACC·n doubles, zeroed by the caller, accumulated into:
 * [⟨g, Δ⟩, ⟨Δ, HΔ⟩, dd, gd, gdiff, r2, up, Σ wn², cand 1 … 4, Σ (wn − wn)] per feature (the last is NaN iff some wn
 * is not finite). scratch: 2·n doubles.
 */
void fistaFusedRange(long k0, long k1, const int* offsets, long n, const double* A, const double* yv, const double* c,
                     double beta, double step, double L, const double* fac, const double* spec,
                     const double* w, const double* wp, const double* g, const double* gp,
                     double* wn, double* gn, double* f, double* acc, double* scratch) {
  double* z = scratch;
  double* gz = scratch + n;
  const double bs = spec[0], s1 = spec[1], s2 = spec[2];
  const long nv = n / BL * BL;
  for (long k = k0; k < k1; k++) {
    const long o = k * n;
    long j = 0;
    for (; j < nv; j += BL) fusedStep<bvd>(j, n, beta, step, fac, w + o, wp + o, g + o, gp + o, wn + o, z, gz, acc);
    for (; j < n; j++) fusedStep<double>(j, n, beta, step, fac, w + o, wp + o, g + o, gp + o, wn + o, z, gz, acc);
    fusedLossTask(k, n, offsets, A, wn, yv, c, gn, f);
    const double ck = c[k];
    for (j = 0; j < nv; j += BL) fusedCheck<bvd>(j, n, ck, L, bs, s1, s2, w + o, g + o, wn + o, gn + o, z, gz, acc);
    for (; j < n; j++) fusedCheck<double>(j, n, ck, L, bs, s1, s2, w + o, g + o, wn + o, gn + o, z, gz, acc);
  }
}

#pragma GCC pop_options
