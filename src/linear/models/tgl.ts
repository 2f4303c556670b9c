// Temporal group lasso (Zhou, Yuan, Liu & Ye, KDD 2011; MALSAR Least_TGL), exactly as issue 4
// parameterises it:  Ω(W) = ρ‖W‖²_F + λ Σ_t ‖w_t − w_{t+1}‖² + λ₂ Σ_j ‖W_j,:‖₂
// with ρ the common `ridge` option, λ = --lambda (the chain weight) and λ₂ = --lambda2 (the L21
// weight). The first two terms are smooth, the last has the row-shrinkage prox; FISTA solves it.
import { chainPenalty } from '../penalty/laplacian.ts';
import { l21Penalty } from '../penalty/l21.ts';
import type { ModelSpec } from '../types.ts';
import { fitProx, result, ridgeTerms, selectedFeatures, weight } from './common.ts';

export const tglSpec: ModelSpec = {
  name: 'tgl',
  summary: 'temporal group lasso: ρ‖W‖²_F + λ Σ_t‖w_t − w_{t+1}‖² + λ₂ Σ_j‖W_j,:‖₂',
  uses: ['lambda', 'lambda2'],
  defaults: { lambda: 0.1, lambda2: 0.1 },
  fit(problem, opts, warm) {
    const smooth = [chainPenalty(weight(opts, 'lambda', 0.1), problem.tasks.length), ...ridgeTerms(opts)];
    const sol = fitProx(problem, smooth, l21Penalty(weight(opts, 'lambda2', 0.1)), opts, warm);
    return result(sol, { selectedFeatures: selectedFeatures(problem, sol.W) });
  },
  // No lambdaMax: W = 0 depends on λ₂ (the L21 weight), not on λ (the chain weight) that
  // ModelSpec.lambdaMax refers to; λ₂ ≥ max_j ‖∇L(0)_j,:‖₂ (as for l21) gives W = 0.
};
