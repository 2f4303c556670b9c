// Robust multi-task feature learning (Gong, Ye & Zhang, KDD 2012; MALSAR Least_rMTFL):  W = P + Q,
//   Ω = lambdaP·‖P‖_2,1 + lambdaQ·‖Q‖_1,2 (+ ridge·‖W‖²_F),
// ‖P‖_2,1 = Σ_j ‖P_j,:‖₂ (rows: features shared by the regular tasks), ‖Q‖_1,2 = Σ_t ‖Q_:,t‖₂
// (columns: outlier tasks). docs/models/rmtfl.md.
import { l12ColumnsPenalty } from '../penalty/l12.ts';
import { l21Penalty } from '../penalty/l21.ts';
import { featureName, nonZeroColumns, nonZeroRows } from './common.ts';
import { twoBlockSpec } from '../structure/two-block.ts';

export const rmtflSpec = twoBlockSpec({
  name: 'rmtfl',
  summary: 'robust feature learning: W = P + Q with lambdaP·‖P‖_2,1 (shared features) + lambdaQ·‖Q‖_1,2 (outlier tasks)',
  helpP: 'λ_P, the weight of ‖P‖_2,1 (features shared by the regular tasks)',
  helpQ: 'λ_Q, the weight of ‖Q‖_1,2 (outlier-task columns)',
  penaltyP: l21Penalty,
  penaltyQ: l12ColumnsPenalty,
  // The joint feature selection is the row support of P (W's rows also pick up the outlier columns of Q).
  learned: (problem, s) => ({
    selectedFeatures: nonZeroRows(s.P).map((j) => featureName(problem, j)),
    outlierTasks: nonZeroColumns(s.Q).map((t) => problem.tasks[t]!.name),
  }),
});
