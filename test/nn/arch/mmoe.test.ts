import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { MMoE, gateUtilisation } from '../../../src/nn/arch/index.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { fitPlain } from './helpers.ts';

/**
 * Planted routing problem: two unrelated linear tasks y1 = z1 + z2, y2 = z3 − z4 on x = [1, z],
 * z ~ N(0, I_8), and two experts that are single linear units. One unit can carry one task's
 * direction only, so the exact solution routes each task to its own expert (the constant input lets
 * the bias-free gate of eq. 6 express a constant preference).
 */
function planted(seed: number, n = 2000) {
  const rng = new Random(seed);
  const D = 9;
  const X = new Float32Array(n * D), Y1 = new Float32Array(n), Y2 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    X[i * D] = 1;
    for (let j = 1; j < D; j++) X[i * D + j] = rng.normal();
    Y1[i] = X[i * D + 1]! + X[i * D + 2]!;
    Y2[i] = X[i * D + 3]! - X[i * D + 4]!;
  }
  return { X, Y1, Y2, n, D };
}

test('MMoE gates learn to route two unrelated tasks to different experts (planted problem, 3 seeds)', () => {
  for (const seed of [1, 2, 3]) {
    const { X, Y1, Y2, n, D } = planted(seed);
    const arch = new MMoE({ taskNames: ['t1', 't2'], outDims: [1, 1], encoder: { kind: 'mlp', input: D, hidden: [1], activation: 'none' }, experts: 2 }, new Random(seed + 100));
    const before = gateUtilisation(arch, new Tape('float32'), X, n);
    for (const r of before) assert.ok(Math.max(...r.mean) < 0.7, `gates start near uniform: ${r.mean}`);
    const hist = fitPlain(arch, X, n, [{ kind: 'regression', y: Y1 }, { kind: 'regression', y: Y2 }], { epochs: 30, batchSize: 64, lr: 0.1, seed });
    assert.ok(hist.at(-1)! < 0.02 * hist[0]!, `training fits both tasks: ${hist[0]} → ${hist.at(-1)}`);
    const [g1, g2] = gateUtilisation(arch, new Tape('float32'), X, n).map((r) => r.mean);
    const e1 = g1![0]! > g1![1]! ? 0 : 1, e2 = g2![0]! > g2![1]! ? 0 : 1;
    assert.notEqual(e1, e2, `seed ${seed}: both tasks prefer expert ${e1} (${g1}, ${g2})`);
    assert.ok(g1![e1]! > 0.75 && g2![e2]! > 0.75, `seed ${seed}: routing is clear (${g1}; ${g2})`);
  }
});

test('MMoE: gates are per-task softmaxes over the experts (rows sum to 1, differ between tasks)', () => {
  const arch = new MMoE({ taskNames: ['a', 'b', 'c'], outDims: [1, 1, 3], encoder: { kind: 'mlp', input: 4, hidden: [5] }, experts: 3, dtype: 'float64' }, new Random(1));
  const g = new Tape('float64');
  const X = Float64Array.from({ length: 8 * 4 }, (_, i) => Math.sin(i));
  const out = arch.forward(g, g.input(X, [8, 4]));
  assert.equal(out.gates.length, 3);
  for (const r of out.gates) {
    assert.deepEqual(r.weights.shape, [8, 3]);
    for (let i = 0; i < 8; i++) {
      let s = 0;
      for (let e = 0; e < 3; e++) { const v = r.weights.data[i * 3 + e]!; assert.ok(v > 0); s += v; }
      assert.ok(Math.abs(s - 1) < 1e-12);
    }
  }
  assert.notDeepEqual(Array.from(out.gates[0]!.weights.data), Array.from(out.gates[1]!.weights.data));
  assert.deepEqual(out.features!.shape, [8, 3, 5]);
  assert.deepEqual(out.outputs[2]!.shape, [8, 3]);
});
