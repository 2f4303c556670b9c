// Mean-regularised MTL (Evgeniou & Pontil, "Regularized multi-task learning", KDD 2004):
//   Ω(W) = λ Σ_t ‖w_t − w̄‖²,  w̄ = (1/T) Σ_t w_t   (+ ρ‖W‖²_F)
// (MALSAR SRMTL with R = I − 11ᵀ/T). λ → 0 gives independent tasks, λ → ∞ one shared w.
// Note: without a ridge term the mean w̄ itself is unpenalised; the paper's w_t = w₀ + v_t form
// with λ₁‖v_t‖² + λ₂‖w₀‖² corresponds to this penalty plus a ridge term.
import { meanPenalty } from '../penalty/laplacian.ts';
import { fitSmooth, linearModel, result, ridgeTerms, SMOOTH_SOLVER_HELP, SMOOTH_SOLVERS, weight, weightParam } from './common.ts';

export const meanSpec = linearModel({
  name: 'mean',
  summary: 'mean-regularised MTL (Evgeniou & Pontil 2004): λ Σ_t ‖w_t − w̄‖²',
  params: [weightParam('lambda', 'λ, the weight of Σ_t ‖w_t − w̄‖²', 0.1)],
  solvers: SMOOTH_SOLVERS,
  solverHelp: SMOOTH_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const pen = [meanPenalty(weight(o, 'lambda')), ...ridgeTerms(o)];
    return result(fitSmooth(problem, pen, o, warm, hooks));
  },
});
