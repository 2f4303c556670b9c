import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gls, glsObjective } from '../../../src/balance/weighting/gls.ts';
import { DataError } from '../../../src/errors.ts';
import { fdGradient } from '../helpers.ts';

test('gls: objective (Π L)^{1/T}, weights = ∂objective/∂L by finite differences; non-positive loss refused', () => {
  const L = Float64Array.from([0.5, 2, 8]);
  const o = gls().weigh({ mode: 'backward', losses: L, epoch: 0 }, null);
  assert.ok(Math.abs(o.objective - 2) < 1e-12);
  const fd = fdGradient(glsObjective, L);
  o.weights.forEach((w, t) => assert.ok(Math.abs(w - fd[t]!) < 1e-7));
  assert.throws(() => gls().weigh({ mode: 'backward', losses: Float64Array.from([1, -1]), epoch: 0 }, null), DataError);
});
