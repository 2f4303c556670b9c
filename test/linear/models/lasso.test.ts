import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lassoSpec } from '../../../src/linear/models/lasso.ts';
import { synthProblem } from '../helpers.ts';

for (const loss of ['logistic', 'squared'] as const) {
  test(`lasso (${loss}): W = 0 exactly at λ ≥ λ_max (closed form) and non-zero just below`, () => {
    const { problem } = synthProblem({ T: 3, d: 6, n: [30, 50, 20], loss, seed: 121 });
    const lmax = lassoSpec.paramMax!('lambda', problem, {})!;
    assert.ok(lmax > 0);
    const above = lassoSpec.fit(problem, { tol: 1e-9, maxIter: 10000, lambda: lmax * 1.0001 });
    assert.ok(above.W.data.every((v) => v === 0));
    assert.ok(above.info.converged);
    assert.deepEqual(above.learned.selectedFeatures, []);
    const below = lassoSpec.fit(problem, { tol: 1e-9, maxIter: 10000, lambda: lmax * 0.99 });
    assert.ok(below.W.data.some((v) => v !== 0));
    assert.equal(below.W.data.filter((v) => v !== 0).length, 1, 'just below λ_max exactly one entry enters');
  });
}
