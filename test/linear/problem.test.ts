import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, OptionError, UnsupportedError } from '../../src/errors.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { Matrix } from '../../src/linalg/matrix.ts';
import { buildProblem, taskScale } from '../../src/linear/problem.ts';

function ds(kind: 'regression' | 'binary', y: number[][], X?: number[][][]): MultiTaskDataset {
  return {
    layout: 'per-task',
    kind,
    featureNames: ['f1', 'f2'],
    tasks: y.map((ys, t) => ({ name: `t${t}`, X: Matrix.from(X?.[t] ?? ys.map((_, i) => [i, 1])), y: Float64Array.from(ys), rows: Int32Array.from(ys, (_, i) => i) })),
    source: 'data.csv',
  };
}

test('buildProblem: defaults (squared for regression, mean scaling, intercepts) and c_t', () => {
  const p = buildProblem(ds('regression', [[1, 2, 3], [4, 5]]));
  assert.equal(p.loss, 'squared');
  assert.equal(p.scale, 'mean');
  assert.equal(p.intercept, true);
  assert.equal(taskScale(p, 0), 1 / 3);
  assert.equal(taskScale(buildProblem(ds('regression', [[1, 2, 3]]), { scale: 'sum' }), 0), 1);
  assert.deepEqual(p.featureNames, ['f1', 'f2']);
  assert.equal(buildProblem(ds('binary', [[1, -1]])).loss, 'logistic');
});

test('buildProblem: loss/data mismatches are OptionErrors naming "loss"', () => {
  assert.throws(() => buildProblem(ds('regression', [[1, 2]]), { loss: 'logistic' }), (e: unknown) => e instanceof OptionError && e.option === 'loss' && /data\.csv/.test(e.message));
  assert.throws(() => buildProblem(ds('binary', [[1, -1]]), { loss: 'squared' }), (e: unknown) => e instanceof OptionError && e.option === 'loss');
});

test('buildProblem: non-finite values and bad labels are DataErrors naming the task and sample', () => {
  assert.throws(() => buildProblem(ds('regression', [[1, Number.NaN]])), (e: unknown) => e instanceof DataError && /task "t0", sample 1/.test(e.message));
  assert.throws(() => buildProblem(ds('regression', [[1, 2]], [[[0, 1], [Number.POSITIVE_INFINITY, 1]]])), (e: unknown) => e instanceof DataError && /sample 1, feature 0/.test(e.message));
  assert.throws(() => buildProblem(ds('binary', [[1, 0]])), (e: unknown) => e instanceof DataError && /−1\/\+1/.test(e.message));
  assert.throws(() => buildProblem(ds('regression', [[]])), (e: unknown) => e instanceof DataError && /no samples/.test(e.message));
});

test('task kinds live on each task: the default loss follows them; a data set mixing kinds is refused by name', () => {
  const counts = ds('regression', [[0, 2, 5], [1, 0]]);
  const asCounts: MultiTaskDataset = { ...counts, tasks: counts.tasks.map((t) => ({ ...t, kind: 'count' as const })) };
  assert.equal(buildProblem(asCounts).loss, 'poisson');
  // A regression task may also be fitted with the Poisson loss when its targets are counts.
  assert.equal(buildProblem(counts, { loss: 'poisson' }).loss, 'poisson');
  const mixed: MultiTaskDataset = { ...counts, tasks: [counts.tasks[0]!, { ...counts.tasks[1]!, y: Float64Array.from([1, -1]), kind: 'binary' }] };
  assert.throws(() => buildProblem(mixed), (e: unknown) => e instanceof UnsupportedError && /data\.csv mixes regression and binary tasks/.test(e.message));
  // Forcing one loss still names the task that does not fit it.
  assert.throws(() => buildProblem(mixed, { loss: 'squared' }), (e: unknown) => e instanceof OptionError && /task "t1" of data\.csv is binary/.test(e.message));
});
