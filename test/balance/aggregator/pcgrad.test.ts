// PCGrad: the weight-space computation equals the vector-space algorithm (same random orders);
// after each projection g̃_i·g_j = 0; for T = 2 every projected gradient has a non-negative inner
// product with the other task's gradient; no conflict → plain sum; seeded and reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pcgrad } from '../../../src/balance/aggregator/pcgrad.ts';
import { directionOf, stepRandom } from '../../../src/balance/core.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { dot } from '../../../src/linalg/ops.ts';
import { arbCase, makeCase } from '../helpers.ts';

/** Yu et al.'s Alg. 1 on the vectors, with the orders the aggregator draws; checks each projection. */
function reference(G: Matrix, seed: number, call: number): Float64Array {
  const T = G.rows;
  const P = G.cols;
  const rng = stepRandom(seed, call);
  const out = new Float64Array(P);
  for (let i = 0; i < T; i++) {
    const g = Float64Array.from(G.row(i));
    for (const j of rng.permutation(T)) {
      const gj = G.row(j);
      const ip = dot(g, gj);
      const nn = dot(gj, gj);
      if (ip < 0 && nn > 0) {
        const before = Math.sqrt(nn * dot(g, g));
        for (let k = 0; k < P; k++) g[k]! -= (ip / nn) * gj[k]!;
        assert.ok(Math.abs(dot(g, gj)) <= 1e-12 * before, 'after projection g̃_i ⟂ g_j');
      }
    }
    for (let k = 0; k < P; k++) out[k]! += g[k]!;
  }
  return out;
}

test('pcgrad: weight space equals the vector-space algorithm (fast-check, degenerate included)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 8, maxP: 12 }), fc.integer({ min: 0, max: 1000 }), (c, seed) => {
      const agg = pcgrad({ seed });
      let state = agg.init(c.T);
      for (let call = 0; call < 2; call++) {
        const out = agg.aggregate({ mode: 'jacobian', jacobian: c.G }, state);
        const d = directionOf(out, c.G);
        const ref = reference(c.G, seed, call);
        const scale = Math.max(1, ...Array.from(ref, Math.abs));
        d.forEach((v, k) => assert.ok(Math.abs(v - ref[k]!) <= 1e-8 * scale, `${c.kind} T=${c.T} call ${call}`));
        state = out.state;
      }
    }),
    { numRuns: 200 },
  );
});

test('pcgrad: T = 2 — each projected gradient has a non-negative inner product with both task gradients', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 2, max: 8 }), (seed, P) => {
      const c = makeCase('random', 2, P, seed);
      const w = pcgrad({ seed }).aggregate({ mode: 'jacobian', jacobian: c.G }, { seed, calls: 0 });
      assert.equal(w.kind, 'weights');
      // For T = 2 the sum of the projected gradients g̃_1 + g̃_2 also has g̃_i·g_j ≥ 0 individually:
      const ref1 = Float64Array.from(c.G.row(0));
      const ip = dot(ref1, c.G.row(1));
      if (ip < 0) for (let k = 0; k < P; k++) ref1[k]! -= (ip / dot(c.G.row(1), c.G.row(1))) * c.G.row(1)[k]!;
      assert.ok(dot(ref1, c.G.row(1)) >= -1e-9 && dot(ref1, c.G.row(0)) >= -1e-9);
      const d = directionOf(w, c.G);
      // And the update does not increase either loss to first order.
      assert.ok(dot(d, c.G.row(0)) >= -1e-9 && dot(d, c.G.row(1)) >= -1e-9);
    }),
    { numRuns: 200 },
  );
});

test('pcgrad: without conflicts the update is the plain sum', () => {
  const G = Matrix.from([[1, 2, 0], [0.5, 1, 1], [2, 0, 3]]);
  const out = pcgrad().aggregate({ mode: 'backward', jacobian: G }, { seed: 0, calls: 0 });
  assert.ok(out.kind === 'weights' && out.weights.every((v) => Math.abs(v - 1) < 1e-15));
});
