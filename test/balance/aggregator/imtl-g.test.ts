// IMTL-G: weights sum to 1 and the direction has the same projection on every unit task gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { imtlG } from '../../../src/balance/aggregator/imtl-g.ts';
import { directionOf } from '../../../src/balance/core.ts';
import { dot } from '../../../src/linalg/ops.ts';
import { arbIndependent, makeCase } from '../helpers.ts';

test('imtl-g: equal projections dᵀg_t/‖g_t‖ and Σ α = 1 (fast-check)', () => {
  fc.assert(
    fc.property(arbIndependent(8, 10), (c) => {
      const out = imtlG().aggregate({ mode: 'jacobian', jacobian: c.G }, null);
      if (out.kind !== 'weights' || out.info!.degenerate === 1) return;
      assert.ok(Math.abs(out.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      const d = directionOf(out, c.G);
      const proj = Array.from({ length: c.T }, (_, t) => dot(d, c.G.row(t)) / Math.sqrt(c.K.get(t, t)));
      for (const p of proj) assert.ok(Math.abs(p - proj[0]!) <= 1e-7 * Math.max(1, Math.abs(proj[0]!)), `${proj}`);
    }),
    { numRuns: 150 },
  );
});

test('imtl-g: two gradients of equal norm give the mean (the bisector)', () => {
  const c = makeCase('random', 2, 5, 4);
  const n0 = Math.sqrt(c.K.get(0, 0));
  const n1 = Math.sqrt(c.K.get(1, 1));
  for (let j = 0; j < 5; j++) c.G.data[5 + j] = (c.G.data[5 + j]! * n0) / n1;
  const out = imtlG().aggregate({ mode: 'jacobian', jacobian: c.G }, null);
  if (out.kind === 'weights') out.weights.forEach((v) => assert.ok(Math.abs(v - 0.5) < 1e-9));
});
