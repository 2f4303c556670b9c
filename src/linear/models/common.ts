// Shared plumbing for the models of this folder: solver choice, the ridge term every model accepts,
// lambda_max from the gradient at W = 0, and the learned-structure helpers.
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { createLoss } from '../loss/index.ts';
import { ridgePenalty } from '../penalty/ridge.ts';
import { rowNorms } from '../penalty/l21.ts';
import { numericalRank } from '../penalty/trace.ts';
import type { Penalty } from '../penalty/types.ts';
import { solveLinear, type LinearSolution } from '../solver/composite.ts';
import { solveDirect } from '../solver/direct.ts';
import { gradientDescent } from '../solver/gradient.ts';
import { sgd } from '../solver/sgd.ts';
import type { FitResult, LearnedStructure, ModelOptions, Problem, WarmStart } from '../types.ts';

export type FitOptions = Required<Pick<ModelOptions, 'tol' | 'maxIter'>> & ModelOptions;

/** ρ‖W‖²_F when options.ridge > 0. */
export function ridgeTerms(opts: ModelOptions): Penalty[] {
  const r = opts.ridge ?? 0;
  return r > 0 ? [ridgePenalty(r)] : [];
}

export function weight(opts: ModelOptions, key: 'lambda' | 'lambda2', fallback: number): number {
  const v = opts[key] ?? fallback;
  if (!(v >= 0) || !Number.isFinite(v)) throw new OptionError(key, `must be a finite number ≥ 0, got ${v}`);
  return v;
}

function chooseSolver(problem: Problem, opts: FitOptions, allowed: readonly string[], smoothOnly: boolean): string {
  const dflt = smoothOnly && problem.loss === 'squared' ? 'direct' : 'fista';
  const s = opts.solver ?? dflt;
  if (!allowed.includes(s)) throw new OptionError('solver', `"${s}" is not available for this model (choose one of: ${allowed.join(', ')})`);
  if (s === 'direct' && problem.loss !== 'squared') throw new OptionError('solver', '"direct" needs the squared loss');
  return s;
}

/** Smooth models (only quadratic penalties): direct (squared, default) | fista | gd | sgd. */
export function fitSmooth(problem: Problem, penalties: readonly Penalty[], opts: FitOptions, warm?: WarmStart): LinearSolution {
  const solver = chooseSolver(problem, opts, ['direct', 'fista', 'gd', 'sgd'], true);
  const base = { tol: opts.tol, maxIter: opts.maxIter, requireConvergence: opts.requireConvergence ?? false };
  switch (solver) {
    case 'direct':
      return solveDirect(problem, penalties, base);
    case 'gd':
      return gradientDescent(problem, { smooth: penalties }, base, warm);
    case 'sgd':
      return sgd(problem, penalties, { ...base, seed: opts.seed ?? 0 }, warm);
    default:
      return solveLinear(problem, { smooth: penalties }, base, warm);
  }
}

/** Models with one non-smooth penalty: fista (default) | gd (proximal gradient, textbook). */
export function fitProx(problem: Problem, smooth: readonly Penalty[], prox: Penalty, opts: FitOptions, warm?: WarmStart): LinearSolution {
  const solver = chooseSolver(problem, opts, ['fista', 'gd'], false);
  const base = { tol: opts.tol, maxIter: opts.maxIter, requireConvergence: opts.requireConvergence ?? false };
  return solver === 'gd' ? gradientDescent(problem, { smooth, prox }, base, warm) : solveLinear(problem, { smooth, prox }, base, warm);
}

/** ∇L at W = 0 with the optimal intercepts for W = 0 (closed form per loss). */
export function gradientAtZero(problem: Problem): Matrix {
  const loss = createLoss(problem);
  const Z = Matrix.zeros(problem.d, problem.tasks.length);
  return loss.evaluate(Z, loss.zeroIntercepts()).G;
}

export function featureName(problem: Problem, j: number): string {
  return problem.featureNames?.[j] ?? `x${j + 1}`;
}

/** Features whose row of W is non-zero. */
export function selectedFeatures(problem: Problem, W: Matrix): string[] {
  const norms = rowNorms(W);
  const out: string[] = [];
  norms.forEach((v, j) => {
    if (v > 0) out.push(featureName(problem, j));
  });
  return out;
}

export function result(sol: LinearSolution, learned: LearnedStructure = {}): FitResult & { warm: WarmStart } {
  return { W: sol.W, intercepts: sol.intercepts, info: sol.info, learned, warm: { W: sol.W, intercepts: sol.intercepts } };
}

export { numericalRank };
