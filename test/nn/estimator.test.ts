import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { getModel, loadEstimator } from '../../src/estimator/registry.ts';
import { FeatureMismatchError, NotFittedError, OptionError, UnknownTaskError } from '../../src/errors.ts';
import { Matrix } from '../../src/linalg/matrix.ts';
import { registerNeuralEngine } from '../../src/nn/estimator.ts';
import type { EstimatorJSON } from '../../src/estimator/contract.ts';

registerNeuralEngine();

test('hps / mmoe / stl-mlp estimators fit, beat the mean predictor, and reload from JSON identically', () => {
  const ds = makeClusteredTasks({ T: 3, d: 6, n: 80, seed: 2 }).dataset;
  for (const name of ['hps', 'mmoe', 'stl-mlp']) {
    const est = getModel(name).make({ hidden: [16], epochs: 40, batchSize: 16, lr: 0.01, seed: 1, patience: 0 });
    assert.equal(est.fitted, false);
    assert.throws(() => est.predict(ds.tasks[0]!.X, ds.tasks[0]!.name), NotFittedError);
    const fit = est.fit(ds);
    assert.ok(fit.fitted && fit.diagnostics!.iterations > 0 && fit.diagnostics!.converged);
    for (const task of ds.tasks) {
      const p = fit.predict(task.X, task.name);
      const m = task.y.reduce((a, b) => a + b, 0) / task.y.length;
      let se = 0, s0 = 0;
      task.y.forEach((y, i) => { se += (p[i]! - y) ** 2; s0 += (m - y) ** 2; });
      assert.ok(se < 0.5 * s0, `${name}/${task.name}: training SSE ${se} vs mean predictor ${s0}`);
    }
    const json = JSON.parse(JSON.stringify(fit.toJSON())) as EstimatorJSON;
    const back = loadEstimator(json);
    assert.deepEqual(back.predict(ds.tasks[1]!.X, ds.tasks[1]!.name), fit.predict(ds.tasks[1]!.X, ds.tasks[1]!.name));
    assert.throws(() => fit.predict(new Matrix(1, 2, new Float64Array(2)), ds.tasks[0]!.name), FeatureMismatchError);
    assert.throws(() => fit.predict(ds.tasks[0]!.X, 'nope'), UnknownTaskError);
  }
});

test('binary tasks: predictResponse is a probability; options are validated with their flags', () => {
  const ds = makeClusteredTasks({ T: 3, d: 4, n: 60, seed: 3, loss: 'logistic' }).dataset;
  const fit = getModel('hps').make({ hidden: [8], epochs: 5, batchSize: 16, seed: 0 }).fit(ds);
  const pr = fit.predictResponse!(ds.tasks[0]!.X, ds.tasks[0]!.name);
  assert.ok(pr.every((v) => v > 0 && v < 1));
  assert.throws(() => getModel('hps').make({ lr: -1 }), /--lr/);
  assert.throws(() => getModel('hps').make({ experts: 3 }), OptionError);
  assert.throws(() => getModel('mmoe').make({ experts: 0 }), /--experts/);
  assert.equal(getModel('mmoe').baseline, 'stl-mlp');
});

test('learning-rate schedules reach the optimiser and the epoch log (cosine to 0, warm-up)', async () => {
  const { makeNeuralEstimator } = await import('../../src/nn/estimator.ts');
  const ds = makeClusteredTasks({ T: 3, d: 4, n: 40, seed: 5 }).dataset;
  const lrs: (number | null)[] = [];
  const est = makeNeuralEstimator('hps', { hidden: [4], epochs: 4, batchSize: 10, lr: 0.1, lrSchedule: 'cosine', warmupEpochs: 1, valRatio: 0.25, patience: 0 });
  est.fitWith(ds, {}, { onEpoch: (r) => lrs.push(r.lr) });
  // 30 training rows per task → 3 steps per epoch, 12 steps; warm-up over the first 3
  assert.equal(lrs.length, 4);
  assert.ok(Math.abs(lrs[0]! - 0.1 * 0.5 * (1 + Math.cos(Math.PI * 2 / 12))) < 1e-12, `epoch 1 lr ${lrs[0]}`);
  assert.ok(Math.abs(lrs[3]! - 0.1 * 0.5 * (1 + Math.cos(Math.PI * 11 / 12))) < 1e-12, `epoch 4 lr ${lrs[3]}`);
  assert.ok(lrs[1]! > lrs[2]! && lrs[2]! > lrs[3]!);
});

test('task competition per epoch reaches learned.history and the model file (issue 12)', () => {
  const ds = makeClusteredTasks({ T: 3, d: 4, n: 40, seed: 6 }).dataset;
  type Hist = { epoch: number; weights: number[]; competition: { source: string; samples: number; cosine: number[]; conflicts: number; normRatio: number[] } | null }[];
  const fit = getModel('hps').make({ hidden: [6], epochs: 2, batchSize: 10, seed: 1, patience: 0, logConflictEvery: 2 }).fit(ds);
  const hist = (fit.learned as { history: Hist }).history;
  assert.equal(hist.length, 2);
  for (const h of hist) {
    const c = h.competition!;
    assert.equal(c.source, 'sampled');
    assert.ok(c.samples >= 1);
    assert.equal(c.cosine.length, 9);
    assert.ok(c.cosine.every((v) => v >= -1 && v <= 1));
    assert.ok(c.conflicts >= 0 && c.conflicts <= 3);
    assert.ok(Math.abs(c.normRatio.reduce((a, b) => a + b, 0) - 3) < 1e-9);
    assert.deepEqual(h.weights, [1, 1, 1]);
  }
  const back = loadEstimator(JSON.parse(JSON.stringify(fit.toJSON())) as EstimatorJSON);
  assert.deepEqual((back.learned as { history: Hist }).history, JSON.parse(JSON.stringify(hist)));
  const agg = getModel('hps').make({ hidden: [6], epochs: 1, batchSize: 10, seed: 1, patience: 0, aggregator: 'mgda', weighting: 'ew' }).fit(ds);
  const ca = (agg.learned as { history: Hist }).history[0]!.competition!;
  assert.equal(ca.source, 'aggregator');
  const off = getModel('hps').make({ hidden: [6], epochs: 1, batchSize: 10, seed: 1, patience: 0, logConflictEvery: 0 }).fit(ds);
  assert.equal((off.learned as { history: Hist }).history[0]!.competition, null);
  assert.throws(() => getModel('hps').make({ logConflictEvery: -1 }), /--log-conflict-every/);
});

test('dselect-k (per-example, annealed γ): a reloaded model predicts identically — the loader restores γ_end, not the initial γ', () => {
  const ds = makeClusteredTasks({ T: 3, d: 5, n: 60, seed: 4 }).dataset;
  const fit = getModel('dselect-k').make({ hidden: [8], experts: 4, k: 2, epochs: 6, batchSize: 16, lr: 0.02, seed: 1, patience: 0 }).fit(ds);
  const back = loadEstimator(JSON.parse(JSON.stringify(fit.toJSON())) as EstimatorJSON);
  for (const task of ds.tasks) assert.deepEqual(back.predict(task.X, task.name), fit.predict(task.X, task.name));
});
