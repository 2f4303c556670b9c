// Dirty model (Jalali, Ravikumar, Sanghavi & Ruan, "A dirty model for multi-task learning", NIPS 2010;
// MALSAR Least_Dirty):  W = P + Q,  Ω = lambda·‖P‖_1,∞ + lambda2·‖Q‖₁ (+ ridge·‖W‖²_F), with
// ‖P‖_1,∞ = Σ_j max_t |P_jt| over the rows (block sparsity: features shared by all tasks) and ‖Q‖₁
// elementwise (task-specific features). docs/models/dirty.md.
import { lassoPenalty } from '../penalty/lasso.ts';
import { l1InfPenalty } from '../penalty/l1inf.ts';
import { nonZeroRows } from '../structure/model-kit.ts';
import { featureName } from './common.ts';
import { twoBlockSpec } from '../structure/two-block.ts';

export const dirtySpec = twoBlockSpec({
  name: 'dirty',
  summary: 'dirty model: W = P + Q with lambda·‖P‖_1,∞ (shared rows) + lambda2·‖Q‖₁ (task-specific entries)',
  defaults: { lambda: 0.1, lambda2: 0.1 },
  penaltyP: l1InfPenalty,
  penaltyQ: lassoPenalty,
  // Features used by any task: the non-zero rows of W = P + Q.
  learned: (problem, s) => ({ selectedFeatures: nonZeroRows(s.W).map((j) => featureName(problem, j)) }),
});
