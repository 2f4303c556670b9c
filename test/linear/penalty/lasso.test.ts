import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { lassoPenalty, softThreshold } from '../../../src/linear/penalty/lasso.ts';
import { checkNormProx } from './check.ts';

test('lasso value is λ‖W‖₁ with no hidden ½', () => {
  assert.equal(lassoPenalty(2).value(Matrix.from([[1, -2], [0, 3]])), 12);
});

test('lasso prox is entrywise soft thresholding (closed form)', () => {
  const Z = lassoPenalty(2).prox!(Matrix.from([[3, -0.5], [-4, 1]]), 0.5);
  assert.deepEqual(Array.from(Z.data), [2, 0, -3, 0]);
  assert.equal(softThreshold(-5, 1), -4);
});

test('lasso prox satisfies the Moreau/Fenchel conditions (dual: max-abs ≤ λ)', () => {
  checkNormProx(lassoPenalty(0.7), (U) => U.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0), 0.7, 21);
});
