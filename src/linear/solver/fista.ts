// Accelerated proximal gradient (FISTA; Beck & Teboulle 2009, SIAM J. Imaging Sci. 2(1), alg. 4.3)
// for   min_x F(x) = f(x) + Σ_k g_k(x_k)   over a list of matrix blocks x = [x_1, …, x_K]
// (e.g. [W], [W, b] with b a 1 × T intercept row, or [P, Q] for two-block models),
// f smooth (gradient given), each g_k with a closed-form prox (or none: an unpenalised block).
//
// Exported API (stable; H5's structured models build on it):
//   fista(objective: CompositeObjective, options: FistaOptions): FistaResult
//     objective.smooth(x)            → { value: f(x), grad: ∇f(x) (one fresh Matrix per block) }
//     objective.prox[k]?(v, step)    → prox_{step·g_k}(v) = argmin_z ½‖z − v‖² + step·g_k(z); absent = identity
//     objective.nonsmoothValue(x)    → Σ_k g_k(x_k)
//     objective.lipschitz?           → first estimate of the Lipschitz constant of ∇f (power iteration)
//     objective.gradNormAtZero?      → ‖∇f(0)‖ for the scale-free stopping rule (computed if absent)
//     objective.quadratic?           → f quadratic: ∇f(y), f(y) by extrapolation (one f evaluation per iteration)
//     options.x0                      → the start (warm start); its shapes define the blocks
//     options.tol, maxIter, requireConvergence, accelerate (false: plain proximal gradient),
//     options.stepIncrease (false: MALSAR-style, the step never grows), solverName
//   FistaResult = { x, info: FitInfo, lipschitz } (src/linear/types.ts FitInfo)
//
// What differs from MALSAR's solvers (see ../shared/notes/linear-mtl.md, beside the checkout):
// - Backtracking both ways: each iteration first tries L·η_down, so a pessimistic early L does not
//   slow the whole run; the momentum update uses the full-backtracking rule of Scheinberg, Goldfarb
//   & Bai (2014, Found. Comput. Math. 14, eq. (3.5)): t_{k+1} = (1 + √(1 + 4 (L_{k+1}/L_k) t_k²))/2.
// - Adaptive restart (O'Donoghue & Candès 2015, Found. Comput. Math. 15, §3.2): the momentum is
//   reset when it points uphill, ⟨y_k − x_{k+1}, x_{k+1} − x_k⟩ > 0, or when F increases.
// - The stopping rule is scale-free optimality, not a relative change of the objective:
//     optimality = ‖∇f(x⁺) − ∇f(y) + L (y − x⁺)‖ / max(‖∇f(0)‖, tiny).
//   The vector in the norm is an element of ∂F(x⁺) (from the prox optimality condition
//   L(y − x⁺) − ∇f(y) ∈ ∂g(x⁺)), so this bounds dist(0, ∂F(x⁺)) and hence the prox-gradient
//   mapping ‖G_L(x⁺)‖ = L‖x⁺ − prox(x⁺ − ∇f(x⁺)/L)‖ from above; it certifies the returned point
//   itself, not the extrapolated one. See docs/solvers.md.
import { progressTicker } from './hooks.ts';
import { ConvergenceError, NumericError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import type { FitInfo, SolverHooks } from '../types.ts';

export type ProxFn = (v: Matrix, step: number) => Matrix;

export interface CompositeObjective {
  smooth(x: readonly Matrix[]): { value: number; grad: Matrix[] };
  readonly prox: readonly (ProxFn | undefined)[];
  nonsmoothValue(x: readonly Matrix[]): number;
  readonly lipschitz?: number;
  readonly gradNormAtZero?: number;
  /** f is quadratic (affine gradient): the extrapolated point's value and gradient are then
   * computed from those at the last two iterates, saving one evaluation of f per iteration. */
  readonly quadratic?: boolean;
}

export interface FistaOptions {
  readonly x0: readonly Matrix[];
  /** Relative optimality at which to stop (default DEFAULT_TOL). */
  readonly tol?: number;
  readonly maxIter?: number;
  readonly requireConvergence?: boolean;
  /** false: proximal gradient without momentum (the textbook ISTA). Default true. */
  readonly accelerate?: boolean;
  /** Adaptive restart (default true when accelerating). */
  readonly restart?: boolean;
  /** Let the step grow again after backtracking (default true). */
  readonly stepIncrease?: boolean;
  /** Name reported in FitInfo.solver (default 'fista' or 'ista'). */
  readonly solverName?: string;
  /** Record F at every iteration (default true). */
  readonly trace?: boolean;
  /** Progress reports and cancellation (solver/hooks.ts). */
  readonly hooks?: SolverHooks;
}

export interface FistaResult {
  readonly x: Matrix[];
  readonly info: FitInfo;
  /** The final step-size constant, useful to warm-start the next fit of a path. */
  readonly lipschitz: number;
}

/** Default relative optimality; chosen so that runs from different starts agree to ~1e-6 relative
 * in objective on School (test/linear/solver/fista.test.ts checks it). */
export const DEFAULT_TOL = 1e-6;
export const DEFAULT_MAX_ITER = 20000;
const TINY = 1e-300;
const ETA_UP = 2; // backtracking: L ← 2L until the quadratic upper bound holds
const ETA_DOWN = 0.8; // step increase: each iteration first tries 0.8·L

// ---- small block helpers ----
function blocksNormSq(x: readonly Matrix[]): number {
  let s = 0;
  for (const m of x) for (let i = 0; i < m.data.length; i++) s += m.data[i]! * m.data[i]!;
  return s;
}
function blocksDot(a: readonly Matrix[], b: readonly Matrix[]): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const p = a[k]!.data;
    const q = b[k]!.data;
    for (let i = 0; i < p.length; i++) s += p[i]! * q[i]!;
  }
  return s;
}
/** a + alpha·(b − c), block-wise (fresh). */
function blocksCombine(a: readonly Matrix[], alpha: number, b: readonly Matrix[], c: readonly Matrix[]): Matrix[] {
  return a.map((m, k) => {
    const out = m.clone();
    const p = b[k]!.data;
    const q = c[k]!.data;
    for (let i = 0; i < out.data.length; i++) out.data[i]! += alpha * (p[i]! - q[i]!);
    return out;
  });
}
/** a − b, block-wise (fresh). */
function blocksSub(a: readonly Matrix[], b: readonly Matrix[]): Matrix[] {
  return a.map((m, k) => {
    const out = m.clone();
    const q = b[k]!.data;
    for (let i = 0; i < out.data.length; i++) out.data[i]! -= q[i]!;
    return out;
  });
}

