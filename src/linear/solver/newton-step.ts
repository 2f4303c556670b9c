// The inner solve of proximal Newton for the logistic loss (./prox-newton.ts, issue 17): from the
// pieces of the quadratic model at (W, b) — per task H_t = c_t X_tᵀD_tX_t, sx_t = c_t X_tᵀD_t1,
// s0_t = c_t 1ᵀD_t1, the gradient G (loss + ridge, d × T) and g_b — the step (U − W, Δb) of
//   min_U  Σ_t [ ĝ_tᵀ(u_t − w_t) + ½(u_t − w_t)ᵀĤ_t(u_t − w_t) ] + ρ‖U‖²_F + Ω(U),
// Ω = λ‖U‖₁ (lasso) or λ Σ_j ‖U_j,:‖₂ (L21), where the unpenalised intercept has been eliminated
// exactly (Schur complement, as glmnet/newGLMNET: Ĥ_t = H_t − sx_t sx_tᵀ/s0_t, ĝ_t = g_t − sx_t g_b,t/s0_t
// with g_t the loss part of column t of G) and comes back as Δb_t = −(g_b,t + sx_tᵀ(u_t − w_t))/s0_t.
//
// Solved by cyclic block coordinate descent over the feature rows, started at U = W (Friedman,
// Hastie & Tibshirani 2010, §3; Yuan, Ho & Lin 2012 for the inexact inner solves): each row's exact
// minimiser with the other rows fixed, from the row's own curvature a_t = Ĥ_t[j,j] + 2ρ
// (soft-thresholding for the lasso, the group secular equation for L21, as ./bcd.ts groupSecular),
// with ĤU kept incrementally (a zero row that stays zero costs O(T)). After every pass the model's
// minimum-norm subgradient over all rows is measured (O(dT)); the solve stops when it is ≤ tolAbs.
// No working sets, Anderson or MM steps: on prox-Newton's models (d small enough for T Gram
// blocks) a pass is O(T d²) at most and the plain sweep's arithmetic is fixed, so that this
// TypeScript function and the native kernel (native/newton_step.cc, Kernels.proxNewtonStep) follow
// the same operations in the same order and agree to rounding (test/linear/solver/newton-step.test.ts).
// This function is the reference and the path of every backend without that kernel (wasm, ts).
const TINY = 1e-300;

/**
 * argmin_u ½Σ_t a_t u_t² − bᵀu + λ‖u‖₂ for ‖b‖ > λ: u_t = b_t/(a_t + μ), μ > 0 the root of μ‖(a + μ)⁻¹b‖ = λ,
 * by safeguarded Newton from mu0 (the row's root at the previous pass) inside the bracket
 * [λ a_min, λ a_max]/(‖b‖ − λ): ./bcd.ts groupSecular with one division per entry and step (the
 * reciprocal reused), its sums in four lanes, and comparisons instead of Math.min/max, exactly as
 * native/newton_step.cc. a, b hold T entries padded to a multiple of 4 with a = 1, b = 0.
 */
