import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConvergenceError, FeatureMismatchError, ModelFileError, NotFittedError, OptionError, UnknownTaskError, UnsupportedError,
} from '../../src/errors.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { Matrix } from '../../src/linalg/matrix.ts';
import { estimatorJSONFromV1, MTLEstimator, type LinearState } from '../../src/linear/estimator.ts';
import { synthProblem } from './helpers.ts';

function dataset(loss: 'squared' | 'logistic', seed: number): MultiTaskDataset {
  const { problem } = synthProblem({ T: 3, d: 4, n: [20, 30, 25], loss, seed });
  return {
    layout: 'per-task',
    kind: loss === 'squared' ? 'regression' : 'binary',
    featureNames: ['a', 'b', 'c', 'd'],
    tasks: problem.tasks.map((t) => ({ name: t.name, X: t.X, y: t.y, rows: Int32Array.from(t.y, (_, i) => i) })),
    ...(loss === 'logistic' && { labelMap: { negative: '0', positive: '1' } }),
    source: `synthetic-${loss}`,
  };
}

test('options are validated at construction: unknown keys, unused model options, negative weights', () => {
  const opt = (fn: () => unknown, name: string) => assert.throws(fn, (e: unknown) => e instanceof OptionError && e.option === name);
  opt(() => new MTLEstimator('l21', { lambda: 0.1, lamda: 2 } as never), 'lamda');
  opt(() => new MTLEstimator('l21', { lambda2: 0.1 }), 'lambda2');
  opt(() => new MTLEstimator('l21', { lambda: -1 }), 'lambda');
  opt(() => new MTLEstimator('stl', { ridge: Number.NaN }), 'ridge');
  opt(() => new MTLEstimator('tgl', { maxIter: 2.5 }), 'maxIter');
  opt(() => new MTLEstimator('l21', { loss: 'hinge' as never }), 'loss');
  opt(() => new MTLEstimator('no-such-model'), 'model');
  assert.doesNotThrow(() => new MTLEstimator('tgl', { theta2: 1, theta3: 2, ridge: 0.1 }));
});

test('every option is checked against the declarations at construction, naming the option and its flag', () => {
  const err = (fn: () => unknown, name: string, text: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof OptionError && e.option === name && text.test(e.message));
  err(() => new MTLEstimator('l21', { solver: 'bogus' }), 'solver', /"fista", "gd".*--solver/);
  err(() => new MTLEstimator('cmtl', { rho1: 0 }), 'rho1', /> 0.*--rho1/);
  err(() => new MTLEstimator('cmtl', { clusters: 2.5 }), 'clusters', /whole number.*--clusters/);
  err(() => new MTLEstimator('cmtl', { lambda: 1 }), 'lambda', /has no option "lambda".*rho1, rho2, clusters/);
  err(() => new MTLEstimator('dirty', { lambdaP: -1 }), 'lambdaP', /--lambda-p/);
  err(() => new MTLEstimator('mtrl', { lambda1: 'x' as never }), 'lambda1', /--lambda1/);
  err(() => new MTLEstimator('relation', { beta: Number.POSITIVE_INFINITY }), 'beta', /--beta/);
  err(() => new MTLEstimator('stl', { intercept: 'no' as never }), 'intercept', /true or false/);
  err(() => new MTLEstimator('graph', { graph: [{ from: 'a' }] as never }), 'graph', /edge 1 must be/);
  err(() => new MTLEstimator('stl', { perTaskLambda: { a: -1 } }), 'perTaskLambda', /task "a": must be a finite number ≥ 0/);
  // The defaults used are part of the options (model files show them).
  const c = new MTLEstimator('cmtl', { rho1: 2 });
  assert.deepEqual([c.options.rho1, c.options.rho2, c.options.clusters, c.options.tol], [2, 1, 2, 1e-6]);
  // clusters ≤ T needs the data: checked at fit time, with the option's name.
  const ds = dataset('squared', 5);
  assert.throws(() => new MTLEstimator('cmtl', { clusters: 999 }).fit(ds), (e: unknown) => e instanceof OptionError && e.option === 'clusters' && /--clusters/.test(e.message));
});

