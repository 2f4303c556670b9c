import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, type ModelPlan } from '../../src/eval/compare.ts';
import { repeatedSplits } from '../../src/data/split.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { OptionError } from '../../src/errors.ts';
import { TestRidge, syntheticTasks } from './helpers.ts';

/** STL (per-task λ) and pooled ridge, both tuned by CV over λ. */
function plans(name: string): ModelPlan {
  if (name === 'stl') return { name, make: (o) => new TestRidge('stl', o), params: ['lambda'], perTask: true };
  if (name === 'pooled') return { name, make: (o) => new TestRidge('pooled', o), params: ['lambda'] };
  throw new OptionError('model', `unknown model "${name}" (available: stl, pooled)`);
}
const cv = { points: 5, decades: 3 };

test('one unrelated task: pooled is flagged negative transfer there, and only there; STL never', () => {
  // Tasks 0..8 share w, task 9 has −w. Pooling fits ≈ 0.8 w: fine for the nine, ruinous for task 9.
  const ds = syntheticTasks({ T: 10, n: 40, d: 5, noise: 1, seed: 21, unrelated: true });
  const r = compare(ds, { plans, models: ['pooled'], repeats: 10, testRatio: 0.25, seed: 5, cvFolds: 3, cv });
  assert.deepEqual(r.models.map((m) => m.name), ['stl', 'pooled']);
  const [stl, pooled] = r.models;
  assert.ok(stl!.tasks.every((t) => !t.negative_transfer && !t.positive_transfer && t.p_value === null));
  const bad = pooled!.tasks.filter((t) => t.negative_transfer).map((t) => t.task);
  assert.deepEqual(bad, ['task9']);
  const t9 = pooled!.tasks[9]!;
  assert.ok(t9.gain_over_stl < -50, `gain ${t9.gain_over_stl}`);
  assert.ok(t9.p_adjusted! < 0.05 && t9.p_adjusted! >= t9.p_value!);
  assert.ok(pooled!.delta_m! < 0);
  // Model-level test on rmse_task_avg: pooled is worse overall (task 9 dominates), significantly.
  assert.equal(pooled!.vs_stl!.metric, 'rmse_task_avg');
  assert.ok(pooled!.vs_stl!.mean_difference > 0);
  assert.ok(pooled!.vs_stl!.p_value! < 0.05);
  assert.equal(stl!.vs_stl!.p_value, null);
  // mean ± std over the 10 splits, keys as in the issue
  const m = pooled!.metrics['rmse_task_avg']!;
  assert.equal(m.values.length, 10);
  assert.ok(m.std > 0 && m.mean > stl!.metrics['rmse_task_avg']!.mean);
  assert.equal(r.protocol.splits, 10);
  assert.equal(r.protocol.splitSource, 'random');
  assert.equal(stl!.chosenPerTask!.length, 10);
  assert.equal(Object.keys(stl!.chosenPerTask![0]!).length, 10);
  assert.ok(pooled!.cv!.grid.length >= 5, 'the CV curve of the first split (grid possibly extended at an edge)');
  // --json shape: plain, serialisable, snake_case keys.
  const j = JSON.parse(JSON.stringify(r)) as { models: { name: string; metrics: Record<string, { mean: number }>; tasks: { task: string; rmse: number; gain_over_stl: number; negative_transfer: boolean }[] }[] };
  assert.equal(typeof j.models[1]!.metrics['rmse_task_avg']!.mean, 'number');
  assert.equal(typeof j.models[1]!.tasks[0]!.rmse, 'number');
});

test('one split: p-values are null and the result says significance cannot be assessed', () => {
  const ds = syntheticTasks({ T: 4, n: 20, d: 3, noise: 1, seed: 22, unrelated: true });
  const r = compare(ds, { plans, models: ['pooled'], repeats: 1, cvFolds: 3, cv });
  assert.match(r.protocol.note ?? '', /significance cannot be assessed/);
  for (const m of r.models) for (const t of m.tasks) {
    assert.equal(t.p_value, null);
    assert.equal(t.negative_transfer, false);
  }
});

