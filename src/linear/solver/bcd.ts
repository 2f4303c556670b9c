// Working-set block coordinate descent (BCD) over the feature rows of W for the row-separable
// penalties with squared loss:
//   min_W  f(W) + Ω(W),   f the Gram form of ./gram-form.ts (loss + ρ‖W‖²_F + κ Σ_t‖w_t − w_{t+1}‖²),
//   Ω = λ‖W‖₁ (lasso) or λ Σ_j ‖W_j,:‖₂ (L21; with κ > 0 this is tgl).
//
// Why: FISTA takes one global step 1/L for all features, so on raw, badly scaled features (School:
// columns from 0/1 to percentages) it needs thousands of iterations. Minimising exactly over one
// row at a time uses that row's own curvature, so scaling costs nothing; working on a small set of
// features and certifying on all of them is the method of celer (Massias, Gramfort & Salmon, ICML
// 2018) and skglm (Bertrand, Klopfenstein, Massias et al., NeurIPS 2022, Alg. 1–2), including their
// Anderson extrapolation with the objective safeguard (Bertrand & Massias, AISTATS 2021; skglm §3).
//
// Block step for row j (others fixed): the block of f is the quadratic ½uᵀA_j u − b_jᵀu with
//   A_j = diag_t(c_t H_t[j,j] + 2ρ) + 2κ·Lap   (Lap the T × T path Laplacian),  b_j = A_j W_j − ∇_j f(W)
// (the per-task Gram diagonals ARE the block curvature). It is minimised exactly with the penalty:
//   lasso, κ = 0: entrywise soft-thresholding u_t = S(b_t, λ)/a_t;
//   L21: u = 0 if ‖b‖ ≤ λ, else u = (A_j + μI)⁻¹ b with μ > 0 the root of μ‖(A_j + μI)⁻¹b‖ = λ
//        (the optimality condition A u − b + λu/‖u‖ = 0), solved by safeguarded Newton in the
//        eigenbasis of A_j (diagonal for κ = 0; one cached eigh per row for κ > 0).
// The gradient is kept as HW_t = H_t w_t (T × d), updated by δ_t H_t[j,:] after each block step.
//
// Stopping (issue 17, scale-aware): for lasso/L21 (κ = 0) the relative duality gap on ALL features,
// gap/P ≤ tol, with the dual point θ_t = s·c_t·r̃_t rescaled into the dual ball (celer §2; the
// augmented residual r̃ carries the ridge); for κ > 0 (no closed dual) the relative norm of the
// minimum-norm subgradient over all features, dist(0, ∂F(W))/‖∇f(0)‖ ≤ tol, which bounds FISTA's
// prox-gradient measure from above. Either way, the working set is never trusted: the outer loop
// stops only when the certificate holds on the full problem.
import { ConvergenceError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { andersonWeights } from './anderson.ts';
import type { FitInfo, SolverHooks } from '../types.ts';
import { progressTicker } from './hooks.ts';
import type { GramProblem } from './gram-form.ts';
import type { DataForm, DataProblem } from './data-form.ts';
import { dirtyRowSolve, dirtyRowValue } from './dirty-row.ts';
import { mmStep } from './mm-step.ts';

export type RowPenaltyKind = 'lasso' | 'l21';
/** 'dirty': the dirty model's row penalty on W = P + Q (see dirtyRowSolve), weights lambda (λ_P) and lambda2 (λ_Q). */
export type BcdPenaltyKind = RowPenaltyKind | 'dirty';

export interface BcdOptions {
  readonly penalty: BcdPenaltyKind;
  readonly lambda: number;
  /** λ_Q of the dirty penalty (lambda is λ_P). */
  readonly lambda2?: number;
  /** Relative duality gap (lasso/L21) or relative optimality (κ > 0) at which to stop. */
  readonly tol?: number;
  /** Cap on the total number of passes over the working set. */
  readonly maxIter?: number;
  readonly W0?: Matrix;
  /** Row order inside a pass: 'cyclic' (default) or 'greedy' (rows sorted by violation, Gauss–Southwell-like). */
  readonly order?: 'cyclic' | 'greedy';
  /** Anderson extrapolation every `anderson` passes (0: off; default 5, as skglm). */
  readonly anderson?: number;
  /** Majorization–minimization steps on the support every 5 passes (./mm-step.ts; lasso and L21 with
   * κ = 0 only; default true there), kept only when they lower the objective. */
  readonly mm?: boolean;
  /** The penalty weight W0 was fitted at (a λ path, λ < previousLambda): the first working set is the
   * support plus the sequential strong rule's set {j : Ω°(∇_j f(W0)) ≥ 2λ − previousLambda}
   * (Tibshirani et al. 2012, JRSS-B 74(2), eq. (7); the row dual norm ‖·‖₂ for L21, ‖·‖_∞ for lasso).
   * Checked after the fact: the certificate runs on ALL features, and every discarded feature that
   * violates its optimality condition joins the next working set (counted in strongRuleViolations). */
  readonly previousLambda?: number;
  /** false: one working set = all features (plain BCD). */
  readonly workingSet?: boolean;
  readonly requireConvergence?: boolean;
  readonly solverName?: string;
  /** Start time (performance.now()) so that `seconds` includes the caller's set-up. */
  readonly started?: number;
  /** 'subgradient': stop on the relative minimum-norm subgradient even where the gap is known
   * (inner solves of proximal Newton, whose quadratic model has no data to define a dual). */
  readonly certificate?: 'gap' | 'subgradient';
  /** Scale of the subgradient measure (default ‖∇f(0)‖ of this problem). */
  readonly scale?: number;
  /** Progress reports and cancellation (solver/hooks.ts), once per pass. */
  readonly hooks?: SolverHooks;
  /** Gap-safe screening (gapSafeScreen) after every certificate, from the warm start on (lasso/L21,
   * κ = 0, gap certificate; default true): discarded entries are fixed at zero and leave the
   * working sets. The certificate still runs on ALL features. */
  readonly screening?: boolean;
  /** Dual extrapolation (Massias, Gramfort & Salmon 2018; Massias et al., JMLR 2020): also the dual
   * point of an Anderson extrapolation of the last passes' residuals is a candidate at each
   * certificate. Default false: measured on the School L21/lasso paths it never beat the current
   * iterate's dual point (docs/solvers.md: the gap's lag there comes from the rescaling into the
   * dual ball, not from a slowly converging residual). The gap always takes the best dual value
   * met so far, with or without it. */
  readonly dualExtrapolation?: boolean;
}

export interface BcdResult {
  readonly W: Matrix;
  readonly info: FitInfo;
  /** Relative duality gap at W (NaN when κ > 0: no dual). */
  readonly gap: number;
  /** Relative minimum-norm subgradient over all features at W. */
  readonly subgradient: number;
  readonly outer: number;
  /** Features the strong rule discarded that violated their optimality condition after the first
   * working-set round (added back); 0 without previousLambda. */
  readonly strongRuleViolations: number;
  /** Entries of W discarded by gap-safe screening (0 when off). */
  readonly screened: number;
  /** d × T: 1 where gap-safe screening fixed W at zero (all 0 when off). */
  readonly discarded: Uint8Array;
}

const TINY = 1e-300;
// MM steps every 10 passes, half-way between two Anderson extrapolations (measured on the School L21
// path: every 5 passes, or resetting Anderson's history after an MM step, cost more passes).
const MM_EVERY = 10;
const MM_OFFSET = 5;

// ---------------------------------------------------------------- the exact block solves

/**
 * argmin_u ½Σ_i a_i u_i² − bᵀu + λ‖u‖₂ for a_i ≥ 0, ‖b‖ > λ: u_i = b_i/(a_i + μ) with μ > 0 the root
 * of φ(μ) = μ‖(a + μ)⁻¹b‖ − λ (increasing from −λ at μ = 0 to ‖b‖ − λ > 0). Bracket
 * [λ a_min, λ a_max]/(‖b‖ − λ) (φ compared with the equal-curvature cases); safeguarded Newton.
 */
export function groupSecular(a: Float64Array, b: Float64Array, lambda: number, out: Float64Array, mu0 = NaN): number {
  const n = a.length;
  let nb = 0;
  let amin = Infinity;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    nb += b[i]! * b[i]!;
    amin = Math.min(amin, a[i]!);
    amax = Math.max(amax, a[i]!);
  }
  nb = Math.sqrt(nb);
  if (lambda === 0) {
    // No penalty: the plain block Newton step u = A⁻¹b (μ = 0).
    for (let i = 0; i < n; i++) out[i] = b[i] === 0 || a[i]! <= 0 ? 0 : b[i]! / a[i]!;
    return 0;
  }
  let lo = (lambda * amin) / (nb - lambda);
  let hi = (lambda * amax) / (nb - lambda);
  // A zero curvature (a feature constant within a task) puts the lower end at 0, where b_i/(a_i + μ)
  // is undefined: start inside the bracket then.
  if (!(hi > 0)) {
    out.fill(0);
    return NaN;
  }
  // mu0: the root of this row's previous solve (BCD passes change b little near convergence, so
  // Newton from there needs one or two steps instead of ~10 from the bracket's end).
  let mu = mu0 > lo && mu0 < hi ? mu0 : lo > 0 ? lo : 0.5 * hi;
  if (hi - lo > 1e-15 * hi) {
    for (let it = 0; it < 200; it++) {
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        if (b[i] === 0) continue;
        const r = b[i]! / (a[i]! + mu);
        s2 += r * r;
        s3 += (r * r) / (a[i]! + mu);
      }
      const S = Math.sqrt(s2);
      const phi = mu * S - lambda;
      if (phi < 0) lo = mu;
      else hi = mu;
      if (Math.abs(phi) <= 1e-15 * lambda || hi - lo <= 1e-15 * hi) break;
      const dphi = S - (mu * s3) / Math.max(S, TINY);
      let next = dphi > 0 ? mu - phi / dphi : NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      mu = next;
    }
  }
  for (let i = 0; i < n; i++) out[i] = b[i] === 0 ? 0 : b[i]! / (a[i]! + mu);
  return mu;
}

