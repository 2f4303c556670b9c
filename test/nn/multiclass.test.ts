// The multiclass task kind through the neural engine (softmax heads), the estimator contract,
// model files, compare, predict and the linear engine's refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/engines.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { toMulticlass } from '../../src/data/multiclass.ts';
import { getModel, loadEstimator } from '../../src/estimator/registry.ts';
import { UnsupportedError } from '../../src/errors.ts';
import { Matrix } from '../../src/linalg/matrix.ts';
import { Random } from '../../src/linalg/random.ts';
import type { NeuralEstimator } from '../../src/nn/estimator.ts';
import { cli, tempDir } from '../cli/helpers.ts';
import { hasFashionMnist } from '../../src/nn/data/fashion-mnist.ts';

/** Planted: class of task t = the sector (of K equal angles, rotated by t·0.7) holding x ∈ R². */
function sectors(n: number, K: number, T: number, seed: number): { X: number[][]; Y: number[][] } {
  const rng = new Random(seed);
  const X: number[][] = [], Y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = [rng.normal(), rng.normal()];
    X.push(x);
    Y.push(Array.from({ length: T }, (_, t) => {
      const a = (Math.atan2(x[1]!, x[0]!) + Math.PI + 0.7 * t) % (2 * Math.PI);
      return Math.min(K - 1, Math.floor((a / (2 * Math.PI)) * K));
    }));
  }
  return { X, Y };
}

function dataset(n: number, K: number, seed: number): MultiTaskDataset {
  const { X, Y } = sectors(n, K, 2, seed);
  const M = new Matrix(n, 2, Float64Array.from(X.flat()));
  return toMulticlass({
    layout: 'per-task', kind: 'regression', featureNames: ['x1', 'x2'], source: 'sectors',
    tasks: [0, 1].map((t) => ({ name: `t${t}`, X: M, y: Float64Array.from(Y, (r) => r[t]!), rows: Int32Array.from({ length: n }, (_, i) => i) })),
  }, K);
}

test('hps on K-class tasks: softmax heads learn planted sectors; predict = argmax of classProbabilities (rows sum to 1); model JSON reloads identically', () => {
  const K = 3;
  const train = dataset(600, K, 1), test_ = dataset(300, K, 2);
  const est = getModel('hps').make({ hidden: [32], epochs: 40, lr: 0.01, batchSize: 32, seed: 1, patience: 0 }).fit(train) as NeuralEstimator;
  for (const t of ['t0', 't1']) {
    const X = test_.tasks[0]!.X;
    const y = test_.tasks[t === 't0' ? 0 : 1]!.y;
    const pred = est.predict(X, t);
    const acc = pred.reduce((s, v, i) => s + (v === y[i] ? 1 : 0), 0) / y.length;
    assert.ok(acc > 0.85, `${t}: test accuracy ${acc}`);
    const P = est.classProbabilities(X, t);
    assert.equal(P.cols, K);
    for (let i = 0; i < X.rows; i++) {
      const row = Array.from(P.data.subarray(i * K, (i + 1) * K));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.equal(pred[i], row.indexOf(Math.max(...row)));
    }
    assert.deepEqual(est.predictResponse(X, t), pred);
  }
  const json = est.toJSON();
  assert.deepEqual(json.taskKinds, ['multiclass', 'multiclass']);
  assert.deepEqual(json.classes, [['0', '1', '2'], ['0', '1', '2']]);
  const back = loadEstimator(JSON.parse(JSON.stringify(json))) as NeuralEstimator;
  assert.deepEqual(back.classProbabilities(test_.tasks[0]!.X, 't1').data, est.classProbabilities(test_.tasks[0]!.X, 't1').data);
});

test('the linear engine refuses a multiclass task by name', () => {
  assert.throws(() => getModel('l21').make({}).fit(dataset(50, 3, 3)), (e: unknown) => e instanceof UnsupportedError && /task "t0" of sectors is multiclass \(3 classes\): the linear engine does not fit multiclass tasks; use a neural model/.test(e.message));
});