test('compare never lets test rows into model selection: poisoned test rows leave every choice unchanged', () => {
  const ds = syntheticTasks({ T: 4, n: 24, d: 3, noise: 0.5, seed: 23 });
  for (const split of repeatedSplits(ds, 2, { testRatio: 0.25, seed: 9 })) {
    // Poison exactly this split's test rows (other splits' test rows are this one's training rows).
    const poisoned: MultiTaskDataset = {
      ...ds,
      tasks: ds.tasks.map((t, k) => {
        const y = t.y.slice();
        for (const i of split.test[k]!) y[i] = 1e9 * (i + 1);
        return { ...t, y };
      }),
    };
    const a = compare(ds, { plans, models: ['pooled'], splits: [split], cvFolds: 3, cv });
    const b = compare(poisoned, { plans, models: ['pooled'], splits: [split], cvFolds: 3, cv });
    assert.equal(a.protocol.splitSource, 'given');
    for (let m = 0; m < 2; m++) {
      assert.deepEqual(b.models[m]!.chosen, a.models[m]!.chosen);
      assert.deepEqual(b.models[m]!.chosenPerTask, a.models[m]!.chosenPerTask);
      assert.deepEqual(b.models[m]!.cv, a.models[m]!.cv);
    }
    // ...while the test metrics do see the poison (the rows really are in the test part).
    assert.ok(b.models[0]!.metrics['rmse']!.mean > 1e6 * a.models[0]!.metrics['rmse']!.mean);
  }
});

test('binary data: AUC-based comparison with the binary metric keys', () => {
  const reg = syntheticTasks({ T: 3, n: 40, d: 3, noise: 0.5, seed: 24 });
  const ds: MultiTaskDataset = { ...reg, kind: 'binary', tasks: reg.tasks.map((t) => ({ ...t, y: t.y.map((v) => (v > 0 ? 1 : -1)) })) };
  const r = compare(ds, { plans, models: ['pooled'], repeats: 3, cvFolds: 3, cv, seed: 2 });
  assert.equal(r.primaryMetric, 'auc');
  assert.equal(r.higherIsBetter, true);
  for (const k of ['auc_task_avg', 'auc', 'accuracy', 'logloss']) assert.ok(k in r.models[0]!.metrics, k);
  assert.ok(r.models[0]!.metrics['auc_task_avg']!.mean > 0.8);
  assert.equal(r.models[0]!.cv!.metric, 'logloss');
  assert.equal(typeof r.models[1]!.tasks[0]!['auc'], 'number');
});

test('bad options and unknown models give clear errors', () => {
  const ds = syntheticTasks({ T: 2, n: 12, d: 2, noise: 1, seed: 25 });
  assert.throws(() => compare(ds, { plans, models: ['l21'] }), (e: unknown) => e instanceof OptionError && /available: stl, pooled/.test(e.message));
  assert.throws(() => compare(ds, { plans, alpha: 2 }), (e: unknown) => e instanceof OptionError && e.option === 'alpha');
  assert.throws(() => compare(ds, { plans, cvFolds: 1 }), (e: unknown) => e instanceof OptionError && e.option === 'cvFolds');
  assert.throws(() => compare(ds, { plans, test: 'z' as 'wilcoxon' }), (e: unknown) => e instanceof OptionError && e.option === 'test');
  // Default list: only the models that exist are run, STL first.
  const r = compare(ds, { plans, repeats: 2, cvFolds: 2, cv });
  assert.deepEqual(r.models.map((m) => m.name), ['stl', 'pooled']);
});

/** TestRidge that fails: on every fit ('broken': the unit fails), or on CV fits below a λ ('flaky':
 * those grid points fail, the unit goes on), or reports unconverged fits ('slow'). */
