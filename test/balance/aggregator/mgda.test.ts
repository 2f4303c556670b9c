// MGDA: the direction is the min-norm point of the hull (KKT in direction form: g_tᵀd ≥ ‖d‖²), the
// normalised average for orthogonal gradients with 'l2', normalisers as stated, MGDA-UB only in rep mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mgda, mgdaUb } from '../../../src/balance/aggregator/mgda.ts';
import { directionOf } from '../../../src/balance/core.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { dot } from '../../../src/linalg/ops.ts';
import { arbCase, makeCase, maxDiagOf } from '../helpers.ts';

test('mgda: d = min-norm point of conv{g_t}: g_tᵀd ≥ ‖d‖² for every task (fast-check, degenerate included)', () => {
  const agg = mgda();
  fc.assert(
    fc.property(arbCase({ maxT: 10, maxP: 20 }), (c) => {
      const out = agg.aggregate({ mode: 'jacobian', jacobian: c.G }, null);
      const d = directionOf(out, c.G);
      const dd = dot(d, d);
      for (let t = 0; t < c.T; t++) assert.ok(dot(c.G.row(t), d) >= dd - 1e-7 * maxDiagOf(c.K), `${c.kind} task ${t}`);
    }),
    { numRuns: 200 },
  );
});

test("mgda: orthogonal gradients with 'l2' normalisation give the normalised average (1/T) Σ g_t/‖g_t‖", () => {
  const norms = [3, 0.5, 2, 7];
  const G = Matrix.zeros(4, 6);
  norms.forEach((n, t) => G.set(t, t + 1, t % 2 ? -n : n));
  const d = directionOf(mgda({ normalisation: 'l2' }).aggregate({ mode: 'backward', jacobian: G }, null), G);
  for (let j = 0; j < 6; j++) {
    let expect = 0;
    for (let t = 0; t < 4; t++) expect += G.get(t, j) / norms[t]! / 4;
    assert.ok(Math.abs(d[j]! - expect) < 1e-8, `coordinate ${j}: ${d[j]} vs ${expect}`);
  }
});

test("mgda: 'loss' normalisation equals MGDA on g_t / L_t", () => {
  const c = makeCase('random', 5, 8, 3);
  const L = Float64Array.from([0.5, 2, 1, 4, 0.1]);
  const G2 = c.G.clone();
  for (let t = 0; t < 5; t++) for (let j = 0; j < 8; j++) G2.data[t * 8 + j]! /= L[t]!;
  const a = directionOf(mgda({ normalisation: 'loss' }).aggregate({ mode: 'jacobian', jacobian: c.G, losses: L }, null), c.G);
  const b = directionOf(mgda().aggregate({ mode: 'jacobian', jacobian: G2 }, null), G2);
  a.forEach((v, j) => assert.ok(Math.abs(v - b[j]!) < 1e-8));
});

test('mgda: the Frank-Wolfe baseline approximates the exact solution; MGDA-UB works only on representation gradients', () => {
  const c = makeCase('random', 6, 10, 8);
  const e = mgda().aggregate({ mode: 'jacobian', jacobian: c.G }, null);
  const f = mgda({ solver: 'frank-wolfe' }).aggregate({ mode: 'jacobian', jacobian: c.G }, null);
  assert.ok(e.info!.normSq! <= f.info!.normSq! + 1e-12 && f.info!.normSq! - e.info!.normSq! < 1e-2 * maxDiagOf(c.K));
  const ub = mgdaUb().aggregate({ mode: 'rep', jacobian: c.G }, null);
  assert.equal(ub.info!.upperBound, 1);
  assert.throws(() => mgdaUb().aggregate({ mode: 'jacobian', jacobian: c.G }, null), /mgda-ub does not support --grad-mode jacobian/);
});
