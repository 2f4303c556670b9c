import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { svd } from '../../../src/linalg/decomp/svd.ts';
import { nuclearNorm, numericalRank, tracePenalty } from '../../../src/linear/penalty/trace.ts';
import { checkNormProx } from './check.ts';

test('trace norm of a diagonal matrix is the sum of |entries|; rank counts non-zero singular values', () => {
  assert.ok(Math.abs(nuclearNorm(Matrix.from([[3, 0], [0, -2], [0, 0]])) - 5) < 1e-12);
  assert.equal(numericalRank(Matrix.from([[1, 2], [2, 4], [3, 6]])), 1);
  assert.equal(numericalRank(Matrix.zeros(3, 2)), 0);
});

test('trace prox soft-thresholds singular values (closed form on a diagonal matrix)', () => {
  const Z = tracePenalty(1).prox!(Matrix.from([[3, 0], [0, 0.5], [0, 0]]), 1);
  assert.ok(Math.abs(Z.get(0, 0) - 2) < 1e-12);
  for (const [i, j] of [[0, 1], [1, 0], [1, 1], [2, 0], [2, 1]] as const) assert.ok(Math.abs(Z.get(i, j)) < 1e-12);
});

test('trace prox satisfies the Moreau/Fenchel conditions (dual: spectral norm ≤ λ)', () => {
  checkNormProx(tracePenalty(1.1), (U) => svd(U).s[0]!, 1.1, 24);
});
