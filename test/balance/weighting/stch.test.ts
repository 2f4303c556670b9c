// STCH: warm-up weights 1/L (objective Σ log L), nadir = mean losses of epoch W, then weights =
// ∂objective/∂L (finite differences).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stch, stchObjective } from '../../../src/balance/weighting/stch.ts';
import { fdGradient } from '../helpers.ts';

test('stch: warm-up, nadir, smooth Tchebycheff gradient', () => {
  const w = stch({ mu: 0.5, warmupEpochs: 1 });
  let state = w.init(2);
  const o0 = w.weigh({ mode: 'jacobian', losses: Float64Array.from([2, 4]), epoch: 0 }, state);
  assert.deepEqual(Array.from(o0.weights), [0.5, 0.25]);
  state = o0.state;
  for (const L of [Float64Array.from([1, 3]), Float64Array.from([3, 5])]) state = w.weigh({ mode: 'jacobian', losses: L, epoch: 1 }, state).state;
  const L = Float64Array.from([1.5, 2]);
  const o = w.weigh({ mode: 'jacobian', losses: L, epoch: 2 }, state);
  assert.deepEqual(Array.from(o.state.nadir!), [2, 4]);
  const fd = fdGradient((x) => stchObjective(x, [2, 4], 0.5), L);
  o.weights.forEach((v, t) => assert.ok(Math.abs(v - fd[t]!) < 1e-6, `${v} vs ${fd[t]}`));
  assert.ok(Math.abs(o.objective - stchObjective(L, [2, 4], 0.5)) < 1e-12);
});
