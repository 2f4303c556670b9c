// Low-rank MTL by the trace (nuclear) norm (Ji & Ye, ICML 2009; Pong, Tseng, Ji & Ye 2010; MALSAR
// Least_Trace):  Ω(W) = λ‖W‖_* = λ Σ_i σ_i(W)  (+ ρ‖W‖²_F). learned.rank = numerical rank of W
// (singular values above 1e-8·σ_max). λ_max = ‖∇L(0)‖₂ (spectral norm: W = 0 is optimal iff
// −∇L(0) ∈ λ·{‖·‖₂ ≤ 1}).
import { svd } from '../../linalg/decomp/svd.ts';
import { tracePenalty, numericalRank } from '../penalty/trace.ts';
import type { ModelSpec } from '../types.ts';
import { fitProx, gradientAtZero, result, ridgeTerms, weight } from './common.ts';

export const traceSpec: ModelSpec = {
  name: 'trace',
  summary: 'low rank: λ‖W‖_* (sum of singular values)',
  uses: ['lambda'],
  defaults: { lambda: 0.1 },
  fit(problem, opts, warm) {
    const sol = fitProx(problem, ridgeTerms(opts), tracePenalty(weight(opts, 'lambda', 0.1)), opts, warm);
    return result(sol, { rank: numericalRank(sol.W) });
  },
  lambdaMax(problem) {
    return svd(gradientAtZero(problem)).s[0] ?? 0;
  },
};
