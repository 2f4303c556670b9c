// Solver progress of one fit as a percentage and a line (for `fit`; compare and cv count fits).
// The percentage is how far the optimality measure has come, on a log scale, from its first value
// down to the tolerance: first-order solvers converge (at best) linearly, so decades of optimality
// per iteration are roughly constant and this fraction gives a usable ETA — unlike iteration/maxIter,
// since most fits stop long before the cap. Iteration/maxIter is the floor (the cap ends the fit).
import { describeProgress, type ProgressEvent, type ProgressListener } from '../estimator/progress-scope.ts';
import type { Progress } from './progress.ts';

/** Inner solvers (the W-step of mtrl/relation) name themselves "fista (… W-step)". */
const isInner = (solver: string): boolean => solver.includes('(');

export function fitFraction(first: number, optimality: number, tol: number, iteration: number, maxIter: number): number {
  const byIter = maxIter > 0 ? iteration / maxIter : 0;
  let byOpt = 0;
  if (first > tol && optimality > 0 && Number.isFinite(optimality) && Number.isFinite(first)) {
    byOpt = Math.log(first / optimality) / Math.log(first / tol);
  }
  return Math.min(0.99, Math.max(0, byIter, byOpt));
}

/** A listener that drives `progress` (started here as a percentage) from a fit's solver events. */
export function fitProgressListener(progress: Progress, label: string): ProgressListener {
  progress.start(100, label, '%');
  let first = Number.NaN;
  let outerSolver = '';
  let outer = '';
  let pct = 0;
  return (e: ProgressEvent) => {
    if (e.kind !== 'iteration') {
      progress.update(pct, describeProgress(e));
      return;
    }
    if (isInner(e.solver)) {
      progress.update(pct, outer ? `${outer}; inner ${describeProgress(e)}` : describeProgress(e));
      return;
    }
    if (e.solver !== outerSolver || e.iteration === 1) {
      outerSolver = e.solver;
      first = e.optimality;
    }
    pct = 100 * fitFraction(first, e.optimality, e.tol, e.iteration, e.maxIter);
    outer = describeProgress(e);
    progress.update(pct, outer);
  };
}
