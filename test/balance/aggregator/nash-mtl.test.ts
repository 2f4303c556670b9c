// Nash-MTL: α > 0 solves (K/‖K‖_F) α = 1/α (checked on the equation, not the solver's residual);
// the norm clip; weights reused between updates; the ridge fallback reported on degenerate input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nashMtl, nashAlpha } from '../../../src/balance/aggregator/nash-mtl.ts';
import { quad } from '../../../src/balance/core.ts';
import { normFro } from '../../../src/linalg/ops.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { arbIndependent, kv, makeCase } from '../helpers.ts';

test('nash-mtl: K α = 1/α on the Frobenius-normalised Gramian (fast-check, T ≤ 10)', () => {
  fc.assert(
    fc.property(arbIndependent(10, 15), (c) => {
      const out = nashMtl({ maxNorm: 0 }).aggregate({ mode: 'jacobian', jacobian: c.G }, { step: 0, alpha: null });
      assert.ok(out.kind === 'weights');
      if (out.kind !== 'weights') return;
      assert.equal(out.info!.ridge, 0);
      const f = normFro(c.K);
      const Ka = kv(c.K, out.weights);
      for (let t = 0; t < c.T; t++) {
        assert.ok(out.weights[t]! > 0);
        assert.ok(Math.abs((Ka[t]! / f) * out.weights[t]! - 1) < 1e-8, `task ${t}`);
      }
    }),
    { numRuns: 150 },
  );
});

test('nash-mtl: T = 128 solved exactly; the direction norm is clipped to maxNorm', () => {
  const c = makeCase('random', 128, 300, 9);
  const r = nashAlpha(c.K);
  assert.equal(r.ridge, 0);
  assert.ok(r.residual < 1e-9);
  const out = nashMtl({ maxNorm: 0.1 }).aggregate({ mode: 'jacobian', jacobian: c.G }, { step: 0, alpha: null });
  if (out.kind === 'weights') assert.ok(Math.sqrt(quad(c.K.data, 128, out.weights)) <= 0.1 + 1e-12);
});

test('nash-mtl: updateWeightsEvery reuses α between updates; opposite gradients fall back to a reported ridge', () => {
  const agg = nashMtl({ maxNorm: 0, updateWeightsEvery: 3 });
  const a = makeCase('random', 3, 6, 1);
  const b = makeCase('random', 3, 6, 2);
  let s = agg.init(3);
  const o1 = agg.aggregate({ mode: 'backward', jacobian: a.G }, s);
  s = o1.state;
  const o2 = agg.aggregate({ mode: 'backward', jacobian: b.G }, s);
  if (o1.kind === 'weights' && o2.kind === 'weights') assert.deepEqual(Array.from(o1.weights), Array.from(o2.weights));
  const opp = makeCase('opposite', 2, 4, 3);
  const o3 = nashMtl().aggregate({ mode: 'jacobian', jacobian: opp.G }, { step: 0, alpha: null });
  assert.equal(o3.info!.ridge, 1e-4);
});

test('nash-mtl: the warm start (previous α, no ridge) skips the existence test and gives the cold solution; a ridged previous step takes the full path', () => {
  for (const [T, P, seed] of [[6, 20, 1], [40, 80, 2]] as const) {
    const c = makeCase('random', T, P, seed);
    const cold = nashAlpha(c.K);
    assert.equal(cold.ridge, 0);
    // the next step: K changed a little
    const K2s = new Matrix(T, T, Float64Array.from(c.K.data, (v, i) => v * (1 + 1e-3 * Math.sin(Math.min(i % T, Math.floor(i / T)) + 7 * Math.max(i % T, Math.floor(i / T))))));
    const ref = nashAlpha(K2s);
    const warm = nashAlpha(K2s, cold.alpha, 0);
    assert.equal(warm.ridge, 0);
    assert.ok(warm.residual <= 1e-9 && warm.iterations < ref.iterations + 1, `T=${T}: residual ${warm.residual}, ${warm.iterations} vs ${ref.iterations} Newton steps`);
    for (let t = 0; t < T; t++) assert.ok(Math.abs(warm.alpha[t]! - ref.alpha[t]!) <= 1e-7 * Math.abs(ref.alpha[t]!), `T=${T} α${t}`);
  }
  // opposite gradients: no positive solution; a warm start from a ridged step still reports the ridge
  const K = new Matrix(2, 2, Float64Array.from([1, -1, -1, 1]));
  const first = nashAlpha(K);
  assert.ok(first.ridge > 0);
  const again = nashAlpha(K, first.alpha, first.ridge);
  assert.equal(again.ridge, first.ridge);
});
