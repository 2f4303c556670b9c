// IMTL-L: weights = ∂objective/∂L (finite differences); scaled losses e^{s}L are driven to 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imtlL, imtlLObjective } from '../../../src/balance/weighting/imtl-l.ts';
import { fdGradient } from '../helpers.ts';

test('imtl-l: weights e^s = ∂objective/∂L; e^{s}L → 1', () => {
  const L = Float64Array.from([0.2, 1, 4]);
  const w = imtlL({ lr: 0.01 });
  let state = w.init(3);
  state = { ...state, s: Float64Array.from([0.3, -0.2, 0.1]) };
  const o = w.weigh({ mode: 'jacobian', losses: L, epoch: 0 }, state);
  const fd = fdGradient((x) => imtlLObjective(x, state.s), L);
  o.weights.forEach((v, t) => assert.ok(Math.abs(v - fd[t]!) < 1e-7));
  let s = o.state;
  for (let k = 0; k < 4000; k++) s = w.weigh({ mode: 'jacobian', losses: L, epoch: 0 }, s).state;
  s.s.forEach((v, t) => assert.ok(Math.abs(Math.exp(v) * L[t]! - 1) < 0.02, `task ${t}: ${Math.exp(v) * L[t]!}`));
});
