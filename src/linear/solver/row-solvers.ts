// The models' entry point to the row-penalty solvers (lasso, L21, tgl): the working-set BCD of
// ./bcd.ts for the squared loss, proximal Newton (./prox-newton.ts) for the logistic loss, and
// FISTA / textbook proximal gradient through the caller's fallback. Each returns the same
// LinearSolution, so a model switches solvers in one line; `seconds` times the whole fit, set-up
// (Gram form, curvature) included. The defaults were chosen from bench/linear.bench.ts
// (BENCH_PART=solvers; docs/solvers.md has the table).
import { OptionError } from '../../errors.ts';
import type { Problem, SolverHooks, WarmStart } from '../types.ts';
import { bcd, type RowPenaltyKind } from './bcd.ts';
import type { LinearSolution } from './composite.ts';
import { gramProblem } from './gram-form.ts';
import { dataProblem, prefersDataForm } from './data-form.ts';
import { proxNewtonLogistic } from './prox-newton.ts';

export interface RowPenaltySpec {
  readonly kind: RowPenaltyKind;
  readonly lambda: number;
  readonly ridge?: number;
  /** κ of the temporal chain term (tgl). */
  readonly chain?: number;
}

export interface RowSolveOptions {
  readonly solver?: string;
  readonly tol: number;
  readonly maxIter: number;
  readonly requireConvergence?: boolean;
  /** Input of the BCD: 'gram' (per-task Gram blocks) or 'data' (stacked data); default by prefersDataForm. */
  readonly form?: 'gram' | 'data';
}

/** The solvers of lasso and l21 (the first applicable one is the default), and of tgl. */
export const ROW_SOLVERS = ['bcd', 'newton', 'fista', 'gd'] as const;
export const ROW_SOLVER_HELP =
  'bcd (working-set block coordinate descent, squared loss; the default for it) | newton (proximal Newton, logistic loss; the default for it) | fista (accelerated proximal gradient; the default otherwise) | gd (textbook proximal gradient)';
export const CHAIN_SOLVERS = ['bcd', 'fista', 'gd'] as const;
export const CHAIN_SOLVER_HELP = 'bcd (working-set block coordinate descent, squared loss; the default for it) | fista (the default otherwise) | gd (textbook proximal gradient)';

/** The default solver for this problem and penalty. */
export function defaultRowSolver(problem: Problem, pen: RowPenaltySpec): string {
  if (problem.loss === 'squared') return 'bcd';
  if (problem.loss === 'logistic' && !(pen.chain && pen.chain > 0)) return 'newton';
  return 'fista';
}

export function solveBcd(problem: Problem, pen: RowPenaltySpec, opts: RowSolveOptions, warm?: WarmStart, hooks?: SolverHooks): LinearSolution {
  const started = performance.now();
  // Many small tasks (n_t < d/2 on average): the data form (residuals, stacked columns) instead of
  // T Gram blocks — fewer flops per row step and N·d instead of T·d² memory (./data-form.ts).
  const form = opts.form ?? (prefersDataForm(problem) ? 'data' : 'gram');
  const terms = { ridge: pen.ridge ?? 0, chain: pen.chain ?? 0 };
  const gp = form === 'data' ? dataProblem(problem, terms) : gramProblem(problem, terms);
  const W0 = warm?.W && warm.W.rows === problem.d && warm.W.cols === problem.tasks.length ? warm.W : undefined;
  const r = bcd(gp, {
    penalty: pen.kind,
    lambda: pen.lambda,
    tol: opts.tol,
    maxIter: opts.maxIter,
    requireConvergence: opts.requireConvergence ?? false,
    started,
    ...(W0 ? { W0 } : {}),
    ...(W0 && warm?.lambda !== undefined ? { previousLambda: warm.lambda } : {}),
    ...(hooks ? { hooks } : {}),
  });
  return { W: r.W, intercepts: gp.intercepts(r.W), info: r.info, lipschitz: NaN };
}

/** The model's result with the λ it was fitted at recorded in its warm start (the strong rule of the
 * next fit along a path). */
export function withRowLambda<R extends { readonly warm: WarmStart }>(r: R, lambda: number): R {
  return { ...r, warm: { ...r.warm, lambda } };
}

/** Dispatch: 'bcd' | 'newton' here, anything else (fista, gd) through `fallback`. */
export function fitRowPenalty(problem: Problem, pen: RowPenaltySpec, opts: RowSolveOptions, warm: WarmStart | undefined, hooks: SolverHooks | undefined, fallback: () => LinearSolution): LinearSolution {
  const solver = opts.solver ?? defaultRowSolver(problem, pen);
  if (solver === 'bcd') {
    if (problem.loss !== 'squared') throw new OptionError('solver', `"bcd" needs the squared loss (the loss is "${problem.loss}"); use --solver ${problem.loss === 'logistic' && !pen.chain ? 'newton' : 'fista'}`);
    return solveBcd(problem, pen, opts, warm, hooks);
  }
  if (solver === 'newton') {
    if (problem.loss !== 'logistic' || (pen.chain ?? 0) > 0) throw new OptionError('solver', `"newton" is the logistic-loss solver of lasso and l21 (the loss is "${problem.loss}"); use --solver ${problem.loss === 'squared' ? 'bcd' : 'fista'}`);
    return proxNewtonLogistic(problem, {
      penalty: pen.kind,
      lambda: pen.lambda,
      ridge: pen.ridge ?? 0,
      tol: opts.tol,
      maxIter: opts.maxIter,
      requireConvergence: opts.requireConvergence ?? false,
      ...(hooks ? { hooks } : {}),
    }, warm);
  }
  return fallback();
}
