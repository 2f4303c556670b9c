// The models' entry point to the row-penalty solvers (lasso, L21, tgl): the working-set BCD of
// ./bcd.ts for the squared loss, proximal Newton (./prox-newton.ts) for the logistic loss, and
// FISTA / textbook proximal gradient through the caller's fallback. Each returns the same
// LinearSolution, so a model switches solvers in one line; `seconds` times the whole fit, set-up
// (Gram form, curvature) included. The defaults were chosen from bench/linear.bench.ts
// (BENCH_PART=solvers and BENCH_PART=default-grid; docs/solvers.md has the tables).
import { OptionError } from '../../errors.ts';
import type { Problem, SolverHooks, WarmStart } from '../types.ts';
import { bcd, type RowPenaltyKind } from './bcd.ts';
import type { LinearSolution } from './composite.ts';
import { gramProblem, isSharedDesign } from './gram-form.ts';
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
  'bcd (working-set block coordinate descent, squared loss; the default for it unless separate designs have mean n_t ≤ d and column scales within ~30×) | newton (proximal Newton, logistic loss; the default for it) | fista (accelerated proximal gradient; the default otherwise, and for the squared loss on separate designs with mean n_t ≤ d and column scales within ~30×) | gd (textbook proximal gradient)';
export const CHAIN_SOLVERS = ['bcd', 'fista', 'gd'] as const;
export const CHAIN_SOLVER_HELP = 'bcd (working-set block coordinate descent, squared loss; the default for it) | fista (the default otherwise) | gd (textbook proximal gradient)';

/** Largest over smallest non-zero pooled column sum of squares Σ_t Σ_i (x_tij − x̄_tj)² (centred per
 * task when the problem has intercepts, the columns an intercept leaves to W): the spread of the
 * per-feature curvatures that one global FISTA step must cover. 1 for an all-zero design. */
export function columnScaleSpread(problem: Problem): number {
  const d = problem.d;
  const ss = new Float64Array(d);
  const mean = new Float64Array(d);
  for (const t of problem.tasks) {
    const { rows: n, data } = t.X;
    mean.fill(0);
    if (problem.intercept && n > 0) {
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
      for (let j = 0; j < d; j++) mean[j]! /= n;
    }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j]! - mean[j]!;
        ss[j]! += v * v;
      }
  }
  let lo = Infinity;
  let hi = 0;
  for (let j = 0; j < d; j++) if (ss[j]! > 0) (lo = Math.min(lo, ss[j]!)), (hi = Math.max(hi, ss[j]!));
  return hi > 0 ? hi / lo : 1;
}

/** Column sums of squares further apart than this (column scales ~30× apart) keep the BCD: the largest
 * spread at which FISTA measured faster for both l21 and lasso (docs/solvers.md). */
export const FISTA_MAX_SCALE_SPREAD = 1e3;

/**
 * True when the squared-loss default is FISTA rather than the BCD: separate designs (not one shared
 * X) with few rows per task, N ≤ T·d (mean n_t ≤ d), column scales within ~30× of each other
 * (columnScaleSpread ≤ 1e3), and no chain term (tgl keeps the BCD: not measured). Why
 * (docs/solvers.md, "Which solver by default", BENCH_PART=default-grid): there the BCD's row steps are
 * short scalar JS loops over every task (n_t-long dots and axpys in its data form, d-long Gram rows
 * otherwise) while a FISTA iteration is two native task-major passes (fistaRows), and FISTA needs only
 * ~2× the BCD's passes, so it measured 1.4–11× less CPU at T = 100 … 10 000, n_t = 20, d = 20 and 50.
 * With n_t ≥ 2d the two are within noise of each other or the BCD leads (to 4.5×), and on raw, badly
 * scaled features the BCD's per-row curvature wins (School: n_t ≈ 110, d = 28, FISTA 12–31× slower here;
 * at n_t = 20, d = 50 lasso measured 1.5–2× faster with the BCD once the column sums of squares are
 * ~10⁴ apart, l21 from ~10¹⁰), so those keep the BCD, as does one shared design.
 */
export function prefersFista(problem: Problem, pen: RowPenaltySpec): boolean {
  if (problem.loss !== 'squared' || (pen.chain ?? 0) > 0) return false;
  let N = 0;
  for (const t of problem.tasks) N += t.X.rows;
  if (N > problem.tasks.length * problem.d || isSharedDesign(problem)) return false;
  return columnScaleSpread(problem) <= FISTA_MAX_SCALE_SPREAD;
}

/** The default solver for this problem and penalty. */
export function defaultRowSolver(problem: Problem, pen: RowPenaltySpec): string {
  if (problem.loss === 'squared') return prefersFista(problem, pen) ? 'fista' : 'bcd';
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
