import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { adam, adamw } from '../../../src/nn/optim/adam.ts';
import { applyUpdates } from '../../../src/nn/optim/transform.ts';
import { Param } from '../../../src/nn/tensor.ts';

// Adam by its update formula (Kingma & Ba 2015, Alg. 1, PyTorch's ε placement), written out per scalar.
function reference(p0: number[], grads: number[][], lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): number[][] {
  const p = [...p0], m = p0.map(() => 0), v = p0.map(() => 0);
  const traj: number[][] = [];
  grads.forEach((gr, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      let gi = gr[i]!;
      if (!decoupled) gi += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      const mh = m[i]! / (1 - b1 ** t), vh = v[i]! / (1 - b2 ** t);
      const pi = decoupled ? p[i]! * (1 - lr * wd) : p[i]!;
      p[i] = pi - lr * mh / (Math.sqrt(vh) + eps);
    }
    traj.push([...p]);
  });
  return traj;
}

test('Adam, Adam with L2 and AdamW match their update formulas step by step', () => {
  const rng = new Random(8);
  const n = 6, steps = 7;
  const p0 = Array.from({ length: n }, () => rng.normal());
  const grads = Array.from({ length: steps }, () => Array.from({ length: n }, () => rng.normal() * 0.1));
  for (const [label, tx, wd, dec] of [
    ['adam', adam({ lr: 0.01, b1: 0.8, b2: 0.95, eps: 1e-6 }), 0, false],
    ['adam+L2', adam({ lr: 0.01, b1: 0.8, b2: 0.95, eps: 1e-6, weightDecay: 0.1 }), 0.1, false],
    ['adamw', adamw({ lr: 0.01, b1: 0.8, b2: 0.95, eps: 1e-6, weightDecay: 0.1 }), 0.1, true],
  ] as const) {
    const p = new Param('p', [n], Float64Array.from(p0));
    const st = tx.init([p]);
    const ref = reference(p0, grads, 0.01, 0.8, 0.95, 1e-6, wd, dec);
    for (let k = 0; k < steps; k++) {
      const u = [Float64Array.from(grads[k]!)];
      tx.update(u, st, [p]);
      applyUpdates([p], u);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(p.data[i]! - ref[k]![i]!) < 1e-13, `${label} step ${k + 1} [${i}]: ${p.data[i]} vs ${ref[k]![i]}`);
    }
  }
});

test('the first Adam step moves every coordinate by lr·sign(g) (bias correction)', () => {
  const p = new Param('p', [3], Float64Array.from([0, 0, 0]));
  const tx = adam({ lr: 0.1, eps: 0 });
  const st = tx.init([p]);
  const u = [Float64Array.from([3, -0.001, 20])];
  tx.update(u, st, [p]);
  assert.deepEqual([...u[0]!].map((x) => Math.round(x * 1e12) / 1e12), [-0.1, 0.1, -0.1]);
});
