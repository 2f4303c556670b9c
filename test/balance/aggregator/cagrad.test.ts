// CAGrad: before rescaling, d lies on the sphere ‖d − g₀‖ = c‖g₀‖ and attains the dual value
// (min_t g_tᵀd = F(w*), strong duality) — so no point of the ball does better; c = 0 gives the mean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cagrad } from '../../../src/balance/aggregator/cagrad.ts';
import { directionOf } from '../../../src/balance/core.ts';
import { Random } from '../../../src/linalg/random.ts';
import { dot } from '../../../src/linalg/ops.ts';
import { arbIndependent, makeCase } from '../helpers.ts';

test('cagrad: ‖d − g₀‖ = c‖g₀‖ and min_t g_tᵀd equals the dual optimum; random ball points never beat it', () => {
  fc.assert(
    fc.property(arbIndependent(8, 10), fc.constantFrom(0.2, 0.5, 0.8), fc.integer({ min: 0, max: 1e9 }), (c, cc, seed) => {
      if (c.T < 2) return;
      const out = cagrad({ c: cc, rescale: 0 }).aggregate({ mode: 'jacobian', jacobian: c.G }, null);
      const d = directionOf(out, c.G);
      const P = c.P;
      const g0 = new Float64Array(P);
      for (let t = 0; t < c.T; t++) for (let j = 0; j < P; j++) g0[j]! += c.G.get(t, j) / c.T;
      const rho = cc * Math.sqrt(dot(g0, g0));
      const diff = d.map((v, j) => v - g0[j]!);
      assert.ok(Math.abs(Math.sqrt(dot(diff, diff)) - rho) <= 1e-6 * rho, 'd on the sphere');
      const minProj = (x: Float64Array) => Math.min(...Array.from({ length: c.T }, (_, t) => dot(c.G.row(t), x)));
      const v = minProj(d);
      assert.ok(Math.abs(v - out.info!.dualValue!) <= 1e-6 * (1 + Math.abs(v)), `primal ${v} vs dual ${out.info!.dualValue}`);
      const r = new Random(seed);
      for (let k = 0; k < 30; k++) {
        const u = r.normals(P);
        const s = (rho * Math.cbrt(r.uniform())) / Math.sqrt(dot(u, u));
        const x = g0.map((g, j) => g + s * u[j]!);
        assert.ok(minProj(x) <= v + 1e-7 * (1 + Math.abs(v)));
      }
    }),
    { numRuns: 100 },
  );
});

test('cagrad: c = 0 gives the mean; rescale 1 divides by 1 + c²', () => {
  const c = makeCase('random', 4, 7, 2);
  const m = cagrad({ c: 0 }).aggregate({ mode: 'jacobian', jacobian: c.G }, null);
  assert.ok(m.kind === 'weights' && m.weights.every((v) => Math.abs(v - 0.25) < 1e-15));
  const a = cagrad({ c: 0.5, rescale: 0 }).aggregate({ mode: 'jacobian', jacobian: c.G }, null);
  const b = cagrad({ c: 0.5, rescale: 1 }).aggregate({ mode: 'jacobian', jacobian: c.G }, null);
  if (a.kind === 'weights' && b.kind === 'weights') a.weights.forEach((v, t) => assert.ok(Math.abs(v / 1.25 - b.weights[t]!) < 1e-12));
});