/** Solves (D + μI − 2κ·offdiag) x = r for the SPD tridiagonal with diagonal D (Thomas algorithm, O(T)). */
function thomas(D: Float64Array, e: number, mu: number, r: Float64Array, x: Float64Array, cp: Float64Array): void {
  const T = D.length;
  let den = D[0]! + mu;
  cp[0] = e / den;
  x[0] = r[0]! / den;
  for (let t = 1; t < T; t++) {
    den = D[t]! + mu - e * cp[t - 1]!;
    cp[t] = e / den;
    x[t] = (r[t]! - e * x[t - 1]!) / den;
  }
  for (let t = T - 2; t >= 0; t--) x[t]! -= cp[t]! * x[t + 1]!;
}

/**
 * The same group solve for the tridiagonal block curvature of tgl, A = diag(D) + e·(sub/super
 * diagonals), e = −2κ: u = (A + μI)⁻¹b with μ‖u‖ = λ; each Newton step costs two O(T) Thomas solves
 * (u, and v = (A + μI)⁻¹u for d‖u‖/dμ = −uᵀv/‖u‖). Bracket from λ_min(A) ≥ amin (the Laplacian is
 * PSD) and λ_max(A) ≤ max D + 2|e| (Gershgorin).
 */
export function tridiagonalSecular(D: Float64Array, e: number, amin: number, b: Float64Array, lambda: number, out: Float64Array, work: Float64Array[]): void {
  const T = D.length;
  const [v, cp] = work as [Float64Array, Float64Array];
  let nb = 0;
  let dmax = 0;
  for (let t = 0; t < T; t++) {
    nb += b[t]! * b[t]!;
    dmax = Math.max(dmax, D[t]!);
  }
  nb = Math.sqrt(nb);
  if (lambda === 0) {
    thomas(D, e, 0, b, out, cp);
    return;
  }
  let lo = (lambda * amin) / (nb - lambda);
  let hi = (lambda * (dmax + 2 * Math.abs(e))) / (nb - lambda);
  if (!(hi > 0)) {
    out.fill(0);
    return;
  }
  let mu = lo > 0 ? lo : 0.5 * hi;
  for (let it = 0; it < 200; it++) {
    thomas(D, e, mu, b, out, cp);
    let uu = 0;
    for (let t = 0; t < T; t++) uu += out[t]! * out[t]!;
    const S = Math.sqrt(uu);
    const phi = mu * S - lambda;
    if (phi < 0) lo = mu;
    else hi = mu;
    if (Math.abs(phi) <= 1e-15 * lambda || hi - lo <= 1e-15 * hi) return;
    thomas(D, e, mu, out, v, cp);
    let uv = 0;
    for (let t = 0; t < T; t++) uv += out[t]! * v[t]!;
    const dphi = S - (mu * uv) / Math.max(S, TINY);
    let next = dphi > 0 ? mu - phi / dphi : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    mu = next;
  }
  thomas(D, e, mu, b, out, cp);
}

