// Dirty model (Jalali, Ravikumar, Sanghavi & Ruan, "A dirty model for multi-task learning", NIPS 2010;
// MALSAR Least_Dirty):  W = P + Q,  Ω = lambdaP·‖P‖_1,∞ + lambdaQ·‖Q‖₁ (+ ridge·‖W‖²_F), with
// ‖P‖_1,∞ = Σ_j max_t |P_jt| over the rows (block sparsity: features shared by all tasks) and ‖Q‖₁
// elementwise (task-specific features). docs/models/dirty.md.
import { lassoPenalty } from '../penalty/lasso.ts';
import { l1InfPenalty } from '../penalty/l1inf.ts';
import { featureName, nonZeroRows } from './common.ts';
import { twoBlockSpec } from '../structure/two-block.ts';

export const dirtySpec = twoBlockSpec({
  name: 'dirty',
  summary: 'dirty model: W = P + Q with lambdaP·‖P‖_1,∞ (shared rows) + lambdaQ·‖Q‖₁ (task-specific entries)',
  helpP: 'λ_P, the weight of ‖P‖_1,∞ (features shared by all tasks)',
  helpQ: 'λ_Q, the weight of ‖Q‖₁ (task-specific entries)',
  penaltyP: l1InfPenalty,
  penaltyQ: lassoPenalty,
  // Features used by any task: the non-zero rows of W = P + Q.
  dirtyBcd: true,
  learned: (problem, s) => ({ selectedFeatures: nonZeroRows(s.W).map((j) => featureName(problem, j)) }),
});
