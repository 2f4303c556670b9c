import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { l21Penalty, rowNorms } from '../../../src/linear/penalty/l21.ts';
import { checkNormProx } from './check.ts';

test('l21 value is λ Σ_j ‖W_j,:‖₂ over rows', () => {
  assert.ok(Math.abs(l21Penalty(2).value(Matrix.from([[3, 4], [0, 0], [1, 0]])) - 12) < 1e-15);
});

test('l21 prox shrinks rows as groups (closed form)', () => {
  const Z = l21Penalty(1).prox!(Matrix.from([[3, 4], [0.3, 0.4], [0, -2]]), 1);
  assert.deepEqual(Z.toArray(), [[3 * 0.8, 4 * 0.8], [0, 0], [0, -1]]);
});

test('l21 prox satisfies the Moreau/Fenchel conditions (dual: max row norm ≤ λ)', () => {
  checkNormProx(l21Penalty(1.3), (U) => rowNorms(U).reduce((m, v) => Math.max(m, v), 0), 1.3, 22);
});
