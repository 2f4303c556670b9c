// FairGrad: K w = w^(−1/α) holds on the equation; α = 1 gives Nash-MTL's direction up to the scale
// ‖K‖_F^(1/2) that Nash-MTL's normalisation introduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fairgrad } from '../../../src/balance/aggregator/fairgrad.ts';
import { nashMtl } from '../../../src/balance/aggregator/nash-mtl.ts';
import { normFro } from '../../../src/linalg/ops.ts';
import { arbIndependent, kv } from '../helpers.ts';

test('fairgrad: K w = w^(−1/α), α ∈ {0.5, 1, 2, 5} (fast-check)', () => {
  fc.assert(
    fc.property(arbIndependent(8, 12), fc.constantFrom(0.5, 1, 2, 5), (c, alpha) => {
      const out = fairgrad({ alpha }).aggregate({ mode: 'jacobian', jacobian: c.G }, { w: null });
      if (out.kind !== 'weights') return;
      assert.equal(out.info!.ridge, 0);
      const Kw = kv(c.K, out.weights);
      out.weights.forEach((w, t) => assert.ok(w > 0 && Math.abs(Kw[t]! * w ** (1 / alpha) - 1) < 1e-8, `task ${t}`));
    }),
    { numRuns: 150 },
  );
});

test('fairgrad: α = 1 equals Nash-MTL times ‖K‖_F^(1/2)', () => {
  fc.assert(
    fc.property(arbIndependent(6, 8), (c) => {
      const f = fairgrad().aggregate({ mode: 'jacobian', jacobian: c.G }, { w: null });
      const n = nashMtl({ maxNorm: 0 }).aggregate({ mode: 'jacobian', jacobian: c.G }, { step: 0, alpha: null });
      if (f.kind !== 'weights' || n.kind !== 'weights') return;
      const s = Math.sqrt(normFro(c.K));
      f.weights.forEach((w, t) => assert.ok(Math.abs(w * s - n.weights[t]!) < 1e-7 * n.weights[t]!));
    }),
    { numRuns: 60 },
  );
});
