// Low-rank W (the structure trace-norm MTL assumes, e.g. Pong et al., SIAM J. Optim. 2010; Ji & Ye,
// ICML 2009): W = A Bᵀ / √r with A (d × r) and B (T × r) of N(0, 1) entries, so rank W = r almost
// surely (r ≤ min(d, T)) and each entry of W has variance 1 whatever r is.
import { OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { matmul, scale } from '../../linalg/ops.ts';
import { describe, drawIntercepts, gaussianMatrix, positiveInt, resolveCommon, samplePerTask, type Resolved } from './common.ts';
import type { SyntheticOptions, SyntheticProblem } from './types.ts';

export interface LowRankOptions extends SyntheticOptions {
  /** rank r of W (default 2). */
  rank?: number;
}

export function drawLowRankWeights(rng: Random, r: Pick<Resolved, 'd' | 'T'>, rank: number): Matrix {
  if (rank > Math.min(r.d, r.T)) throw new OptionError('rank', `must be at most min(d, T) = ${Math.min(r.d, r.T)}, got ${rank}`);
  const A = gaussianMatrix(rng, r.d, rank);
  const B = gaussianMatrix(rng, r.T, rank);
  return scale(matmul(A, B, { transB: true }), 1 / Math.sqrt(rank));
}

export function makeLowRankTasks(opts: LowRankOptions = {}): SyntheticProblem {
  const r = resolveCommon(opts);
  const rank = positiveInt('rank', opts.rank, 2);
  const rng = new Random(r.seed);
  const W = drawLowRankWeights(rng, r, rank);
  const intercepts = drawIntercepts(rng, r);
  const description = describe('lowrank', r, { rank });
  return { dataset: samplePerTask(rng, W, intercepts, r, description), truth: { W, intercepts, rank, description } };
}
