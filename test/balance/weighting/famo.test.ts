// FAMO: weights = ∂/∂L of Σ z log D / c with c held fixed (finite differences); the logit gradient
// equals ∂/∂ξ Σ_t softmax(ξ)_t δ_t (finite differences); afterStep moves the logits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { famo, famoLogitGradient } from '../../../src/balance/weighting/famo.ts';
import { softmax } from '../../../src/balance/core.ts';
import { fdGradient } from '../helpers.ts';

test('famo: surrogate gradient and logit gradient by finite differences', () => {
  const w = famo();
  let state = w.init(3);
  state = { ...state, xi: Float64Array.from([0.2, -0.1, 0.4]) };
  const L = Float64Array.from([0.5, 1.5, 3]);
  const o = w.weigh({ mode: 'backward', losses: L, epoch: 0 }, state);
  const z = softmax(state.xi);
  const c = z.reduce((s, v, t) => s + v / (L[t]! + 1e-8), 0);
  const fd = fdGradient((x) => x.reduce((s, v, t) => s + z[t]! * Math.log(v + 1e-8), 0) / c, L);
  o.weights.forEach((v, t) => assert.ok(Math.abs(v - fd[t]!) < 1e-7));
  const after = Float64Array.from([0.4, 1.5, 2]);
  const g = famoLogitGradient(state.xi, L, after);
  const delta = Array.from(L, (v, t) => Math.log(v + 1e-8) - Math.log(after[t]! + 1e-8));
  const fdx = fdGradient((xi) => softmax(xi).reduce((s, v, t) => s + v * delta[t]!, 0), state.xi);
  g.forEach((v, t) => assert.ok(Math.abs(v - fdx[t]!) < 1e-8));
  const next = w.afterStep!(after, o.state);
  assert.ok(next.xi.some((v, t) => v !== state.xi[t]) && next.adam.t === 1);
  assert.throws(() => w.afterStep!(after, w.init(3)), /before weigh/);
});
