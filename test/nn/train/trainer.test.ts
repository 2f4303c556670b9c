import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../../src/linalg/random.ts';
import { adam } from '../../../src/nn/optim/adam.ts';
import { sgd } from '../../../src/nn/optim/sgd.ts';
import { sumAggregator } from '../../../src/nn/train/hooks.ts';
import { train, predictAll } from '../../../src/nn/train/trainer.ts';
import type { EpochRecord, TaskSpec, MultiInputData } from '../../../src/nn/train/types.ts';
import { AbortedError, DataError, NumericError, OptionError } from '../../../src/errors.ts';
import { TinyHPS, plantedMultiOutput } from './helpers.ts';

const tasks: TaskSpec[] = [{ name: 'a', kind: 'regression' }, { name: 'b', kind: 'regression' }, { name: 'c', kind: 'binary' }];
const data = plantedMultiOutput(240, 5, 1);

function params(net: TinyHPS): number[] {
  return net.parameters().flatMap((p) => Array.from(p.data));
}

test('multi-output training with missing labels learns; validation split; JSON-able epoch records', () => {
  const net = new TinyHPS(5, 16, [1, 1, 1], 3);
  const recs: EpochRecord[] = [];
  const r = train(net, data, { tasks, epochs: 25, batchSize: 32, seed: 7, optimizer: adam({ lr: 0.01 }), valRatio: 0.2, onEpoch: (e) => recs.push(e) });
  assert.equal(r.history.length, 25);
  assert.equal(recs[0]!.steps, Math.ceil(192 / 32));
  const first = recs[0]!, last = recs[24]!;
  for (let t = 0; t < 3; t++) assert.ok(last.train.loss[t]! < 0.6 * first.train.loss[t]!, `task ${t}: ${first.train.loss[t]} → ${last.train.loss[t]}`);
  assert.ok(last.val!.metric[2]! > 0.8, `binary val accuracy ${last.val!.metric[2]}`);
  assert.deepEqual(last.metricName, ['rmse', 'rmse', 'accuracy']);
  assert.deepEqual(last.weights, [1, 1, 1]);
  const line = JSON.parse(JSON.stringify(last)) as EpochRecord;
  assert.equal(line.epoch, 25);
  assert.ok(r.bestEpoch >= 1 && r.history[r.bestEpoch - 1]!.best);
  const preds = predictAll(net, data.X, data.n, data.d, 64);
  assert.equal(preds.length, 3);
  assert.equal(preds[0]!.length, 240);
});

test('deterministic for a seed; checkpoint + resume is bit-identical (with dropout)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-nn-'));
  try {
    const cfg = { tasks, batchSize: 50, seed: 11, valRatio: 0.25 };
    const run = (): number[] => {
      const net = new TinyHPS(5, 8, [1, 1, 1], 4, 0.2);
      train(net, data, { ...cfg, epochs: 5, optimizer: adam({ lr: 0.01 }) });
      return params(net);
    };
    const full = run();
    assert.deepEqual(run(), full);
    const ck = join(dir, 'ck.json');
    const a = new TinyHPS(5, 8, [1, 1, 1], 4, 0.2);
    train(a, data, { ...cfg, epochs: 2, optimizer: adam({ lr: 0.01 }), checkpointEvery: 2, checkpointPath: ck, restoreBest: false });
    assert.ok(existsSync(ck));
    assert.deepEqual(readdirSync(dir), ['ck.json'], 'no temporary file is left behind');
    const b = new TinyHPS(5, 8, [1, 1, 1], 999, 0.2); // different init: everything must come from the checkpoint
    const r = train(b, data, { ...cfg, epochs: 5, optimizer: adam({ lr: 0.01 }), resumeFrom: ck });
    assert.equal(r.history.length, 5);
    assert.deepEqual(params(b), full);
    assert.throws(() => train(new TinyHPS(5, 8, [1, 1, 1], 4), data, { ...cfg, seed: 12, epochs: 5, optimizer: adam({ lr: 0.01 }), resumeFrom: ck }), /another seed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('multi-input layout: one data set per task, every step a batch of every task', () => {
  const rng = new Random(5);
  const d = 4;
  const sizes = [90, 40, 65];
  const wt = sizes.map(() => Float64Array.from({ length: d }, () => rng.normal()));
  const mi: MultiInputData = {
    layout: 'multi-input', d,
    tasks: sizes.map((n, t) => {
      const X = Float32Array.from({ length: n * d }, () => rng.normal());
      const y = Float32Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += X[i * d + j]! * wt[t]![j]!;
        return t === 1 ? s % 3 < 0 ? 0 : Math.abs(Math.floor(s)) % 3 : Math.tanh(s);
      });
      return { X, n, y };
    }),
  };
  const ts: TaskSpec[] = [{ name: 'r0', kind: 'regression' }, { name: 'm1', kind: 'multiclass', classes: 3 }, { name: 'r2', kind: 'regression' }];
  const net = new TinyHPS(d, 16, [1, 3, 1], 2);
  const r = train(net, mi, { tasks: ts, epochs: 30, batchSize: 16, seed: 3, optimizer: adam({ lr: 0.01 }), valRatio: 0.2 });
  assert.equal(r.history[0]!.steps, Math.ceil(72 / 16)); // the longest task (90 → 72 train rows) sets the epoch
  const f = r.history[0]!, l = r.history[29]!;
  assert.ok(l.train.loss[0]! < 0.5 * f.train.loss[0]! && l.train.loss[2]! < 0.5 * f.train.loss[2]!);
  assert.ok(l.train.loss[1]! < f.train.loss[1]!);
  assert.ok(l.val!.loss.every((v) => Number.isFinite(v)));
});

