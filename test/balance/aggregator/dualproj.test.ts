// DualProj: the projection of the mean lies in the dual cone and is the closest such point:
// KKT of min ‖Gᵀ(p + x) − Gᵀp‖² over x ≥ 0; no conflict → the mean itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dualproj } from '../../../src/balance/aggregator/dualproj.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { arbCase, kv } from '../helpers.ts';

test('dualproj: g_tᵀd ≥ 0 up to the regularisation and complementary slackness (fast-check)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 12, maxP: 16 }), (c) => {
      const out = dualproj().aggregate({ mode: 'jacobian', jacobian: c.G }, null);
      if (out.kind !== 'weights') return;
      const T = c.T;
      let tr = 0;
      for (let t = 0; t < T; t++) tr += c.K.get(t, t);
      if (!(tr > 1e-4)) return;
      // (K/tr + εI) w ≥ 0, and where the multiplier x_t = w_t − 1/T > 0 the constraint is active.
      const Kw = kv(c.K, out.weights);
      for (let t = 0; t < T; t++) {
        const g = Kw[t]! / tr + 1e-4 * out.weights[t]!;
        assert.ok(g >= -1e-10, `task ${t}: ${g}`);
        const x = out.weights[t]! - 1 / T;
        assert.ok(x >= -1e-15);
        if (x > 1e-9) assert.ok(Math.abs(g) < 1e-8, `active constraint ${t}: ${g}`);
      }
    }),
    { numRuns: 200 },
  );
});

test('dualproj: without conflict the weights are the mean', () => {
  const out = dualproj().aggregate({ mode: 'jacobian', jacobian: Matrix.from([[1, 1], [2, 0.5]]) }, null);
  assert.ok(out.kind === 'weights' && out.weights.every((v) => v === 0.5));
});
