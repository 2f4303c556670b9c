// Jointly row-sparse W (the structure of ℓ2,1 / group-lasso MTL, Obozinski, Taskar & Jordan, Stat.
// Comput. 2010; Argyriou, Evgeniou & Pontil, NIPS 2006): a support S of s feature rows drawn
// uniformly without replacement; W_{jt} ~ N(0, 1) for j ∈ S and W_{jt} = 0 exactly for j ∉ S. All
// tasks use the same few features, each with its own weights.
import { OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { describe, drawIntercepts, positiveInt, resolveCommon, samplePerTask, type Resolved } from './common.ts';
import type { SyntheticOptions, SyntheticProblem } from './types.ts';

export interface SparseOptions extends SyntheticOptions {
  /** Number of non-zero rows s (default min(3, d)). */
  s?: number;
}

export function drawSparseWeights(rng: Random, r: Pick<Resolved, 'd' | 'T'>, s: number): { W: Matrix; support: Int32Array } {
  if (s > r.d) throw new OptionError('s', `must be at most d = ${r.d}, got ${s}`);
  const support = Int32Array.from(rng.permutation(r.d).subarray(0, s)).sort();
  const W = Matrix.zeros(r.d, r.T);
  for (const j of support) for (let t = 0; t < r.T; t++) W.data[j * r.T + t] = rng.normal();
  return { W, support };
}

export function makeSparseTasks(opts: SparseOptions = {}): SyntheticProblem {
  const r = resolveCommon(opts);
  const s = positiveInt('s', opts.s, Math.min(3, r.d));
  const rng = new Random(r.seed);
  const { W, support } = drawSparseWeights(rng, r, s);
  const intercepts = drawIntercepts(rng, r);
  const description = describe('sparse', r, { s });
  return { dataset: samplePerTask(rng, W, intercepts, r, description), truth: { W, intercepts, support, description } };
}
