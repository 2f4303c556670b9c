import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Matrix } from '../../src/linalg/matrix.ts';
import { Random } from '../../src/linalg/random.ts';
import type { MultiTaskDataset, TaskData } from '../../src/data/dataset.ts';
import { checkSplit, givenSplitsFromText, kFold, repeatedSplits, subsetDataset, trainTestSplit } from '../../src/data/split.ts';
import { EmptyTrainingClassError, SplitFileError, TooFewRowsError } from '../../src/data/errors.ts';

/** A dataset with tasks of the given sizes; binary tasks get `pos` positives each (first rows). */
function makeDs(sizes: number[], opts: { binary?: boolean; pos?: number[] } = {}): MultiTaskDataset {
  const rng = new Random(1);
  let off = 0;
  const tasks: TaskData[] = sizes.map((n, t) => {
    const X = new Matrix(n, 2, rng.normals(2 * n));
    const y = opts.binary ? Float64Array.from({ length: n }, (_, i) => (i < (opts.pos?.[t] ?? Math.ceil(n / 3)) ? 1 : -1)) : rng.normals(n);
    const rows = Int32Array.from({ length: n }, (_, i) => off + i);
    off += n;
    return { name: `t${t}`, X, y, rows };
  });
  return { layout: 'per-task', kind: opts.binary ? 'binary' : 'regression', featureNames: ['a', 'b'], tasks, ...(opts.binary ? { labelMap: { negative: '0', positive: '1' } } : {}) };
}

const positives = (ds: MultiTaskDataset, t: number, idx: Int32Array): number => Array.from(idx).filter((i) => ds.tasks[t]!.y[i]! > 0).length;

test('trainTestSplit: disjoint, covering, test share = round(ratio·n), reproducible from the seed', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 2, max: 60 }), { minLength: 1, maxLength: 5 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.nat(), (sizes, ratio, seed) => {
      const ds = makeDs(sizes);
      const s = trainTestSplit(ds, { testRatio: ratio, seed });
      assert.equal(checkSplit(ds, s), null);
      sizes.forEach((n, t) => assert.equal(s.test[t]!.length, Math.min(n - 1, Math.max(1, Math.round(ratio * n)))));
      assert.deepEqual(trainTestSplit(ds, { testRatio: ratio, seed }), s);
    }),
    { numRuns: 100, seed: 3 },
  );
  const ds = makeDs([40]);
  assert.notDeepEqual(trainTestSplit(ds, { seed: 1 }).test, trainTestSplit(ds, { seed: 2 }).test);
});

test('stratified split keeps each class in proportion (within one row) and in training', () => {
  fc.assert(
    fc.property(fc.integer({ min: 4, max: 80 }), fc.nat(), fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.nat(), (n, p, ratio, seed) => {
      const pos = 1 + (p % (n - 1)); // 1..n−1 positives
      const ds = makeDs([n], { binary: true, pos: [pos] });
      const s = trainTestSplit(ds, { testRatio: ratio, seed });
      assert.equal(checkSplit(ds, s), null);
      const posTest = positives(ds, 0, s.test[0]!);
      const nTest = s.test[0]!.length;
      assert.ok(Math.abs(posTest - (nTest * pos) / n) <= 1 + 1e-9, `positives in test ${posTest} vs ${(nTest * pos) / n}`);
      assert.ok(positives(ds, 0, s.train[0]!) >= 1);
      assert.ok(s.train[0]!.length - positives(ds, 0, s.train[0]!) >= 1);
    }),
    { numRuns: 200, seed: 5 },
  );
});

test('split errors name the task, its rows and what was needed', () => {
  assert.throws(() => trainTestSplit(makeDs([10, 1])), (e: unknown) => e instanceof TooFewRowsError && e.task === 't1' && e.rows === 1 && e.needed === 2 && /t1.*1 rows.*at least 2/.test(e.message));
  assert.throws(() => kFold(makeDs([10, 4]), 5), (e: unknown) => e instanceof TooFewRowsError && e.task === 't1' && e.rows === 4 && e.needed === 5);
  // A task without positives cannot be stratified.
  assert.throws(() => trainTestSplit(makeDs([10], { binary: true, pos: [0] })), EmptyTrainingClassError);
  // One positive: k-fold would leave it out of training in its fold.
  assert.throws(() => kFold(makeDs([10], { binary: true, pos: [1] }), 3), (e: unknown) => e instanceof EmptyTrainingClassError && /t0/.test(e.message));
});

