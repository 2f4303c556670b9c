// A second engine plugs into cv, compare, model files and `predict` by calling registerEngine, with
// no edits to them: a toy engine (per-task mean, shrunk towards the mean over tasks by a declared,
// tunable `shrink`) goes through all of them here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import '../../src/engines.ts';
import { OptionError } from '../../src/errors.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import type { EngineSpec, Estimator, EstimatorJSON, FitContext, ModelDecl, Options } from '../../src/estimator/contract.ts';
import { validateOptions, withDefaults } from '../../src/estimator/params.ts';
import { allModels, getModel, loadEstimator, registerEngine } from '../../src/estimator/registry.ts';
import { crossValidate } from '../../src/eval/cv.ts';
import { compare } from '../../src/eval/compare.ts';
import { compareAsync } from '../../src/eval/parallel.ts';
import { readModelFile, writeModelFile } from '../../src/cli/model-file.ts';
import type { Matrix } from '../../src/linalg/matrix.ts';
import { cli, tempDir } from '../cli/helpers.ts';
import { syntheticTasks } from '../eval/helpers.ts';

const PARAMS = [
  { name: 'shrink', flag: '--shrink', type: 'number', min: 0, max: 1, default: 0.5, help: 'weight of the mean over tasks', tune: { scale: 'linear', grid: { kind: 'fixed', values: [0, 0.5, 1] } } },
] as const satisfies ModelDecl['params'];

class ToyMean implements Estimator {
  readonly engine = 'toy';
  readonly model = 'toy-mean';
  readonly options: Options;
  private means: Map<string, number> | null = null;
  private names: { tasks: string[]; features: string[] } | null = null;
  constructor(options: Options = {}) {
    validateOptions(PARAMS, this.model, options);
    this.options = withDefaults(PARAMS, options);
  }
  get fitted(): boolean {
    return this.means !== null;
  }
  clone(patch: Options = {}): ToyMean {
    return new ToyMean({ ...this.options, ...patch });
  }
  fit(ds: MultiTaskDataset, _ctx?: FitContext): ToyMean {
    const s = this.options['shrink'] as number;
    const own = ds.tasks.map((t) => t.y.reduce((a, b) => a + b, 0) / t.y.length);
    const all = own.reduce((a, b) => a + b, 0) / own.length;
    const out = new ToyMean(this.options);
    out.means = new Map(ds.tasks.map((t, k) => [t.name, (1 - s) * own[k]! + s * all]));
    out.names = { tasks: ds.tasks.map((t) => t.name), features: [...ds.featureNames] };
    return out;
  }
  predict(X: Matrix, task: string): Float64Array {
    return new Float64Array(X.rows).fill(this.means!.get(task)!);
  }
  get diagnostics() {
    return { converged: true, optimality: 0, iterations: 1, seconds: 0, backend: 'ts' };
  }
  toJSON(): EstimatorJSON {
    return {
      format: 'polytask-model', formatVersion: 2, polytaskVersion: 'test', engine: this.engine, model: this.model, options: this.options,
      taskNames: this.names!.tasks, taskKinds: this.names!.tasks.map(() => 'regression'), featureNames: this.names!.features,
      state: { means: Object.fromEntries(this.means!) },
    };
  }
  static load(j: EstimatorJSON): ToyMean {
    const e = new ToyMean(j.options);
    const means = (j.state as { means?: Record<string, number> }).means;
    if (!means) throw new OptionError('state', 'toy-mean needs state.means');
    e.means = new Map(Object.entries(means));
    e.names = { tasks: [...j.taskNames], features: [...j.featureNames] };
    return e;
  }
}

const toyEngine: EngineSpec = {
  name: 'toy',
  models: [{ engine: 'toy', name: 'toy-mean', summary: 'per-task mean shrunk to the mean over tasks', params: PARAMS, baseline: 'stl', make: (o) => new ToyMean(o) }],
  load: (j) => ToyMean.load(j),
};
registerEngine(toyEngine);

const ds = syntheticTasks({ T: 4, n: 24, d: 3, noise: 1, seed: 41 });

test('a registered engine is listed with the linear models; its options are validated by its declarations', () => {
  assert.ok(allModels().some((m) => m.name === 'toy-mean') && allModels().some((m) => m.name === 'cmtl'));
  assert.throws(() => getModel('toy-mean').make({ shrink: 2 }), (e: unknown) => e instanceof OptionError && /≤ 1.*--shrink/.test(e.message));
  assert.throws(() => registerEngine({ ...toyEngine, name: 'toy2' }), /registered by engines "toy" and "toy2"/);
});

test('cv and compare run the new engine from its declarations alone (fixed grid; STL baseline; diagnostics counted)', async () => {
  const cv = crossValidate(getModel('toy-mean').make({}), ds, { folds: 3 });
  assert.deepEqual(cv.curve!.grid, [1, 0.5, 0]);
  assert.ok([0, 0.5, 1].includes(cv.chosen['shrink']!));
  assert.equal(cv.diagnostics.fits, 9);
  const r = compare(ds, { models: ['toy-mean', 'pooled'], repeats: 2, cvFolds: 3, cv: { points: 3 } });
  assert.deepEqual(r.models.map((m) => m.name), ['stl', 'toy-mean', 'pooled']);
  const toy = r.models[1]!;
  assert.equal(toy.fits.total, 2 * (9 + 1));
  assert.equal(toy.units_failed, 0);
  assert.ok(Number.isFinite(toy.metrics['rmse_task_avg']!.mean));
  // Workers load only the shipped engines: with 2 workers asked for, it runs here and says why.
  const asked = await compareAsync(ds, { models: ['toy-mean'], repeats: 2, cvFolds: 3, cv: { points: 3 }, workers: 2 });
  assert.match(asked.protocol.note ?? '', /engine "toy" of "toy-mean" is not one of the engines worker threads load/);
});

test('model files and `polytask predict` work for the new engine unchanged', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const est = getModel('toy-mean').make({ shrink: 0.25 }).fit(ds);
    const file = join(dir, 'toy.model.json');
    writeModelFile(file, est.toJSON());
    const back = loadEstimator(readModelFile(file));
    assert.equal(back.engine, 'toy');
    assert.deepEqual(back.predict(ds.tasks[1]!.X, 'task1'), est.predict(ds.tasks[1]!.X, 'task1'));
    const csv = join(dir, 'new.csv');
    writeFileSync(csv, 'task,x1,x2,x3\ntask1,0,0,0\ntask2,1,1,1\n');
    const r = await cli(['predict', '--model', file, '--data', csv, '--task-col', 'task'], dir);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n');
    assert.equal(rows[0], 'row,task,prediction');
    assert.equal(Number(rows[1]!.split(',')[2]), est.predict(ds.tasks[1]!.X, 'task1')[0]);
  } finally {
    cleanup();
  }
});
