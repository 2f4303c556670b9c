import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossValidate, cvGrids, edgeWarning, nestedCrossValidate, oneSeIndex, argminIndex, withChoice } from '../../src/eval/cv.ts';
import { logGrid, defaultLambdaTop } from '../../src/eval/grid.ts';
import { repeatedSplits, subsetDataset } from '../../src/data/split.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { TestRidge, syntheticTasks, type FitLog } from './helpers.ts';

test('one-SE rule on a constructed curve picks the most regularised point within one SE', () => {
  const grid = [10, 5, 2, 1, 0.5];
  const mean = [5, 3, 2.2, 2.0, 2.5];
  const se = [0.1, 0.1, 0.1, 0.3, 0.1];
  assert.equal(argminIndex(mean), 3);
  // bound 2.0 + 0.3 = 2.3: grid points 2 (2.2) and 3 qualify; λ = 2 is larger → index 2.
  assert.equal(oneSeIndex(grid, mean, se), 2);
  // With a tiny SE only the minimum qualifies.
  assert.equal(oneSeIndex(grid, mean, [0.1, 0.1, 0.1, 0.01, 0.1]), 3);
});

test('a CV minimum on the grid edge is extended, else reported; never past λ_max', () => {
  assert.match(edgeWarning('lambda', [10, 1, 0.1], 2, false)!, /smallest lambda/);
  assert.match(edgeWarning('lambda', [10, 1, 0.1], 0, false)!, /largest lambda/);
  assert.equal(edgeWarning('lambda', [10, 1, 0.1], 0, true), undefined);
  assert.equal(edgeWarning('lambda', [10, 1, 0.1], 1, false), undefined);
  // A flat edge (the error changes by ≤ 0.01 % next to it) is not reported; a sloped one is.
  assert.equal(edgeWarning('lambda', [10, 1, 1e-9], 2, false, [2, 1.5, 1.49999]), undefined);
  assert.match(edgeWarning('lambda', [10, 1, 1e-9], 2, false, [2, 1.5, 1.49])!, /smallest lambda/);
  assert.equal(edgeWarning('lambda', [10, 1, 0.1], 0, false, [1.0, 1.00005, 2]), undefined);
  assert.match(edgeWarning('lambda', [10, 1, 0.1], 0, false, [1.0, 1.1, 2])!, /largest lambda/);
  // The grid need not be sorted: edges are by value.
  assert.match(edgeWarning('lambda', [1, 10, 0.1], 2, false, [1.5, 2, 1.4])!, /smallest lambda/);
  // Pure-noise targets: the best ridge is the largest λ of a data-scaled grid → warned.
  const ds = syntheticTasks({ T: 2, n: 30, d: 4, noise: 1, seed: 12 });
  const noise: MultiTaskDataset = { ...ds, tasks: ds.tasks.map((t) => ({ ...t, y: t.y.map((_, i) => Math.sin(7919 * i + t.y.length)) })) };
  const r = crossValidate(new TestRidge('stl'), noise, { points: 4, decades: 3, folds: 3, extendEdges: false });
  assert.equal(r.curve!.bestIndex, 0);
  assert.match(r.curve!.warning!, /largest/);
  // With extension (the default) the grid grows above the old top, by the same ratio of 10.
  const x = crossValidate(new TestRidge('stl'), noise, { points: 4, decades: 3, folds: 3 });
  assert.ok(x.curve!.grid.length > 4);
  assert.ok(Math.abs(x.curve!.grid[0]! / r.curve!.grid[0]! - 10 ** (x.curve!.grid.length - 4)) < 1e-6);
  assert.equal(x.fits, 3 * x.curve!.grid.length);
  assert.deepEqual(x.curve!.mean.slice(-4), r.curve!.mean, 'the original points are unchanged');
});

