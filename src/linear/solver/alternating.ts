// Block-coordinate (alternating) minimisation for models whose objective is easy in each block
// separately: MTRL (W given Ω, Ω given W; Zhang & Yeung, UAI 2010, §3.2) and the relation model
// (W given R, R given W). Each outer iteration runs every block step once, in order; a step
// minimises the objective over its block with the others fixed, exactly (closed form) or with an
// inner solver (FISTA), and never increases the objective (the inner solves are warm-started from
// the current block and keep the better of start and result).
//
// Stopping (issue 4: "no silent non-convergence"): the run converges only when BOTH
//  - the outer change is small: |F_k − F_{k−1}| ≤ tol·max(|F_k|, tiny), and
//  - the block-wise optimality at the current point, measured by the model's `optimality(state)`
//    (every block's own scale-free stationarity measure at the returned point, not at the point the
//    inner solver saw), is ≤ tol.
// Otherwise it stops at maxOuter and says so; `requireConvergence` turns that into a ConvergenceError.
import { ConvergenceError, NumericError } from '../../errors.ts';
import type { FitInfo, SolverHooks } from '../types.ts';
import { progressTicker } from './hooks.ts';

export interface BlockStepResult<S> {
  /** The input state object itself when the step made no change (the solver detects a stall by identity). */
  readonly state: S;
  /** Inner iterations used (0 for a closed-form step). */
  readonly iterations: number;
  /** Whether the inner solver met its own tolerance (true for a closed-form step). */
  readonly converged: boolean;
}

export interface BlockStep<S> {
  readonly name: string;
  update(state: S, innerTol: number): BlockStepResult<S>;
}

export interface AlternatingProblem<S> {
  /** The full objective the scheme minimises. */
  objective(state: S): number;
  /** The block steps, run in this order every outer iteration. */
  readonly steps: readonly BlockStep<S>[];
  /** Scale-free block-wise optimality at `state` (max over the blocks; 0 = stationary). */
  optimality(state: S): number;
}

export interface AlternatingOptions {
  readonly tol: number;
  readonly maxOuter: number;
  /** Tolerance handed to inner solvers (default tol/10, so that inner error does not stall the outer test). */
  readonly innerTol?: number;
  readonly requireConvergence?: boolean;
  readonly solverName: string;
  readonly hooks?: SolverHooks;
}

export interface AlternatingResult<S> {
  readonly state: S;
  readonly info: FitInfo;
  /** Sum of inner iterations over all outer iterations and blocks. */
  readonly innerIterations: number;
}

const TINY = 1e-300;

export function alternate<S>(problem: AlternatingProblem<S>, start: S, opts: AlternatingOptions): AlternatingResult<S> {
  const started = performance.now();
  const { tol, maxOuter, solverName } = opts;
  const innerTol = opts.innerTol ?? tol / 10;
  let state = start;
  let F = problem.objective(state);
  if (!Number.isFinite(F)) throw new NumericError(`${solverName}: objective is not finite at the starting point`);
  const trace: number[] = [F];
  let innerIterations = 0;
  let optimality = Infinity;
  let change = Infinity;
  let converged = false;
  let outer = 0;
  let innerAllConverged = true;
  const tick = progressTicker(opts.hooks, solverName, 1);
  let stalled = 0; // consecutive outer iterations in which every step returned its input state
  while (outer < maxOuter) {
    outer++;
    innerAllConverged = true;
    let moved = false;
    for (const step of problem.steps) {
      const r = step.update(state, innerTol);
      moved ||= r.state !== state;
      state = r.state;
      innerIterations += r.iterations;
      innerAllConverged &&= r.converged;
    }
    const Fn = problem.objective(state);
    if (!Number.isFinite(Fn)) throw new NumericError(`${solverName}: objective became non-finite at outer iteration ${outer}`);
    change = Math.abs(F - Fn) / Math.max(Math.abs(Fn), TINY);
    F = Fn;
    trace.push(F);
    optimality = problem.optimality(state);
    tick(outer, optimality);
    if (change <= tol && optimality <= tol) {
      converged = true;
      break;
    }
    // Rounding floor: every step kept its start (it could not improve the objective), so more
    // iterations would repeat the same point.
    stalled = moved ? 0 : stalled + 1;
    if (stalled >= 3) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const message = converged
    ? `converged after ${outer} outer iterations (${innerIterations} inner): relative objective change ${change.toExponential(2)} and block optimality ${optimality.toExponential(2)} ≤ tol ${tol}`
    : `NOT converged: stopped ${stalled >= 3 ? `after ${outer} outer iterations because no block step could improve the objective any more (rounding floor)` : `at maxIter = ${maxOuter} outer iterations`} with relative objective change ${change.toExponential(2)} and block optimality ${optimality.toExponential(2)} (tol ${tol})` +
      (innerAllConverged ? '' : '; the last inner solve also stopped at its cap') + '; raise maxIter or loosen tol';
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`${solverName}: ${message}`);
  const info: FitInfo = { solver: solverName, iterations: outer, converged, optimality, objective: F, objectiveTrace: trace, seconds, message };
  return { state, info, innerIterations };
}
