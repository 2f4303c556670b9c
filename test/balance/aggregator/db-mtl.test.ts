// DB-MTL: the first step's buffer is (1 − β) g_t / L_t; every task's rescaled buffer has the largest
// norm; the EMA carries over steps; representation gradients are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbMtl } from '../../../src/balance/aggregator/db-mtl.ts';
import { makeCase } from '../helpers.ts';

test('db-mtl: EMA of log-loss gradients, magnitudes balanced to the largest', () => {
  const c = makeCase('scaled', 3, 6, 1);
  const L = Float64Array.from([0.5, 2, 10]);
  const agg = dbMtl({ beta: 0.9 });
  const o1 = agg.aggregate({ mode: 'jacobian', jacobian: c.G, losses: L }, agg.init(3));
  const buf = o1.state.buffer!;
  for (let t = 0; t < 3; t++) for (let j = 0; j < 6; j++) assert.ok(Math.abs(buf[t * 6 + j]! - (0.1 * c.G.get(t, j)) / L[t]!) <= 1e-14 * Math.abs(c.G.get(t, j) / L[t]!));
  const norms = [0, 1, 2].map((t) => Math.hypot(...buf.subarray(t * 6, t * 6 + 6)));
  const top = Math.max(...norms);
  assert.equal(o1.kind, 'direction');
  if (o1.kind === 'direction') {
    for (let j = 0; j < 6; j++) {
      const expect = [0, 1, 2].reduce((s, t) => s + (top / (norms[t]! + 1e-8)) * buf[t * 6 + j]!, 0);
      assert.ok(Math.abs(o1.direction[j]! - expect) < 1e-12 * (1 + Math.abs(expect)));
    }
  }
  const o2 = agg.aggregate({ mode: 'jacobian', jacobian: c.G, losses: L }, o1.state);
  // Second step, same gradients: buffer = g/L + 0.9 (0.1 g/L − g/L) = 0.19 g/L.
  assert.ok(Math.abs(o2.state.buffer![0]! - (0.19 * c.G.get(0, 0)) / L[0]!) <= 1e-14 * Math.abs(c.G.get(0, 0) / L[0]!));
  assert.throws(() => agg.aggregate({ mode: 'rep', jacobian: c.G, losses: L }, agg.init(3)), /db-mtl does not support --grad-mode rep/);
  assert.throws(() => agg.aggregate({ mode: 'jacobian', jacobian: c.G, losses: Float64Array.from([1, 0, 1]) }, agg.init(3)), /task 1/);
});
