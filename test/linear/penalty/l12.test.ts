import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { colNorms, l12ColumnsPenalty } from '../../../src/linear/penalty/l12.ts';
import { checkNormProx } from './check.ts';

test('l12 value is λ Σ_t ‖Q_:,t‖₂ over columns', () => {
  assert.ok(Math.abs(l12ColumnsPenalty(2).value(Matrix.from([[3, 0], [4, 1]])) - 12) < 1e-15);
});

test('l12 prox shrinks whole columns (closed form)', () => {
  const Z = l12ColumnsPenalty(1).prox!(Matrix.from([[3, 0.3], [4, 0.4]]), 1);
  assert.deepEqual(Z.toArray(), [[3 * 0.8, 0], [4 * 0.8, 0]]);
});

test('l12 prox satisfies the Moreau/Fenchel conditions (dual: max column norm ≤ λ)', () => {
  checkNormProx(l12ColumnsPenalty(0.9), (U) => colNorms(U).reduce((m, v) => Math.max(m, v), 0), 0.9, 23);
});
