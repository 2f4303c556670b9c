import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rlw } from '../../../src/balance/weighting/rlw.ts';

test('rlw: weights on the simplex, new each step, reproducible from the seed', () => {
  const run = (seed: number) => {
    const w = rlw({ seed });
    let s = w.init(4);
    const out: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const o = w.weigh({ mode: 'backward', losses: Float64Array.from([1, 2, 3, 4]), epoch: 0 }, s);
      out.push(Array.from(o.weights));
      s = o.state;
    }
    return out;
  };
  const a = run(3);
  a.forEach((w) => assert.ok(w.every((v) => v > 0) && Math.abs(w.reduce((x, y) => x + y, 0) - 1) < 1e-12));
  assert.notDeepEqual(a[0], a[1]);
  assert.deepEqual(a, run(3));
});
