// All tasks equal: w_t = w for every t, w ~ N(0, I_d). Pooling all data is the right model here;
// an MTL method should do at least as well as pooling (the "no heterogeneity" control).
import { Random } from '../../linalg/random.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { describe, drawIntercepts, fromColumns, resolveCommon, samplePerTask, type Resolved } from './common.ts';
import type { SyntheticOptions, SyntheticProblem } from './types.ts';

export function drawEqualWeights(rng: Random, r: Pick<Resolved, 'd' | 'T'>): Matrix {
  const w = rng.normals(r.d);
  return fromColumns(r.d, r.T, () => w);
}

export function makeEqualTasks(opts: SyntheticOptions = {}): SyntheticProblem {
  const r = resolveCommon(opts);
  const rng = new Random(r.seed);
  const W = drawEqualWeights(rng, r);
  const intercepts = drawIntercepts(rng, r);
  const description = describe('equal', r, {});
  return { dataset: samplePerTask(rng, W, intercepts, r, description), truth: { W, intercepts, rank: 1, description } };
}
