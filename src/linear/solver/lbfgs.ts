// Preconditioned limited-memory BFGS for smooth objectives f: ℝⁿ → ℝ (no constraints, no prox).
// Used where a model's objective is smooth after one block has been minimised out in closed form
// (the relation model's reduced objective F(W) = min_R …, models/relation.ts).
//
// Direction: the two-loop recursion of Nocedal & Wright, "Numerical Optimization" (2nd ed.),
// Algorithm 7.4, with the initial inverse Hessian H₀ = γ·P⁻¹ for a user preconditioner P (SPD,
// applied as a solve) and γ = sᵀy / yᵀP⁻¹y from the latest pair (eq. 7.20 in the P-metric). Pairs
// with sᵀy ≤ 1e-12·‖s‖‖y‖ (possible on a non-convex f) are not stored, which keeps every H_k
// positive definite, so every direction is a descent direction.
// Step: backtracking from t = 1 until the Armijo condition f(x + t·d) ≤ f(x) + 1e-4·t·∇fᵀd holds
// (N&W Algorithm 3.1); after a failed line search the memory is dropped and a preconditioned
// gradient step is tried; if that fails too, or the objective has not moved beyond rounding for 20
// iterations, the run stops (rounding floor) and says so.
// Stopping: the caller's scale-free optimality measure of (x, ∇f(x)) ≤ tol (for the relation model
// the relative gradient norm, which is its first-order optimality condition).
import { ConvergenceError, NumericError } from '../../errors.ts';
import type { SolverHooks } from '../types.ts';
import { progressTicker } from './hooks.ts';

/** f(x), writing ∇f(x) into g. */
export type SmoothFunction = (x: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  readonly x0: Float64Array;
  readonly tol: number;
  readonly maxIter: number;
  /** Pairs kept (default 10). */
  readonly memory?: number;
  /** out = P⁻¹ v for an SPD preconditioner P (default: identity). Called with the iteration, so
   * that the caller may refresh P (any SPD P at any iteration keeps the directions descent ones). */
  readonly precondition?: (v: Float64Array, out: Float64Array, iteration: number) => void;
  /** Scale-free optimality of (x, ∇f(x)); the run converges when it is ≤ tol. */
  readonly optimality: (x: Float64Array, g: Float64Array) => number;
  readonly requireConvergence?: boolean;
  readonly solverName?: string;
  readonly hooks?: SolverHooks;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly optimality: number;
  readonly trace: readonly number[];
  readonly seconds: number;
  readonly message: string;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function lbfgs(f: SmoothFunction, opts: LbfgsOptions): LbfgsResult {
  const started = performance.now();
  const name = opts.solverName ?? 'lbfgs';
  const n = opts.x0.length;
  const m = Math.max(1, opts.memory ?? 10);
  const precond = opts.precondition ?? ((v: Float64Array, out: Float64Array) => out.set(v));
  const tick = progressTicker(opts.hooks, name, 4);
  let x = Float64Array.from(opts.x0);
  let g = new Float64Array(n);
  let F = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(F)) throw new NumericError(`${name}: objective is not finite at the starting point`);
  const trace = [F];
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const RHO: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  const pv = new Float64Array(n);
  let xn = new Float64Array(n);
  let gn = new Float64Array(n);
  let optimality = opts.optimality(x, g);
  let converged = optimality <= opts.tol;
  let iter = 0;
  let floor = false;
  let flat = 0;

  // d = −H·g by the two-loop recursion (H₀ = γ P⁻¹).
  const direction = (it: number): void => {
    const q = d;
    q.set(g);
    const k = S.length;
    for (let i = k - 1; i >= 0; i--) {
      const a = RHO[i]! * dot(S[i]!, q);
      alpha[i] = a;
      const y = Y[i]!;
      for (let j = 0; j < n; j++) q[j]! -= a * y[j]!;
    }
    precond(q, pv, it);
    let gamma = 1;
    if (k > 0) {
      const y = Y[k - 1]!;
      const py = new Float64Array(n);
      precond(y, py, it);
      const yPy = dot(y, py);
      if (yPy > 0) gamma = 1 / (RHO[k - 1]! * yPy);
    }
    for (let j = 0; j < n; j++) q[j] = gamma * pv[j]!;
    for (let i = 0; i < k; i++) {
      const b = RHO[i]! * dot(Y[i]!, q);
      const s = S[i]!;
      const c = alpha[i]! - b;
      for (let j = 0; j < n; j++) q[j]! += c * s[j]!;
    }
    for (let j = 0; j < n; j++) q[j] = -q[j]!;
  };

  // Armijo backtracking along d from x; true when a step was taken (xn, gn, Fn hold it).
  let Fn = F;
  const search = (): boolean => {
    const slope = dot(g, d);
    if (!(slope < 0)) return false;
    let t = 1;
    for (let k = 0; k < 40; k++) {
      for (let j = 0; j < n; j++) xn[j] = x[j]! + t * d[j]!;
      Fn = f(xn, gn);
      evaluations++;
      if (Number.isFinite(Fn) && Fn <= F + 1e-4 * t * slope) return true;
      t *= 0.5;
    }
    return false;
  };

  while (!converged && iter < opts.maxIter) {
    iter++;
    direction(iter);
    let ok = search();
    if (!ok && S.length > 0) {
      // The quasi-Newton model misled the step: forget it and take a preconditioned gradient step.
      S.length = 0;
      Y.length = 0;
      RHO.length = 0;
      direction(iter);
      ok = search();
    }
    if (!ok) {
      floor = true;
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = xn[j]! - x[j]!;
      y[j] = gn[j]! - g[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        RHO.shift();
      }
      S.push(s);
      Y.push(y);
      RHO.push(1 / sy);
    }
    // Rounding floor: the objective no longer changes in its last digits (the gradient is then
    // rounding noise, and more iterations would wander without progress).
    flat = F - Fn <= 1e-15 * Math.abs(F) ? flat + 1 : 0;
    [x, xn] = [xn, x];
    [g, gn] = [gn, g];
    F = Fn;
    trace.push(F);
    optimality = opts.optimality(x, g);
    tick(iter, optimality);
    converged = optimality <= opts.tol;
    if (!converged && flat >= 20) {
      floor = true;
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const message = converged
    ? `converged after ${iter} iterations (${evaluations} evaluations): optimality ${optimality.toExponential(2)} ≤ tol ${opts.tol}`
    : `NOT converged: stopped ${floor ? `after ${iter} iterations because the objective stopped decreasing beyond rounding (rounding floor)` : `at maxIter = ${opts.maxIter}`} with optimality ${optimality.toExponential(2)} (tol ${opts.tol}); raise maxIter or loosen tol`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`${name}: ${message}`);
  return { x, value: F, iterations: iter, evaluations, converged, optimality, trace, seconds, message };
}
