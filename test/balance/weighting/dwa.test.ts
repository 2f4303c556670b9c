// DWA: weights 1 during the first two epochs, then T softmax(r/τ) with r from the epoch means.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dwa } from '../../../src/balance/weighting/dwa.ts';

test('dwa: closed form from epoch means', () => {
  const w = dwa({ tau: 2 });
  let state = w.init(2);
  const epochs = [
    [Float64Array.from([1, 1]), Float64Array.from([3, 1])], // mean (2, 1)
    [Float64Array.from([1, 0.5]), Float64Array.from([1, 1.5])], // mean (1, 1)
  ];
  for (let e = 0; e < 2; e++) {
    for (const L of epochs[e]!) {
      const o = w.weigh({ mode: 'jacobian', losses: L, epoch: e }, state);
      assert.deepEqual(Array.from(o.weights), [1, 1]);
      state = o.state;
    }
  }
  const o = w.weigh({ mode: 'jacobian', losses: Float64Array.from([1, 1]), epoch: 2 }, state);
  const r = [1 / 2, 1 / 1];
  const e = r.map((v) => Math.exp(v / 2));
  const s = e[0]! + e[1]!;
  o.weights.forEach((v, t) => assert.ok(Math.abs(v - (2 * e[t]!) / s) < 1e-12));
  assert.throws(() => w.weigh({ mode: 'jacobian', losses: Float64Array.from([1, 1]), epoch: 1 }, o.state), /epoch went back/);
});
