import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { concat, flatten, reshape, slice, stack, transpose } from '../../../src/nn/ops/shape.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { Tensor } from '../../../src/nn/tensor.ts';
import { ShapeError } from '../../../src/errors.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

test('concat / stack / slice / reshape / flatten / transpose gradients on every axis', () => {
  const rng = new Random(11);
  for (let axis = 0; axis < 3; axis++) {
    const s1 = [2, 3, 2], s2 = [2, 3, 2];
    s2[axis] = 1;
    const a = randParam(rng, 'a', s1), b = randParam(rng, 'b', s2);
    gradcheck(`concat axis ${axis}`, [a, b], (g) => concat(g, [a, b], axis));
    const c = randParam(rng, 'c', s1);
    gradcheck(`stack axis ${axis}`, [a, c], (g) => stack(g, [a, c], axis));
    gradcheck(`slice axis ${axis}`, [a], (g) => slice(g, a, axis, 1, s1[axis]!));
  }
  const x = randParam(rng, 'x', [2, 3, 2]);
  gradcheck('reshape', [x], (g) => reshape(g, x, [3, -1]));
  gradcheck('flatten', [x], (g) => flatten(g, x));
  const m = randParam(rng, 'm', [3, 2]);
  gradcheck('transpose', [m], (g) => transpose(g, m));
});

test('shape op values and errors', () => {
  const g = new Tape('float64');
  const a = new Tensor([2, 2], Float64Array.from([1, 2, 3, 4]));
  const b = new Tensor([2, 1], Float64Array.from([5, 6]));
  assert.deepEqual([...concat(g, [a, b], 1).data], [1, 2, 5, 3, 4, 6]);
  assert.deepEqual([...stack(g, [a, a], 1).data], [1, 2, 1, 2, 3, 4, 3, 4]);
  assert.deepEqual([...slice(g, a, 1, 1, 2).data], [2, 4]);
  assert.deepEqual(flatten(g, new Tensor([2, 1, 2], new Float64Array(4))).shape, [2, 2]);
  assert.throws(() => concat(g, [a, b], 0), ShapeError);
  assert.throws(() => slice(g, a, 0, 1, 3), ShapeError);
  assert.throws(() => reshape(g, a, [3, -1]), ShapeError);
});
