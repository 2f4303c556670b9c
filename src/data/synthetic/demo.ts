// The CLI demo's problem: realistic enough that multi-task learning visibly helps and that a robust
// or clustered model has something to find. 12 related tasks in 3 clusters plus 1 unrelated task
// (13 tasks), d = 20 features, n_t drawn uniformly from 20..80 (small tasks borrow strength), label
// noise sd 1, intercepts ~ N(0, 0.5²). Cluster model as in clusters.ts (centres N(0, I), within-
// cluster spread 0.25); the outlier task's weights are an independent N(0, I) draw (cluster −1).
import { OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import { drawClusterWeights } from './clusters.ts';
import { describe, drawIntercepts, fromColumns, resolveCommon, samplePerTask } from './common.ts';
import type { SyntheticProblem } from './types.ts';

export const DEMO_CLUSTERS = 3;
export const DEMO_CLUSTERED_TASKS = 12;

export function makeDemoProblem(seed = 1): SyntheticProblem {
  if (!Number.isInteger(seed)) throw new OptionError('seed', `must be an integer, got ${seed}`);
  const T = DEMO_CLUSTERED_TASKS + 1;
  const d = 20;
  const rng = new Random(seed);
  // Sizes first (they are options of the common sampler), then the weights, then the data.
  const n = Array.from({ length: T }, () => 20 + rng.int(61));
  const r = resolveCommon({ T, d, n, noise: 1, interceptSd: 0.5, seed });
  const clustered = drawClusterWeights(rng, { d, T: DEMO_CLUSTERED_TASKS }, DEMO_CLUSTERS, 1, 0.25);
  const outlierPosition = rng.int(T);
  const outlier = rng.normals(d);
  // Insert the outlier column at a random position so that it is not always the last task.
  const src = (t: number): number => (t < outlierPosition ? t : t - 1);
  const W = fromColumns(d, T, (t) => (t === outlierPosition ? outlier : clustered.W.col(src(t))));
  const clusters = Int32Array.from({ length: T }, (_, t) => (t === outlierPosition ? -1 : clustered.clusters[src(t)]!));
  const intercepts = drawIntercepts(rng, r);
  const description = describe('demo', r, { clusters: DEMO_CLUSTERS, outliers: 1, noise: 1 });
  return {
    dataset: samplePerTask(rng, W, intercepts, r, description),
    truth: { W, intercepts, clusters, centres: clustered.centres, outlierTasks: [r.taskNames[outlierPosition]!], description },
  };
}
