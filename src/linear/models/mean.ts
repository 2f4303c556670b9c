// Mean-regularised MTL (Evgeniou & Pontil, "Regularized multi-task learning", KDD 2004):
//   Ω(W) = λ Σ_t ‖w_t − w̄‖²,  w̄ = (1/T) Σ_t w_t   (+ ρ‖W‖²_F)
// (MALSAR SRMTL with R = I − 11ᵀ/T). λ → 0 gives independent tasks, λ → ∞ one shared w.
// Note: without a ridge term the mean w̄ itself is unpenalised; the paper's w_t = w₀ + v_t form
// with λ₁‖v_t‖² + λ₂‖w₀‖² corresponds to this penalty plus a ridge term.
import { meanPenalty } from '../penalty/laplacian.ts';
import type { ModelSpec } from '../types.ts';
import { fitSmooth, result, ridgeTerms, weight } from './common.ts';

export const meanSpec: ModelSpec = {
  name: 'mean',
  summary: 'mean-regularised MTL (Evgeniou & Pontil 2004): λ Σ_t ‖w_t − w̄‖²',
  uses: ['lambda'],
  defaults: { lambda: 0.1 },
  fit(problem, opts, warm) {
    const pen = [meanPenalty(weight(opts, 'lambda', 0.1)), ...ridgeTerms(opts)];
    return result(fitSmooth(problem, pen, opts, warm));
  },
};
