// ADMM for squared-loss MTL in Gram form (./gram-form.ts) with one non-smooth penalty Ω:
//   min_W  F(W) = f(W) + Ω(W),   f(W) = Σ_t c_t(½w_tᵀH_t w_t − h_tᵀw_t + ½yy_t) + ρ‖W‖²_F
// with exact per-task W-steps and a duality-gap certificate (issue 17). Used for the trace norm
// (./lowrank.ts) and the dirty model's row penalty (structure/two-block.ts).
//
// Why: raw School features are badly scaled, so one global step 1/L crawls along the flat directions
// (trace ρ = 200: FISTA ~6 000 iterations; the plain proximal gradient with Anderson extrapolation was
// measured still 60 % above the optimum after 3 000). Penalties that are not separable over features
// (trace) or whose row steps converge slowly (dirty) gain nothing from a diagonal preconditioner.
// ADMM (Boyd, Parikh, Chu, Peleato & Eckstein, Found. Trends ML 3(1), 2011, §3 and §6.4 for the
// split W = Z) puts the ill-conditioning into a step that is solved exactly:
//   W ← argmin f(W) + β/2‖W − Z + U‖²   : per task (c_t H_t + (2ρ + β) I) w_t = c_t h_t + β(z_t − u_t),
//                                          from one eigh of H_t (once per fit): two batched products in
//                                          the eigenbases per step, so β changes for free (a shared
//                                          design has ONE H: its inverse block, rebuilt when β changes)
//   Z ← prox_{Ω/β}(W + U)
//   U ← U + W − Z
// with β adapted by residual balancing (Boyd et al. §3.4.1: ×2 when the primal residual ‖W − Z‖ is
// ten times the dual one β‖Z − Z_prev‖, ÷2 in the opposite case), frozen after 1 000 iterations so
// that the convergence theory of fixed-β ADMM applies to the tail.
//
// Stopping: the relative duality gap (P − D)/P ≤ tol at the returned point Z (the prox's output: low
// rank, sparse rows). Used also for cmtl and mtrl (./spectral-admm.ts), whose penalties are not
// norms but have 2-homogeneous conjugates (GramPenalty.conjugateT). With the residual r_t = ŷ_t − X̂_t w_t augmented by the ridge
// (r̃_t = [r_t; −√(2ρ/c_t) w_t], as in ./bcd.ts), the dual point θ_t = s·c_t r̃_t has X̃_tᵀθ_t = −s·∇_t f(W),
// so it is feasible iff s·Ω°(∇f(W)) ≤ 1 (Ω° the dual norm of Ω, scaled by its weights: the spectral
// norm over λ for the trace norm); s is the best multiple in [0, 1/Ω°(∇f)] and
//   D(s) = Σ_t s·c_t(yy_t − h_tᵀw_t) − ½s²(c_t‖r_t‖² + 2ρ‖w_t‖²),   ‖r_t‖² = yy_t − 2h_tᵀw_t + w_tᵀH_t w_t,
// all from H_t, h_t, yy_t. At the optimum s = 1 and P − D = Ω(W) + ⟨W, ∇f(W)⟩ = 0.
import { ConvergenceError, NumericError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { eigh } from '../../linalg/decomp/eigh.ts';
import { dgemvBatched, dsymvBatched } from '../../linalg/batched.ts';
import { kernels } from '../../linalg/backend.ts';
import type { FitInfo, SolverHooks } from '../types.ts';
import type { GramProblem } from './gram-form.ts';
import { progressTicker } from './hooks.ts';

/**
 * A penalty as ADMM sees it, on d × T matrices stored TRANSPOSED (T × d: task t's weights contiguous).
 * Weights are built in (Ω includes λ).
 */
export interface GramPenalty {
  readonly name: string;
  /**
   * out ← prox_{step·Ω}(V); returns Ω(out). With wantValue === false the caller does not need Ω(out)
   * (ADMM reads it only when it checks the gap) and the penalty may skip it and return NaN.
   */
  proxT(Vt: Float64Array, d: number, T: number, step: number, out: Float64Array, wantValue?: boolean): number;
  /** Ω(W). */
  valueT(Wt: Float64Array, d: number, T: number): number;
  /**
   * For a penalty separable over the rows of W: out ← argmin_V Σ_{t,j} (½a_tj v_tj² − b_tj v_tj) + Ω(V)
   * with a per-entry curvature a ≥ 0 (a_tj = 0: v_tj = 0); returns Ω(out). ADMM uses it for a
   * majorised proximal-gradient step from its W-iterate (see admmGram's gap check).
   */
  proxDiagT?(Bt: Float64Array, At: Float64Array, d: number, T: number, out: Float64Array): number;
  /**
   * For a norm Ω: Ω°(G), the smallest r with G/r in the dual ball {Z : ⟨Z, W⟩ ≤ Ω(W) ∀W}. A penalty
   * with conjugateT instead leaves it out.
   */
  dualRatioT?(Gt: Float64Array, d: number, T: number): number;
  /**
   * For a penalty whose convex conjugate Ω* is even and homogeneous of degree 2 (a squared norm, a
   * quadratic form: mtrl's (μ/2)‖W‖_*², cmtl's c·min_M tr(W(ηI + M)⁻¹Wᵀ)): Ω*(G). The dual is then
   * unconstrained (see dualFrom in admmGram).
   */
  conjugateT?(Gt: Float64Array, d: number, T: number): number;
  /**
   * For a differentiable Ω (cmtl's reduced penalty): out ← ∇Ω(W), T × d. ADMM then also stops when
   * the relative gradient ‖∇f(Z) + ∇Ω(Z)‖/‖∇f(0) + ∇Ω(0)‖ ≤ tol — the certificate FISTA uses for
   * smooth objectives (fista.ts proxGradientResidual), which can be met decades before the
   * duality gap on nearly non-smooth penalties (cmtl with η = ρ2/ρ1 ≲ 1e-6, measured on the demo).
   */
  gradientT?(Wt: Float64Array, d: number, T: number, out: Float64Array): void;
  /** A typical curvature of Ω (for β₀; e.g. μ for (μ/2)‖·‖_*²), when it can dwarf the loss's. */
  readonly curvature?: number;
  /** Ω(W) on the d × T matrix at the end, as the model's penalty computes it. */
  exactValue(W: Matrix): number;
}

export interface AdmmOptions {
  /** Relative duality gap at which to stop (default 1e-6). */
  readonly tol?: number;
  /** Cap on ADMM iterations. */
  readonly maxIter?: number;
  readonly W0?: Matrix;
  /** β₀ of the augmented Lagrangian (default: the mean curvature c_t·tr(H_t)/d + 2ρ). */
  readonly beta?: number;
  /**
   * β₀ when `beta` is not given: 'mean' (default) the mean curvature c_t·tr(H_t)/d + 2ρ; 'geometric'
   * the geometric mean of all tasks' positive eigenvalues c_t λ_k(H_t) + 2ρ (better on badly scaled features).
   */
  readonly betaRule?: 'mean' | 'geometric';
  /** Over-relaxation α ∈ (0, 2) (Boyd et al. §3.4.3; default 1: plain ADMM). */
  readonly relax?: number;
  /** Check the duality gap every `checkEvery` iterations (default 10). */
  readonly checkEvery?: number;
  readonly requireConvergence?: boolean;
  readonly solverName?: string;
  /** Start time (performance.now()) so that `seconds` includes the caller's set-up. */
  readonly started?: number;
  readonly hooks?: SolverHooks;
}

export interface AdmmResult {
  readonly W: Matrix;
  readonly info: FitInfo;
  /** Relative duality gap at W. */
  readonly gap: number;
}

const TINY = 1e-300;

// ---------------------------------------------------------------- the smooth part

interface Smooth {
  /** ∇f (T × d, row t = ∇_t f) */
  readonly G: Float64Array;
  /** f(W) */
  value: number;
  /** Σ_t c_t(yy_t − h_tᵀw_t) and Σ_t (c_t‖r_t‖² + 2ρ‖w_t‖²): the two terms of the dual. */
  lin: number;
  quad: number;
}

/**
 * HW ← (H_t w_t)_t for all tasks (T × d, transposed layout), one kernel call: the batched symmetric
 * product over the stacked Gram blocks, or one GEMM Wᵀ·H for a shared design. The gap check evaluates
 * f at two points; in JavaScript loops those two products cost as much as 2–3 ADMM iterations each on
 * School (T = 139, d = 28).
 */
function gramProducts(gp: GramProblem): (Wt: Float64Array, HW: Float64Array) => void {
  const { d, T, H } = gp;
  if (gp.shared) {
    const H0 = H[0]!;
    return (Wt, HW) => kernels().dgemm(false, false, T, d, d, 1, Wt, d, H0, d, 0, HW, d);
  }
  const dd = d * d;
  // The loss packs its Gram blocks into one array (loss/squared.ts): use it as it is when the blocks
  // are consecutive views of one buffer; stack a copy otherwise.
  const first = H[0]!;
  let contiguous = true;
  for (let t = 0; t < T && contiguous; t++) contiguous = H[t]!.buffer === first.buffer && H[t]!.byteOffset === first.byteOffset + t * dd * 8 && H[t]!.length >= dd;
  let all: Float64Array;
  if (contiguous) all = new Float64Array(first.buffer, first.byteOffset, T * dd);
  else {
    all = new Float64Array(T * dd);
    for (let t = 0; t < T; t++) all.set(H[t]!.subarray(0, dd), t * dd);
  }
  return (Wt, HW) => dsymvBatched(T, d, 1, all, Wt, 0, HW);
}

/** f, ∇f and the dual's two terms at W (transposed), with HW = (H_t w_t)_t from gramProducts. */
function evalSmooth(gp: GramProblem, Wt: Float64Array, HW: Float64Array, out: Smooth): void {
  const { d, T, h, c, yy, ridge } = gp;
  let value = 0;
  let lin = 0;
  let quad = 0;
  for (let t = 0; t < T; t++) {
    const o = t * d;
    const ct = c[t]!;
    let wHw = 0;
    let hw = 0;
    let ww = 0;
    for (let i = 0; i < d; i++) {
      const s = HW[o + i]!;
      const wi = Wt[o + i]!;
      wHw += wi * s;
      hw += h[o + i]! * wi;
      ww += wi * wi;
      out.G[o + i] = ct * (s - h[o + i]!) + 2 * ridge * wi;
    }
    const rr = Math.max(yy[t]! - 2 * hw + wHw, 0);
    value += 0.5 * ct * rr + ridge * ww;
    lin += ct * (yy[t]! - hw);
    quad += ct * rr + 2 * ridge * ww;
  }
  out.value = value;
  out.lin = lin;
  out.quad = quad;
}

// ---------------------------------------------------------------- the solver

/** Per distinct Gram matrix: its eigenvalues (clipped at 0) and eigenvectors, transposed (row k = vector k). */
function gramEigens(gp: GramProblem): { vals: Float64Array; Qt: Float64Array }[] {
  const { d, T, H } = gp;
  const seen = new Map<Float64Array, { vals: Float64Array; Qt: Float64Array }>();
  return Array.from({ length: T }, (_, t) => {
    let e = seen.get(H[t]!);
    if (!e) {
      const r = eigh(new Matrix(d, d, H[t]!));
      const Qt = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) Qt[k * d + i] = r.vectors.data[i * d + k]!;
      e = { vals: Float64Array.from(r.values, (v) => Math.max(v, 0)), Qt };
      seen.set(H[t]!, e);
    }
    return e;
  });
}