/** The path Laplacian of κ Σ_t ‖w_t − w_{t+1}‖² times 2 (the Hessian of the chain term), applied to u. */
function chainHessianApply(kappa: number, u: Float64Array, out: Float64Array): void {
  const T = u.length;
  for (let t = 0; t < T; t++) {
    let v = 0;
    if (t > 0) v += u[t]! - u[t - 1]!;
    if (t + 1 < T) v += u[t]! - u[t + 1]!;
    out[t] = 2 * kappa * v;
  }
}

// ---------------------------------------------------------------- state

/** The BCD's input: the Gram form (H_t per task) or the data form (stacked X̂_t, ./data-form.ts). */
export type BcdProblem = GramProblem | DataProblem;

function dataOf(gp: BcdProblem): DataForm | null {
  return 'data' in gp ? gp.data : null;
}

interface State {
  readonly gp: BcdProblem;
  readonly W: Float64Array; // d × T row-major
  /** Gram form: T × d, (H_t w_t)_k. Data form: empty (the residuals carry the same information). */
  readonly HW: Float64Array;
  /** Data form: the residuals r = X̂w − ŷ of all tasks, stacked (N); null in the Gram form. */
  readonly r: Float64Array | null;
  /** Last secular root μ per row (L21 block solves), NaN when none. */
  readonly mu: Float64Array;
}

/** HW (Gram form) or the residuals (data form) from scratch (only the non-zero rows of W contribute). */
function recomputeHW(s: State): void {
  const data = dataOf(s.gp);
  if (data) {
    const { T } = s.gp;
    const { offsets, N, Xc, yh } = data;
    const r = s.r!;
    for (let i = 0; i < N; i++) r[i] = -yh[i]!;
    for (let j = 0; j < s.gp.d; j++) {
      const o = j * T;
      const xo = j * N;
      for (let t = 0; t < T; t++) {
        const w = s.W[o + t]!;
        if (w === 0) continue;
        for (let i = offsets[t]!, e = offsets[t + 1]!; i < e; i++) r[i]! += w * Xc[xo + i]!;
      }
    }
    return;
  }
  refreshHW(s, null);
}

/** HW on the columns `cols` (null: all d, contiguous) from scratch (only the non-zero rows of W
 * contribute). Gram form only: recomputeHW, and after an MM step (which runs in the Gram form only). */
function refreshHW(s: State, cols: readonly number[] | null): void {
  const { d, T, H } = s.gp as GramProblem;
  if (cols === null) s.HW.fill(0);
  else for (let t = 0; t < T; t++) for (const k of cols) s.HW[t * d + k] = 0;
  for (let j = 0; j < d; j++) {
    const o = j * T;
    for (let t = 0; t < T; t++) {
      const w = s.W[o + t]!;
      if (w === 0) continue;
      const Ht = H[t]!;
      const hw = t * d;
      const hj = j * d;
      if (cols === null) for (let k = 0; k < d; k++) s.HW[hw + k]! += w * Ht[hj + k]!;
      else for (const k of cols) s.HW[hw + k]! += w * Ht[hj + k]!;
    }
  }
}

/** Gradient of f for row j (length T) into g. */
function rowGradient(s: State, j: number, g: Float64Array, tmp: Float64Array): void {
  const { d, T, c, h, ridge, chain } = s.gp;
  const o = j * T;
  const data = dataOf(s.gp);
  if (data) {
    // X̂_t[:,j]ᵀ r_t for every task: one segmented dot along column j of the stacked data.
    const { offsets, N, Xc } = data;
    const r = s.r!;
    const xo = j * N;
    for (let t = 0; t < T; t++) {
      let v = 0;
      for (let i = offsets[t]!, e = offsets[t + 1]!; i < e; i++) v += Xc[xo + i]! * r[i]!;
      g[t] = c[t]! * v + 2 * ridge * s.W[o + t]!;
    }
  } else for (let t = 0; t < T; t++) g[t] = c[t]! * (s.HW[t * d + j]! - h[t * d + j]!) + 2 * ridge * s.W[o + t]!;
  if (chain > 0) {
    const u = s.W.subarray(o, o + T);
    chainHessianApply(chain, u, tmp);
    for (let t = 0; t < T; t++) g[t]! += tmp[t]!;
  }
}

/** Minimum-norm subgradient of F restricted to row j, given the row gradient g: its norm. */
function rowViolation(pen: BcdPenaltyKind, lambda: number, lambda2: number, w: Float64Array, g: Float64Array, a?: Float64Array): number {
  const T = g.length;
  if (pen === 'dirty') {
    // No closed minimum-norm subgradient: ‖a ⊙ (w − u*)‖ with u* the exact row minimiser (zero iff
    // row j is optimal; in gradient units, as the other measures).
    if (!a) throw new Error('bcd: the dirty row violation needs the row curvature');
    const b = new Float64Array(T);
    for (let t = 0; t < T; t++) b[t] = a[t]! * w[t]! - g[t]!;
    const u = new Float64Array(T);
    dirtyRowSolve(a, b, lambda, lambda2, u);
    let s = 0;
    for (let t = 0; t < T; t++) s += (a[t]! * (w[t]! - u[t]!)) ** 2;
    return Math.sqrt(s);
  }
  if (pen === 'lasso') {
    let s = 0;
    for (let t = 0; t < T; t++) {
      const v = w[t] !== 0 ? g[t]! + lambda * Math.sign(w[t]!) : Math.max(0, Math.abs(g[t]!) - lambda);
      s += v * v;
    }
    return Math.sqrt(s);
  }
  let nw = 0;
  let ng = 0;
  for (let t = 0; t < T; t++) {
    nw += w[t]! * w[t]!;
    ng += g[t]! * g[t]!;
  }
  if (nw === 0) return Math.max(0, Math.sqrt(ng) - lambda);
  nw = Math.sqrt(nw);
  let s = 0;
  for (let t = 0; t < T; t++) {
    const v = g[t]! + (lambda * w[t]!) / nw;
    s += v * v;
  }
  return Math.sqrt(s);
}

interface RowCurvature {
  /** Diagonal of the loss + ridge curvature of row j: c_t H_t[j,j] + 2ρ. */
  readonly a: Float64Array;
  /** κ > 0: the diagonal of A_j = diag(a) + 2κ·Lap (its off-diagonal is −2κ). */
  readonly D: Float64Array | null;
  readonly amin: number;
}

