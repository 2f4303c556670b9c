import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { ESMM } from '../../../src/nn/arch/index.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { fitPlain } from './helpers.ts';

const sig = (v: number) => 1 / (1 + Math.exp(-v));

test('ESMM: pCTCVR = pCTR × pCVR (eq. 1) to rounding, also for extreme logits', () => {
  const esmm = new ESMM({ taskNames: ['ctr', 'ctcvr'], outDims: [1, 1], input: 4, embedding: 6, towerHidden: [5], dtype: 'float64' }, new Random(1));
  const g = new Tape('float64');
  const X = Float64Array.from({ length: 8 * 4 }, (_, i) => 30 * Math.sin(i * 1.3)); // large inputs → extreme logits
  const { ctr, cvr, ctcvr } = esmm.logits(g, g.input(X, [8, 4]));
  for (let i = 0; i < 8; i++) {
    const p = sig(ctr.data[i]!) * sig(cvr.data[i]!);
    const q = sig(ctcvr.data[i]!);
    assert.ok(Number.isFinite(ctcvr.data[i]!));
    assert.ok(Math.abs(p - q) <= 1e-12 * Math.max(1, p) || Math.abs(p - q) / p < 1e-9, `row ${i}: ${p} vs ${q}`);
  }
  assert.throws(() => new ESMM({ taskNames: ['a', 'b', 'c'], outDims: [1, 1, 1], input: 4 }, new Random(1)), /exactly two binary tasks/);
});

test('ESMM recovers a planted post-click conversion rate over the entire space from CTR and CTCVR labels only', () => {
  const rng = new Random(7);
  const n = 6000, D = 4;
  const X = new Float32Array(n * D), click = new Float32Array(n), buy = new Float32Array(n), pcvr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) X[i * D + j] = rng.normal();
    const x = X.subarray(i * D, (i + 1) * D);
    const pc = sig(1.5 * x[0]! - 0.5), pv = sig(2 * x[1]! + x[0]!);
    pcvr[i] = pv;
    click[i] = rng.uniform() < pc ? 1 : 0;
    buy[i] = click[i]! && rng.uniform() < pv ? 1 : 0; // conversion is observed only after a click
  }
  const esmm = new ESMM({ taskNames: ['ctr', 'ctcvr'], outDims: [1, 1], input: D, embedding: 8, towerHidden: [8] }, new Random(3));
  fitPlain(esmm, X, n, [{ kind: 'binary', y: click }, { kind: 'binary', y: buy }], { epochs: 12, batchSize: 100, lr: 0.02, seed: 1 });
  const g = new Tape('float32');
  g.training = false;
  const { cvr } = esmm.logits(g, g.input(X.subarray(0, 2000 * D), [2000, D]));
  let mae = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < 2000; i++) {
    const a = sig(cvr.data[i]!), b = pcvr[i]!;
    mae += Math.abs(a - b) / 2000;
    sx += a; sy += b; sxx += a * a; syy += b * b; sxy += a * b;
  }
  const m = 2000, corr = (sxy - (sx * sy) / m) / Math.sqrt((sxx - (sx * sx) / m) * (syy - (sy * sy) / m));
  assert.ok(corr > 0.9, `correlation of learned and true pCVR ${corr}`);
  assert.ok(mae < 0.1, `mean absolute error of pCVR ${mae}`);
});

test('ESMM with the CTR task second (ctrIndex 1, --ctr-task): outputs follow the task order, the CVR tower belongs to the CTCVR task', () => {
  const o = { taskNames: ['buy', 'click'], outDims: [1, 1], input: 4, embedding: 6, towerHidden: [5], dtype: 'float64' as const };
  const a = new ESMM(o, new Random(2));
  const b = new ESMM({ ...o, ctrIndex: 1 }, new Random(2));
  const X = Float64Array.from({ length: 3 * 4 }, (_, i) => Math.cos(i));
  const g = new Tape('float64');
  const la = a.logits(g, g.input(X, [3, 4]));
  const ob = b.forward(g, g.input(X, [3, 4])).outputs;
  assert.deepEqual(Array.from(ob[1]!.data), Array.from(la.ctr.data), 'task 1 (click) gets the CTR logit');
  assert.deepEqual(Array.from(ob[0]!.data), Array.from(la.ctcvr.data), 'task 0 (buy) gets the CTCVR logit');
  assert.deepEqual(b.taskParameters(0), b.cvrTower.parameters());
  assert.deepEqual(b.taskParameters(1), []);
  assert.deepEqual(b.structure(), { tasks: { ctr: 'click', ctcvr: 'buy' } });
});