function rowSecular(T: number, a: Float64Array, b: Float64Array, lambda: number, out: Float64Array, mu0: number): number {
  let nb = 0;
  let amin = Infinity;
  let amax = 0;
  for (let t = 0; t < T; t++) {
    nb += b[t]! * b[t]!;
    if (a[t]! < amin) amin = a[t]!;
    if (a[t]! > amax) amax = a[t]!;
  }
  nb = Math.sqrt(nb);
  if (lambda === 0) {
    for (let t = 0; t < T; t++) out[t] = b[t] === 0 || a[t]! <= 0 ? 0 : b[t]! / a[t]!;
    return 0;
  }
  let lo = (lambda * amin) / (nb - lambda);
  let hi = (lambda * amax) / (nb - lambda);
  if (!(hi > 0)) {
    out.fill(0, 0, T);
    return Number.NaN;
  }
  let mu = mu0 > lo && mu0 < hi ? mu0 : lo > 0 ? lo : 0.5 * hi;
  if (hi - lo > 1e-15 * hi) {
    for (let it = 0; it < 200; it++) {
      // Four partial sums, entry t into sum t mod 4, added as (0 + 1) + (2 + 3): the native kernel's
      // four vector lanes. a and b are padded to a multiple of 4 with a = 1, b = 0 (terms exactly 0).
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      for (let t = 0; t < a.length; t += 4) {
        const q0 = 1 / (a[t]! + mu);
        const q1 = 1 / (a[t + 1]! + mu);
        const q2 = 1 / (a[t + 2]! + mu);
        const q3 = 1 / (a[t + 3]! + mu);
        const r0 = b[t]! * q0;
        const r1 = b[t + 1]! * q1;
        const r2 = b[t + 2]! * q2;
        const r3 = b[t + 3]! * q3;
        const rr0 = r0 * r0;
        const rr1 = r1 * r1;
        const rr2 = r2 * r2;
        const rr3 = r3 * r3;
        s20 += rr0;
        s21 += rr1;
        s22 += rr2;
        s23 += rr3;
        s30 += rr0 * q0;
        s31 += rr1 * q1;
        s32 += rr2 * q2;
        s33 += rr3 * q3;
      }
      const s2 = s20 + s21 + (s22 + s23);
      const s3 = s30 + s31 + (s32 + s33);
      const S = Math.sqrt(s2);
      const phi = mu * S - lambda;
      if (phi < 0) lo = mu;
      else hi = mu;
      if (Math.abs(phi) <= 1e-15 * lambda || hi - lo <= 1e-15 * hi) break;
      const dphi = S - (mu * s3) / (S > TINY ? S : TINY);
      let next = dphi > 0 ? mu - phi / dphi : Number.NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      else if (Math.abs(next - mu) <= 1e-13 * mu) {
        // A Newton step this small leaves an error of its square: take it without another evaluation.
        mu = next;
        break;
      }
      mu = next;
    }
  }
  for (let t = 0; t < T; t++) out[t] = b[t] === 0 ? 0 : b[t]! / (a[t]! + mu);
  return mu;
}

/** 0: lasso, 1: L21 (the kernel's integer code). */
export type NewtonPenaltyCode = 0 | 1;

/**
 * One proximal-Newton direction (see the file comment). H (T·d², task t's d × d block at t·d²) is
 * overwritten by the Schur-reduced Ĥ when withB; W, G are d × T row-major; U (d × T) receives the
 * model's minimiser, db (T) the intercept step (0 without intercepts or with s0_t ≤ 0). out[0] = passes,
 * out[1] = the model's minimum-norm subgradient norm at U (absolute, ridge included).
 */
