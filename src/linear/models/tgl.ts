// Temporal group lasso (Zhou, Yuan, Liu & Ye, "A multi-task learning formulation for predicting
// disease progression", KDD 2011, eq. (3); MALSAR Least_TGL), with the paper's weights:
//   Ω(W) = θ1‖W‖²_F + θ2 Σ_t ‖w_t − w_{t+1}‖² + θ3 Σ_j ‖W_j,:‖₂
// θ1 is the common `ridge` option, θ2 = --theta2 (temporal smoothness), θ3 = --theta3 (the group
// lasso on features). The first two terms are smooth, the last has the row-shrinkage prox. Solved by
// working-set BCD with exact tridiagonal row solves for the squared loss (solver/bcd.ts), by FISTA
// otherwise. Model files of formatVersion 1 stored θ2 as lambda and θ3 as lambda2.
import { CHAIN_SOLVER_HELP, CHAIN_SOLVERS, fitRowPenalty, withRowLambda } from '../solver/row-solvers.ts';
import { chainPenalty } from '../penalty/laplacian.ts';
import { l21Penalty, rowNorms } from '../penalty/l21.ts';
import { fitProx, gradientAtZero, linearModel, result, ridgeTerms, selectedFeatures, weight, weightParam } from './common.ts';

export const tglSpec = linearModel({
  name: 'tgl',
  summary: 'temporal group lasso: θ1‖W‖²_F (--ridge) + θ2 Σ_t‖w_t − w_{t+1}‖² + θ3 Σ_j‖W_j,:‖₂',
  params: [
    weightParam('theta2', 'θ2, the temporal smoothness weight on Σ_t ‖w_t − w_{t+1}‖²', 0.1, { points: 6, decades: 4 }),
    weightParam('theta3', 'θ3, the group-lasso weight on Σ_j ‖W_j,:‖₂', 0.1, { points: 5, decades: 4 }),
  ],
  solvers: CHAIN_SOLVERS,
  solverHelp: CHAIN_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const smooth = [chainPenalty(weight(o, 'theta2'), problem.tasks.length), ...ridgeTerms(o)];
    const pen = { kind: 'l21' as const, lambda: weight(o, 'theta3'), chain: weight(o, 'theta2'), ridge: weight(o, 'ridge') };
    const sol = fitRowPenalty(problem, pen, o, warm, hooks, () => fitProx(problem, smooth, l21Penalty(pen.lambda), o, warm, hooks));
    return withRowLambda(result(sol, { selectedFeatures: selectedFeatures(problem, sol.W) }), pen.lambda);
  },
  // θ3 ≥ max_j ‖∇L(0)_j,:‖₂ gives W = 0 whatever θ2 (the smooth terms have zero gradient at 0).
  paramMax(param, problem) {
    return param === 'theta3' ? rowNorms(gradientAtZero(problem)).reduce((m, v) => Math.max(m, v), 0) : undefined;
  },
});