test('the aggregator path (sum aggregator) reproduces EW in all three grad modes', () => {
  const base = (extra: object): number[] => {
    const net = new TinyHPS(5, 8, [1, 1, 1], 6);
    train(net, data, { tasks, epochs: 2, batchSize: 40, seed: 2, optimizer: sgd({ lr: 0.05, momentum: 0.9 }), ...extra });
    return params(net);
  };
  const ew = base({});
  for (const gradMode of ['jacobian', 'backward', 'rep'] as const) {
    const p = base({ aggregator: sumAggregator, gradMode });
    let worst = 0;
    for (let i = 0; i < ew.length; i++) worst = Math.max(worst, Math.abs(p[i]! - ew[i]!));
    assert.ok(worst < 1e-4, `${gradMode}: max parameter difference ${worst}`);
  }
});

test('early stopping, bad input and abort give clear errors', () => {
  const net = new TinyHPS(5, 8, [1, 1, 1], 6);
  const r = train(net, data, { tasks, epochs: 20, batchSize: 40, seed: 2, optimizer: sgd({ lr: 0 }), valRatio: 0.2, patience: 2 });
  assert.ok(r.stoppedEarly);
  assert.equal(r.history.length, 3);
  assert.equal(r.bestEpoch, 1);
  assert.throws(() => train(net, data, { tasks: tasks.slice(0, 2), epochs: 1, batchSize: 8, seed: 1, optimizer: sgd({ lr: 0.1 }) }), OptionError);
  assert.throws(() => train(net, data, { tasks, epochs: 1, batchSize: 0, seed: 1, optimizer: sgd({ lr: 0.1 }) }), /batch-size/);
  const bad = { ...data, targets: [data.targets[0]!, data.targets[1]!, Float32Array.from(data.targets[2]!, (v) => (Number.isNaN(v) ? v : v * 2))] };
  assert.throws(() => train(net, bad, { tasks, epochs: 1, batchSize: 8, seed: 1, optimizer: sgd({ lr: 0.1 }) }), DataError);
  const none = { ...data, targets: [data.targets[0]!, data.targets[1]!, new Float32Array(data.n).fill(NaN)] };
  assert.throws(() => train(net, none, { tasks, epochs: 1, batchSize: 8, seed: 1, optimizer: sgd({ lr: 0.1 }) }), /no observed label/);
  assert.throws(() => train(net, data, { tasks, epochs: 3, batchSize: 8, seed: 1, optimizer: sgd({ lr: 1e6 }) }), NumericError);
  const ac = new AbortController();
  ac.abort();
  assert.throws(() => train(net, data, { tasks, epochs: 1, batchSize: 8, seed: 1, optimizer: sgd({ lr: 0.1 }), signal: ac.signal }), AbortedError);
  const noFeat = new TinyHPS(5, 8, [1, 1, 1], 6, 0, false);
  assert.throws(() => train(noFeat, data, { tasks, epochs: 1, batchSize: 8, seed: 1, optimizer: sgd({ lr: 0.1 }), aggregator: sumAggregator, gradMode: 'rep' }), /features/);
});