test('fit / predict / score on regression data; learned state is read-only', () => {
  const ds = dataset('squared', 161);
  const est = new MTLEstimator('l21', { lambda: 0.01 }).fit(ds);
  assert.equal(est.isFitted, true);
  assert.ok(est.info.converged);
  const W = est.W;
  W.data[0] = 1e9; // mutating the copy does not change the model
  assert.notEqual(est.W.data[0], 1e9);
  const p = est.predict(ds.tasks[1]!.X, 'task1');
  const w1 = Array.from({ length: 4 }, (_, j) => est.W.get(j, 1));
  const x0 = ds.tasks[1]!.X.row(0);
  assert.ok(Math.abs(p[0]! - (est.intercepts[1]! + x0.reduce((s, v, j) => s + v * w1[j]!, 0))) < 1e-12);
  const r2 = est.score(ds);
  assert.ok(r2 > 0.5 && r2 <= 1, `R² ${r2}`);
  assert.equal(est.predictDataset(ds).length, 3);
  assert.deepEqual(est.taskNames, ['task0', 'task1', 'task2']);
  assert.deepEqual(est.featureNames, ['a', 'b', 'c', 'd']);
  assert.throws(() => est.predict(ds.tasks[0]!.X, 'mars'), UnknownTaskError);
  assert.throws(() => est.predict(Matrix.zeros(2, 5), 'task0'), FeatureMismatchError);
  assert.throws(() => est.predictProba(ds.tasks[0]!.X, 'task0'), UnsupportedError);
});

test('getters before fit throw NotFittedError', () => {
  const est = new MTLEstimator('lasso');
  assert.throws(() => est.W, NotFittedError);
  assert.throws(() => est.predict(Matrix.zeros(1, 4), 't'), NotFittedError);
  assert.throws(() => est.toJSON(), NotFittedError);
});

test('binary data: logistic by default, probabilities in (0, 1), accuracy score', () => {
  const ds = dataset('logistic', 162);
  const est = new MTLEstimator('lasso', { lambda: 0.01 }).fit(ds);
  const pr = est.predictProba(ds.tasks[0]!.X, 'task0');
  const z = est.predict(ds.tasks[0]!.X, 'task0');
  pr.forEach((p, i) => {
    assert.ok(p > 0 && p < 1);
    assert.equal(p > 0.5, z[i]! > 0);
  });
  const acc = est.score(ds);
  assert.ok(acc > 0.6 && acc <= 1);
  assert.throws(() => new MTLEstimator('lasso', { loss: 'squared' }).fit(ds), (e: unknown) => e instanceof OptionError && e.option === 'loss');
});

test('toJSON / fromJSON round trip predicts identically (with standardisation and learned state)', () => {
  const ds = dataset('squared', 163);
  for (const [model, opts] of [['trace', { lambda: 0.05, standardize: 'task' }], ['l21', { lambda: 0.02, standardize: 'global' }], ['graph', { lambda: 0.1, graph: [{ from: 'task0', to: 'task2' }] }]] as const) {
    const est = new MTLEstimator(model, opts).fit(ds);
    const json = JSON.parse(JSON.stringify(est.toJSON()));
    const back = MTLEstimator.fromJSON(json);
    for (const t of ds.tasks) assert.deepEqual(Array.from(back.predict(t.X, t.name)), Array.from(est.predict(t.X, t.name)));
    assert.deepEqual(back.learned, est.learned);
    assert.equal(back.info.objective, est.info.objective);
  }
});

test('fromJSON rejects malformed model files with ModelFileError', () => {
  const ds = dataset('squared', 164);
  const good = new MTLEstimator('stl').fit(ds).toJSON();
  const bad = (patch: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => MTLEstimator.fromJSON({ ...good, ...patch }, 'm.json'), (e: unknown) => e instanceof ModelFileError && /^m\.json: /.test(e.message) && re.test(e.message));
  bad({ format: 'other' }, /format/);
  bad({ formatVersion: 3 }, /formatVersion/);
  bad({ engine: 'neural' }, /engine/);
  bad({ state: { ...(good.state as object), W: [[1, 2, 3]] } }, /"W" must have 4 rows/);
  bad({ state: { ...(good.state as object), intercepts: [0, 0] } }, /intercepts/);
  bad({ state: { ...(good.state as object), loss: 'hinge' } }, /unknown loss "hinge"/);
  bad({ taskKinds: ['regression'] }, /taskKinds/);
  bad({ options: { lambda: -1 } }, /invalid options/);
  assert.throws(() => MTLEstimator.fromJSON(null, 'm.json'), ModelFileError);
});

