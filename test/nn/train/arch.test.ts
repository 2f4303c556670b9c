// The trainer on the architectures of src/nn/arch (their MtlArchitecture is the trainer's MTLNetwork).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { buildArchitecture } from '../../../src/nn/arch/index.ts';
import type { ArchName } from '../../../src/nn/arch/index.ts';
import { adam } from '../../../src/nn/optim/adam.ts';
import { sumAggregator } from '../../../src/nn/train/hooks.ts';
import { train } from '../../../src/nn/train/trainer.ts';
import type { TaskSpec } from '../../../src/nn/train/types.ts';
import { plantedMultiOutput } from './helpers.ts';

const tasks: TaskSpec[] = [{ name: 'a', kind: 'regression' }, { name: 'b', kind: 'regression' }, { name: 'c', kind: 'binary' }];
const data = plantedMultiOutput(160, 5, 4);

for (const arch of ['hps', 'mmoe', 'dselect-k'] as ArchName[]) {
  test(`${arch}: trains through the trainer; jacobian-mode sum aggregator = EW`, () => {
    // dselect-k: μ = 1, not the per-example default 5, whose distinct penalty (part of the logged loss)
    // is still ≈ 1.5 per task at epoch 12 and hides the task losses' decrease this test checks
    const make = () => buildArchitecture(arch, { taskNames: ['a', 'b', 'c'], outDims: [1, 1, 1], encoder: { kind: 'mlp', input: 5, hidden: [12] }, experts: 3, distinctReg: 1 }, new Random(9));
    const net = make();
    const r = train(net, data, { tasks, epochs: 12, batchSize: 32, seed: 1, optimizer: adam({ lr: 0.01 }), valRatio: 0.2 });
    const f = r.history[0]!.train.loss, l = r.history[11]!.train.loss;
    assert.ok(l[0]! < 0.8 * f[0]! && l[1]! < 0.8 * f[1]!, `${arch}: ${f} → ${l}`);
    const p1 = make(), p2 = make();
    train(p1, data, { tasks, epochs: 1, batchSize: 32, seed: 1, optimizer: adam({ lr: 0.01 }) });
    train(p2, data, { tasks, epochs: 1, batchSize: 32, seed: 1, optimizer: adam({ lr: 0.01 }), aggregator: sumAggregator, gradMode: 'jacobian' });
    const a = p1.parameters().flatMap((p) => Array.from(p.data)), b = p2.parameters().flatMap((p) => Array.from(p.data));
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    assert.ok(worst < 1e-4, `${arch}: max difference ${worst}`);
  });
}

test('multi-input data: per-task forwards (EW) equal the stacked forward (aggregator path)', () => {
  const rng = new Random(12);
  const d = 4, sizes = [50, 30];
  const mi = {
    layout: 'multi-input' as const, d,
    tasks: sizes.map((n) => {
      const X = Float32Array.from({ length: n * d }, () => rng.normal());
      return { X, n, y: Float32Array.from({ length: n }, (_, i) => Math.sin(X[i * d]! + X[i * d + 1]!)) };
    }),
  };
  const ts: TaskSpec[] = [{ name: 'a', kind: 'regression' }, { name: 'b', kind: 'regression' }];
  const make = () => buildArchitecture('hps', { taskNames: ['a', 'b'], outDims: [1, 1], encoder: { kind: 'mlp', input: d, hidden: [8] } }, new Random(3));
  const p1 = make(), p2 = make();
  train(p1, mi, { tasks: ts, epochs: 2, batchSize: 16, seed: 1, optimizer: adam({ lr: 0.01 }) });
  train(p2, mi, { tasks: ts, epochs: 2, batchSize: 16, seed: 1, optimizer: adam({ lr: 0.01 }), aggregator: sumAggregator, gradMode: 'backward' });
  const a = p1.parameters().flatMap((p) => Array.from(p.data)), b = p2.parameters().flatMap((p) => Array.from(p.data));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  assert.ok(worst < 1e-4, `max difference ${worst}`);
  assert.ok(a.some((v, i) => v !== make().parameters().flatMap((p) => Array.from(p.data))[i]), 'training moved the parameters');
});
