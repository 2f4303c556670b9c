import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, sum } from '../../../src/balance/aggregator/mean.ts';
import { directionOf } from '../../../src/balance/core.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';

test('mean and sum: 1/T and 1', () => {
  const G = Matrix.from([[1, 2], [3, -4]]);
  assert.deepEqual(Array.from(directionOf(mean().aggregate({ mode: 'rep', jacobian: G }, null), G)), [2, -1]);
  assert.deepEqual(Array.from(directionOf(sum().aggregate({ mode: 'jacobian', jacobian: G }, null), G)), [4, -2]);
});