test('log grid: descending, log-spaced over the requested decades', () => {
  const g = logGrid(2, 4, 3);
  assert.equal(g[0], 2);
  assert.ok(Math.abs(g[3]! - 2e-3) < 1e-15);
  for (let i = 1; i < g.length; i++) assert.ok(Math.abs(g[i - 1]! / g[i]! - 10) < 1e-12);
});

test('the λ grid starts at λ_max, and the path is fitted from the largest λ down with warm starts', () => {
  const ds = syntheticTasks({ T: 3, n: 20, d: 3, noise: 0.5, seed: 1 });
  const grid = cvGrids(new TestRidge('stl'), ds, { lambdaMax: 3.7, points: 5, decades: 2 })['lambda']!;
  assert.equal(grid[0], 3.7);
  assert.ok(Math.abs(grid[4]! - 0.037) < 1e-15);
  const log: FitLog = { lambdas: [], warmGiven: [] };
  const r = crossValidate(new TestRidge('stl', {}, log), ds, { lambdaMax: 3.7, points: 5, decades: 2, folds: 3, extendEdges: false });
  assert.equal(r.fits, 15);
  assert.deepEqual(r.curve?.grid, grid);
  for (let f = 0; f < 3; f++) {
    assert.deepEqual(log.lambdas.slice(5 * f, 5 * f + 5), grid, 'each fold walks the path largest λ first');
    assert.deepEqual(log.warmGiven.slice(5 * f, 5 * f + 5), [false, true, true, true, true], 'warm start from the previous λ');
  }
  // Without λ_max the top is data-scaled.
  assert.equal(cvGrids(new TestRidge('stl'), ds, {})['lambda']![0], defaultLambdaTop(ds));
});

test('CV curve: chosen index follows the rule; 1se is at least as regularised as min', () => {
  const ds = syntheticTasks({ T: 4, n: 30, d: 5, noise: 2, seed: 2 });
  const est = new TestRidge('stl');
  const a = crossValidate(est, ds, { rule: 'min', seed: 3 });
  const b = crossValidate(est, ds, { rule: '1se', seed: 3 });
  assert.equal(a.curve!.chosenIndex, a.curve!.bestIndex);
  assert.equal(b.curve!.chosenIndex, b.curve!.oneSeIndex);
  assert.deepEqual(a.curve!.mean, b.curve!.mean, 'same folds, same curve');
  assert.ok(b.chosen['lambda']! >= a.chosen['lambda']!);
  assert.equal(a.metric, 'mse');
  assert.ok(a.curve!.se.every((s) => s > 0));
});

test('per-task λ (STL): a noisy task gets more regularisation than a clean one', () => {
  const ds = syntheticTasks({ T: 2, n: 40, d: 8, noise: 0.05, seed: 4 });
  // Task 1: pure noise targets → the best ridge shrinks everything.
  const noisy = ds.tasks[1]!;
  const y = noisy.y.map((_, i) => Math.sin(1000 * i) * 5);
  const ds2: MultiTaskDataset = { ...ds, tasks: [ds.tasks[0]!, { ...noisy, y }] };
  const r = crossValidate(new TestRidge('stl'), ds2, { perTask: true, points: 8, decades: 4, seed: 5 });
  const lam = r.perTaskLambda!;
  assert.ok(lam['task1']! > lam['task0']!, `noisy ${lam['task1']} vs clean ${lam['task0']}`);
  assert.equal(lam['task1'], r.curve!.grid[0], 'pure noise: the largest λ');
  const refit = withChoice(new TestRidge('stl'), r) as TestRidge;
  assert.deepEqual(refit.options.perTaskLambda, lam);
});