test('kFold: folds partition each task, sizes differ by ≤ 1, stratified classes spread, reproducible', () => {
  const ds = makeDs([23, 10, 31], { binary: true, pos: [7, 2, 12] });
  const folds = kFold(ds, 5, { seed: 9 });
  assert.equal(folds.length, 5);
  for (let t = 0; t < 3; t++) {
    const n = ds.tasks[t]!.y.length;
    const all = folds.flatMap((f) => Array.from(f.test[t]!)).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: n }, (_, i) => i));
    const sizes = folds.map((f) => f.test[t]!.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
    const pos = folds.map((f) => positives(ds, t, f.test[t]!));
    assert.ok(Math.max(...pos) - Math.min(...pos) <= 1, `positives per fold ${pos}`);
    for (const f of folds) assert.ok(positives(ds, t, f.train[t]!) >= 1);
  }
  for (const f of folds) assert.equal(checkSplit(ds, f), null);
  assert.deepEqual(kFold(ds, 5, { seed: 9 }), folds);
});

test('repeatedSplits: reproducible from the seed, different between repeats', () => {
  const ds = makeDs([30, 20]);
  const a = repeatedSplits(ds, 4, { seed: 11, testRatio: 0.3 });
  assert.deepEqual(repeatedSplits(ds, 4, { seed: 11, testRatio: 0.3 }), a);
  assert.notDeepEqual(a[0]!.test, a[1]!.test);
  for (const s of a) assert.equal(checkSplit(ds, s), null);
});

test('given splits match by rows; bad values and uncovered rows are errors with position', () => {
  const ds = makeDs([3, 2]); // rows 0..4
  const [s1, s2] = givenSplitsFromText(ds, 'row,s1,s2\n4,1,0\n0,1,1\n1,0,1\n2,1,0\n3,0,1\n', 'sp.csv');
  assert.equal(s1!.name, 's1');
  assert.deepEqual(Array.from(s1!.train[0]!), [0, 2]);
  assert.deepEqual(Array.from(s1!.test[0]!), [1]);
  assert.deepEqual(Array.from(s1!.train[1]!), [1]);
  assert.deepEqual(Array.from(s2!.train[1]!), [0]);
  assert.throws(() => givenSplitsFromText(ds, 'row,s1\n0,1\n1,2\n', 'sp.csv'), (e: unknown) => e instanceof SplitFileError && e.position.line === 3 && e.position.column === 2);
  assert.throws(() => givenSplitsFromText(ds, 'row,s1\n0,1\n1,0\n', 'sp.csv'), (e: unknown) => e instanceof SplitFileError && /rows 2, 3, 4 are not in the split file/.test(e.message));
});

test('a split file must match the data exactly: extra, duplicated rows, duplicated columns, empty test sides are named', () => {
  const ds = makeDs([3, 2]); // rows 0..4
  const ok = 'row,s1\n0,1\n1,0\n2,1\n3,0\n4,1\n';
  assert.equal(givenSplitsFromText(ds, ok, 'sp.csv').length, 1);
  // A longer file (made for other data): the first row beyond the data is named with its line.
  assert.throws(() => givenSplitsFromText(ds, ok + '5,1\n6,0\n', 'sp.csv'), (e: unknown) => e instanceof SplitFileError && e.position.line === 7 && /row 5 does not exist in the data \(its rows are 0–4\)/.test(e.message));
  assert.throws(() => givenSplitsFromText(ds, ok + '2,0\n', 'sp.csv'), (e: unknown) => e instanceof SplitFileError && e.position.line === 7 && /row 2 appears twice \(lines 4 and 7\)/.test(e.message));
  assert.throws(() => givenSplitsFromText(ds, 'row,s1,s1\n0,1,1\n1,0,0\n2,1,1\n3,0,0\n4,1,1\n', 'sp.csv'), (e: unknown) => e instanceof SplitFileError && e.position.column === 3 && /"s1" appears twice/.test(e.message));
  // Task 1 (rows 3, 4) all training in s1: nothing to test it on.
  assert.throws(() => givenSplitsFromText(ds, 'row,s1\n0,1\n1,0\n2,1\n3,1\n4,1\n', 'sp.csv'), (e: unknown) => e instanceof SplitFileError && e.position.column === 2 && /task "t1" has no test \(0\) rows/.test(e.message));
});

test('subsetDataset keeps X, y, weights and rows of the chosen samples', () => {
  const ds = makeDs([5, 4]);
  const withW: MultiTaskDataset = { ...ds, tasks: ds.tasks.map((t) => ({ ...t, weights: Float64Array.from(t.y, (_, i) => i + 1) })) };
  const sub = subsetDataset(withW, [Int32Array.of(4, 1), Int32Array.of(0)]);
  assert.deepEqual(Array.from(sub.tasks[0]!.rows), [4, 1]);
  assert.deepEqual(Array.from(sub.tasks[0]!.X.row(0)), Array.from(ds.tasks[0]!.X.row(4)));
  assert.deepEqual(Array.from(sub.tasks[0]!.weights!), [5, 2]);
  assert.equal(sub.tasks[1]!.y[0], ds.tasks[1]!.y[0]);
  assert.throws(() => subsetDataset(ds, [Int32Array.of(5), Int32Array.of(0)]), /out of range/);
});
