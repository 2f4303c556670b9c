// Lasso MTL (MALSAR Least_Lasso / Logistic_Lasso):  Ω(W) = λ‖W‖₁ = λ Σ_jt |W_jt|  (+ ρ‖W‖²_F).
// λ_max = max_jt |∇L(0)_jt| (with the optimal intercepts at W = 0): for λ ≥ λ_max, W = 0 satisfies
// the optimality condition −∇L(0) ∈ λ ∂‖0‖₁ = [−λ, λ]^(d×T), and for λ < λ_max it does not.
import { fitRowPenalty, withRowLambda, ROW_SOLVER_HELP, ROW_SOLVERS } from '../solver/row-solvers.ts';
import { lassoPenalty } from '../penalty/lasso.ts';
import { fitProx, gradientAtZero, linearModel, result, ridgeTerms, selectedFeatures, weight, weightParam } from './common.ts';

export const lassoSpec = linearModel({
  name: 'lasso',
  summary: 'entrywise sparsity: λ‖W‖₁',
  params: [weightParam('lambda', 'λ, the weight of ‖W‖₁', 0.1, { rule: 'from-max' })],
  solvers: ROW_SOLVERS,
  solverHelp: ROW_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const pen = { kind: 'lasso' as const, lambda: weight(o, 'lambda'), ridge: weight(o, 'ridge') };
    const sol = fitRowPenalty(problem, pen, o, warm, hooks, () => fitProx(problem, ridgeTerms(o), lassoPenalty(pen.lambda), o, warm, hooks));
    return withRowLambda(result(sol, { selectedFeatures: selectedFeatures(problem, sol.W) }), pen.lambda);
  },
  paramMax(param, problem) {
    return param === 'lambda' ? gradientAtZero(problem).data.reduce((m, v) => Math.max(m, Math.abs(v)), 0) : undefined;
  },
});
