// Task-to-task parameter passing over the task order (the seed's chain model; MALSAR SRMTL with
// the chain structure matrix):  Ω(W) = λ Σ_{t=1}^{T−1} ‖w_t − w_{t+1}‖²  (+ ρ‖W‖²_F).
// Quadratic, so the squared loss is solved exactly (solver/direct.ts).
import { chainPenalty } from '../penalty/laplacian.ts';
import type { ModelSpec } from '../types.ts';
import { fitSmooth, result, ridgeTerms, weight } from './common.ts';

export const chainSpec: ModelSpec = {
  name: 'chain',
  summary: 'chain of tasks: λ Σ_t ‖w_t − w_{t+1}‖² over the task order',
  uses: ['lambda'],
  defaults: { lambda: 0.1 },
  fit(problem, opts, warm) {
    const pen = [chainPenalty(weight(opts, 'lambda', 0.1), problem.tasks.length), ...ridgeTerms(opts)];
    return result(fitSmooth(problem, pen, opts, warm));
  },
};
