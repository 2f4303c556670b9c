// Outlier tasks (the setting of robust MTL, Chen, Zhou & Ye, KDD 2011 / Gong, Ye & Zhang, KDD 2012,
// and of negative-transfer tests): a shared w_0 ~ N(0, I_d); a regular task has w_t = w_0 + e_t with
// e_t ~ N(0, withinSd² I_d); an outlier task (m of them, at random positions) has its own unrelated
// w_t ~ N(0, outlierSd² I_d). Regular tasks form cluster 0; outliers have cluster −1.
import { OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { describe, drawIntercepts, fromColumns, nonNegative, positiveInt, resolveCommon, samplePerTask, type Resolved } from './common.ts';
import type { SyntheticOptions, SyntheticProblem } from './types.ts';

export interface OutlierOptions extends SyntheticOptions {
  /** Number of outlier tasks (default 1; must leave at least one regular task). */
  outliers?: number;
  /** Spread of the regular tasks around w_0 (default 0.1). */
  withinSd?: number;
  /** Standard deviation of an outlier's entries (default 1). */
  outlierSd?: number;
}

export function drawOutlierWeights(rng: Random, r: Pick<Resolved, 'd' | 'T'>, m: number, withinSd: number, outlierSd: number): { W: Matrix; isOutlier: Uint8Array } {
  if (m >= r.T) throw new OptionError('outliers', `must be less than T = ${r.T} (at least one regular task), got ${m}`);
  const isOutlier = new Uint8Array(r.T);
  for (const t of rng.permutation(r.T).subarray(0, m)) isOutlier[t] = 1;
  const w0 = rng.normals(r.d);
  const W = fromColumns(r.d, r.T, (t) => (isOutlier[t] ? rng.normals(r.d, 0, outlierSd) : w0.map((v) => v + rng.normal(0, withinSd))));
  return { W, isOutlier };
}

export function makeOutlierTasks(opts: OutlierOptions = {}): SyntheticProblem {
  const r = resolveCommon(opts);
  const m = opts.outliers === 0 ? 0 : positiveInt('outliers', opts.outliers, 1);
  const withinSd = nonNegative('withinSd', opts.withinSd, 0.1);
  const outlierSd = nonNegative('outlierSd', opts.outlierSd, 1);
  const rng = new Random(r.seed);
  const { W, isOutlier } = drawOutlierWeights(rng, r, m, withinSd, outlierSd);
  const intercepts = drawIntercepts(rng, r);
  const description = describe('outliers', r, { outliers: m, withinSd, outlierSd });
  const clusters = Int32Array.from(isOutlier, (o) => (o ? -1 : 0));
  const outlierTasks = r.taskNames.filter((_, t) => isOutlier[t] === 1);
  return { dataset: samplePerTask(rng, W, intercepts, r, description), truth: { W, intercepts, clusters, outlierTasks, description } };
}
