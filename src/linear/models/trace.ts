// Low-rank MTL by the trace (nuclear) norm (Ji & Ye, ICML 2009; Pong, Tseng, Ji & Ye 2010; MALSAR
// Least_Trace):  Ω(W) = λ‖W‖_* = λ Σ_i σ_i(W)  (+ ρ‖W‖²_F). learned.rank = numerical rank of W
// (singular values above 1e-8·σ_max). λ_max = ‖∇L(0)‖₂ (spectral norm: W = 0 is optimal iff
// −∇L(0) ∈ λ·{‖·‖₂ ≤ 1}).
import { svd } from '../../linalg/decomp/svd.ts';
import { tracePenalty, numericalRank } from '../penalty/trace.ts';
import { fitProx, gradientAtZero, linearModel, PROX_SOLVER_HELP, PROX_SOLVERS, result, ridgeTerms, weight, weightParam } from './common.ts';

export const traceSpec = linearModel({
  name: 'trace',
  summary: 'low rank: λ‖W‖_* (sum of singular values)',
  params: [weightParam('lambda', 'λ, the weight of the trace norm ‖W‖_*', 0.1, { rule: 'from-max' })],
  solvers: PROX_SOLVERS,
  solverHelp: PROX_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const sol = fitProx(problem, ridgeTerms(o), tracePenalty(weight(o, 'lambda')), o, warm, hooks);
    return result(sol, { rank: numericalRank(sol.W) });
  },
  paramMax(param, problem) {
    return param === 'lambda' ? svd(gradientAtZero(problem)).s[0] ?? 0 : undefined;
  },
});
