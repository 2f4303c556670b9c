import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Random } from '../../../src/linalg/random.ts';
import { matmul } from '../../../src/nn/ops/matmul.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { Tensor } from '../../../src/nn/tensor.ts';
import { ShapeError } from '../../../src/errors.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

test('matmul gradients for all four transpose combinations on random shapes', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 999 }),
    (m, n, k, tA, tB, seed) => {
      const rng = new Random(seed);
      const a = randParam(rng, 'a', tA ? [k, m] : [m, k]);
      const b = randParam(rng, 'b', tB ? [n, k] : [k, n]);
      gradcheck(`matmul ${m}×${k}·${k}×${n} tA=${tA} tB=${tB}`, [a, b], (g) => matmul(g, a, b, tA, tB));
    }), { numRuns: 16 });
});

test('matmul forward value and shape errors', () => {
  const g = new Tape('float64');
  const a = new Tensor([2, 2], Float64Array.from([1, 2, 3, 4]));
  const b = new Tensor([2, 1], Float64Array.from([5, 6]));
  assert.deepEqual([...matmul(g, a, b).data], [17, 39]);
  assert.deepEqual([...matmul(g, a, a, true, false).data], [10, 14, 14, 20]);
  assert.throws(() => matmul(g, b, b), ShapeError);
});
