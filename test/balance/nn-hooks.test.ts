// The balancing methods inside the neural trainer (through src/balance/nn-hooks.ts and the nn
// estimator's --weighting / --aggregator / --grad-mode options): every trainer-usable method trains an
// HPS network below the mean predictor; 'sum' through the Jacobian path reproduces plain backward;
// unusable combinations are refused with the flag named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { getModel } from '../../src/estimator/registry.ts';
import { OptionError } from '../../src/errors.ts';
import { registerNeuralEngine } from '../../src/nn/estimator.ts';
import { TRAINER_AGGREGATORS, TRAINER_WEIGHTINGS, trainerAggregator, trainerWeighting } from '../../src/balance/nn-hooks.ts';
import type { Estimator } from '../../src/estimator/contract.ts';

registerNeuralEngine();
const ds = makeClusteredTasks({ T: 3, d: 5, n: 60, seed: 4 }).dataset;
const base = { hidden: [12], epochs: 12, batchSize: 20, lr: 0.01, seed: 3, patience: 0, valRatio: 0 };

function relativeSse(fit: Estimator): number[] {
  return ds.tasks.map((task) => {
    const p = fit.predict(task.X, task.name);
    const m = task.y.reduce((a, b) => a + b, 0) / task.y.length;
    let se = 0;
    let s0 = 0;
    task.y.forEach((y, i) => {
      se += (p[i]! - y) ** 2;
      s0 += (m - y) ** 2;
    });
    return se / s0;
  });
}

// MGDA-type methods may sacrifice one task for a while (the min-norm point of conflicting gradients is
// short), so the criterion is the average over tasks.
test('nn trainer: every usable aggregator (in its first mode) and weighting trains HPS below the mean predictor on average', () => {
  for (const aggregator of TRAINER_AGGREGATORS) {
    const mode = aggregator === 'mgda-ub' ? 'rep' : 'jacobian';
    const fit = getModel('hps').make({ ...base, aggregator, gradMode: mode }).fit(ds);
    const r = relativeSse(fit);
    assert.ok(r.every(Number.isFinite) && r.reduce((a, b) => a + b, 0) / r.length < 0.8, `${aggregator}: relative SSE ${r.map((v) => v.toFixed(3))}`);
  }
  for (const weighting of TRAINER_WEIGHTINGS) {
    const fit = getModel('hps').make({ ...base, weighting }).fit(ds);
    const r = relativeSse(fit);
    assert.ok(r.every(Number.isFinite) && r.reduce((a, b) => a + b, 0) / r.length < 0.8, `${weighting}: relative SSE ${r.map((v) => v.toFixed(3))}`);
  }
});

test("nn trainer: aggregator 'sum' on the Jacobian (backward mode) reproduces plain training", () => {
  const plain = getModel('hps').make(base).fit(ds);
  const viaSum = getModel('hps').make({ ...base, aggregator: 'sum', gradMode: 'backward' }).fit(ds);
  for (const task of ds.tasks) {
    const a = plain.predict(task.X, task.name);
    const b = viaSum.predict(task.X, task.name);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-3 * (1 + Math.abs(v)), `${task.name}[${i}]: ${v} vs ${b[i]}`));
  }
});

test('nn trainer: refusals name the flag and the reason', () => {
  assert.throws(() => trainerWeighting('gradnorm', {}, 'backward'), (e: unknown) => e instanceof OptionError && /--weighting/.test(e.message) && /gradient/.test(e.message));
  assert.throws(() => trainerWeighting('famo', {}, 'backward'), /after the optimiser step/);
  assert.throws(() => trainerAggregator('graddrop', {}), /representation values/);
  assert.throws(() => getModel('hps').make({ aggregator: 'graddrop' }), /--aggregator/);
  assert.throws(() => getModel('hps').make({ ...base, aggregator: 'db-mtl', gradMode: 'rep' }).fit(ds), /db-mtl/);
  assert.throws(() => getModel('hps').make({ cagradC: -1 }), /--cagrad-c/);
});