/**
 * The W-step's matrix (c H + (2ρ + β)I)⁻¹ = Q diag(1/(c λ_i + 2ρ + β)) Qᵀ of a shared design (whose
 * tasks all have the same c_t and H; count = 1). Rebuilt only when β changes.
 */
function solveBlocks(gp: GramProblem, eigs: readonly { vals: Float64Array; Qt: Float64Array }[], beta: number): Float64Array {
  const { d, T, c, ridge } = gp;
  const count = gp.shared ? 1 : T;
  const out = new Float64Array(count * d * d);
  const g = new Float64Array(d);
  for (let t = 0; t < count; t++) {
    const { vals, Qt } = eigs[t]!;
    for (let k = 0; k < d; k++) g[k] = 1 / (c[t]! * vals[k]! + 2 * ridge + beta);
    const o = t * d * d;
    for (let k = 0; k < d; k++) {
      const q = k * d;
      const gk = g[k]!;
      for (let i = 0; i < d; i++) {
        const a = gk * Qt[q + i]!;
        if (a === 0) continue;
        const oi = o + i * d;
        for (let j = i; j < d; j++) out[oi + j]! += a * Qt[q + j]!;
      }
    }
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) out[o + j * d + i] = out[o + i * d + j]!;
  }
  return out;
}