/** ‖x⁺ − y‖², ⟨∇f(y), x⁺ − y⟩ and ⟨∇f(x⁺) − ∇f(y), x⁺ − y⟩ in one pass, block by block. */
function stepSums(xn: readonly Matrix[], y: readonly Matrix[], gy: readonly Matrix[], gn: readonly Matrix[]): { dd: number; gd: number; gdiff: number } {
  let dd = 0;
  let gd = 0;
  let gdiff = 0;
  for (let k = 0; k < xn.length; k++) {
    const a = xn[k]!.data;
    const b = y[k]!.data;
    const g = gy[k]!.data;
    const h = gn[k]!.data;
    for (let i = 0; i < a.length; i++) {
      const di = a[i]! - b[i]!;
      dd += di * di;
      gd += g[i]! * di;
      gdiff += (h[i]! - g[i]!) * di;
    }
  }
  return { dd, gd, gdiff };
}

/** y = x + β(x − x_prev), ∇f(y) = g + β(g − g_prev), ⟨g, Δ⟩ and ⟨Δ, HΔ⟩ (HΔ = g − g_prev), one pass. */
function extrapolateQuadratic(x: readonly Matrix[], xPrev: readonly Matrix[], g: readonly Matrix[], gPrev: readonly Matrix[], beta: number):
  { y: Matrix[]; gy: Matrix[]; gDelta: number; deltaHDelta: number } {
  let gDelta = 0;
  let deltaHDelta = 0;
  const y: Matrix[] = [];
  const gy: Matrix[] = [];
  for (let k = 0; k < x.length; k++) {
    const xa = x[k]!.data;
    const xp = xPrev[k]!.data;
    const ga = g[k]!.data;
    const gp = gPrev[k]!.data;
    const ym = x[k]!.clone();
    const gm = g[k]!.clone();
    const yd = ym.data;
    const gyd = gm.data;
    for (let i = 0; i < xa.length; i++) {
      const dl = xa[i]! - xp[i]!;
      const hd = ga[i]! - gp[i]!;
      yd[i]! += beta * dl;
      gyd[i]! += beta * hd;
      gDelta += ga[i]! * dl;
      deltaHDelta += dl * hd;
    }
    y.push(ym);
    gy.push(gm);
  }
  return { y, gy, gDelta, deltaHDelta };
}

