// ExcessMTL: first call keeps λ = 1 and records e(1); the second call's update in closed form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excessMtl } from '../../../src/balance/weighting/excess-mtl.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';

test('excess-mtl: AdaGrad-preconditioned excess risk and multiplicative update', () => {
  const w = excessMtl({ stepSize: 0.1 });
  const G1 = Matrix.from([[1, 2], [0.5, 0]]);
  const G2 = Matrix.from([[2, 0], [1, 1]]);
  const L = Float64Array.from([1, 1]);
  const o1 = w.weigh({ mode: 'jacobian', losses: L, epoch: 0, jacobian: G1 }, w.init(2));
  assert.deepEqual(Array.from(o1.weights), [1, 1]);
  const e1 = [1 / Math.sqrt(1 + 1e-7) + 4 / Math.sqrt(4 + 1e-7), 0.25 / Math.sqrt(0.25 + 1e-7)];
  o1.state.initial!.forEach((v, t) => assert.ok(Math.abs(v - e1[t]!) < 1e-12));
  const o2 = w.weigh({ mode: 'jacobian', losses: L, epoch: 0, jacobian: G2 }, o1.state);
  const e2 = [4 / Math.sqrt(5 + 1e-7) + 0, 1 / Math.sqrt(1.25 + 1e-7) + 1 / Math.sqrt(1 + 1e-7)];
  const lam = [0, 1].map((t) => Math.exp((0.1 * e2[t]!) / e1[t]!));
  const s = lam[0]! + lam[1]!;
  o2.weights.forEach((v, t) => assert.ok(Math.abs(v - (2 * lam[t]!) / s) < 1e-12));
});
