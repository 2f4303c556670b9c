// Single-task learning: independent ridge regression (or ridge-logistic) per task,
//   Ω(W) = Σ_t λ_t ‖w_t‖²  (+ ρ‖W‖²_F from the common `ridge` option),
// with λ_t = perTaskLambda[name] when given, else lambda. Tasks do not interact, so the direct
// solver's block-Jacobi preconditioner is exact: one Cholesky solve per task (Hoerl & Kennard 1970).
import { OptionError } from '../../errors.ts';
import { taskRidgePenalty } from '../penalty/ridge.ts';
import type { Problem } from '../types.ts';
import { fitSmooth, linearModel, result, ridgeTerms, SMOOTH_SOLVER_HELP, SMOOTH_SOLVERS, weight, weightParam, type FitOptions } from './common.ts';

export function stlLambdas(problem: Problem, opts: FitOptions): Float64Array {
  const lam = weight(opts, 'lambda');
  const per = opts.perTaskLambda ?? {};
  const names = problem.tasks.map((t) => t.name);
  for (const [k, v] of Object.entries(per)) {
    if (!names.includes(k)) throw new OptionError('perTaskLambda', `unknown task "${k}" (tasks: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`);
    if (!(v >= 0) || !Number.isFinite(v)) throw new OptionError('perTaskLambda', `task "${k}": must be a finite number ≥ 0, got ${v}`);
  }
  return Float64Array.from(names, (n) => per[n] ?? lam);
}

export const stlSpec = linearModel({
  name: 'stl',
  summary: 'single-task baseline: independent ridge per task, Σ_t λ_t‖w_t‖²',
  params: [
    weightParam('lambda', 'λ, the ridge weight of every task', 0.1),
    { name: 'perTaskLambda', flag: '--per-task-lambda', type: 'json', help: 'λ_t per task name (overrides lambda for those tasks)' },
  ],
  solvers: SMOOTH_SOLVERS,
  solverHelp: SMOOTH_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const pen = [taskRidgePenalty(stlLambdas(problem, o)), ...ridgeTerms(o)];
    return result(fitSmooth(problem, pen, o, warm, hooks));
  },
});
