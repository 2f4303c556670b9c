// Chain-smooth drift (the structure the "chain" / temporal-smoothness penalty Σ_t ‖w_{t+1} − w_t‖²
// assumes, e.g. Zhou et al., "A multi-task learning formulation for predicting disease progression",
// KDD 2011): w_1 ~ N(0, I_d) and w_{t+1} = w_t + step · g_t/‖g_t‖ with g_t ~ N(0, I_d), so every
// consecutive difference has norm exactly `step` in a uniformly random direction.
import { Random } from '../../linalg/random.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { norm2 } from '../../linalg/ops.ts';
import { describe, drawIntercepts, fromColumns, nonNegative, resolveCommon, samplePerTask, type Resolved } from './common.ts';
import type { SyntheticOptions, SyntheticProblem } from './types.ts';

export interface ChainOptions extends SyntheticOptions {
  /** ‖w_{t+1} − w_t‖ (default 0.3). */
  step?: number;
}

export function drawChainWeights(rng: Random, r: Pick<Resolved, 'd' | 'T'>, step: number): Matrix {
  const cols: Float64Array[] = [rng.normals(r.d)];
  for (let t = 1; t < r.T; t++) {
    const g = rng.normals(r.d);
    const scale = step / norm2(g); // ‖g‖ = 0 has probability 0 for a continuous draw
    cols.push(cols[t - 1]!.map((v, j) => v + scale * g[j]!));
  }
  return fromColumns(r.d, r.T, (t) => cols[t]!);
}

export function makeChainTasks(opts: ChainOptions = {}): SyntheticProblem {
  const r = resolveCommon(opts);
  const step = nonNegative('step', opts.step, 0.3);
  const rng = new Random(r.seed);
  const W = drawChainWeights(rng, r, step);
  const intercepts = drawIntercepts(rng, r);
  const description = describe('chain', r, { step });
  return { dataset: samplePerTask(rng, W, intercepts, r, description), truth: { W, intercepts, description } };
}
