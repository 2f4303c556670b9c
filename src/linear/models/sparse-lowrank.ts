// Sparse + low-rank MTL (MALSAR Least_SparseTrace / Logistic_SparseTrace; Chen, Liu & Ye, KDD 2010):
//   W = P + Q,  Ω = lambdaP·‖P‖₁ + lambdaQ·‖Q‖_*   (MALSAR's γ‖P‖₁ + τ‖Q‖_*), + ridge·‖W‖²_F.
// P carries task-specific sparse corrections, Q the shared low-rank structure. docs/models/sparse-lowrank.md.
import { lassoPenalty } from '../penalty/lasso.ts';
import { numericalRank, tracePenalty } from '../penalty/trace.ts';
import { twoBlockSpec } from '../structure/two-block.ts';

export const sparseLowrankSpec = twoBlockSpec({
  name: 'sparse-lowrank',
  summary: 'W = P + Q with lambdaP·‖P‖₁ (sparse) + lambdaQ·‖Q‖_* (low rank); learned P, Q, rank of Q',
  helpP: 'λ_P, the weight of ‖P‖₁ (MALSAR γ: sparse corrections)',
  helpQ: 'λ_Q, the weight of ‖Q‖_* (MALSAR τ: shared low rank)',
  penaltyP: lassoPenalty,
  penaltyQ: tracePenalty,
  learned: (_problem, s) => ({ rank: numericalRank(s.Q) }),
});
