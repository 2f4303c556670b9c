import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/linalg/matrix.ts';
import { Random } from '../../src/linalg/random.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { applyStandardizer, encodeCategory, fitCategories, fitStandardizer, oneHot, standardizeDataset, standardizerFromJSON, standardizerToJSON } from '../../src/data/preprocess.ts';
import { subsetDataset, trainTestSplit } from '../../src/data/split.ts';
import { UnseenCategoryError } from '../../src/data/errors.ts';

/** Two tasks with different feature means; column 2 is constant 1 (like School's x28). */
function ds(seed = 4): MultiTaskDataset {
  const rng = new Random(seed);
  const task = (name: string, n: number, shift: number, off: number) => {
    const X = Matrix.zeros(n, 3);
    for (let i = 0; i < n; i++) {
      X.set(i, 0, shift + rng.normal());
      X.set(i, 1, 10 * rng.normal());
      X.set(i, 2, 1);
    }
    return { name, X, y: rng.normals(n), rows: Int32Array.from({ length: n }, (_, i) => off + i) };
  };
  return { layout: 'per-task', kind: 'regression', featureNames: ['a', 'b', 'one'], tasks: [task('A', 40, 5, 0), task('B', 30, -3, 40)] };
}

const colMoments = (m: Matrix, j: number): [number, number] => {
  const c = m.col(j);
  const mean = c.reduce((s, v) => s + v, 0) / c.length;
  return [mean, Math.sqrt(c.reduce((s, v) => s + (v - mean) ** 2, 0) / c.length)];
};

test('global standardisation: zero mean, unit scale over all rows; constant column centred only', () => {
  const d = ds();
  const s = fitStandardizer(d, 'global');
  const out = standardizeDataset(d, s);
  const all = Matrix.from([...out.tasks[0]!.X.toArray(), ...out.tasks[1]!.X.toArray()]);
  for (const j of [0, 1]) {
    const [m, sd] = colMoments(all, j);
    assert.ok(Math.abs(m) < 1e-12 && Math.abs(sd - 1) < 1e-12, `feature ${j}: mean ${m}, sd ${sd}`);
  }
  assert.equal(s.scale[0]![2], 1);
  assert.equal(s.mean[0]![2], 1);
  assert.ok(all.col(2).every((v) => v === 0));
  // Per task the means differ (shift ±) — global mode does not remove them.
  assert.ok(colMoments(out.tasks[0]!.X, 0)[0] > 0.5);
});

test('task standardisation: each task has zero mean and unit scale on its own', () => {
  const d = ds();
  const s = fitStandardizer(d, 'task');
  assert.equal(s.mean.length, 2);
  const out = standardizeDataset(d, s);
  for (const t of out.tasks) {
    for (const j of [0, 1]) {
      const [m, sd] = colMoments(t.X, j);
      assert.ok(Math.abs(m) < 1e-12 && Math.abs(sd - 1) < 1e-12);
    }
  }
});

test('fitted on training rows only: changing test rows never changes the standardiser', () => {
  const d = ds();
  const split = trainTestSplit(d, { seed: 2, testRatio: 0.3 });
  for (const mode of ['global', 'task'] as const) {
    const viaIdx = fitStandardizer(d, mode, split.train);
    const viaSubset = fitStandardizer(subsetDataset(d, split.train), mode);
    assert.deepEqual(viaIdx, viaSubset);
    // Corrupt every test row wildly: the fit on train indices must not move.
    const poisoned: MultiTaskDataset = {
      ...d,
      tasks: d.tasks.map((t, ti) => {
        const X = t.X.clone();
        for (const i of split.test[ti]!) for (let j = 0; j < X.cols; j++) X.set(i, j, 1e9 * (j + 1));
        return { ...t, X };
      }),
    };
    assert.deepEqual(fitStandardizer(poisoned, mode, split.train), viaIdx);
    assert.notDeepEqual(fitStandardizer(poisoned, mode), fitStandardizer(d, mode));
  }
});

test('apply matches (x − μ)/σ, JSON round trip is exact and validated', () => {
  const d = ds();
  const s = fitStandardizer(d, 'task');
  const x = Matrix.from([[1, 2, 1]]);
  const z = applyStandardizer(s, x, 1);
  for (let j = 0; j < 3; j++) assert.equal(z.get(0, j), (x.get(0, j) - s.mean[1]![j]!) / s.scale[1]![j]!);
  const j = JSON.parse(JSON.stringify(standardizerToJSON(s)));
  assert.deepEqual(standardizerFromJSON(j), s);
  assert.throws(() => standardizerFromJSON({ ...j, mode: 'row' }), /mode/);
  assert.throws(() => standardizerFromJSON({ ...j, scale: [[1, 0, 1], [1, 1, 1]] }), /scale\[0\]\[1\]/);
  assert.throws(() => applyStandardizer(s, Matrix.from([[1, 2]]), 0), /3/);
});

test('one-hot: sorted categories, unseen category names column and value', () => {
  const cats = fitCategories(['red', 'blue', 'red', 'green']);
  assert.deepEqual(cats, ['blue', 'green', 'red']);
  assert.deepEqual(oneHot(cats, 'color', ['red', 'blue']).toArray(), [[0, 0, 1], [1, 0, 0]]);
  assert.throws(() => encodeCategory(cats, 'color', 'pink'), (e: unknown) => e instanceof UnseenCategoryError && e.column === 'color' && e.value === 'pink' && /"pink"/.test(e.message));
});
