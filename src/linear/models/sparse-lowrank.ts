// Sparse + low-rank MTL (MALSAR Least_SparseTrace / Logistic_SparseTrace; Chen, Liu & Ye, KDD 2010):
//   W = P + Q,  Ω = lambda·‖P‖₁ + lambda2·‖Q‖_*   (MALSAR's γ‖P‖₁ + τ‖Q‖_*), + ridge·‖W‖²_F.
// P carries task-specific sparse corrections, Q the shared low-rank structure. docs/models/sparse-lowrank.md.
import { lassoPenalty } from '../penalty/lasso.ts';
import { numericalRank, tracePenalty } from '../penalty/trace.ts';
import { twoBlockSpec } from '../structure/two-block.ts';

export const sparseLowrankSpec = twoBlockSpec({
  name: 'sparse-lowrank',
  summary: 'W = P + Q with lambda·‖P‖₁ (sparse) + lambda2·‖Q‖_* (low rank); learned P, Q, rank of Q',
  defaults: { lambda: 0.1, lambda2: 0.1 },
  penaltyP: lassoPenalty,
  penaltyQ: tracePenalty,
  learned: (_problem, s) => ({ rank: numericalRank(s.Q) }),
});
