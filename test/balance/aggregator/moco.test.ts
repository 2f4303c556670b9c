// MoCo: first step in closed form (y = β Ĝ, λ = softmax(1/T − γ y yᵀ 1/T)), λ stays on the simplex,
// the direction is yᵀλ, representation gradients refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moco } from '../../../src/balance/aggregator/moco.ts';
import { softmax } from '../../../src/balance/core.ts';
import { makeCase } from '../helpers.ts';

test('moco: first step closed form and state', () => {
  const c = makeCase('random', 3, 4, 2);
  const L = Float64Array.from([1, 2, 3]);
  const agg = moco({ beta: 0.5, gamma: 0.1 });
  const o = agg.aggregate({ mode: 'backward', jacobian: c.G, losses: L }, agg.init(3));
  const y = Array.from({ length: 3 }, (_, t) => {
    const g = c.G.row(t);
    const n = Math.hypot(...g);
    return Array.from(g, (v) => (0.5 * L[t]! * v) / n);
  });
  const ybar = [0, 1, 2, 3].map((j) => (y[0]![j]! + y[1]![j]! + y[2]![j]!) / 3);
  const z = y.map((row) => 1 / 3 - 0.1 * row.reduce((s, v, j) => s + v * ybar[j]!, 0));
  const lam = softmax(z);
  o.state.lambda!.forEach((v, t) => assert.ok(Math.abs(v - lam[t]!) < 1e-14));
  assert.ok(Math.abs(o.state.lambda!.reduce((a, b) => a + b, 0) - 1) < 1e-15);
  if (o.kind === 'direction') o.direction.forEach((v, j) => assert.ok(Math.abs(v - y.reduce((s, row, t) => s + lam[t]! * row[j]!, 0)) < 1e-14));
  assert.throws(() => agg.aggregate({ mode: 'rep', jacobian: c.G, losses: L }, agg.init(3)), /moco does not support --grad-mode rep/);
});