test('CLI: compare --classes K (accuracy, Δm higher-is-better, paired tests), train + predict (class and probability), clear errors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { X, Y } = sectors(240, 3, 2, 4);
    writeFileSync(join(dir, 'mc.csv'), ['a,b,x1,x2', ...X.map((x, i) => `${Y[i]![0]},${Y[i]![1]},${x[0]},${x[1]}`)].join('\n') + '\n');
    const base = ['--data', 'mc.csv', '--targets', 'a,b', '--classes', '3'];
    const r = await cli(['compare', ...base, '--models', 'stl-mlp,hps', '--splits', '2', '--folds', '2', '--epochs', '12', '--batch-size', '16', '--hidden', '8', '--workers', '1', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { dataset: { kind: string; tasks: { classes: number }[] }; primaryMetric: string; higherIsBetter: boolean; models: { name: string; metrics: Record<string, { mean: number }>; delta_m: number | null; tasks: { accuracy: number | null; p_value: number | null }[] }[] };
    assert.equal(res.dataset.kind, 'multiclass');
    assert.deepEqual(res.dataset.tasks.map((t) => t.classes), [3, 3]);
    assert.equal(res.primaryMetric, 'accuracy');
    assert.equal(res.higherIsBetter, true);
    const [stl, hps] = res.models;
    assert.equal(stl!.name, 'stl-mlp');
    for (const m of res.models) assert.ok(m.metrics['accuracy_task_avg']!.mean > 0.45 && m.metrics['accuracy_task_avg']!.mean <= 1, `${m.name}: learns the planted sectors (chance 1/3): ${m.metrics['accuracy_task_avg']!.mean}`);
    assert.ok(Number.isFinite(hps!.metrics['macro_f1_task_avg']!.mean));
    // Δm with accuracy higher-is-better: the mean relative gain has the sign of (hps − stl)
    const diff = hps!.tasks.reduce((s, t, i) => s + (t.accuracy! - stl!.tasks[i]!.accuracy!) / stl!.tasks[i]!.accuracy!, 0) / 2;
    assert.ok(hps!.delta_m !== null && Number.isFinite(hps!.delta_m));
    if (Math.abs(diff) > 0.05) assert.equal(Math.sign(hps!.delta_m), Math.sign(diff), `Δm ${hps!.delta_m} % vs mean relative accuracy gain ${diff}`);
    assert.ok(hps!.tasks.every((t) => t.p_value !== null));
    const lin = await cli(['compare', ...base, '--models', 'l21', '--splits', '2', '--workers', '1'], dir);
    assert.match(lin.stdout + lin.stderr, /the linear engine does not fit multiclass tasks/);
    const t = await cli(['train', ...base, '--arch', 'mmoe', '--experts', '2', '--hidden', '8', '--epochs', '2', '--out', 'm.json', '--quiet'], dir);
    assert.equal(t.code, 0, t.stderr);
    const p = await cli(['predict', '--model', 'm.json', '--data', 'mc.csv', '--skip', 'a,b', '--json'], dir);
    assert.equal(p.code, 0, p.stderr);
    const preds = (JSON.parse(p.stdout) as { predictions: { task: string; prediction: string; probability: number; probabilities: number[] }[] }).predictions;
    assert.equal(preds.length, 2 * 240);
    for (const q of preds.slice(0, 20)) {
      assert.ok(['0', '1', '2'].includes(q.prediction));
      assert.equal(q.probabilities.length, 3);
      assert.equal(q.probability, Math.max(...q.probabilities));
      assert.equal(q.prediction, String(q.probabilities.indexOf(q.probability)));
    }
    const csv = await cli(['predict', '--model', 'm.json', '--data', 'mc.csv', '--skip', 'a,b'], dir);
    assert.match(csv.stdout.split('\n')[0]!, /^row,task,prediction,probability$/);
    const env = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as { payload: { taskKinds: string[]; classes: string[][] } };
    assert.deepEqual(env.payload.taskKinds, ['multiclass', 'multiclass']);
    const few = await cli(['compare', '--data', 'mc.csv', '--targets', 'a,b', '--classes', '2', '--models', 'hps', '--splits', '2'], dir);
    assert.notEqual(few.code, 0);
    assert.match(few.stderr, /mc\.csv: task "a", data row \d+: the target 2 is not a class label: .*more classes than --classes 2/);
    const ovr = await cli(['compare', '--data', 'mc.csv', '--one-vs-rest', 'a', '--classes', '3', '--models', 'hps'], dir);
    assert.notEqual(ovr.code, 0);
    assert.match(ovr.stderr, /--classes/);
  } finally {
    cleanup();
  }
});

test('MultiFashion reaches compare: make-data multifashion writes two 10-class tasks; stl-mlp, hps and mmoe in one table', { skip: !hasFashionMnist('test') && 'needs Fashion-MNIST (Debian dataset-fashion-mnist)' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await cli(['make-data', 'multifashion', '--n', '120', '--size', '6', '--seed', '3', '--split', 'test', '--out', 'mf.csv'], dir);
    assert.equal(w.code, 0, w.stderr);
    const lines = readFileSync(join(dir, 'mf.csv'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 121);
    assert.equal(lines[0]!.split(',').length, 2 + 36);
    assert.ok(lines.slice(1).every((l) => /^\d,\d,/.test(l)));
    const again = await cli(['make-data', 'multifashion', '--n', '120', '--size', '6', '--seed', '3', '--split', 'test', '--out', 'mf2.csv'], dir);
    assert.equal(again.code, 0);
    assert.equal(readFileSync(join(dir, 'mf2.csv'), 'utf8'), readFileSync(join(dir, 'mf.csv'), 'utf8'), 'deterministic for a seed');
    const r = await cli(['compare', '--data', 'mf.csv', '--targets', 'left,right', '--classes', '10', '--models', 'stl-mlp,hps,mmoe', '--experts', '2', '--hidden', '8', '--epochs', '2', '--splits', '2', '--folds', '2', '--workers', '1', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { primaryMetric: string; models: { name: string; units_failed: number }[] };
    assert.equal(res.primaryMetric, 'accuracy');
    assert.deepEqual(res.models.map((m) => [m.name, m.units_failed]), [['stl-mlp', 0], ['hps', 0], ['mmoe', 0]]);
    const bad = await cli(['make-data', 'nosuch', '--out', 'x.csv'], dir);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown data set "nosuch"/);
  } finally {
    cleanup();
  }
});