function rowCurvature(gp: BcdProblem, j: number): RowCurvature {
  const { d, T, c, ridge, chain } = gp;
  const data = dataOf(gp);
  const Hjj = data ? (t: number) => data.diag[t * d + j]! : (t: number) => (gp as GramProblem).H[t]![j * d + j]!;
  const a = Float64Array.from({ length: T }, (_, t) => c[t]! * Hjj(t) + 2 * ridge);
  const amin = a.reduce((m, v) => Math.min(m, v), Infinity);
  if (chain === 0) return { a, D: null, amin };
  const D = Float64Array.from(a, (v, t) => v + 2 * chain * ((t > 0 ? 1 : 0) + (t + 1 < T ? 1 : 0)));
  return { a, D, amin };
}

// ---------------------------------------------------------------- objective and certificates

interface Evaluation {
  /** F(W) */
  readonly primal: number;
  /** D(sθ), NaN when κ > 0 */
  readonly dual: number;
  /** per-row violation (minimum-norm subgradient norm) */
  readonly violation: Float64Array;
  /** ‖min-norm subgradient‖_F */
  readonly subgradient: number;
  /** per-row dual norm of the gradient: ‖∇_j f‖₂ (L21, dirty), ‖∇_j f‖_∞ (lasso) */
  readonly gradNorm: Float64Array;
  /** ∇f(W), d × T row-major (the dual point's correlations X̃_tᵀθ_t are −factors_t·∇f(W)_{:,t}). */
  readonly grad: Float64Array;
  /** The dual point's factors s_t (θ_t = s_t c_t r̃_t); empty when there is no dual. */
  readonly factors: Float64Array;
}

function penaltyValue(pen: BcdPenaltyKind, lambda: number, lambda2: number, W: Float64Array, d: number, T: number): number {
  let v = 0;
  if (pen === 'dirty') {
    let total = 0;
    for (let j = 0; j < d; j++) total += dirtyRowValue(W.subarray(j * T, (j + 1) * T), lambda, lambda2);
    return total;
  }
  if (pen === 'lasso') {
    for (let i = 0; i < W.length; i++) v += Math.abs(W[i]!);
  } else {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += W[j * T + t]! ** 2;
      v += Math.sqrt(s);
    }
  }
  return lambda * v;
}

/** f(W) from HW or the residuals (exact when HW is current on every non-zero row of W). */
function smoothValue(s: State, rows: readonly number[]): number {
  const { gp, W, HW } = s;
  const { d, T, c, h, yy, ridge, chain } = gp;
  const data = dataOf(gp);
  if (data) {
    // ½ Σ_t c_t ‖r_t‖² + ρ‖W‖² (+ the chain term); W's non-zero rows are all in `rows`.
    let v = 0;
    const r = s.r!;
    for (let t = 0; t < T; t++) {
      let rr = 0;
      for (let i = data.offsets[t]!, e = data.offsets[t + 1]!; i < e; i++) rr += r[i]! * r[i]!;
      v += 0.5 * c[t]! * rr;
    }
    for (const j of rows) {
      const o = j * T;
      if (ridge > 0) for (let t = 0; t < T; t++) v += ridge * W[o + t]! ** 2;
      if (chain > 0) for (let t = 0; t + 1 < T; t++) v += chain * (W[o + t]! - W[o + t + 1]!) ** 2;
    }
    return v;
  }
  let v = 0;
  for (let t = 0; t < T; t++) v += 0.5 * c[t]! * yy[t]!;
  for (const j of rows) {
    const o = j * T;
    for (let t = 0; t < T; t++) {
      const w = W[o + t]!;
      if (w === 0) continue;
      v += c[t]! * w * (0.5 * HW[t * d + j]! - h[t * d + j]!) + ridge * w * w;
    }
    if (chain > 0) for (let t = 0; t + 1 < T; t++) v += chain * (W[o + t]! - W[o + t + 1]!) ** 2;
  }
  return v;
}

function evaluateAll(s: State, pen: BcdPenaltyKind, lambda: number, lambda2: number, wantDual: boolean): Evaluation {
  const { d, T, c, h, yy, ridge, chain } = s.gp;
  const allRows = Array.from({ length: d }, (_, j) => j);
  const primal = smoothValue(s, allRows) + penaltyValue(pen, lambda, lambda2, s.W, d, T);
  const data = dataOf(s.gp);
  const g = new Float64Array(T);
  const tmp = new Float64Array(T);
  const violation = new Float64Array(d);
  const gradNorm = new Float64Array(d);
  const grad = new Float64Array(d * T);
  const factors = new Float64Array(chain === 0 && wantDual ? T : 0);
  let sub2 = 0;
  // Dual norms of the gradient: lasso per task (max_j |G_jt|: the lasso dual constraint
  // ‖X̃_tᵀθ_t‖_∞ ≤ λ separates over tasks, so each task's dual point is rescaled on its own — one
  // global factor made the gap lag the primal by six decades on School); L21 one max_j ‖G_j,:‖₂.
  const taskNorm = new Float64Array(T);
  let dualNorm = 0;
  for (let j = 0; j < d; j++) {
    rowGradient(s, j, g, tmp);
    grad.set(g, j * T);
    const w = s.W.subarray(j * T, (j + 1) * T);
    violation[j] = rowViolation(pen, lambda, lambda2, w, g, pen === 'dirty' ? rowCurvature(s.gp, j).a : undefined);
    sub2 += violation[j]! ** 2;
    let gn = 0;
    if (pen === 'lasso') for (let t = 0; t < T; t++) gn = Math.max(gn, Math.abs(g[t]!));
    else {
      for (let t = 0; t < T; t++) gn += g[t]! * g[t]!;
      gn = Math.sqrt(gn);
    }
    gradNorm[j] = gn;
    if (pen === 'lasso') for (let t = 0; t < T; t++) taskNorm[t] = Math.max(taskNorm[t]!, Math.abs(g[t]!));
    else if (pen === 'dirty') {
      // Dual ball of the dirty row penalty: ‖z‖₁ ≤ λ_P and ‖z‖_∞ ≤ λ_Q; as a multiple of λ_P.
      let n1 = 0;
      let ni = 0;
      for (let t = 0; t < T; t++) {
        n1 += Math.abs(g[t]!);
        ni = Math.max(ni, Math.abs(g[t]!));
      }
      dualNorm = Math.max(dualNorm, n1, (ni * lambda) / lambda2);
    } else {
      let n2 = 0;
      for (let t = 0; t < T; t++) n2 += g[t]! * g[t]!;
      dualNorm = Math.max(dualNorm, Math.sqrt(n2));
    }
  }
  let dual = NaN;
  if (chain === 0 && wantDual) {
    // D(θ) = Σ_t s_t c_t(yy_t − w_tᵀh_t) − s_t² [c_t ‖r_t‖²/2 + ρ‖w_t‖²], ‖r_t‖² = wᵀHw − 2wᵀh + yy,
    // θ_t = s_t c_t r̃_t with s_t the largest factor that makes θ dual-feasible (celer §2).
    dual = 0;
    for (let t = 0; t < T; t++) {
      const norm = pen === 'lasso' ? taskNorm[t]! : dualNorm;
      const sc = norm > lambda ? lambda / norm : 1;
      let wh = 0;
      let wHw = 0;
      let ww = 0;
      for (let j = 0; j < d; j++) {
        const w = s.W[j * T + t]!;
        if (w === 0) continue;
        wh += w * h[t * d + j]!;
        if (!data) wHw += w * s.HW[t * d + j]!;
        ww += w * w;
      }
      // ‖r_t‖² = wᵀHw − 2wᵀh + yy (Gram form), or directly from the residuals (data form).
      let rr = 0;
      if (data) for (let i = data.offsets[t]!, e = data.offsets[t + 1]!; i < e; i++) rr += s.r![i]! ** 2;
      else rr = Math.max(wHw - 2 * wh + yy[t]!, 0);
      const lin = c[t]! * (yy[t]! - wh);
      const quad = 0.5 * c[t]! * rr + ridge * ww;
      // The best feasible multiple of θ_t is min(sc, lin/(2 quad)) (D is concave in the factor).
      const best = quad > 0 ? Math.min(sc, Math.max(lin / (2 * quad), 0)) : sc;
      factors[t] = best;
      dual += best * lin - best * best * quad;
    }
  }
  return { primal, dual, violation, subgradient: Math.sqrt(sub2), gradNorm, grad, factors };
}

