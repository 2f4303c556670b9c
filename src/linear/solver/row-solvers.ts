// The models' entry point to the working-set BCD solver (./bcd.ts): lasso, L21 and tgl with the
// squared loss, from a Problem, returning the same LinearSolution as FISTA (./composite.ts) so that
// a model switches solvers in one line. `seconds` times the whole fit, set-up (Gram form) included.
import { Matrix } from '../../linalg/matrix.ts';
import type { Problem, WarmStart } from '../types.ts';
import { bcd, type RowPenaltyKind } from './bcd.ts';
import type { LinearSolution } from './composite.ts';
import { gramProblem } from './gram-form.ts';

export interface RowPenaltySpec {
  readonly kind: RowPenaltyKind;
  readonly lambda: number;
  readonly ridge?: number;
  /** κ of the temporal chain term (tgl). */
  readonly chain?: number;
}

export interface RowSolveOptions {
  readonly tol: number;
  readonly maxIter: number;
  readonly requireConvergence?: boolean;
  readonly order?: 'cyclic' | 'greedy';
}

/** True where the BCD solver applies: the squared loss (the Gram form needs it). */
export function bcdApplies(problem: Problem): boolean {
  return problem.loss === 'squared';
}

export function solveRowPenalty(problem: Problem, pen: RowPenaltySpec, opts: RowSolveOptions, warm?: WarmStart): LinearSolution {
  const started = performance.now();
  const gp = gramProblem(problem, { ridge: pen.ridge ?? 0, chain: pen.chain ?? 0 });
  const W0 = warm?.W && warm.W.rows === problem.d && warm.W.cols === problem.tasks.length ? warm.W : undefined;
  const r = bcd(gp, {
    penalty: pen.kind,
    lambda: pen.lambda,
    tol: opts.tol,
    maxIter: opts.maxIter,
    requireConvergence: opts.requireConvergence ?? false,
    order: opts.order,
    started,
    ...(W0 ? { W0: W0 as Matrix } : {}),
  });
  return { W: r.W, intercepts: gp.intercepts(r.W), info: r.info, lipschitz: NaN };
}
