// GradNorm: the gradient of L_grad with respect to the logits by finite differences; weights positive,
// summing to T; a task that lags (higher relative loss) gains weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradnorm, gradnormLoss } from '../../../src/balance/weighting/gradnorm.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { fdGradient } from '../helpers.ts';

test('gradnorm: ∂L_grad/∂s by finite differences', () => {
  const s = Float64Array.from([0.1, -0.3, 0.25]);
  const norms = [1, 3, 0.5];
  const L = [0.8, 0.5, 0.9];
  const L0 = [1, 1, 1];
  const { grad } = gradnormLoss(s, norms, L, L0, 1.5);
  // L_grad holds mean(G)·r^α constant, so differentiate with the target frozen at s.
  const base = gradnormLoss(s, norms, L, L0, 1.5);
  const T = 3;
  const p = Array.from(s, Math.exp);
  const ps = p.reduce((a, b) => a + b, 0);
  const G = p.map((v, t) => (T * v * norms[t]!) / ps);
  const Gbar = G.reduce((a, b) => a + b, 0) / T;
  const rbar = (0.8 + 0.5 + 0.9) / 3;
  const target = L.map((l) => Gbar * (l / rbar) ** 1.5);
  const frozen = (x: Float64Array) => {
    const q = Array.from(x, Math.exp);
    const qs = q.reduce((a, b) => a + b, 0);
    return q.reduce((acc, v, t) => acc + Math.abs((T * v * norms[t]!) / qs - target[t]!), 0);
  };
  const fd = fdGradient(frozen, s);
  grad.forEach((g, t) => assert.ok(Math.abs(g - fd[t]!) < 1e-6, `${g} vs ${fd[t]}`));
  assert.ok(Math.abs(base.loss - frozen(s)) < 1e-12);
});

test('gradnorm: weights sum to T and shift towards the lagging task', () => {
  const w = gradnorm({ lr: 0.05 });
  let state = w.init(2);
  const K = Matrix.from([[1, 0], [0, 1]]);
  let o = w.weigh({ mode: 'backward', losses: Float64Array.from([1, 1]), epoch: 0, gramian: K }, state);
  state = o.state;
  for (let k = 0; k < 100; k++) {
    o = w.weigh({ mode: 'backward', losses: Float64Array.from([0.2, 0.9]), epoch: 0, gramian: K }, state);
    state = o.state;
  }
  assert.ok(Math.abs(o.weights[0]! + o.weights[1]! - 2) < 1e-12);
  assert.ok(o.weights[1]! > o.weights[0]!, `${Array.from(o.weights)}`);
  assert.throws(() => w.weigh({ mode: 'backward', losses: Float64Array.from([1, 1]), epoch: 0 }, w.init(2)), /Gramian/);
});
