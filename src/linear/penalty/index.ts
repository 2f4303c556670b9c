// All penalties (see ./types.ts for the Penalty interface).
export type { Penalty } from './types.ts';
export { ridgePenalty, taskRidgePenalty } from './ridge.ts';
export { lassoPenalty, softThreshold } from './lasso.ts';
export { l21Penalty, rowNorms } from './l21.ts';
export { l12ColumnsPenalty, colNorms } from './l12.ts';
export { tracePenalty, nuclearNorm, numericalRank } from './trace.ts';
export { l1InfPenalty, projectL1Ball } from './l1inf.ts';
export { graphPenalty, chainPenalty, meanPenalty, chainEdges, laplacianMatrix, type TaskEdge } from './laplacian.ts';
