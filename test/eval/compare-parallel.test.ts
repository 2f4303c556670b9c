import '../../src/engines.ts'; // registryPlan needs the shipped engines registered
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, prepareComparison, type CompareOptions, type ModelPlan } from '../../src/eval/compare.ts';
import { chooseWorkers, compareAsync, estimateSeconds, fitsPerUnit, datasetFromTransfer, datasetToTransfer, errorFromData, errorToData, liveWorkers } from '../../src/eval/parallel.ts';
import { registryPlan } from '../../src/eval/plans.ts';
import type { ComparisonResult } from '../../src/eval/types.ts';
import { DataError, OptionError, PolytaskError } from '../../src/errors.ts';
import { UnknownColumnError } from '../../src/data/errors.ts';
import { TestRidge, syntheticTasks } from './helpers.ts';
import { InvalidArgumentError } from 'commander';
import { parseWorkers } from '../../src/cli/compare.ts';

// Small and fast: 5 tasks × 30 rows, 2 splits, 2-fold CV over 3 λ.
const ds = syntheticTasks({ T: 5, n: 30, d: 4, noise: 1, seed: 11, unrelated: true });
const base: CompareOptions = { plans: registryPlan, models: ['pooled', 'mean', 'l21'], repeats: 2, testRatio: 0.3, seed: 7, cvFolds: 2, cv: { points: 3, decades: 2 } };

/** A deep copy without the timing fields ("seconds" anywhere, the run's wallSeconds) and the pool size (workers): the only fields allowed to differ. */
function untimed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untimed);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'seconds' && k !== 'wallSeconds' && k !== 'workers').map(([k, x]) => [k, untimed(x)]));
  return v;
}

test('2 workers give exactly the sequential result (all fields but timings), progress per (split, model)', async () => {
  const sequential = compare(ds, base);
  const seen: string[] = [];
  const parallel = await compareAsync(ds, { ...base, workers: 2, onProgress: (p) => seen.push(`${p.split}/${p.splits} ${p.model} ${p.done}/${p.total}`) });
  const one = await compareAsync(ds, { ...base, workers: 1 });
  assert.deepEqual(untimed(parallel), untimed(sequential));
  assert.deepEqual(untimed(one), untimed(sequential));
  // Bit-identical numbers, not just close: the first split's fitted W of l21 and a p-value.
  const l21 = (r: ComparisonResult) => r.models.find((m) => m.name === 'l21')!;
  assert.ok(l21(parallel).fit!.W.flat().every((w, i) => Object.is(w, l21(sequential).fit!.W.flat()[i])));
  assert.ok(parallel.models[1]!.tasks.some((t) => t.p_value !== null));
  // 2 splits × 4 models (STL added), every unit reported once, done counting up to the total.
  assert.equal(seen.length, 8);
  assert.deepEqual(seen.map((s) => s.split(' ')[2]), ['1/8', '2/8', '3/8', '4/8', '5/8', '6/8', '7/8', '8/8']);
  assert.deepEqual(new Set(seen.map((s) => s.split(' ').slice(0, 2).join(' '))).size, 8);
  assert.equal(liveWorkers(), 0);
});

test('a failing unit is recorded with its message in the worker too, the comparison goes on; the pool is gone afterwards', async () => {
  // An option the l21 estimator refuses (construction inside the unit, inside the worker).
  const bad: CompareOptions = { ...base, perModelOptions: { l21: { tol: -1 } } };
  const sequential = compare(ds, bad);
  const parallel = await compareAsync(ds, { ...bad, workers: 2 });
  for (const r of [sequential, parallel]) {
    const l21 = r.models.find((m) => m.name === 'l21')!;
    assert.equal(l21.units_failed, 2);
    assert.equal(l21.failures.length, 2);
    assert.ok(l21.failures.every((f) => f.stage === 'unit' && /tol: must be > 0/.test(f.message)), JSON.stringify(l21.failures));
    assert.ok(Number.isNaN(l21.metrics['rmse_task_avg']!.mean));
    const pooled = r.models.find((m) => m.name === 'pooled')!;
    assert.equal(pooled.units_failed, 0);
    assert.ok(Number.isFinite(pooled.metrics['rmse_task_avg']!.mean));
  }
  assert.deepEqual(untimed(parallel), untimed(sequential));
  // Every worker has exited (terminated in finally); nothing is left to keep the process alive.
  assert.equal(liveWorkers(), 0);
});

