// Synthetic multi-task data with known truth (docs/synthetic.md gives each model as equations).
export type { SyntheticOptions, SyntheticProblem, SyntheticTruth } from './types.ts';
export { makeEqualTasks } from './equal.ts';
export { makeChainTasks, type ChainOptions } from './chain.ts';
export { makeClusteredTasks, type ClusterOptions } from './clusters.ts';
export { makeLowRankTasks, type LowRankOptions } from './lowrank.ts';
export { makeSparseTasks, type SparseOptions } from './sparse.ts';
export { makeOutlierTasks, type OutlierOptions } from './outliers.ts';
export { makeCovarianceTasks, type CovarianceOptions } from './covariance.ts';
export { makeMmoeTasks, mmoeLink, type MmoeOptions, type MmoeTruth } from './mmoe.ts';
export { makeMultiOutput, type MultiOutputOptions } from './multioutput.ts';
export { makeDemoProblem } from './demo.ts';