// ---------------------------------------------------------------- gap-safe screening

/**
 * Gap-safe screening (Fercoq, Gramfort & Salmon, ICML 2015, Thm. 2; Ndiaye, Fercoq, Gramfort &
 * Salmon, JMLR 18 (2017), §3–4 for the group / multi-task case), in this solver's scaling (the
 * derivation is in docs/solvers.md, "Gap-safe screening and dual extrapolation"): the dual
 *   D(θ) = Σ_t ⟨θ_t, ỹ_t⟩ − ‖θ_t‖²/(2c_t)   s.t. Ω°(X̃ᵀθ) ≤ λ
 * is 1/c_t-strongly concave in θ_t, so for any feasible θ and any W, Σ_t ‖θ_t − θ*_t‖²/c_t ≤ 2·gap
 * with gap = P(W) − D(θ). With θ_t = s_t c_t r̃_t, X̃_tᵀθ_t = −s_t ∇_t f(W) and c_t‖X̃_{t,j}‖² = a_jt
 * (the row curvature c_t H_t[j,j] + 2ρ), Cauchy–Schwarz per task gives
 *   L21:   ‖(s_t G_jt)_t‖₂ + √(2·gap·max_t a_jt) < λ  ⇒  W*_j,: = 0 at every optimum,
 *   lasso: |s_t G_jt|     + √(2·gap·a_jt)        < λ  ⇒  W*_jt = 0.
 * Marks the entries so discarded in `mask` (d × T; L21 marks whole rows) and returns how many it
 * newly marked. The radius is taken on gap + 1e-12·|P| (rounding in P and D must not make it
 * unsafe). Applies only to lasso/L21 with the squared loss and κ = 0 (the gap's dual).
 */
export function gapSafeScreen(pen: RowPenaltyKind, lambda: number, gap: number, primal: number, grad: Float64Array, factors: Float64Array, curvatureOf: (j: number) => Float64Array, d: number, T: number, mask: Uint8Array): number {
  if (!(lambda > 0) || !(gap >= 0) || !Number.isFinite(gap)) return 0;
  const g2 = 2 * (gap + 1e-12 * Math.abs(primal));
  const limit = lambda * (1 - 1e-12);
  let marked = 0;
  for (let j = 0; j < d; j++) {
    const o = j * T;
    if (pen === 'l21') {
      if (mask[o] === 1) continue;
      const a = curvatureOf(j);
      let v = 0;
      let amax = 0;
      for (let t = 0; t < T; t++) {
        v += (factors[t]! * grad[o + t]!) ** 2;
        amax = Math.max(amax, a[t]!);
      }
      if (Math.sqrt(v) + Math.sqrt(g2 * amax) < limit) {
        mask.fill(1, o, o + T);
        marked += T;
      }
      continue;
    }
    let a: Float64Array | null = null;
    for (let t = 0; t < T; t++) {
      if (mask[o + t] === 1) continue;
      a ??= curvatureOf(j);
      if (Math.abs(factors[t]! * grad[o + t]!) + Math.sqrt(g2 * a[t]!) < limit) {
        mask[o + t] = 1;
        marked++;
      }
    }
  }
  return marked;
}

// ---------------------------------------------------------------- one pass over the working set

interface PassScratch {
  readonly g: Float64Array;
  readonly b: Float64Array;
  readonly u: Float64Array;
  readonly tmp: Float64Array;
  readonly bt: Float64Array;
}

/** Exact minimisation over row j; updates W and HW (on the rows `hwRows`). */
function blockStep(s: State, j: number, pen: BcdPenaltyKind, lambda: number, lambda2: number, curv: RowCurvature, hwRows: readonly number[], sc: PassScratch, mask: Uint8Array | null = null): void {
  const { d, T } = s.gp;
  const o = j * T;
  const w = s.W.subarray(o, o + T);
  const { g, b, u, tmp, bt } = sc;
  rowGradient(s, j, g, tmp);
  if (curv.D === null) {
    for (let t = 0; t < T; t++) b[t] = curv.a[t]! * w[t]! - g[t]!;
    if (pen === 'dirty') dirtyRowSolve(curv.a, b, lambda, lambda2, u);
    else if (pen === 'lasso') {
      for (let t = 0; t < T; t++) {
        const v = b[t]!;
        const st = v > lambda ? v - lambda : v < -lambda ? v + lambda : 0;
        // Entries discarded by the gap-safe rule are zero at the optimum: kept there.
        u[t] = st === 0 || curv.a[t]! <= 0 || (mask !== null && mask[o + t] === 1) ? 0 : st / curv.a[t]!;
      }
    } else {
      let nb = 0;
      for (let t = 0; t < T; t++) nb += b[t]! * b[t]!;
      if (Math.sqrt(nb) <= lambda || (mask !== null && mask[o] === 1)) u.fill(0);
      else s.mu[j] = groupSecular(curv.a, b, lambda, u, s.mu[j]!);
    }
  } else {
    if (pen !== 'l21') throw new Error('bcd: the chain term is supported with the L21 penalty only (tgl)');
    // b = A w − g with A tridiagonal (diagonal D, off-diagonal −2κ).
    const D = curv.D!;
    const e = -2 * s.gp.chain;
    let nb = 0;
    for (let t = 0; t < T; t++) {
      let aw = D[t]! * w[t]!;
      if (t > 0) aw += e * w[t - 1]!;
      if (t + 1 < T) aw += e * w[t + 1]!;
      b[t] = aw - g[t]!;
      nb += b[t]! * b[t]!;
    }
    if (Math.sqrt(nb) <= lambda) u.fill(0);
    else tridiagonalSecular(D, e, curv.amin, b, lambda, u, [tmp, bt]);
  }
  setRow(s, j, u, hwRows);
}