/** One proximal gradient step from y with constant L: x⁺ = prox_{g/L}(y − ∇f(y)/L). */
export function proxStep(obj: CompositeObjective, y: readonly Matrix[], gy: readonly Matrix[], L: number): Matrix[] {
  const step = 1 / L;
  return y.map((m, k) => {
    const v = Matrix.zeros(m.rows, m.cols);
    const a = m.data;
    const g = gy[k]!.data;
    const o = v.data;
    for (let i = 0; i < o.length; i++) o[i] = a[i]! - step * g[i]!;
    const p = obj.prox[k];
    return p ? p(v, step) : v;
  });
}

/**
 * The prox-gradient mapping G_L(x) = L (x − prox_{g/L}(x − ∇f(x)/L)) relative to ‖∇f(0)‖: the
 * optimality measure of docs/solvers.md, evaluated exactly at a given point (tests use it to check
 * returned solutions independently of the solver's own bookkeeping).
 */
export function proxGradientResidual(obj: CompositeObjective, x: readonly Matrix[], L: number): number {
  const { grad } = obj.smooth(x);
  const xp = proxStep(obj, x, grad, L);
  let s = 0;
  for (let k = 0; k < x.length; k++) {
    const a = x[k]!.data;
    const b = xp[k]!.data;
    for (let i = 0; i < a.length; i++) s += (L * (a[i]! - b[i]!)) ** 2;
  }
  return Math.sqrt(s) / Math.max(gradNormAtZero(obj, x), TINY);
}

export function gradNormAtZero(obj: CompositeObjective, shapes: readonly Matrix[]): number {
  if (obj.gradNormAtZero !== undefined) return obj.gradNormAtZero;
  const zero = shapes.map((m) => Matrix.zeros(m.rows, m.cols));
  return Math.sqrt(blocksNormSq(obj.smooth(zero).grad));
}

