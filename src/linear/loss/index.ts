// createLoss(problem, opts?) → DataLoss: the loss object for a Problem (see ./types.ts for the API).
// Squared-loss caches (centring, Gram matrices) cost one pass over the data; they are memoised per
// Problem object so that a λ path or a CV grid over the same training fold builds them once.
import type { Problem } from '../types.ts';
import { LogisticLoss } from './logistic.ts';
import { SquaredLoss } from './squared.ts';
import type { DataLoss, LossOptions } from './types.ts';

export type { DataLoss, LossEval, LossOptions } from './types.ts';
export { SquaredLoss } from './squared.ts';
export { LogisticLoss } from './logistic.ts';

const cache = new WeakMap<Problem, Map<string, DataLoss>>();

export function createLoss(problem: Problem, opts: LossOptions = {}): DataLoss {
  const key = `${opts.gram ?? true}`;
  let m = cache.get(problem);
  if (!m) {
    m = new Map();
    cache.set(problem, m);
  }
  const hit = m.get(key);
  if (hit) return hit;
  const loss: DataLoss = problem.loss === 'squared' ? new SquaredLoss(problem, opts) : new LogisticLoss(problem);
  m.set(key, loss);
  return loss;
}