export function proxNewtonStepTs(kind: NewtonPenaltyCode, d: number, T: number, H: Float64Array, sx: Float64Array, s0: Float64Array,
  G: Float64Array, gb: Float64Array, withB: boolean, ridge: number, lambda: number, W: Float64Array,
  U: Float64Array, db: Float64Array, tolAbs: number, maxPasses: number, out: Float64Array): void {
  const dd = d * d;
  const HW = new Float64Array(T * d);
  const h = new Float64Array(T * d);
  const gw = new Float64Array(d);
  // Row curvature and right-hand side, padded to a multiple of 4 (a = 1, b = 0) for rowSecular's lanes.
  const T4 = Math.ceil(T / 4) * 4;
  const a = new Float64Array(T4).fill(1);
  const b = new Float64Array(T4);
  const u = new Float64Array(T);
  const mu = new Float64Array(d).fill(Number.NaN);
  const r2 = 2 * ridge;
  // 1. The model in Gram form: Ĥ_t (in place), ĤW and h_t = Ĥ_t w_t − ĝ_t, so that the model's
  //    gradient at U is ĤU − h + 2ρU (= G's Schur-reduced loss part + 2ρW at U = W).
  for (let t = 0; t < T; t++) {
    const M = t * dd;
    const S0 = s0[t]!;
    for (let j = 0; j < d; j++) gw[j] = G[j * T + t]! - r2 * W[j * T + t]!;
    if (withB && S0 > 0) {
      for (let j = 0; j < d; j++) {
        const sj = sx[t * d + j]!;
        for (let k = 0; k < d; k++) H[M + j * d + k]! -= (sj * sx[t * d + k]!) / S0;
      }
      for (let j = 0; j < d; j++) gw[j]! -= (sx[t * d + j]! * gb[t]!) / S0;
    }
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += H[M + j * d + k]! * W[k * T + t]!;
      HW[t * d + j] = v;
      h[t * d + j] = v - gw[j]!;
    }
  }
  U.set(W.subarray(0, d * T));
  // 2. Cyclic BCD over the rows.
  let passes = 0;
  let sub = Infinity;
  while (passes < maxPasses) {
    passes++;
    for (let j = 0; j < d; j++) {
      const o = j * T;
      for (let t = 0; t < T; t++) {
        const at = H[t * dd + j * d + j]! + r2;
        a[t] = at;
        b[t] = at * U[o + t]! - (HW[t * d + j]! - h[t * d + j]! + r2 * U[o + t]!);
      }
      if (kind === 0) {
        for (let t = 0; t < T; t++) {
          const v = b[t]!;
          const st = v > lambda ? v - lambda : v < -lambda ? v + lambda : 0;
          u[t] = st === 0 || a[t]! <= 0 ? 0 : st / a[t]!;
        }
      } else {
        let nb = 0;
        for (let t = 0; t < T; t++) nb += b[t]! * b[t]!;
        if (Math.sqrt(nb) <= lambda) u.fill(0);
        else mu[j] = rowSecular(T, a, b, lambda, u, mu[j]!);
      }
      for (let t = 0; t < T; t++) {
        const delta = u[t]! - U[o + t]!;
        if (delta === 0) continue;
        U[o + t] = u[t]!;
        const M = t * dd + j * d;
        const hw = t * d;
        for (let k = 0; k < d; k++) HW[hw + k]! += delta * H[M + k]!;
      }
    }
    sub = modelSubgradient(kind, d, T, HW, h, r2, lambda, U);
    if (sub <= tolAbs) break;
  }
  // 3. The intercept step from the unreduced sx (Δb minimises the model over b for the new U).
  for (let t = 0; t < T; t++) {
    const S0 = s0[t]!;
    if (!withB || !(S0 > 0)) {
      db[t] = 0;
      continue;
    }
    let v = gb[t]!;
    for (let j = 0; j < d; j++) v += sx[t * d + j]! * (U[j * T + t]! - W[j * T + t]!);
    db[t] = -v / S0;
  }
  out[0] = passes;
  out[1] = sub;
}

/** ‖minimum-norm subgradient‖ of the model at U over all rows, its gradient being ĤU − h + 2ρU. */
function modelSubgradient(kind: NewtonPenaltyCode, d: number, T: number, HW: Float64Array, h: Float64Array, r2: number, lambda: number, U: Float64Array): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const o = j * T;
    if (kind === 0) {
      for (let t = 0; t < T; t++) {
        const w = U[o + t]!;
        const g = HW[t * d + j]! - h[t * d + j]! + r2 * w;
        const m = Math.abs(g) - lambda;
        const v = w > 0 ? g + lambda : w < 0 ? g - lambda : m > 0 ? m : 0;
        s += v * v;
      }
      continue;
    }
    let nw = 0;
    let ng = 0;
    for (let t = 0; t < T; t++) {
      const w = U[o + t]!;
      const g = HW[t * d + j]! - h[t * d + j]! + r2 * w;
      nw += w * w;
      ng += g * g;
    }
    if (nw === 0) {
      const m = Math.sqrt(ng) - lambda;
      const v = m > 0 ? m : 0;
      s += v * v;
      continue;
    }
    const inv = lambda / Math.sqrt(nw);
    for (let t = 0; t < T; t++) {
      const w = U[o + t]!;
      const v = HW[t * d + j]! - h[t * d + j]! + r2 * w + inv * w;
      s += v * v;
    }
  }
  return Math.sqrt(s);
}
