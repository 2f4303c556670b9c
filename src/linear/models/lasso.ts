// Lasso MTL (MALSAR Least_Lasso / Logistic_Lasso):  Ω(W) = λ‖W‖₁ = λ Σ_jt |W_jt|  (+ ρ‖W‖²_F).
// λ_max = max_jt |∇L(0)_jt| (with the optimal intercepts at W = 0): for λ ≥ λ_max, W = 0 satisfies
// the optimality condition −∇L(0) ∈ λ ∂‖0‖₁ = [−λ, λ]^(d×T), and for λ < λ_max it does not.
import { lassoPenalty } from '../penalty/lasso.ts';
import type { ModelSpec } from '../types.ts';
import { fitProx, gradientAtZero, result, ridgeTerms, selectedFeatures, weight } from './common.ts';

export const lassoSpec: ModelSpec = {
  name: 'lasso',
  summary: 'entrywise sparsity: λ‖W‖₁',
  uses: ['lambda'],
  defaults: { lambda: 0.1 },
  fit(problem, opts, warm) {
    const sol = fitProx(problem, ridgeTerms(opts), lassoPenalty(weight(opts, 'lambda', 0.1)), opts, warm);
    return result(sol, { selectedFeatures: selectedFeatures(problem, sol.W) });
  },
  lambdaMax(problem) {
    return gradientAtZero(problem).data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  },
};
