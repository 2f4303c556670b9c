// Joint feature selection (Argyriou, Evgeniou & Pontil 2008; Obozinski et al. 2010; MALSAR
// Least_L21):  Ω(W) = λ‖W‖_2,1 = λ Σ_j ‖W_j,:‖₂  (+ ρ‖W‖²_F). Whole features (rows) are dropped for
// all tasks at once. λ_max = max_j ‖∇L(0)_j,:‖₂ (optimal intercepts at W = 0): the optimality
// condition of W = 0 is ‖∇L(0)_j,:‖₂ ≤ λ for every row j.
import { fitRowPenalty, withRowLambda, ROW_SOLVER_HELP, ROW_SOLVERS } from '../solver/row-solvers.ts';
import { l21Penalty, rowNorms } from '../penalty/l21.ts';
import { fitProx, gradientAtZero, linearModel, result, ridgeTerms, selectedFeatures, weight, weightParam } from './common.ts';

export const l21Spec = linearModel({
  name: 'l21',
  summary: 'joint feature selection: λ Σ_j ‖W_j,:‖₂ (rows of W)',
  params: [weightParam('lambda', 'λ, the weight of Σ_j ‖W_j,:‖₂', 0.1, { rule: 'from-max' })],
  solvers: ROW_SOLVERS,
  solverHelp: ROW_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const pen = { kind: 'l21' as const, lambda: weight(o, 'lambda'), ridge: weight(o, 'ridge') };
    const sol = fitRowPenalty(problem, pen, o, warm, hooks, () => fitProx(problem, ridgeTerms(o), l21Penalty(pen.lambda), o, warm, hooks));
    return withRowLambda(result(sol, { selectedFeatures: selectedFeatures(problem, sol.W) }), pen.lambda);
  },
  paramMax(param, problem) {
    return param === 'lambda' ? rowNorms(gradientAtZero(problem)).reduce((m, v) => Math.max(m, v), 0) : undefined;
  },
});
