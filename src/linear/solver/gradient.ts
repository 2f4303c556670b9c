// Plain (proximal) gradient descent: no momentum, no restart, the step never grows, and no Gram
// cache for the squared loss — the textbook method (ISTA; for smooth models simply gradient
// descent with step 1/L and backtracking). It is the "seed's optimiser" of issue 4 and the
// baseline of bench/linear.bench.ts. Same stopping rule and FitInfo as FISTA.
//
// Exported API: gradientDescent(problem, penalties, options, warm?) → LinearSolution
import type { Problem, WarmStart } from '../types.ts';
import { solveLinear, type LinearPenalties, type LinearSolution, type SolveOptions } from './composite.ts';

export function gradientDescent(problem: Problem, pen: LinearPenalties, opts: SolveOptions, warm?: WarmStart): LinearSolution {
  return solveLinear(problem, pen, { ...opts, accelerate: false, gram: false, solverName: 'gd' }, warm);
}
