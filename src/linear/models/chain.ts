// Task-to-task parameter passing over the task order (the seed's chain model; MALSAR SRMTL with
// the chain structure matrix):  Ω(W) = λ Σ_{t=1}^{T−1} ‖w_t − w_{t+1}‖²  (+ ρ‖W‖²_F).
// Quadratic, so the squared loss is solved exactly (solver/direct.ts).
import { chainPenalty } from '../penalty/laplacian.ts';
import { fitSmooth, linearModel, result, ridgeTerms, SMOOTH_SOLVER_HELP, SMOOTH_SOLVERS, weight, weightParam } from './common.ts';

export const chainSpec = linearModel({
  name: 'chain',
  summary: 'chain of tasks: λ Σ_t ‖w_t − w_{t+1}‖² over the task order',
  params: [weightParam('lambda', 'λ, the weight of Σ_t ‖w_t − w_{t+1}‖²', 0.1)],
  solvers: SMOOTH_SOLVERS,
  solverHelp: SMOOTH_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const pen = [chainPenalty(weight(o, 'lambda'), problem.tasks.length), ...ridgeTerms(o)];
    return result(fitSmooth(problem, pen, o, warm, hooks));
  },
});