// The elementwise passes of an iteration as small top-level functions over typed arrays: inside the
// long admmGram body (closures over its mutable state) V8 compiled the same loops several times slower
// (School dirty, 120 iterations: 64 → 48 ms CPU with this change alone, load ~8).

/** v ← αW + (1 − α)Z + U. */
function relaxed(n: number, alpha: number, W: Float64Array, Z: Float64Array, U: Float64Array, v: Float64Array): void {
  const a1 = 1 - alpha;
  for (let i = 0; i < n; i++) v[i] = alpha * W[i]! + a1 * Z[i]! + U[i]!;
}

/** x ← g ⊙ x. */
function scaleBy(n: number, g: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i]! *= g[i]!;
}

/**
 * The U-step U ← v − Z (= U + Ŵ − Z), the next W-step's right-hand side rhs ← c·h + β(Z − U), and
 * into res the squared primal residual ‖W − Z‖² and the squared change ‖Z − Z_prev‖², in one pass.
 */
function dualStep(n: number, beta: number, v: Float64Array, Z: Float64Array, Zold: Float64Array, W: Float64Array, ch: Float64Array,
  U: Float64Array, rhs: Float64Array, res: Float64Array): void {
  let r2 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = Z[i]!;
    const u = v[i]! - z;
    U[i] = u;
    const r = W[i]! - z;
    const s = z - Zold[i]!;
    r2 += r * r;
    s2 += s * s;
    rhs[i] = ch[i]! + beta * (z - u);
  }
  res[0] = r2;
  res[1] = s2;
}