test('custom plans cannot cross threads: sequential, same result, and the protocol note says why', async () => {
  const plans = (name: string): ModelPlan => {
    if (name === 'stl') return { name, make: (o) => new TestRidge('stl', o), params: ['lambda'], perTask: true };
    if (name === 'pooled') return { name, make: (o) => new TestRidge('pooled', o), params: ['lambda'] };
    throw new OptionError('model', `unknown model "${name}"`);
  };
  const opts: CompareOptions = { ...base, plans, models: ['pooled'] };
  const sequential = compare(ds, opts);
  const asked = await compareAsync(ds, { ...opts, workers: 2 });
  assert.match(asked.protocol.note ?? '', /ran sequentially although 2 workers were asked for: the plan of "stl" is not a registry plan/);
  assert.deepEqual(untimed({ ...asked, protocol: { ...asked.protocol, note: undefined } }), untimed({ ...sequential, protocol: { ...sequential.protocol, note: undefined } }));
  const auto = await compareAsync(ds, { ...opts, workers: 'auto' });
  assert.equal(auto.protocol.note, undefined);
  await assert.rejects(compareAsync(ds, { ...opts, workers: 0 }), OptionError);
  await assert.rejects(compareAsync(ds, { ...opts, workers: 1.5 }), OptionError);
});

test('auto: no workers for one split or little work, 2 for much work; explicit counts capped by units', () => {
  assert.equal(chooseWorkers('auto', 1, 8, 1e12), 1);
  assert.equal(chooseWorkers('auto', 5, 35, 1), 1);
  const many = chooseWorkers('auto', 5, 35, 1e12);
  assert.ok(many === 2 || many === 1); // 1 only on a 1-core machine
  assert.equal(chooseWorkers(4, 2, 3, 1), 3);
  assert.equal(chooseWorkers(1, 5, 35, 1e12), 1);
  assert.throws(() => chooseWorkers(0, 5, 35, 1), OptionError);
});

test('dataset and errors round-trip through their transfer forms', () => {
  const back = datasetFromTransfer(structuredClone(datasetToTransfer(ds)));
  assert.deepEqual(back.tasks.map((t) => [t.name, t.X.rows, t.X.cols, Array.from(t.X.data), Array.from(t.y), Array.from(t.rows)]), ds.tasks.map((t) => [t.name, t.X.rows, t.X.cols, Array.from(t.X.data), Array.from(t.y), Array.from(t.rows)]));
  assert.equal(back.kind, ds.kind);
  const col = new UnknownColumnError('a.csv', '--target', 'q', ['x', 'y']);
  const e = errorFromData(structuredClone(errorToData(col)));
  assert.ok(e instanceof UnknownColumnError && e instanceof PolytaskError);
  assert.equal(e.message, col.message);
  assert.equal((e as UnknownColumnError).code, col.code);
  assert.deepEqual((e as UnknownColumnError).position, col.position);
  assert.equal((e as UnknownColumnError).option, '--target');
  const d = errorFromData(structuredClone(errorToData(new DataError('bad rows'))));
  assert.ok(d instanceof DataError && d.code === 'DATA' && d.message === 'bad rows');
  const t = errorFromData(structuredClone(errorToData(new TypeError('x is not a function'))));
  assert.ok(t instanceof TypeError && t.message === 'x is not a function');
});

test('--workers parses a positive integer or auto, and nothing else', () => {
  assert.equal(parseWorkers('auto'), 'auto');
  assert.equal(parseWorkers('2'), 2);
  for (const bad of ['0', '-1', '1.5', 'two', '']) assert.throws(() => parseWorkers(bad), InvalidArgumentError, bad);
});

test('auto\'s cost model: fits per unit from the declared product grids, seconds per fit from each model\'s own estimate', () => {
  const opts: CompareOptions = { models: ['l21', 'cmtl'], repeats: 2, cvFolds: 3 };
  assert.equal(fitsPerUnit(registryPlan('l21'), opts), 3 * 10 + 1);
  assert.equal(fitsPerUnit(registryPlan('cmtl'), opts), 3 * 6 * 5 + 1);
  assert.equal(fitsPerUnit(registryPlan('cmtl'), { ...opts, cv: { points2D: [4, 3] } }), 3 * 12 + 1);
  const prep = prepareComparison(ds, opts);
  const expected = prep.splits.reduce((acc, sp) => {
    const train = { ...ds, tasks: ds.tasks.map((t, k) => ({ ...t, y: t.y.subarray(0, sp.train[k]!.length) })) };
    return acc + prep.plans.reduce((a, p) => a + fitsPerUnit(p, opts) * p.estimateSeconds!(train, {}), 0);
  }, 0);
  // The linear models' estimates depend only on the training sizes, so the sum can be recomputed.
  assert.ok(Math.abs(estimateSeconds(ds, prep, opts) - expected) < 1e-9 * expected);
  assert.ok(prep.plans.every((p) => typeof p.estimateSeconds === 'function'));
});