/** W_j,: ← u, with the residuals (data form) or HW's columns `hwRows` (Gram form) updated. */
function setRow(s: State, j: number, u: Float64Array, hwRows: readonly number[]): void {
  const { d, T } = s.gp;
  const o = j * T;
  const w = s.W.subarray(o, o + T);
  const data = dataOf(s.gp);
  if (data) {
    // r_t += δ_t X̂_t[:,j] for every task: one segmented axpy along column j of the stacked data.
    const { offsets, N, Xc } = data;
    const r = s.r!;
    const xo = j * N;
    for (let t = 0; t < T; t++) {
      const delta = u[t]! - w[t]!;
      if (delta === 0) continue;
      w[t] = u[t]!;
      for (let i = offsets[t]!, e = offsets[t + 1]!; i < e; i++) r[i]! += delta * Xc[xo + i]!;
    }
    return;
  }
  const HW = s.HW;
  const full = hwRows.length === d;
  const nr = hwRows.length;
  const H = (s.gp as GramProblem).H;
  for (let t = 0; t < T; t++) {
    const delta = u[t]! - w[t]!;
    if (delta === 0) continue;
    w[t] = u[t]!;
    const Ht = H[t]!;
    const hw = t * d;
    const hj = j * d;
    // Contiguous when the working set is every feature (the common case for small d).
    if (full) for (let k = 0; k < d; k++) HW[hw + k]! += delta * Ht[hj + k]!;
    else for (let r = 0; r < nr; r++) {
      const k = hwRows[r]!;
      HW[hw + k]! += delta * Ht[hj + k]!;
    }
  }
}

// ---------------------------------------------------------------- the solver

/** Σ_k c_k x_k (an affine combination of snapshots, Σ c_k = 1). */
function combine(c: Float64Array, xs: readonly Float64Array[]): Float64Array {
  const n = xs[0]!.length;
  const out = new Float64Array(n);
  for (let k = 0; k < xs.length; k++) {
    const ck = c[k]!;
    if (ck === 0) continue;
    const x = xs[k]!;
    for (let i = 0; i < n; i++) out[i]! += ck * x[i]!;
  }
  return out;
}

