import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MultiTaskDataset } from '../../../src/data/dataset.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { makeClusteredTasks } from '../../../src/data/synthetic/clusters.ts';
import { taskSpecs, toTrainData } from '../../../src/nn/train/from-dataset.ts';
import { jsonLinesLogger } from '../../../src/nn/train/log.ts';
import type { EpochRecord } from '../../../src/nn/train/types.ts';

test('per-task data become the multi-input layout; multi-output keeps shared rows with NaN; binary ±1 → 0/1', () => {
  const ds = makeClusteredTasks({ T: 3, d: 4, n: 20, seed: 1 }).dataset;
  const td = toTrainData(ds);
  assert.equal(td.layout, 'multi-input');
  if (td.layout !== 'multi-input') return;
  assert.equal(td.tasks.length, 3);
  assert.equal(td.tasks[1]!.X[5], Math.fround(ds.tasks[1]!.X.data[5]!));
  assert.equal(td.tasks[2]!.y[3], Math.fround(ds.tasks[2]!.y[3]!));
  const X = new Matrix(3, 2, Float64Array.from([1, 2, 3, 4, 5, 6]));
  const Y = new Matrix(3, 2, Float64Array.from([1, NaN, -1, 1, NaN, -1]));
  const mo: MultiTaskDataset = {
    layout: 'multi-output', kind: 'binary', featureNames: ['a', 'b'],
    tasks: [0, 1].map((t) => ({ name: `t${t}`, X, y: new Float64Array(0), rows: new Int32Array(0) })),
    shared: { X, Y },
  };
  const m = toTrainData(mo);
  assert.equal(m.layout, 'multi-output');
  if (m.layout !== 'multi-output') return;
  assert.deepEqual([...m.targets[0]!], [1, 0, NaN]);
  assert.deepEqual([...m.targets[1]!], [NaN, 1, 0]);
  assert.deepEqual(taskSpecs(mo).map((s) => s.kind), ['binary', 'binary']);
});

test('the JSON-lines log has one parseable line per epoch, NaN as null', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-nnlog-'));
  try {
    const p = join(dir, 'log.jsonl');
    const log = jsonLinesLogger(p);
    const rec: EpochRecord = { epoch: 1, seconds: 0.5, steps: 3, lr: 0.01, train: { loss: [1, 2], metric: [0.5, NaN] }, val: null, weights: [1, 1], metricName: ['rmse', 'accuracy'], best: false };
    log(rec);
    log({ ...rec, epoch: 2 });
    const lines = readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; train: { metric: (number | null)[] } });
    assert.deepEqual(lines.map((l) => l.epoch), [1, 2]);
    assert.equal(lines[0]!.train.metric[1], null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