/** Iterations after which β stops adapting (fixed-β ADMM converges; see the header). */
const BALANCE_UNTIL = 1000;

export function admmGram(gp: GramProblem, pen: GramPenalty, opts: AdmmOptions): AdmmResult {
  const started = opts.started ?? performance.now();
  const { d, T, h, c, ridge } = gp;
  if (gp.chain > 0) throw new Error(`admm (${pen.name}): the chain term is not supported`);
  const tol = opts.tol ?? 1e-6;
  const maxIter = opts.maxIter ?? 20000;
  const checkEvery = Math.max(1, opts.checkEvery ?? 10);
  const solver = opts.solverName ?? 'admm';
  const tick = progressTicker(opts.hooks, solver);
  const n = d * T;
  const eigs = gramEigens(gp);
  // β₀: the mean curvature of the loss (scales with the data; residual balancing refines it).
  let beta = opts.beta ?? 0;
  if (!(beta > 0) && opts.betaRule === 'geometric') {
    // For a quadratic W-step the ADMM rate is best near β = √(λ_min λ_max) of the curvature (Ghadimi,
    // Teixeira, Shames & Johansson, IEEE TAC 60(3), 2015, Thm. 4). Over many tasks with rank-deficient,
    // badly scaled Grams the extremes are outliers (School raw: c_t λ from ~1 to ~3e5, √(λ_min λ_max)
    // per task ≈ 500 and 70 iterations to a 1e-3 gap), so the centre of the whole spectrum in log scale:
    // the geometric mean of every task's positive eigenvalues c_t λ_k + 2ρ (above 1e-12 of the task's
    // largest). On School ≈ 27 and 40 iterations; any β₀ in [2, 100] took 40–50 with residual balancing.
    let logs = 0;
    let count = 0;
    for (let t = 0; t < T; t++) {
      const vals = eigs[t]!.vals;
      let hi = 0;
      for (const v of vals) hi = Math.max(hi, v);
      for (const v of vals) {
        if (!(v > 1e-12 * hi)) continue;
        logs += Math.log(c[t]! * v + 2 * ridge);
        count++;
      }
    }
    if (count > 0) beta = Math.exp(logs / count);
  }
  if (!(beta > 0)) {
    let s = 0;
    for (let t = 0; t < T; t++) {
      let tr = 0;
      for (const v of eigs[t]!.vals) tr += v;
      s += (c[t]! * tr) / Math.max(d, 1);
    }
    beta = s / Math.max(T, 1) + 2 * ridge;
    // A penalty far stiffer than the loss (mtrl's (μ/2)‖·‖_*² at large μ) starts β at its own scale:
    // from the loss's, residual balancing needed ~900 iterations on School at μ = 1e5 (24 for FISTA);
    // from μ, 20 (measured; the geometric mean of the two took 370).
    const pc = pen.curvature ?? 0;
    if (pc > beta) beta = pc;
    if (!(beta > 0) || !Number.isFinite(beta)) beta = 1;
  }

  // Work on Wᵀ (T × d): each task's w_t and gradient row are contiguous.
  // Z and Zold swap buffers each iteration (no copy).
  let Z = new Float64Array(n);
  let Zold = new Float64Array(n);
  const products = gramProducts(gp);
  const HW = new Float64Array(n);
  const smoothAt = (Wt: Float64Array, out: Smooth): void => {
    products(Wt, HW);
    evalSmooth(gp, Wt, HW, out);
  };
  const U = new Float64Array(n);
  const Wv = new Float64Array(n);
  const sm: Smooth = { G: new Float64Array(n), value: 0, lin: 0, quad: 0 };
  let nuc = 0;
  if (opts.W0) {
    if (opts.W0.rows !== d || opts.W0.cols !== T) throw new RangeError(`admm (${pen.name}): W0 is ${opts.W0.rows}×${opts.W0.cols}, expected ${d}×${T}`);
    for (let j = 0; j < d; j++) for (let t = 0; t < T; t++) Z[t * d + j] = opts.W0.data[j * T + t]!;
    // At a fixed point W = Z and ∇f(W) + βU = 0: start U there (a warm start along a λ path).
    smoothAt(Z, sm);
    for (let i = 0; i < n; i++) U[i] = -sm.G[i]! / beta;
    nuc = pen.valueT(Z, d, T);
  }
  // The best dual value from the residual at a point (its gradient rescaled into the dual ball).
  // With a 2-homogeneous even conjugate the dual term −Ω*(−s∇f) = −s²Ω*(∇f) replaces the ball:
  //   D(s) = s·lin − s²(½quad + Ω*(∇f)),  maximal at s = lin/(quad + 2Ω*(∇f)),
  // and P − D(1) = Ω(W) + Ω*(−∇f) + ⟨W, ∇f⟩ = 0 at the optimum (Fenchel–Young with −∇f ∈ ∂Ω(W)).
  const dualFrom = (e: Smooth): number => {
    if (pen.conjugateT) {
      const q = e.quad + 2 * pen.conjugateT(e.G, d, T);
      const s = q > 0 ? Math.max(e.lin / q, 0) : 1;
      return s * e.lin - 0.5 * s * s * q;
    }
    if (!pen.dualRatioT) throw new Error(`admm (${pen.name}): the penalty gives neither dualRatioT nor conjugateT`);
    const ratio = pen.dualRatioT(e.G, d, T);
    const smax = ratio > 0 ? 1 / ratio : Infinity;
    const sBest = e.quad > 0 ? Math.min(Math.max(e.lin / e.quad, 0), smax) : Math.min(1, smax);
    return sBest * e.lin - 0.5 * sBest * sBest * e.quad;
  };
  // Per-task Grams: the W-step in each task's eigenbasis (Q_tᵀ stacked, row k = eigenvector k).
  // A shared design keeps the one inverse block.
  const perTaskEig = !gp.shared;
  const Qall = perTaskEig ? new Float64Array(T * d * d) : new Float64Array(0);
  if (perTaskEig) for (let t = 0; t < T; t++) Qall.set(eigs[t]!.Qt, t * d * d);
  const qOffsets = Int32Array.from({ length: perTaskEig ? T + 1 : 0 }, (_, t) => t * d);
  const qTmp = new Float64Array(perTaskEig ? n : 0);
  const gInv = new Float64Array(perTaskEig ? n : 0);
  let iterations = 0;
  const smW: Smooth = { G: new Float64Array(n), value: 0, lin: 0, quad: 0 };
  let haveW = false;
  // A second primal candidate, from the W-iterate. On badly scaled data Z = prox(Ŵ + U) is a poor
  // primal point: it leaves W along the loss's stiff directions, and f grows with them (School dirty,
  // relax 1.6: P(Z) was 4e-3 above the optimum at iteration 80, P(W) 7e-5). W itself is not in Ω's
  // structure (no exact zeros), so the candidate is one proximal-gradient step from W in the diagonal
  // metric D_t = diag(Σ_k|A_t,jk|), A_t = c_t H_t + 2ρI (Gershgorin: D_t ⪰ A_t, so the quadratic model
  // majorises f and P(Z_c) ≤ P(W)):  Z_c = argmin ⟨∇f(W), V⟩ + ½‖V − W‖²_D + Ω(V).
  // The gap is certified at whichever of Z and Z_c has the lower objective, and that point is returned.
  const Dg = pen.proxDiagT ? new Float64Array(n) : null;
  if (Dg) {
    for (let t = 0; t < T; t++) {
      const Ht = gp.H[t]!;
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += Math.abs(Ht[j * d + k]!);
        Dg[t * d + j] = c[t]! * s + 2 * ridge;
      }
    }
  }
  const Zc = new Float64Array(Dg ? n : 0);
  const Bc = new Float64Array(Dg ? n : 0);
  const smC: Smooth = { G: new Float64Array(Dg ? n : 0), value: 0, lin: 0, quad: 0 };
  const gapAt = (): { rel: number; primal: number; candidate: boolean } => {
    smoothAt(Z, sm);
    let dual = dualFrom(sm);
    let primal = sm.value + nuc;
    let candidate = false;
    // The W-step iterate gives a second dual point: −∇f(W) = β(U + Z − Z_prev) tends to βU, which the
    // Z-step keeps inside the dual ball, so its rescaling is often much closer to 1 than Z's
    // (measured: dirty on School, the gap lagged the primal by decades without it).
    if (haveW) {
      smoothAt(Wv, smW);
      dual = Math.max(dual, dualFrom(smW));
      if (Dg) {
        for (let i = 0; i < n; i++) Bc[i] = Dg[i]! * Wv[i]! - smW.G[i]!;
        const omega = pen.proxDiagT!(Bc, Dg, d, T, Zc);
        smoothAt(Zc, smC);
        dual = Math.max(dual, dualFrom(smC));
        const pc = smC.value + omega;
        if (pc < primal) {
          primal = pc;
          candidate = true;
        }
      }
    }
    if (!Number.isFinite(primal)) throw new NumericError(`${solver}: objective is not finite`);
    return { rel: Math.max(primal - dual, 0) / Math.max(Math.abs(primal), TINY), primal, candidate };
  };

  // The smooth certificate (GramPenalty.gradientT), relative to the gradient at W = 0.
  const gradOmega = pen.gradientT ? new Float64Array(n) : undefined;
  let grad0 = 0;
  if (gradOmega) {
    pen.gradientT!(new Float64Array(n), d, T, gradOmega);
    for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) grad0 += (gradOmega[t * d + i]! - c[t]! * h[t * d + i]!) ** 2;
    grad0 = Math.max(Math.sqrt(grad0), TINY);
  }
  /** ‖∇f(Z) + ∇Ω(Z)‖/‖∇F(0)‖ with sm evaluated at Z (after gapAt); Infinity without gradientT. */
  const gradResidual = (): number => {
    if (!gradOmega) return Infinity;
    pen.gradientT!(Z, d, T, gradOmega);
    let s = 0;
    for (let i = 0; i < n; i++) s += (sm.G[i]! + gradOmega[i]!) ** 2;
    return Math.sqrt(s) / grad0;
  };
  let gap = gapAt();
  let gres = gradResidual();
  const trace: number[] = [gap.primal];
  let converged = gap.rel <= tol || gres <= tol;
  const rhs = new Float64Array(n);
  const ch = new Float64Array(n);
  for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) ch[t * d + i] = c[t]! * h[t * d + i]!;
  let blocks: Float64Array = new Float64Array(0);
  let solveBeta = NaN;
  let gBeta = NaN;
  const relax = opts.relax ?? 1;
  if (!(relax > 0 && relax < 2)) throw new RangeError(`admm (${pen.name}): relax must be in (0, 2), got ${relax}`);
  const v = new Float64Array(n);
  const res = new Float64Array(2);
  // rhs = c·h + β(Z − U), the W-step's right-hand side, kept up to date by the U-step's loop.
  const setRhs = (): void => {
    for (let i = 0; i < n; i++) rhs[i] = ch[i]! + beta * (Z[i]! - U[i]!);
  };
  setRhs();
  while (!converged && iterations < maxIter) {
    iterations++;
    const check = iterations % checkEvery === 0 || iterations === maxIter;
    // W-step, exactly: w_t = (c_t H_t + (2ρ + β)I)⁻¹ rhs_t.
    if (perTaskEig) {
      // In each task's eigenbasis, w_t = Q_t diag(1/(c_t λ_k + 2ρ + β)) Q_tᵀ rhs_t: two batched
      // products and nothing to rebuild when β changes (rebuilding T inverses, T·d³, was ~20 % of a
      // dirty fit on School with residual balancing moving β).
      if (gBeta !== beta) {
        for (let t = 0; t < T; t++) {
          const vals = eigs[t]!.vals;
          for (let k = 0; k < d; k++) gInv[t * d + k] = 1 / (c[t]! * vals[k]! + 2 * ridge + beta);
        }
        gBeta = beta;
      }
      dgemvBatched(false, T, qOffsets, d, 1, Qall, rhs, 0, qTmp);
      scaleBy(n, gInv, qTmp);
      dgemvBatched(true, T, qOffsets, d, 1, Qall, qTmp, 0, Wv);
    } else {
      if (solveBeta !== beta) {
        blocks = solveBlocks(gp, eigs, beta);
        solveBeta = beta;
      }
      for (let t = 0; t < T; t++) dsymvBatched(1, d, 1, blocks, rhs.subarray(t * d, (t + 1) * d), 0, Wv.subarray(t * d, (t + 1) * d));
    }
    haveW = true;
    // Z-step: the penalty's prox of Ŵ + U, where over-relaxation (Boyd et al. §3.4.3) gives the Z- and
    // U-steps Ŵ = αW + (1 − α)Z_prev. Ω(Z) is needed only when the gap is checked.
    relaxed(n, relax, Wv, Z, U, v);
    const swap = Zold;
    Zold = Z;
    Z = swap;
    nuc = pen.proxT(v, d, T, 1 / beta, Z, check);
    // U-step U ← U + Ŵ − Z = v − Z, the residuals, and the next W-step's right-hand side, in one pass.
    dualStep(n, beta, v, Z, Zold, Wv, ch, U, rhs, res);
    const r2 = res[0]!;
    const s2 = res[1]!;
    if (!Number.isFinite(r2) || !Number.isFinite(s2)) throw new NumericError(`${solver}: non-finite iterate at iteration ${iterations}`);
    if (iterations <= BALANCE_UNTIL && iterations % 5 === 0) {
      const rn = Math.sqrt(r2);
      const sn = beta * Math.sqrt(s2);
      // Scaled form: U = y/β, so U rescales inversely with β.
      if (rn > 10 * sn) {
        beta *= 2;
        for (let i = 0; i < n; i++) U[i]! /= 2;
        setRhs();
      } else if (sn > 10 * rn) {
        beta /= 2;
        for (let i = 0; i < n; i++) U[i]! *= 2;
        setRhs();
      }
    }
    if (check) {
      gap = gapAt();
      gres = gradResidual();
      trace.push(gap.primal);
      tick(iterations, Math.min(gap.rel, gres));
      if (gap.rel <= tol || gres <= tol) converged = true;
    }
  }
  // The point the last gap was certified at.
  const out = gap.candidate ? Zc : Z;
  const W = Matrix.zeros(d, T);
  for (let t = 0; t < T; t++) for (let j = 0; j < d; j++) W.data[j * T + t] = out[t * d + j]!;
  // The reported objective uses the penalty's exact value (e.g. the trace norm by the full SVD).
  smoothAt(out, sm);
  const objective = sm.value + pen.exactValue(W);
  trace.push(objective);
  const seconds = (performance.now() - started) / 1000;
  const tail = `${iterations} ADMM iterations, final β = ${beta.toExponential(2)}${gradOmega ? `; relative gradient ${gres.toExponential(2)}` : ''}${gap.candidate ? '; at the proximal-gradient point from W' : ''}`;
  const byGradient = gap.rel > tol && gres <= tol;
  const message = converged
    ? byGradient
      ? `converged: relative gradient ${gres.toExponential(2)} ≤ tol ${tol} (relative duality gap ${gap.rel.toExponential(2)}; ${tail})`
      : `converged: relative duality gap ${gap.rel.toExponential(2)} ≤ tol ${tol} (${tail})`
    : `NOT converged: stopped at the iteration cap maxIter = ${maxIter} with relative duality gap ${gap.rel.toExponential(2)} > tol ${tol} (${tail}); ${gap.rel < 1e-9 ? 'the gap computed from the Gram form bottoms out near 1e-10 relative (rounding), so a tol below that is not reachable: loosen tol' : 'raise maxIter or loosen tol'}`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`${solver}: ${message}`);
  const optimality = Math.min(gap.rel, gres);
  const info: FitInfo = { solver, iterations, converged, optimality, objective, objectiveTrace: trace, seconds, message };
  return { W, info, gap: gap.rel };
}
