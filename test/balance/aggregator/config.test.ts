// ConFIG: the direction has the same cosine with every task gradient (conflict-free: positive) and
// its length is the sum of the gradients' projections on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { config } from '../../../src/balance/aggregator/config.ts';
import { directionOf } from '../../../src/balance/core.ts';
import { dot } from '../../../src/linalg/ops.ts';
import { arbIndependent } from '../helpers.ts';

test('config: equal positive cosines and length Σ_t g_tᵀ ĝ (fast-check)', () => {
  fc.assert(
    fc.property(arbIndependent(8, 10), (c) => {
      const d = directionOf(config().aggregate({ mode: 'jacobian', jacobian: c.G }, null), c.G);
      const nd = Math.sqrt(dot(d, d));
      const cos = Array.from({ length: c.T }, (_, t) => dot(d, c.G.row(t)) / (nd * Math.sqrt(c.K.get(t, t))));
      for (const v of cos) assert.ok(v > 0 && Math.abs(v - cos[0]!) < 1e-8, `${cos}`);
      let proj = 0;
      for (let t = 0; t < c.T; t++) proj += dot(c.G.row(t), d) / nd;
      assert.ok(Math.abs(proj - nd) < 1e-8 * Math.max(1, nd));
    }),
    { numRuns: 150 },
  );
});
