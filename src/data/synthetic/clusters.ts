// k task clusters (the structure of clustered MTL, Jacob, Bach & Vert, NIPS 2008, and CMTL, Zhou,
// Chen & Ye, NIPS 2011): centres c_1..c_k ~ N(0, centreSd² I_d); task t has cluster z_t (balanced:
// z = t mod k, then shuffled) and w_t = c_{z_t} + e_t with e_t ~ N(0, withinSd² I_d).
import { OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { describe, drawIntercepts, fromColumns, gaussianMatrix, nonNegative, positiveInt, resolveCommon, samplePerTask, type Resolved } from './common.ts';
import type { SyntheticOptions, SyntheticProblem } from './types.ts';

export interface ClusterOptions extends SyntheticOptions {
  /** Number of clusters k (default 3, at most T). */
  k?: number;
  /** Standard deviation of the centres' entries (default 1). */
  centreSd?: number;
  /** Standard deviation of a task's deviation from its centre (default 0.1). */
  withinSd?: number;
}

export interface ClusterWeights {
  readonly W: Matrix;
  readonly centres: Matrix;
  readonly clusters: Int32Array;
}

export function drawClusterWeights(rng: Random, r: Pick<Resolved, 'd' | 'T'>, k: number, centreSd: number, withinSd: number): ClusterWeights {
  if (k > r.T) throw new OptionError('k', `${k} clusters need at least ${k} tasks, got T = ${r.T}`);
  const centres = gaussianMatrix(rng, r.d, k, centreSd);
  const clusters = new Int32Array(r.T);
  for (let t = 0; t < r.T; t++) clusters[t] = t % k;
  rng.shuffle(clusters);
  const W = fromColumns(r.d, r.T, (t) => {
    const c = centres.col(clusters[t]!);
    return c.map((v) => v + rng.normal(0, withinSd));
  });
  return { W, centres, clusters };
}

export function readClusterOptions(opts: ClusterOptions): { k: number; centreSd: number; withinSd: number } {
  return {
    k: positiveInt('k', opts.k, 3),
    centreSd: nonNegative('centreSd', opts.centreSd, 1),
    withinSd: nonNegative('withinSd', opts.withinSd, 0.1),
  };
}

export function makeClusteredTasks(opts: ClusterOptions = {}): SyntheticProblem {
  const r = resolveCommon(opts);
  const { k, centreSd, withinSd } = readClusterOptions(opts);
  const rng = new Random(r.seed);
  const { W, centres, clusters } = drawClusterWeights(rng, r, k, centreSd, withinSd);
  const intercepts = drawIntercepts(rng, r);
  const description = describe('clusters', r, { k, centreSd, withinSd });
  return { dataset: samplePerTask(rng, W, intercepts, r, description), truth: { W, intercepts, clusters, centres, description } };
}
