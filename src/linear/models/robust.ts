// Robust MTL (Chen, Zhou & Ye, "Integrating low-rank and group-sparse structures for robust multi-task
// learning", KDD 2011; MALSAR Least_RMTL):  W = P + Q,
//   Ω = lambdaP·‖P‖_* + lambdaQ·‖Q‖_1,2 (+ ridge·‖W‖²_F),  ‖Q‖_1,2 = Σ_t ‖Q_:,t‖₂ (column groups).
// P is the low-rank structure shared by the regular tasks; a non-zero column of Q marks an outlier
// task (learned.outlierTasks). docs/models/robust.md.
import { l12ColumnsPenalty } from '../penalty/l12.ts';
import { numericalRank, tracePenalty } from '../penalty/trace.ts';
import { nonZeroColumns } from './common.ts';
import { twoBlockSpec } from '../structure/two-block.ts';

export const robustSpec = twoBlockSpec({
  name: 'robust',
  summary: 'robust MTL: W = P + Q with lambdaP·‖P‖_* (low rank) + lambdaQ·‖Q‖_1,2 (outlier-task columns); learned outlier tasks',
  helpP: 'λ_P, the weight of the trace norm ‖P‖_* (shared low rank)',
  helpQ: 'λ_Q, the weight of ‖Q‖_1,2 (outlier-task columns)',
  penaltyP: tracePenalty,
  penaltyQ: l12ColumnsPenalty,
  learned: (problem, s) => ({
    outlierTasks: nonZeroColumns(s.Q).map((t) => problem.tasks[t]!.name),
    rank: numericalRank(s.P),
  }),
});
