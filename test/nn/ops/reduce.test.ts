import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Random } from '../../../src/linalg/random.ts';
import { mean, sum } from '../../../src/nn/ops/reduce.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { Tensor } from '../../../src/nn/tensor.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

test('sum/mean gradients over random axis sets, with and without keepDims', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 999 }), fc.boolean(), (s, seed, keep) => {
    const rng = new Random(seed);
    const x = randParam(rng, 'x', s);
    const axes = s.map((_, i) => i).filter(() => rng.uniform() < 0.5);
    gradcheck(`sum ${JSON.stringify(s)} axes ${JSON.stringify(axes)}`, [x], (g) => sum(g, x, axes, keep));
    gradcheck(`mean ${JSON.stringify(s)} axes ${JSON.stringify(axes)}`, [x], (g) => mean(g, x, axes, keep));
    gradcheck('sum all', [x], (g) => sum(g, x));
  }), { numRuns: 12 });
});

test('sum values and shapes', () => {
  const g = new Tape('float64');
  const x = new Tensor([2, 3], Float64Array.from([1, 2, 3, 4, 5, 6]));
  const s0 = sum(g, x, [0]);
  assert.deepEqual(s0.shape, [3]);
  assert.deepEqual([...s0.data], [5, 7, 9]);
  const s1 = mean(g, x, [-1], true);
  assert.deepEqual(s1.shape, [2, 1]);
  assert.deepEqual([...s1.data], [2, 5]);
  assert.equal(sum(g, x).item(), 21);
});

test('a reused tape slot rebuilds its reduction map when the axes change', () => {
  const g = new Tape('float64');
  const x = new Tensor([2, 3], Float64Array.from([1, 2, 3, 4, 5, 6]));
  g.reset();
  assert.deepEqual([...sum(g, x, [0]).data], [5, 7, 9]);
  g.reset();
  assert.deepEqual([...sum(g, x, [1]).data], [6, 15]);
  g.reset();
  assert.deepEqual([...sum(g, x, [1]).data], [6, 15]);
});