export function bcd(gp: BcdProblem, opts: BcdOptions): BcdResult {
  const started = opts.started ?? performance.now();
  const { d, T, c, h } = gp;
  const pen = opts.penalty;
  const lambda = opts.lambda;
  const lambda2 = opts.lambda2 ?? 0;
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`bcd: lambda must be finite and ≥ 0, got ${lambda}`);
  if (pen === 'dirty' && !(lambda > 0 && lambda2 > 0 && Number.isFinite(lambda2))) throw new RangeError(`bcd: the dirty penalty needs λ_P > 0 and λ_Q > 0, got ${lambda}, ${lambda2}`);
  if (gp.chain > 0 && pen !== 'l21') throw new Error('bcd: the chain term is supported with the L21 penalty only (tgl)');
  const tol = opts.tol ?? 1e-6;
  const maxIter = opts.maxIter ?? 20000;
  const andersonK = opts.anderson ?? 5;
  const useWs = opts.workingSet ?? true;
  // The MM step solves with the per-task Gram blocks: the Gram form only.
  const mmPen: RowPenaltyKind | null = pen === 'dirty' || gp.chain > 0 || !(lambda > 0) || opts.mm === false || dataOf(gp) !== null ? null : pen;
  const solver = opts.solverName ?? 'bcd';
  const useGap = gp.chain === 0 && opts.certificate !== 'subgradient';
  const tick = progressTicker(opts.hooks, solver, 1);

  const W = new Float64Array(d * T);
  if (opts.W0) {
    if (opts.W0.rows !== d || opts.W0.cols !== T) throw new RangeError(`bcd: W0 is ${opts.W0.rows}×${opts.W0.cols}, expected ${d}×${T}`);
    W.set(opts.W0.data);
  }
  const data = dataOf(gp);
  const s: State = { gp, W, HW: new Float64Array(data ? 0 : T * d), r: data ? new Float64Array(data.N) : null, mu: new Float64Array(d).fill(Number.NaN) };
  recomputeHW(s);
  // ‖∇f(0)‖ (scale of the optimality measure, as FISTA's).
  let g0 = 0;
  for (let t = 0; t < T; t++) for (let j = 0; j < d; j++) g0 += (c[t]! * h[t * d + j]!) ** 2;
  g0 = opts.scale !== undefined && opts.scale > 0 ? opts.scale : Math.max(Math.sqrt(g0), TINY);

  const curvCache = new Map<number, RowCurvature>();
  const curvature = (j: number): RowCurvature => {
    let k = curvCache.get(j);
    if (!k) curvCache.set(j, (k = rowCurvature(gp, j)));
    return k;
  };
  const sc: PassScratch = { g: new Float64Array(T), b: new Float64Array(T), u: new Float64Array(T), tmp: new Float64Array(T), bt: new Float64Array(T) };

  // The best dual point met so far (any dual-feasible θ bounds P* from below, whatever W it came
  // from): its value, and ∇f and the factors that define it (for the screening test).
  const useExtrap = useGap && opts.dualExtrapolation === true;
  let bestDual = -Infinity;
  let bestGrad: Float64Array = new Float64Array(0);
  let bestFactors: Float64Array = new Float64Array(0);
  const consider = (e: Evaluation): void => {
    if (e.dual > bestDual) {
      bestDual = e.dual;
      bestGrad = e.grad;
      bestFactors = e.factors;
    }
  };
  // The last Anderson extrapolation of the primal iterates (W and its HW or residuals), kept for its
  // dual point at the next certificate; hwValid: HW is current on all d columns.
  let extrap: { W: Float64Array; HW: Float64Array; r: Float64Array | null; hwValid: boolean } | null = null;
  const considerExtrapolation = (): void => {
    if (!extrap) return;
    const ts: State = { gp, W: extrap.W, HW: extrap.HW, r: extrap.r, mu: s.mu };
    if (!extrap.hwValid) recomputeHW(ts);
    const ex = evaluateAll(ts, pen, lambda, lambda2, true);
    consider(ex);
    extrap = null;
  };
  const certificate = (e: Evaluation): number => {
    if (!useGap) return e.subgradient / g0;
    consider(e);
    if (useExtrap) considerExtrapolation();
    return Math.max(e.primal - bestDual, 0) / Math.max(Math.abs(e.primal), TINY);
  };
  // Gap-safe screening state: mask (d × T) of entries fixed at zero; rowOut: rows entirely masked.
  const useScreen = useGap && opts.screening !== false && pen !== 'dirty' && lambda > 0;
  const mask = new Uint8Array(useScreen ? d * T : 0);
  const rowOut = new Uint8Array(d);
  let nOut = 0;
  let screened = 0;
  let stale = false;
  const allRows = Array.from({ length: d }, (_, j) => j);
  const zeroRow = new Float64Array(T);
  /** Screens with the best dual point and the gap at `e`; zeroes the newly discarded entries of W. */
  const screen = (e: Evaluation): void => {
    if (!useScreen || bestFactors.length === 0) return;
    const marked = gapSafeScreen(pen as RowPenaltyKind, lambda, e.primal - bestDual, e.primal, bestGrad, bestFactors, (j) => curvature(j).a, d, T, mask);
    if (marked === 0) return;
    screened += marked;
    for (let j = 0; j < d; j++) {
      if (rowOut[j] === 1) continue;
      const o = j * T;
      let all = true;
      let nzMasked = false;
      for (let t = 0; t < T; t++) {
        if (mask[o + t] !== 1) all = false;
        else if (W[o + t] !== 0) nzMasked = true;
      }
      if (nzMasked) {
        // A discarded entry that is not yet zero: set it to its optimal value 0 (HW on all columns).
        const u = Float64Array.from(W.subarray(o, o + T), (v, t) => (mask[o + t] === 1 ? 0 : v));
        setRow(s, j, all ? zeroRow : u, allRows);
        stale = true;
      }
      if (all) {
        rowOut[j] = 1;
        nOut++;
      }
    }
  };

  let passes = 0;
  let outer = 0;
  let accepted = 0;
  let tried = 0;
  let mmAccepted = 0;
  let mmTried = 0;
  let wsSize = Math.min(d, 10);
  // Sequential strong rule (Tibshirani et al. 2012, eq. (7)) for the first working set along a path.
  const prevLambda = opts.previousLambda;
  const useStrong = useWs && opts.W0 !== undefined && prevLambda !== undefined && prevLambda > lambda && Number.isFinite(prevLambda) && pen !== 'dirty';
  const strongThreshold = useStrong ? 2 * lambda - prevLambda! : Infinity;
  const strongSet = new Set<number>();
  const strongRound = (k: number): boolean => useStrong && k === 1;
  let strongRuleViolations = 0;
  let ev = evaluateAll(s, pen, lambda, lambda2, useGap);
  let crit = certificate(ev);
  const trace: number[] = [ev.primal];
  let converged = crit <= tol;
  // Sequential screening along a λ path: the warm start's dual point, rescaled for this λ.
  if (!converged) screen(ev);

  while (!converged && passes < maxIter) {
    outer++;
    // Working set (skglm Alg. 1): the current support plus the most violating features, growing.
    const support: number[] = [];
    for (let j = 0; j < d; j++) {
      let nz = false;
      for (let t = 0; t < T; t++) if (W[j * T + t] !== 0) nz = true;
      if (nz) support.push(j);
    }
    let ws: number[];
    if (!useWs) ws = allRows.filter((j) => rowOut[j] !== 1);
    else if (strongRound(outer)) {
      const inSupport = new Set(support);
      for (let j = 0; j < d; j++) if (!inSupport.has(j) && rowOut[j] !== 1 && ev.gradNorm[j]! >= strongThreshold) strongSet.add(j);
      for (const j of support) strongSet.add(j);
      ws = [...strongSet].sort((p, q) => p - q);
      if (ws.length === 0) ws = [ev.violation.indexOf(Math.max(...ev.violation))];
      wsSize = Math.max(wsSize, ws.length);
    } else {
      wsSize = Math.min(d, Math.max(wsSize, 2 * support.length));
      const inSupport = new Set(support);
      const rest = allRows
        .filter((j) => !inSupport.has(j) && rowOut[j] !== 1)
        .sort((p, q) => ev.violation[q]! - ev.violation[p]!);
      ws = [...support, ...rest.slice(0, Math.max(0, wsSize - support.length))].sort((p, q) => p - q);
      // Never leave a violating feature out when the set is already the support only.
      if (ws.length === support.length && rest.length > 0 && ev.violation[rest[0]!]! > 0) ws.push(rest[0]!);
    }
    // Every feature not discarded by screening is in the set: HW is kept current on all d columns
    // (contiguous updates) and the inner loop may check the full certificate.
    const wsFull = ws.length + nOut === d;
    const hwRows = wsFull ? allRows : ws;
    let worstWs = 0;
    for (const j of ws) worstWs = Math.max(worstWs, ev.violation[j]!);
    const innerTol = 0.3 * worstWs;
    const hist: Float64Array[] = [];
    const histHW: Float64Array[] = [];
    // Snapshot buffers from a pool (slot k = position in Anderson's history; one more for the MM
    // step): a fresh pair per pass made garbage collection ~10% of a CV run. The affine companions of
    // W (HW's working-set columns, or the residuals in the data form) are extrapolated with the same
    // weights (Σ c_k = 1), so they stay exact for the extrapolated W.
    const hwLength = s.r ? s.r.length : ws.length * T;
    const pool = Array.from({ length: andersonK + 2 }, () => ({ w: new Float64Array(ws.length * T), hw: new Float64Array(hwLength) }));
    const snapshot = (slot: number): { w: Float64Array; hw: Float64Array } => {
      const { w, hw } = pool[slot]!;
      ws.forEach((j, k) => w.set(W.subarray(j * T, (j + 1) * T), k * T));
      if (s.r) {
        hw.set(s.r);
        return { w, hw };
      }
      ws.forEach((j, k) => {
        for (let t = 0; t < T; t++) hw[k * T + t] = s.HW[t * d + j]!;
      });
      return { w, hw };
    };
    const restore = (w: Float64Array, hw: Float64Array): void => {
      ws.forEach((j, k) => W.set(w.subarray(k * T, (k + 1) * T), j * T));
      if (s.r) {
        s.r.set(hw);
        return;
      }
      ws.forEach((j, k) => {
        for (let t = 0; t < T; t++) s.HW[t * d + j] = hw[k * T + t]!;
      });
    };
    const wsObjective = (): number => smoothValue(s, ws) + penaltyValue(pen, lambda, lambda2, W, d, T);
    let order = ws.slice();
    while (passes < maxIter) {
      passes++;
      if (opts.order === 'greedy') {
        const g = new Float64Array(T);
        const tmp = new Float64Array(T);
        const score = new Map<number, number>();
        for (const j of ws) {
          rowGradient(s, j, g, tmp);
          score.set(j, rowViolation(pen, lambda, lambda2, W.subarray(j * T, (j + 1) * T), g, curvature(j).a));
        }
        order = ws.slice().sort((p, q) => score.get(q)! - score.get(p)!);
      }
      for (const j of order) blockStep(s, j, pen, lambda, lambda2, curvature(j), hwRows, sc, useScreen ? mask : null);
      tick(passes, crit);
      if (andersonK > 0) {
        const snap = snapshot(hist.length);
        hist.push(snap.w);
        histHW.push(snap.hw);
        if (hist.length === andersonK + 1) {
          // Dual extrapolation (Massias et al. 2018, 2020): Anderson weights fitted on the differences
          // of the residual side of the last passes (HW's columns, ∝ X̃ᵀ r̃; the residuals themselves in
          // the data form), not on W's; the combined point's residual is the extrapolated residual
          // (it is affine in W), and its dual point is a candidate at the next certificate, whatever
          // the primal safeguard below decides. HW is exact on all columns only when the set holds
          // every feature not screened (otherwise recomputed at the certificate).
          if (useExtrap) {
            const cd = andersonWeights(histHW);
            if (cd) {
              const xd = combine(cd, hist);
              const hd = combine(cd, histHW);
              restore(xd, hd);
              extrap = { W: W.slice(), HW: s.HW.slice(), r: s.r ? s.r.slice() : null, hwValid: s.r !== null || wsFull };
              restore(snap.w, snap.hw);
            }
          }
          const cw = andersonWeights(hist);
          if (cw) {
            tried++;
            const xe = combine(cw, hist);
            const he = combine(cw, histHW);
            const before = wsObjective();
            restore(xe, he);
            if (wsObjective() < before) accepted++;
            else restore(snap.w, snap.hw);
          }
          hist.length = 0;
          histHW.length = 0;
        }
      }
      // MM step across the correlated features of the support (./mm-step.ts), kept only if it lowers F.
      if (mmPen !== null && passes % MM_EVERY === MM_OFFSET) {
        const snap = snapshot(andersonK + 1);
        const before = wsObjective();
        if (mmStep(gp as GramProblem, mmPen, lambda, W)) { // mmPen is null in the data form
          mmTried++;
          refreshHW(s, ws);
          if (wsObjective() < before) mmAccepted++;
          else restore(snap.w, snap.hw);
        }
      }
      // Inner stopping on the working set, every 5 passes (its violations cost one pass).
      if (passes % 5 === 0) {
        // With every feature in the set, HW is current on all of them: check the full certificate
        // here (O(dT), cheaper than a pass) instead of ending the round at the loose inner tolerance;
        // the round's end re-certifies on a fresh HW, so incremental drift cannot fake convergence.
        if (wsFull) {
          const e = evaluateAll(s, pen, lambda, lambda2, useGap);
          if (certificate(e) <= tol) break;
          // Anderson's history is kept: an extrapolation that revives a discarded entry is zeroed by
          // that row's next step (resetting it after every screening starved Anderson: +27 % passes
          // on the School lasso CV path).
          screen(e);
          continue;
        }
        const g = new Float64Array(T);
        const tmp = new Float64Array(T);
        let worst = 0;
        for (const j of ws) {
          rowGradient(s, j, g, tmp);
          worst = Math.max(worst, rowViolation(pen, lambda, lambda2, W.subarray(j * T, (j + 1) * T), g, curvature(j).a));
        }
        if (worst <= innerTol || worst / g0 <= 0.1 * tol) break;
      }
    }
    // Certify on ALL features with fresh HW (also removes drift from the incremental updates).
    recomputeHW(s);
    ev = evaluateAll(s, pen, lambda, lambda2, useGap);
    crit = certificate(ev);
    trace.push(ev.primal);
    // The strong rule is checked, never trusted: discarded features violating their optimality
    // condition at the round's solution are counted and enter the next working set by violation.
    if (strongRound(outer)) for (let j = 0; j < d; j++) if (!strongSet.has(j) && ev.violation[j]! > 0) strongRuleViolations++;
    stale = false;
    if (crit <= tol) converged = true;
    else {
      screen(ev);
      if (useWs) wsSize = Math.min(d, 2 * wsSize);
    }
  }
  // Stopped at the cap right after screening zeroed entries: the reported objective is W's.
  if (stale) {
    recomputeHW(s);
    ev = evaluateAll(s, pen, lambda, lambda2, useGap);
    crit = certificate(ev);
  }

  const seconds = (performance.now() - started) / 1000;
  const what = useGap ? 'relative duality gap' : 'relative optimality (minimum-norm subgradient)';
  const tail = `${outer} working-set rounds${useScreen ? `, gap-safe screening: ${screened} of ${d * T} entries discarded` : ''}${useStrong ? ` (strong rule: ${strongSet.size} kept, ${strongRuleViolations} violations added back)` : ''}, ${passes} passes, Anderson ${accepted}/${tried} accepted${mmPen !== null ? `, MM ${mmAccepted}/${mmTried} accepted` : ''}`;
  const message = converged
    ? `converged: ${what} ${crit.toExponential(2)} ≤ tol ${tol} on all ${d} features (${tail})`
    : `NOT converged: stopped at the iteration cap maxIter = ${maxIter} passes with ${what} ${crit.toExponential(2)} > tol ${tol} (${tail}); raise maxIter or loosen tol`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`${solver}: ${message}`);
  const info: FitInfo = { solver, iterations: passes, converged, optimality: crit, objective: ev.primal, objectiveTrace: trace, seconds, message };
  const gap = useGap ? Math.max(ev.primal - bestDual, 0) / Math.max(Math.abs(ev.primal), TINY) : NaN;
  return { W: new Matrix(d, T, W), info, gap, subgradient: ev.subgradient / g0, outer, strongRuleViolations, screened, discarded: useScreen ? mask : new Uint8Array(d * T) };
}
