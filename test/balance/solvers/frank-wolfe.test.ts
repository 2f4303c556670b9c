// The Frank-Wolfe baseline: stays on the simplex, is exact for two gradients (pair initialisation),
// and its value decreases to the active-set optimum as iterations grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frankWolfeMinNorm } from '../../../src/balance/solvers/frank-wolfe.ts';
import { minNormPoint } from '../../../src/balance/solvers/min-norm.ts';
import { makeCase, maxDiagOf } from '../helpers.ts';

test('frank-wolfe: exact for T = 2, converging for T = 10, always on the simplex', () => {
  for (let seed = 0; seed < 20; seed++) {
    const two = makeCase('random', 2, 5, seed);
    assert.ok(Math.abs(frankWolfeMinNorm(two.K).normSq - minNormPoint(two.K).normSq) <= 1e-9 * maxDiagOf(two.K));
    const c = makeCase('random', 10, 6, seed);
    const exact = minNormPoint(c.K).normSq;
    let prev = Infinity;
    for (const it of [1, 10, 100, 10000]) {
      const r = frankWolfeMinNorm(c.K, { maxIter: it, stop: 0 });
      assert.ok(Math.abs(r.weights.reduce((a, b) => a + b, 0) - 1) < 1e-12 && r.weights.every((v) => v >= 0));
      assert.ok(r.normSq <= prev + 1e-12 && r.normSq >= exact - 1e-9 * maxDiagOf(c.K));
      prev = r.normSq;
    }
    assert.ok(prev - exact <= 1e-3 * maxDiagOf(c.K), `seed ${seed}: ${prev} vs ${exact}`);
  }
});