test('formatVersion 1 payloads (lambda / lambda2) load under the papers\' names with identical predictions', () => {
  const ds = dataset('squared', 167);
  for (const [model, v1, v2] of [
    ['cmtl', { lambda: 0.5, lambda2: 0.2, clusters: 2 }, { rho1: 0.5, rho2: 0.2, clusters: 2 }],
    ['mtrl', { lambda: 0.5, lambda2: 0.2 }, { lambda2: 0.5, lambda1: 0.2 }],
    ['dirty', { lambda: 0.05, lambda2: 0.02 }, { lambdaP: 0.05, lambdaQ: 0.02 }],
    ['tgl', { lambda: 0.05, lambda2: 0.02 }, { theta2: 0.05, theta3: 0.02 }],
    ['relation', { lambda: 0.5, lambda2: 0.2 }, { alpha: 0.5, beta: 0.2 }],
    ['l21', { lambda: 0.05 }, { lambda: 0.05 }],
  ] as const) {
    const est = new MTLEstimator(model, { ...v2, tol: 1e-5, maxIter: 300 }).fit(ds);
    const j = est.toJSON();
    const st = j.state as LinearState;
    // The formatVersion 1 layout of the same fit, as polytask 0.1 wrote it.
    const old = {
      format: 'polytask-model', formatVersion: 1, polytaskVersion: '0.1.0', model, options: { ...v1, tol: 1e-5, maxIter: 300 }, kind: 'regression',
      taskNames: j.taskNames, featureNames: j.featureNames, W: st.W, intercepts: st.intercepts, info: st.info, learned: st.learned,
    };
    const back = MTLEstimator.fromJSON(old, 'old.json');
    for (const [k, v] of Object.entries(v2)) assert.equal((back.options as Record<string, unknown>)[k], v, `${model}.${k}`);
    assert.equal((back.options as Record<string, unknown>)['lambda2'] === undefined || model === 'mtrl', true);
    const again = MTLEstimator.fromJSON(estimatorJSONFromV1(old), 'converted');
    const X = ds.tasks[0]!.X;
    assert.deepEqual(back.predict(X, ds.tasks[0]!.name), est.predict(X, ds.tasks[0]!.name));
    assert.deepEqual(again.predict(X, ds.tasks[0]!.name), est.predict(X, ds.tasks[0]!.name));
  }
});

test('clone merges options and is unfitted; requireConvergence turns a capped run into ConvergenceError', () => {
  const ds = dataset('squared', 165);
  const est = new MTLEstimator('trace', { lambda: 0.1, tol: 1e-6 });
  const c = est.clone({ lambda: 2 });
  assert.equal(c.options.lambda, 2);
  assert.equal(c.options.tol, 1e-6);
  assert.equal(c.isFitted, false);
  assert.throws(() => new MTLEstimator('trace', { lambda: 0.01, tol: 1e-14, maxIter: 2, requireConvergence: true }).fit(ds), ConvergenceError);
  const capped = new MTLEstimator('trace', { lambda: 0.01, tol: 1e-14, maxIter: 2 }).fit(ds);
  assert.equal(capped.info.converged, false);
});

test('warm start along a λ path needs fewer iterations', () => {
  const ds = dataset('squared', 166);
  // FISTA: strictly fewer iterations. bcd (the default; with its MM steps it needs 15 passes cold
  // here, its minimum granularity being 5): no more, and the path reuses the first fit's Problem
  // (so its Gram form is built once per path).
  for (const solver of ['fista', 'bcd']) {
    const first = new MTLEstimator('l21', { lambda: 0.05, tol: 1e-9, solver }).fit(ds);
    const cold = new MTLEstimator('l21', { lambda: 0.045, tol: 1e-9, solver }).fit(ds);
    const warm = new MTLEstimator('l21', { lambda: 0.045, tol: 1e-9, solver }).fit(ds, { warm: first.warmStart });
    if (solver === 'fista') assert.ok(warm.info.iterations < cold.info.iterations, `${warm.info.iterations} vs ${cold.info.iterations}`);
    else assert.ok(warm.info.iterations <= cold.info.iterations, `${warm.info.iterations} vs ${cold.info.iterations}`);
    assert.ok(Math.abs(warm.info.objective - cold.info.objective) <= 1e-7 * cold.info.objective);
    assert.equal(warm.warmStart?.path?.problem, first.warmStart?.path?.problem, 'the path reuses the Problem');
    assert.notEqual(cold.warmStart?.path?.problem, first.warmStart?.path?.problem);
    assert.equal(warm.warmStart?.lambda, 0.045);
  }
  // Another dataset object: never reused.
  const first = new MTLEstimator('l21', { lambda: 0.05 }).fit(ds);
  const other = new MTLEstimator('l21', { lambda: 0.045 }).fit(dataset('squared', 167), { warm: first.warmStart });
  assert.notEqual(other.warmStart?.path?.problem, first.warmStart?.path?.problem);
});
