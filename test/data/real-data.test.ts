// The loaders on the real data sets of ../shared/data (skipped with a message when absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCsv, loadCsvSync } from '../../src/data/csv.ts';
import { loadMatCells, matToMatrix, readMat, type MatNumeric, type MatSparse } from '../../src/data/mat.ts';
import { givenSplits, checkSplit } from '../../src/data/split.ts';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const skip = !existsSync(DATA) && 'needs ../shared/data';
const meta = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(DATA, p), 'utf8')) as Record<string, unknown>;

test('school: CSV and MAT give 139 tasks, 28 features, 15362 rows, the meta sizes and identical values', { skip }, async () => {
  const csv = await loadCsv(join(DATA, 'school', 'school.csv'), { taskCol: 'task', target: 'y' });
  const mat = loadMatCells(join(DATA, 'school', 'school.mat'), { x: 'X', y: 'Y', taskNames: csv.dataset.tasks.map((t) => t.name) });
  const sizes = meta('school/school.meta.json').samples_per_task as number[];
  for (const { dataset } of [csv, mat]) {
    assert.equal(dataset.tasks.length, 139);
    assert.equal(dataset.featureNames.length, 28);
    assert.equal(dataset.kind, 'regression');
    assert.deepEqual(dataset.tasks.map((t) => t.y.length), sizes);
    assert.equal(dataset.tasks.reduce((s, t) => s + t.y.length, 0), 15362);
  }
  assert.deepEqual(csv.dataset.tasks.map((t) => t.name).slice(0, 3), ['0', '1', '2']);
  for (let t = 0; t < 139; t++) {
    const a = csv.dataset.tasks[t]!;
    const b = mat.dataset.tasks[t]!;
    assert.deepEqual(a.X.data, b.X.data, `task ${t} X`);
    assert.deepEqual(a.y, b.y, `task ${t} y`);
    assert.deepEqual(a.rows, b.rows, `task ${t} rows`);
  }
  // x28 is the constant bias column of the source, kept as an ordinary feature.
  assert.ok(csv.dataset.tasks.every((t) => t.X.col(27).every((v) => v === 1)));
});

test('school: the given splits reproduce school_splits.csv counts and the Argyriou index files', { skip }, () => {
  const { dataset } = loadCsvSync(join(DATA, 'school', 'school.csv'), { taskCol: 'task', target: 'y' });
  const splits = givenSplits(dataset, join(DATA, 'school', 'school_splits.csv'));
  assert.equal(splits.length, 10);
  assert.equal(splits[0]!.name, 'split1');
  const count = (a: Int32Array[]): number => a.reduce((s, x) => s + x.length, 0);
  assert.equal(count(splits[0]!.train), 11472);
  assert.equal(count(splits[0]!.test), 3890);
  for (const s of splits) assert.equal(checkSplit(dataset, s), null);
  // Split 1's training rows are exactly `tr` (1-based global rows) of school_1_indexes.mat.
  const tr = (readMat(join(DATA, 'school', 'argyriou_splits', 'school_1_indexes.mat')).get('tr') as MatNumeric).real;
  const mine = splits[0]!.train.flatMap((idx, t) => Array.from(idx, (i) => dataset.tasks[t]!.rows[i]! + 1));
  assert.deepEqual(Float64Array.from(mine).sort(), Float64Array.from(tr).sort());
});

test('landmine: 29 tasks, 9 features, 14820 rows, 0 → −1 and 1 → +1, CSV = MAT', { skip }, () => {
  const csv = loadCsvSync(join(DATA, 'landmine', 'landmine.csv'), { taskCol: 'task', target: 'y' });
  const mat = loadMatCells(join(DATA, 'landmine', 'LandmineData.mat'), { x: 'feature', y: 'label' });
  const m = meta('landmine/landmine.meta.json');
  for (const r of [csv, mat]) {
    const ds = r.dataset;
    assert.equal(ds.tasks.length, 29);
    assert.equal(ds.featureNames.length, 9);
    assert.equal(ds.kind, 'binary');
    assert.deepEqual(ds.labelMap, { negative: '0', positive: '1' });
    assert.deepEqual(ds.tasks.map((t) => t.y.length), m.samples_per_task);
    assert.deepEqual(ds.tasks.map((t) => t.y.filter((v) => v === 1).length), m.positives_per_task);
    assert.ok(ds.tasks.every((t) => t.y.every((v) => v === 1 || v === -1)));
  }
  for (let t = 0; t < 29; t++) {
    assert.deepEqual(csv.dataset.tasks[t]!.X.data, mat.dataset.tasks[t]!.X.data);
    assert.deepEqual(csv.dataset.tasks[t]!.y, mat.dataset.tasks[t]!.y);
  }
});

test('usps: wide one-vs-rest over the digit column, 10 tasks × 64 features, matching the MAT file', { skip }, () => {
  const { dataset, report } = loadCsvSync(join(DATA, 'usps', 'usps.csv'), { oneVsRest: 'digit', skip: ['set'] });
  assert.equal(dataset.layout, 'multi-output');
  assert.deepEqual(dataset.tasks.map((t) => t.name), Array.from({ length: 10 }, (_, k) => `digit=${k}`));
  assert.equal(dataset.featureNames.length, 64);
  assert.equal(dataset.shared!.X.rows, 2000);
  assert.equal(report.unlabelledRows, 0);
  const mat = readMat(join(DATA, 'usps', 'split1_usps_1000train.mat'));
  const X = matToMatrix(mat.get('digit_trainx')!);
  const y = (mat.get('digit_trainy') as MatNumeric).real;
  // The CSV lists the train set first, in MAT order; the MAT file stores digits as 1..10.
  assert.deepEqual(dataset.shared!.X.data.subarray(0, 1000 * 64), X.data);
  for (let i = 0; i < 1000; i++) {
    const digit = y[i]! - 1;
    for (let k = 0; k < 10; k++) assert.equal(dataset.shared!.Y.get(i, k), k === digit ? 1 : -1);
  }
});

test('newsgroup: the sparse fea matrices match features.csv and labels.csv', { skip }, () => {
  for (const [dir, files] of [['comp.vs.sci', ['task1.mat', 'task2.mat']], ['rec.vs.talk', ['Task1.mat', 'Task2.mat']]] as const) {
    const m = meta(`newsgroup/${dir}/newsgroup.meta.json`);
    const coo = readFileSync(join(DATA, 'newsgroup', dir, 'features.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const labels = readFileSync(join(DATA, 'newsgroup', dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    files.forEach((f, t) => {
      const vars = readMat(join(DATA, 'newsgroup', dir, f));
      const fea = vars.get('fea') as MatSparse;
      assert.equal(fea.type, 'sparse');
      const info = (m.tasks as { n_samples: number; nnz: number }[])[t]!;
      assert.deepEqual(fea.dims, [info.n_samples, 2000]);
      assert.equal(fea.pr.length, info.nnz);
      const dense = matToMatrix(fea);
      const mine = coo.filter((r) => r[0] === t);
      assert.equal(mine.length, info.nnz);
      let sum = 0;
      for (const [, row, col, value] of mine) {
        assert.equal(dense.get(row!, col!), value, `${dir}/${f} (${row}, ${col})`);
        sum += value!;
      }
      // Every non-zero is accounted for: the dense sum equals the listed sum.
      assert.equal(dense.data.reduce((s, v) => s + v, 0), sum);
      const gnd = (vars.get('gnd') as MatNumeric).real;
      assert.deepEqual(Array.from(gnd), labels.filter((r) => r[0] === t).map((r) => r[2]!));
    });
  }
});
