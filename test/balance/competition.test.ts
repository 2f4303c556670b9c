import { test } from 'node:test';
import assert from 'node:assert/strict';
import { competition, conflictingPairs, cosineMatrix, gradientNormRatios } from '../../src/balance/competition.ts';
import { gramianOf } from '../../src/balance/core.ts';
import { Matrix } from '../../src/linalg/matrix.ts';

test('competition: cosines, conflicting pairs, norm ratios on a hand-checked Jacobian', () => {
  const G = Matrix.from([[1, 0], [0, 2], [-3, 0], [0, 0]]);
  const K = gramianOf(G);
  const C = cosineMatrix(K);
  assert.deepEqual(Array.from(C.subarray(0, 4)), [1, 0, -1, 0]);
  assert.equal(C[3 * 4 + 3], 0); // a zero gradient has no direction
  assert.equal(conflictingPairs(K), 1);
  const r = gradientNormRatios(K);
  assert.deepEqual(Array.from(r.norms), [1, 2, 3, 0]);
  assert.deepEqual(Array.from(r.relative), [2 / 3, 4 / 3, 2, 0]);
  assert.equal(r.maxOverMin, Infinity);
  assert.equal(gradientNormRatios(gramianOf(G.selectRows([0, 1, 2]))).maxOverMin, 3);
  assert.equal(competition(K).conflicts, 1);
  assert.throws(() => cosineMatrix(Matrix.zeros(2, 3)), /square/);
});
