// Contracts of the synthetic generators: every generator is a pure function of its options (the
// seed included) and returns the data together with the truth that produced them, so that tests
// can check that a model recovers a planted structure (CONTRIBUTING: "learned structure by
// recovering a planted one").
import type { Matrix } from '../../linalg/matrix.ts';
import type { MultiTaskDataset } from '../dataset.ts';
import type { LossName } from '../../linear/types.ts';

/** The planted model behind a synthetic data set. Optional fields are set by the generators whose structure they describe. */
export interface SyntheticTruth {
  /** d × T weights, column t is task t's w_t (the linear part; see `description` for any non-linear part). */
  readonly W: Matrix;
  /** b_t, one per task. */
  readonly intercepts: Float64Array;
  /** Cluster index of each task (0-based); −1 for a task that belongs to no cluster (an outlier). */
  readonly clusters?: Int32Array;
  /** d × k cluster centres (column j is centre j), when tasks were drawn around centres. */
  readonly centres?: Matrix;
  /** Names of the tasks that are unrelated to the others. */
  readonly outlierTasks?: string[];
  /** Sorted 0-based indices of the feature rows of W that are non-zero (all other rows are exactly 0). */
  readonly support?: Int32Array;
  /** Rank of W by construction. */
  readonly rank?: number;
  /** T × T task covariance Σ: the rows of W are draws from N(0, Σ). */
  readonly covariance?: Matrix;
  /** One-line human description of the model, with its parameters. */
  readonly description: string;
}

export interface SyntheticProblem<Truth extends SyntheticTruth = SyntheticTruth> {
  readonly dataset: MultiTaskDataset;
  readonly truth: Truth;
}

/** Options every per-task generator accepts. */
export interface SyntheticOptions {
  /** Number of tasks T (default 10; some generators fix it). */
  T?: number;
  /** Number of features d (default 10). */
  d?: number;
  /** Samples per task: one number for all tasks, or one per task (default 50). */
  n?: number | readonly number[];
  /** Standard deviation of the Gaussian label noise for the squared loss (default 0.1; unused for logistic). */
  noise?: number;
  /** A registered loss whose model draws the labels (src/linear/loss/registry.ts): squared y = xᵀw + b + ε;
   * logistic y = ±1 with P(y = +1) = σ(xᵀw + b); poisson y ~ Poisson(e^(xᵀw + b)). Default: the regression loss. */
  loss?: LossName;
  /** Standard deviation of the intercepts b_t ~ N(0, interceptSd²) (default 0: all intercepts 0). */
  interceptSd?: number;
  /** Task names (default 't1'..'tT'). */
  taskNames?: readonly string[];
  /** Seed of the Random stream (default 1). */
  seed?: number;
}
