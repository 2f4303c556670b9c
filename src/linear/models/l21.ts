// Joint feature selection (Argyriou, Evgeniou & Pontil 2008; Obozinski et al. 2010; MALSAR
// Least_L21):  Ω(W) = λ‖W‖_2,1 = λ Σ_j ‖W_j,:‖₂  (+ ρ‖W‖²_F). Whole features (rows) are dropped for
// all tasks at once. λ_max = max_j ‖∇L(0)_j,:‖₂ (optimal intercepts at W = 0): the optimality
// condition of W = 0 is ‖∇L(0)_j,:‖₂ ≤ λ for every row j.
import { l21Penalty, rowNorms } from '../penalty/l21.ts';
import type { ModelSpec } from '../types.ts';
import { fitProx, gradientAtZero, result, ridgeTerms, selectedFeatures, weight } from './common.ts';

export const l21Spec: ModelSpec = {
  name: 'l21',
  summary: 'joint feature selection: λ Σ_j ‖W_j,:‖₂ (rows of W)',
  uses: ['lambda'],
  defaults: { lambda: 0.1 },
  fit(problem, opts, warm) {
    const sol = fitProx(problem, ridgeTerms(opts), l21Penalty(weight(opts, 'lambda', 0.1)), opts, warm);
    return result(sol, { selectedFeatures: selectedFeatures(problem, sol.W) });
  },
  lambdaMax(problem) {
    return rowNorms(gradientAtZero(problem)).reduce((m, v) => Math.max(m, v), 0);
  },
};
