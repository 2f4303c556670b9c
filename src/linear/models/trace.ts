// Low-rank MTL by the trace (nuclear) norm (Ji & Ye, ICML 2009; Pong, Tseng, Ji & Ye 2010; MALSAR
// Least_Trace):  Ω(W) = λ‖W‖_* = λ Σ_i σ_i(W)  (+ ρ‖W‖²_F). learned.rank = numerical rank of W
// (singular values above 1e-8·σ_max). λ_max = ‖∇L(0)‖₂ (spectral norm: W = 0 is optimal iff
// −∇L(0) ∈ λ·{‖·‖₂ ≤ 1}). Solved by ADMM with exact per-task steps and a duality-gap certificate for
// the squared loss (solver/lowrank.ts; the default there, measured in docs/solvers.md), by FISTA
// otherwise.
import { OptionError } from '../../errors.ts';
import { svd } from '../../linalg/decomp/svd.ts';
import { tracePenalty, numericalRank } from '../penalty/trace.ts';
import { gramProblem } from '../solver/gram-form.ts';
import { traceAdmm } from '../solver/lowrank.ts';
import type { LinearSolution } from '../solver/composite.ts';
import { fitProx, gradientAtZero, linearModel, result, ridgeTerms, solverBase, weight, weightParam } from './common.ts';

export const TRACE_SOLVERS = ['admm', 'fista', 'gd'] as const;
export const TRACE_SOLVER_HELP =
  'admm (exact per-task steps, partial SVD, duality gap; squared loss, the default for it) | fista (accelerated proximal gradient; the default otherwise) | gd (textbook proximal gradient)';

export const traceSpec = linearModel({
  name: 'trace',
  summary: 'low rank: λ‖W‖_* (sum of singular values)',
  params: [weightParam('lambda', 'λ, the weight of the trace norm ‖W‖_*', 0.1, { rule: 'from-max' })],
  solvers: TRACE_SOLVERS,
  solverHelp: TRACE_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const lambda = weight(o, 'lambda');
    const solver = o.solver ?? (problem.loss === 'squared' ? 'admm' : 'fista');
    let sol: LinearSolution;
    if (solver === 'admm') {
      if (problem.loss !== 'squared') throw new OptionError('solver', `"admm" needs the squared loss (the loss is "${problem.loss}"); use --solver fista`);
      const started = performance.now();
      const gp = gramProblem(problem, { ridge: weight(o, 'ridge') });
      const W0 = warm?.W && warm.W.rows === problem.d && warm.W.cols === problem.tasks.length ? warm.W : undefined;
      const base = solverBase(o, hooks);
      const r = traceAdmm(gp, { lambda, tol: base.tol, maxIter: base.maxIter, requireConvergence: base.requireConvergence, started, ...(W0 ? { W0 } : {}), ...(hooks ? { hooks } : {}) });
      sol = { W: r.W, intercepts: gp.intercepts(r.W), info: r.info, lipschitz: NaN };
    } else {
      sol = fitProx(problem, ridgeTerms(o), tracePenalty(lambda), { ...o, solver }, warm, hooks);
    }
    return result(sol, { rank: numericalRank(sol.W) });
  },
  paramMax(param, problem) {
    return param === 'lambda' ? svd(gradientAtZero(problem)).s[0] ?? 0 : undefined;
  },
});