class FailingRidge extends TestRidge {
  constructor(
    readonly how: 'broken' | 'flaky' | 'slow',
    options: Record<string, unknown> = {},
  ) {
    super('stl', options);
  }
  override clone(patch: Record<string, unknown> = {}): FailingRidge {
    return new FailingRidge(this.how, { ...this.options, ...patch });
  }
  override fit(ds: MultiTaskDataset): FailingRidge {
    const lam = (this.options.lambda as number | undefined) ?? 1;
    if (this.how === 'broken') throw new Error('svd: one-sided Jacobi did not converge in 60 sweeps (42×19)');
    if (this.how === 'flaky' && lam < 0.01) throw new Error(`solver blew up at λ = ${lam}`);
    const fitted = super.fit(ds);
    return Object.assign(new FailingRidge(this.how, this.options), { coef: (fitted as unknown as { coef: unknown }).coef });
  }
  override get diagnostics() {
    const d = super.diagnostics;
    return d && this.how === 'slow' ? { ...d, converged: false, optimality: 3e-3, iterations: 20000, message: 'NOT converged: stopped at the iteration cap' } : d;
  }
}

test('nothing hidden: failing units and fits are recorded with their messages, unconverged fits counted, the comparison goes on', () => {
  const ds = syntheticTasks({ T: 4, n: 30, d: 3, noise: 1, seed: 23 });
  const failing = (name: string): ModelPlan => {
    if (name === 'broken' || name === 'flaky' || name === 'slow') return { name, make: (o) => new FailingRidge(name, o), params: ['lambda'] };
    return plans(name);
  };
  const r = compare(ds, { plans: failing, models: ['pooled', 'broken', 'flaky', 'slow'], repeats: 3, testRatio: 0.3, seed: 2, cvFolds: 3, cv: { points: 4, decades: 4 } });
  assert.deepEqual(r.models.map((m) => m.name), ['stl', 'pooled', 'broken', 'flaky', 'slow']);
  const by = (n: string) => r.models.find((m) => m.name === n)!;
  // The broken model: every unit failed, with its message; no metrics, but the others are intact.
  const broken = by('broken');
  assert.equal(broken.units_failed, 3);
  assert.equal(broken.failures.filter((f) => f.stage === 'cv').length, 3 * 3 * 4, 'every CV fit recorded');
  assert.ok(broken.failures.some((f) => f.stage === 'unit' && /every grid point gave a non-finite CV error/.test(f.message)));
  assert.ok(broken.failures.filter((f) => f.stage === 'cv').every((f) => /svd: one-sided Jacobi/.test(f.message) && f.fold !== null && f.params!['lambda']! > 0));
  assert.equal(broken.fits.failed, 36);
  assert.ok(Number.isNaN(broken.metrics['rmse_task_avg']!.mean));
  assert.ok(Number.isFinite(by('pooled').metrics['rmse_task_avg']!.mean));
  assert.equal(by('pooled').units_failed, 0);
  // The flaky model: the small-λ grid points failed on every fold (recorded per split and fold), the
  // unit chose among the others and was scored.
  const flaky = by('flaky');
  assert.equal(flaky.units_failed, 0);
  assert.ok(flaky.failures.length > 0 && flaky.failures.every((f) => f.stage === 'cv' && /blew up/.test(f.message)));
  assert.ok(flaky.chosen.every((c) => c['lambda']! >= 0.01));
  assert.equal(flaky.fits_per_split.length, 3);
  for (const s of flaky.fits_per_split) {
    assert.equal(s.per_fold.length, 3);
    assert.equal(s.per_fold.reduce((a, f) => a + f.failed, 0), s.failed);
    assert.ok(s.refit && s.refit.converged);
  }
  assert.ok(Number.isFinite(flaky.metrics['rmse_task_avg']!.mean));
  // The slow model: every fit unconverged, counted per split and fold and listed (refits: fold null).
  const slow = by('slow');
  assert.equal(slow.fits.unconverged, slow.fits.total);
  assert.equal(slow.fits.worst_optimality, 3e-3);
  assert.ok(slow.unconverged.some((u) => u.fold === null && u.split === 1));
  assert.ok(slow.unconverged.every((u) => /iteration cap/.test(u.message ?? '')));
  assert.equal(by('stl').fits.unconverged, 0);
  // All of it is plain JSON (what `compare --json` prints).
  const back = JSON.parse(JSON.stringify(r)) as typeof r;
  assert.equal(back.models[2]!.units_failed, 3);
});
