// Random weighting: weights on the simplex, a new draw at every call, the same stream for the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomAggregator } from '../../../src/balance/aggregator/random.ts';
import { makeCase } from '../helpers.ts';

test('random: softmax of normals, per call, reproducible', () => {
  const c = makeCase('random', 5, 3, 1);
  const draw = (seed: number) => {
    const agg = randomAggregator({ seed });
    let s = agg.init(5);
    const out: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const o = agg.aggregate({ mode: 'jacobian', gramian: c.K }, s);
      if (o.kind === 'weights') out.push(Array.from(o.weights));
      s = o.state;
    }
    return out;
  };
  const a = draw(7);
  for (const w of a) assert.ok(w.every((v) => v > 0) && Math.abs(w.reduce((x, y) => x + y, 0) - 1) < 1e-12);
  assert.notDeepEqual(a[0], a[1]);
  assert.deepEqual(a, draw(7));
  assert.notDeepEqual(a, draw(8));
});