export function fista(obj: CompositeObjective, opts: FistaOptions): FistaResult {
  const started = performance.now();
  const tol = opts.tol ?? DEFAULT_TOL;
  const maxIter = opts.maxIter ?? DEFAULT_MAX_ITER;
  const accelerate = opts.accelerate ?? true;
  const restart = opts.restart ?? accelerate;
  const stepIncrease = opts.stepIncrease ?? true;
  const solver = opts.solverName ?? (accelerate ? 'fista' : 'ista');
  const keepTrace = opts.trace ?? true;
  const scale = Math.max(gradNormAtZero(obj, opts.x0), TINY);
  const tick = progressTicker(opts.hooks, solver);

  let x = opts.x0.map((m) => m.clone());
  let cur = obj.smooth(x);
  let F = cur.value + obj.nonsmoothValue(x);
  if (!Number.isFinite(F)) throw new NumericError(`${solver}: objective is not finite at the starting point`);
  let L = obj.lipschitz && obj.lipschitz > 0 && Number.isFinite(obj.lipschitz) ? obj.lipschitz : 1;
  const L0 = L;
  let y = x;
  let fy = cur.value;
  let gy = cur.grad;
  let gx = cur.grad; // ∇f at the current iterate x
  let t = 1;
  const trace: number[] = keepTrace ? [F] : [];
  let optimality = Infinity;
  let converged = false;
  let iterations = 0;
  let restarts = 0;

  for (let k = 1; k <= maxIter; k++) {
    iterations = k;
    const Lprev = L;
    if (stepIncrease) L *= ETA_DOWN;
    // Backtracking on the quadratic upper bound (Beck & Teboulle 2009, eq. (2.5) with step 1/L).
    let xn: Matrix[];
    let next: { value: number; grad: Matrix[] };
    let dNormSq: number;
    for (let bt = 0; ; bt++) {
      xn = proxStep(obj, y, gy, L);
      next = obj.smooth(xn);
      // d = x⁺ − y is never stored: ‖d‖², ⟨∇f(y), d⟩ and the gradient form's ⟨∇f(x⁺) − ∇f(y), d⟩
      // in one pass (issue 15: at T = 10 000 these O(T·d) passes and their 4 MB allocations cost
      // more than the loss's kernel), summed in the same order as separate loops would.
      const sums = stepSums(xn, y, gy, next.grad);
      dNormSq = sums.dd;
      let ok: boolean;
      if (0.5 * L * dNormSq > 1e-8 * Math.abs(fy)) {
        ok = next.value <= fy + sums.gd + 0.5 * L * dNormSq;
      } else {
        // The quadratic term is near the rounding level of f, so the function-value test cannot
        // be trusted; use its gradient form ⟨∇f(x⁺) − ∇f(y), x⁺ − y⟩ ≤ L‖x⁺ − y‖², exact for
        // quadratics (Becker, Candès & Grant 2011, TFOCS §5.3).
        ok = sums.gdiff <= L * dNormSq;
      }
      if (ok && Number.isFinite(next.value)) break;
      if (bt >= 100 || !Number.isFinite(L)) {
        throw new NumericError(`${solver}: backtracking failed at iteration ${k} (L = ${L}); the smooth part may not be differentiable or the data contain extreme values`);
      }
      L *= ETA_UP;
    }
    const Fn = next.value + obj.nonsmoothValue(xn);
    // One pass over x⁺ (issue 15: O(T·d) passes dominate an iteration over many small tasks): its
    // finiteness, the optimality certificate ‖∇f(x⁺) − ∇f(y) + L(y − x⁺)‖ (see header) and the restart
    // test's ⟨y − x⁺, x⁺ − x⟩ (O'Donoghue & Candès), each summed in index order as separate loops would.
    let r2 = 0;
    let up = 0;
    let finite = true;
    for (let i = 0; i < xn.length; i++) {
      const a = next.grad[i]!.data;
      const b = gy[i]!.data;
      const xa = xn[i]!.data;
      const ya = y[i]!.data;
      const xo = x[i]!.data;
      for (let j = 0; j < a.length; j++) {
        const xj = xa[j]!;
        if (xj - xj !== 0) finite = false; // ±Infinity or NaN
        const v = a[j]! - b[j]! + L * (ya[j]! - xj);
        r2 += v * v;
        up += (ya[j]! - xj) * (xj - xo[j]!);
      }
    }
    if (!finite || !Number.isFinite(Fn)) throw new NumericError(`${solver}: non-finite iterate at iteration ${k}`);
    optimality = Math.sqrt(r2) / scale;
    tick(k, optimality);
    if (keepTrace) trace.push(Fn);
    if (optimality <= tol) {
      // Guard against a false certificate: when backtracking has driven L far above the starting
      // estimate, the step 1/L can be so small that x⁺ = y in floating point and the certificate
      // reads 0. ‖G_L(x)‖ is non-decreasing in L (Beck 2017, Thm 10.9), so a genuine optimum also
      // passes the test at the smaller L0; a stuck iterate does not, and then L is reset to L0.
      if (L > 10 * L0 && proxGradientResidual(obj, xn, L0) > tol) {
        L = L0;
      } else {
        x = xn;
        F = Fn;
        converged = true;
        break;
      }
    }

    let beta = 0;
    if (accelerate) {
      // Restart test of O'Donoghue & Candès: gradient scheme ⟨y − x⁺, x⁺ − x⟩ > 0 (`up`, summed
      // above), or F increased.
      if (restart && (up > 0 || Fn > F)) {
        t = 1;
        restarts++;
      } else {
        const theta = L / Lprev;
        const tn = (1 + Math.sqrt(1 + 4 * theta * t * t)) / 2;
        beta = (t - 1) / tn;
        t = tn;
      }
    }
    const xPrev = x;
    const gPrev = gx;
    x = xn;
    gx = next.grad;
    F = Fn;
    if (beta === 0) {
      y = xn;
      fy = next.value;
      gy = next.grad;
    } else if (obj.quadratic) {
      // y = x + βΔ with Δ = x − x_prev; for quadratic f, HΔ = ∇f(x) − ∇f(x_prev), so
      // ∇f(y) = ∇f(x) + β HΔ and f(y) = f(x) + β⟨∇f(x), Δ⟩ + ½β²⟨Δ, HΔ⟩, exactly. One pass, Δ and
      // HΔ never stored (same sums, same order as separate loops).
      const e = extrapolateQuadratic(xn, xPrev, gx, gPrev, beta);
      y = e.y;
      gy = e.gy;
      fy = next.value + beta * e.gDelta + 0.5 * beta * beta * e.deltaHDelta;
    } else {
      y = blocksCombine(xn, beta, xn, xPrev);
      const atY = obj.smooth(y);
      fy = atY.value;
      gy = atY.grad;
    }
  }

  const seconds = (performance.now() - started) / 1000;
  const message = converged
    ? `converged: relative optimality ${optimality.toExponential(2)} ≤ tol ${tol} after ${iterations} iterations (${restarts} restarts)`
    : `NOT converged: stopped at the iteration cap maxIter = ${maxIter} with relative optimality ${optimality.toExponential(2)} > tol ${tol}; raise maxIter or loosen tol`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`${solver}: ${message}`);
  const info: FitInfo = { solver, iterations, converged, optimality, objective: F, objectiveTrace: trace, seconds, message };
  return { x, info, lipschitz: L };
}
