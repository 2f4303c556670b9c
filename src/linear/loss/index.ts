// createLoss(problem, opts?) → DataLoss: the loss object for a Problem (see ./types.ts for the API),
// built by the problem's registered loss (./registry.ts). Squared-loss caches (centring, Gram
// matrices) cost one pass over the data; they are memoised per Problem object so that a λ path or a
// CV grid over the same training fold builds them once.
import type { Problem } from '../types.ts';
import { getLoss } from './registry.ts';
import type { DataLoss, LossOptions } from './types.ts';

export type { DataLoss, LossEval, LossOptions } from './types.ts';
export { SquaredLoss, squaredLoss } from './squared.ts';
export { LogisticLoss, logisticLoss } from './logistic.ts';
export { poissonLoss } from './poisson.ts';
export { PointwiseLoss } from './pointwise.ts';
export { getLoss, lossNames, lossForKind, registerLoss, type LossSpec, type Link } from './registry.ts';

const cache = new WeakMap<Problem, Map<string, DataLoss>>();

export function createLoss(problem: Problem, opts: LossOptions = {}): DataLoss {
  const key = `${opts.gram ?? true} ${opts.fused ?? true}`;
  let m = cache.get(problem);
  if (!m) {
    m = new Map();
    cache.set(problem, m);
  }
  const hit = m.get(key);
  if (hit) return hit;
  const loss = getLoss(problem.loss).create(problem, opts);
  m.set(key, loss);
  return loss;
}