test('CV never touches test rows: poisoning the test part changes nothing', () => {
  const ds = syntheticTasks({ T: 3, n: 24, d: 3, noise: 0.3, seed: 6 });
  const [split] = repeatedSplits(ds, 1, { testRatio: 0.25, seed: 7 });
  // Same data, but every test row has a huge target and huge features.
  const poisoned: MultiTaskDataset = {
    ...ds,
    tasks: ds.tasks.map((t, k) => {
      const y = t.y.slice();
      const X = t.X.clone();
      for (const i of split!.test[k]!) {
        y[i] = 1e12;
        X.row(i).fill(-1e9);
      }
      return { ...t, X, y };
    }),
  };
  const clean = crossValidate(new TestRidge('stl'), subsetDataset(ds, split!.train), { seed: 8, perTask: true });
  const dirty = crossValidate(new TestRidge('stl'), subsetDataset(poisoned, split!.train), { seed: 8, perTask: true });
  assert.deepEqual(dirty.curve, clean.curve);
  assert.deepEqual(dirty.chosen, clean.chosen);
  assert.deepEqual(dirty.perTaskLambda, clean.perTaskLambda);
});

test('2-D grid: the product of both axes, the second at the grid minimum, nothing-to-tune returns no curve', () => {
  const ds = syntheticTasks({ T: 2, n: 20, d: 2, noise: 0.3, seed: 9 });
  const r = crossValidate(new TestRidge('pooled'), ds, { params: ['lambda', 'lambda2'], points2D: [3, 2], folds: 3, extendEdges: false });
  assert.equal(r.fits, 3 * 3 * 2);
  assert.equal(r.points!.length, 3 * 2);
  const l2 = [...new Set(r.points!.map((p) => p.params['lambda2']!))];
  assert.equal(l2.length, 2);
  assert.ok(l2.includes(r.chosen['lambda2']!));
  const best = r.points!.reduce((a, b) => (b.mean < a.mean ? b : a));
  assert.equal(r.chosen['lambda2'], best.params['lambda2']);
  // With extension every axis whose minimum is on a sloped edge grows once (the ridge-only test
  // model prefers small λ); λ2, which it ignores, has a flat curve: its edge is neither extended nor
  // reported (src/eval/cv.ts, flatEdge).
  const x = crossValidate(new TestRidge('pooled'), ds, { params: ['lambda', 'lambda2'], points2D: [3, 2], folds: 3 });
  const lam = [...new Set(x.points!.map((p) => p.params['lambda']!))];
  const lam2 = [...new Set(x.points!.map((p) => p.params['lambda2']!))];
  assert.equal(lam.length, 6);
  assert.equal(lam2.length, 2);
  assert.equal(x.points!.length, 12);
  assert.equal(x.fits, 3 * 12);
  assert.equal(x.diagnostics.fits, x.fits);
  // Edge optima warn on every axis where the curve is not flat: λ at its smallest; not λ2.
  assert.ok(r.warnings.some((w) => /smallest lambda of the grid/.test(w)), r.warnings.join(' | '));
  assert.ok(!r.warnings.some((w) => /lambda2/.test(w)), r.warnings.join(' | '));
  assert.ok(!x.warnings.some((w) => /lambda2/.test(w)), x.warnings.join(' | '));
  assert.match(r.curve!.warning ?? '', /smallest lambda of the grid/);
  const none = crossValidate(new TestRidge('pooled'), ds, { params: [] });
  assert.equal(none.curve, undefined);
  assert.deepEqual(none.chosen, {});
});

test('nested CV: outer errors from refits on the outer training part, mean ± SE over outer folds', () => {
  const ds = syntheticTasks({ T: 3, n: 30, d: 4, noise: 1, seed: 10 });
  const r = nestedCrossValidate(new TestRidge('stl'), ds, { outerFolds: 3, folds: 3, points: 4, seed: 11 });
  assert.equal(r.outer.length, 3);
  const m = r.outer.reduce((s, o) => s + o.error, 0) / 3;
  assert.ok(Math.abs(r.mean - m) < 1e-12);
  assert.ok(r.se > 0 && Number.isFinite(r.se));
  // Noise variance is 1: an honest error estimate cannot be far below it.
  assert.ok(r.mean > 0.6 && r.mean < 3, `nested CV MSE ${r.mean}`);
});
