import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { classifyCell, loadCsv, loadCsvSync, loadCsvText, type CsvOptions } from '../../src/data/csv.ts';
import {
  BadWeightError,
  DuplicateHeaderError,
  EmptyFileError,
  MissingCellError,
  NonFiniteCellError,
  NonNumericCellError,
  OneClassTaskError,
  RaggedRowError,
  TooManyClassesError,
  UnknownColumnError,
  UnseenCategoryError,
} from '../../src/data/errors.ts';
import { OptionError, ParseError } from '../../src/errors.ts';

const LONG: CsvOptions = { taskCol: 'task', target: 'y' };

test('classifyCell: numbers, blanks, non-finite words and garbage', () => {
  assert.deepEqual(classifyCell('1.5'), { kind: 0, value: 1.5 });
  assert.deepEqual(classifyCell(' -2e3 '), { kind: 0, value: -2000 });
  assert.equal(classifyCell('').kind, 1);
  assert.equal(classifyCell('   ').kind, 1);
  for (const s of ['NaN', 'nan', 'inf', '-Infinity', '1e999']) assert.equal(classifyCell(s).kind, 2, s);
  for (const s of ['abc', '12x', '0x10', '1,5', '--1']) assert.equal(classifyCell(s).kind, 3, s);
});

test('long form: tasks in order of first appearance, values exact, rows are data-row indices', () => {
  const text = 'task,y,a,b\nB,1.5,1,2\nA,2,3,4\nB,0.1,5,6\n';
  const { dataset, report } = loadCsvText(text, LONG);
  assert.deepEqual(dataset.tasks.map((t) => t.name), ['B', 'A']);
  assert.equal(dataset.layout, 'per-task');
  assert.equal(dataset.kind, 'regression');
  assert.deepEqual(dataset.featureNames, ['a', 'b']);
  assert.deepEqual(Array.from(dataset.tasks[0]!.X.data), [1, 2, 5, 6]);
  assert.deepEqual(Array.from(dataset.tasks[0]!.y), [1.5, 0.1]);
  assert.deepEqual(Array.from(dataset.tasks[0]!.rows), [0, 2]);
  assert.deepEqual(Array.from(dataset.tasks[1]!.rows), [1]);
  assert.equal(report.rowsRead, 3);
  assert.equal(report.rowsDropped, 0);
  assert.match(report.taskOrder, /first appearance/);
});

test('features pick (in the given order), skip, header: false, delimiter', () => {
  const r1 = loadCsvText('task,y,a,b,c\n0,1,1,2,3\n0,2,4,5,6\n', { ...LONG, features: ['c', 'a'] });
  assert.deepEqual(r1.dataset.featureNames, ['c', 'a']);
  assert.deepEqual(Array.from(r1.dataset.tasks[0]!.X.data), [3, 1, 6, 4]);
  const r2 = loadCsvText('task,y,a,b,c\n0,1,1,2,3\n0,2,4,5,6\n', { ...LONG, skip: ['b'] });
  assert.deepEqual(r2.dataset.featureNames, ['a', 'c']);
  const r3 = loadCsvText('0;1;7\n0;2;8\n', { taskCol: '1', target: '2', header: false, delimiter: ';' });
  assert.deepEqual(r3.dataset.featureNames, ['3']);
  assert.deepEqual(Array.from(r3.dataset.tasks[0]!.X.data), [7, 8]);
  assert.deepEqual(Array.from(r3.dataset.tasks[0]!.rows), [0, 1]);
});

test('binary label mapping: 0/1, ±1, two strings, positive option', () => {
  const zeroOne = loadCsvText('task,y,a\n0,0,1\n0,1,2\n', LONG);
  assert.equal(zeroOne.dataset.kind, 'binary');
  assert.deepEqual(zeroOne.dataset.labelMap, { negative: '0', positive: '1' });
  assert.deepEqual(Array.from(zeroOne.dataset.tasks[0]!.y), [-1, 1]);
  const pm = loadCsvText('task,y,a\n0,1,1\n0,-1,2\n', LONG);
  assert.deepEqual(pm.dataset.labelMap, { negative: '-1', positive: '1' });
  assert.deepEqual(Array.from(pm.dataset.tasks[0]!.y), [1, -1]);
  const str = loadCsvText('task,y,a\n0,yes,1\n0,no,2\n', LONG);
  assert.deepEqual(str.dataset.labelMap, { negative: 'no', positive: 'yes' });
  assert.match(str.report.labelRule!, /lexicographically/);
  const chosen = loadCsvText('task,y,a\n0,yes,1\n0,no,2\n', { ...LONG, positive: 'no' });
  assert.deepEqual(Array.from(chosen.dataset.tasks[0]!.y), [-1, 1]);
  assert.throws(() => loadCsvText('task,y,a\n0,yes,1\n0,no,2\n', { ...LONG, positive: 'maybe' }), OptionError);
  // Regression is kept when asked, even for two values.
  assert.equal(loadCsvText('task,y,a\n0,0,1\n0,1,2\n', { ...LONG, kind: 'regression' }).dataset.kind, 'regression');
  // auto with three numeric values: regression.
  assert.equal(loadCsvText('task,y,a\n0,0,1\n0,1,2\n0,2,2\n', LONG).dataset.kind, 'regression');
});

test('binary errors: a third class (line/column), a one-class task, text under regression', () => {
  const e = assert.throws(() => loadCsvText('task,y,a\n0,a,1\n0,b,2\n0,c,3\n', { ...LONG, kind: 'binary' }, 'f.csv'), (err: unknown) => {
    assert.ok(err instanceof TooManyClassesError);
    assert.equal(err.position.line, 4);
    assert.equal(err.position.column, 2);
    assert.equal(err.columnName, 'y');
    assert.match(err.message, /f\.csv:4:2/);
    return true;
  });
  void e;
  assert.throws(() => loadCsvText('task,y,a\nA,0,1\nA,1,2\nB,1,3\n', LONG), (err: unknown) => err instanceof OneClassTaskError && err.task === 'B');
  assert.throws(() => loadCsvText('task,y,a\n0,a,1\n0,b,2\n0,c,3\n', LONG), (err: unknown) => err instanceof NonNumericCellError && err.position.line === 2);
  assert.throws(() => loadCsvText('task,y,a\n0,a,1\n', { ...LONG, kind: 'regression' }), NonNumericCellError);
});

test('weights: parsed, and negative / non-finite weights rejected with position', () => {
  const r = loadCsvText('task,y,w,a\n0,1,0.5,1\n0,2,2,2\n', { ...LONG, weightCol: 'w' });
  assert.deepEqual(Array.from(r.dataset.tasks[0]!.weights!), [0.5, 2]);
  assert.deepEqual(r.dataset.featureNames, ['a']);
  for (const bad of ['-1', 'inf', 'NaN']) {
    assert.throws(() => loadCsvText(`task,y,w,a\n0,1,1,1\n0,2,${bad},2\n`, { ...LONG, weightCol: 'w' }), (err: unknown) => err instanceof BadWeightError && err.position.line === 3 && err.position.column === 3);
  }
});

test('missing feature cells: an error by default, dropped and reported with dropMissingFeatures', () => {
  const text = 'task,y,a,b\n0,1,1,2\n0,2,,4\n0,3,5,6\n';
  assert.throws(() => loadCsvText(text, LONG), (err: unknown) => err instanceof MissingCellError && err.position.line === 3 && err.position.column === 3);
  const { dataset, report } = loadCsvText(text, { ...LONG, kind: 'regression', dropMissingFeatures: true });
  assert.equal(report.rowsRead, 3);
  assert.equal(report.rowsDropped, 1);
  assert.equal(report.rowsKept, 2);
  assert.deepEqual(report.dropped, [{ row: 1, line: 3, column: 'a', reason: 'empty feature cell' }]);
  assert.deepEqual(Array.from(dataset.tasks[0]!.rows), [0, 2]);
  assert.deepEqual(Array.from(dataset.tasks[0]!.y), [1, 3]);
  // A long-form target is never optional.
  assert.throws(() => loadCsvText('task,y,a\n0,,1\n', LONG), MissingCellError);
});

test('structural errors: unknown column, empty file, header only, duplicate header, ragged, unclosed quote', () => {
  assert.throws(() => loadCsvText('task,y,a\n0,1,1\n', { taskCol: 'task', target: 'score' }), (err: unknown) => err instanceof UnknownColumnError && err.option === 'target');
  assert.throws(() => loadCsvText('', LONG), EmptyFileError);
  assert.throws(() => loadCsvText('task,y,a\n', LONG), EmptyFileError);
  assert.throws(() => loadCsvText('task,y,a,a\n0,1,1,2\n', LONG), (err: unknown) => err instanceof DuplicateHeaderError && err.position.line === 1 && err.position.column === 4);
  assert.throws(() => loadCsvText('task,y,a,b\n0,1,1,2\n0,1,1\n', LONG), (err: unknown) => err instanceof RaggedRowError && err.position.line === 3 && err.position.column === 4 && err.columnName === 'b');
  assert.throws(() => loadCsvText('task,y,a\n0,1,"1\n', LONG), ParseError);
  assert.throws(() => loadCsvText('task,y,a\n0,1,1\n', {}), OptionError);
  assert.throws(() => loadCsvText('task,y,a\n0,1,1\n', { ...LONG, features: ['y'] }), OptionError);
});

test('wide form: one target per task, empty cell = missing label, shared X kept', () => {
  const text = 'a,b,t1,t2\n1,2,0.5,\n3,4,,1.5\n5,6,2.5,3.5\n7,8,,\n';
  const { dataset, report } = loadCsvText(text, { targets: ['t1', 't2'] });
  assert.equal(dataset.layout, 'multi-output');
  assert.deepEqual(dataset.tasks.map((t) => t.name), ['t1', 't2']);
  assert.deepEqual(Array.from(dataset.tasks[0]!.rows), [0, 2]);
  assert.deepEqual(Array.from(dataset.tasks[0]!.y), [0.5, 2.5]);
  assert.deepEqual(Array.from(dataset.tasks[1]!.X.data), [3, 4, 5, 6]);
  assert.equal(dataset.shared!.X.rows, 4);
  assert.ok(Number.isNaN(dataset.shared!.Y.get(0, 1)));
  assert.equal(dataset.shared!.Y.get(2, 1), 3.5);
  assert.equal(report.unlabelledRows, 1);
});

test('wide form with dropped rows: sharedRowSource maps shared rows back to file rows', () => {
  const { dataset, report } = loadCsvText('a,t1\n1,0.5\n,1.5\n3,2.5\n', { targets: ['t1'], dropMissingFeatures: true, kind: 'regression' });
  assert.deepEqual(Array.from(dataset.tasks[0]!.rows), [0, 1]);
  assert.deepEqual(Array.from(report.sharedRowSource!), [0, 2]);
  assert.equal(report.rowsDropped, 1);
});

test('a missing header line is diagnosed in the unknown-column error', () => {
  assert.throws(() => loadCsvText('0,1,2\n0,2,3\n', LONG), (err: unknown) => err instanceof UnknownColumnError && /is the header missing/.test(err.message));
});

test('wide form binary shares one label map over all target columns; oneVsRest makes ±1 tasks', () => {
  const { dataset } = loadCsvText('a,t1,t2\n1,0,1\n2,1,0\n3,1,\n', { targets: ['t1', 't2'] });
  assert.equal(dataset.kind, 'binary');
  assert.deepEqual(Array.from(dataset.tasks[1]!.y), [1, -1]);
  const ovr = loadCsvText('a,c\n1,2\n2,10\n3,2\n', { oneVsRest: 'c' });
  assert.deepEqual(ovr.dataset.tasks.map((t) => t.name), ['c=2', 'c=10']);
  assert.deepEqual(Array.from(ovr.dataset.tasks[0]!.y), [1, -1, 1]);
  assert.deepEqual(Array.from(ovr.dataset.tasks[1]!.y), [-1, 1, -1]);
});

test('categorical columns: one-hot with sorted categories; fixed categories reject unseen values', () => {
  const text = 'task,y,color,a\n0,1,red,1\n0,2,blue,2\n0,3,red,3\n';
  const { dataset, report } = loadCsvText(text, { ...LONG, categorical: ['color'] });
  assert.deepEqual(dataset.featureNames, ['color=blue', 'color=red', 'a']);
  assert.deepEqual(Array.from(dataset.tasks[0]!.X.data), [0, 1, 1, 1, 0, 2, 0, 1, 3]);
  assert.deepEqual(report.categories, { color: ['blue', 'red'] });
  // Predict time: the training categories are fixed; a new value names column and value.
  const ok = loadCsvText('task,y,color,a\n0,1,red,1\n', { ...LONG, categorical: ['color'], categories: report.categories });
  assert.deepEqual(ok.dataset.featureNames, ['color=blue', 'color=red', 'a']);
  assert.deepEqual(Array.from(ok.dataset.tasks[0]!.X.data), [0, 1, 1]);
  assert.throws(() => loadCsvText('task,y,color,a\n0,1,green,1\n', { ...LONG, categorical: ['color'], categories: report.categories }), (err: unknown) => err instanceof UnseenCategoryError && err.column === 'color' && err.value === 'green');
});

test('async streaming and sync loaders agree on a file; a missing file is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-csv-'));
  try {
    const f = join(dir, 'a.csv');
    const lines = ['task,y,a,b'];
    for (let i = 0; i < 3000; i++) lines.push(`${i % 7},${(i * 0.37) % 5},${i},${-i / 3}`);
    writeFileSync(f, lines.join('\n') + '\n');
    const a = await loadCsv(f, LONG);
    const b = loadCsvSync(f, LONG);
    assert.equal(a.dataset.tasks.length, 7);
    assert.deepEqual(a.dataset.tasks.map((t) => Array.from(t.X.data)), b.dataset.tasks.map((t) => Array.from(t.X.data)));
    assert.deepEqual(a.dataset.tasks.map((t) => Array.from(t.rows)), b.dataset.tasks.map((t) => Array.from(t.rows)));
    writeFileSync(f, 'task,y,a,b\n0,1,2,3\n0,1,oops,3\n');
    await assert.rejects(loadCsv(f, LONG), (err: unknown) => err instanceof NonNumericCellError && err.position.file === f && err.position.line === 3 && err.position.column === 3);
    await assert.rejects(loadCsv(join(dir, 'missing.csv'), LONG), (err: unknown) => err instanceof Error && /cannot read/.test(err.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Property tests over generated CSVs

interface Table {
  nFeat: number;
  rows: { task: number; y: number; x: number[] }[];
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
const tableArb: fc.Arbitrary<Table> = fc.integer({ min: 1, max: 4 }).chain((nFeat) =>
  fc.record({
    nFeat: fc.constant(nFeat),
    rows: fc.array(fc.record({ task: fc.integer({ min: 0, max: 3 }), y: finite, x: fc.array(finite, { minLength: nFeat, maxLength: nFeat }) }), { minLength: 1, maxLength: 25 }),
  }),
);

function header(nFeat: number): string[] {
  return ['task', 'y', ...Array.from({ length: nFeat }, (_, j) => `x${j + 1}`)];
}

/** Shortest round-trip decimal; String(-0) is "0", so −0 is spelled out. */
const fmt = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

function toCsv(t: Table, head = header(t.nFeat)): string[][] {
  return [head, ...t.rows.map((r) => [String(r.task), fmt(r.y), ...r.x.map(fmt)])];
}

const join2 = (cells: string[][]): string => cells.map((r) => r.join(',')).join('\n') + '\n';

test('property: write CSV, load, same values (exact float64) in first-appearance order', () => {
  fc.assert(
    fc.property(tableArb, (t) => {
      const { dataset } = loadCsvText(join2(toCsv(t)), { ...LONG, kind: 'regression' });
      const order = [...new Set(t.rows.map((r) => String(r.task)))];
      assert.deepEqual(dataset.tasks.map((x) => x.name), order);
      for (const task of dataset.tasks) {
        const mine = t.rows.map((r, i) => ({ ...r, i })).filter((r) => String(r.task) === task.name);
        assert.deepEqual(Array.from(task.rows), mine.map((r) => r.i));
        // Object.is-level equality (−0 included) through deepEqual on arrays of numbers.
        assert.deepEqual(Array.from(task.y), mine.map((r) => r.y));
        assert.deepEqual(Array.from(task.X.data), mine.flatMap((r) => r.x));
      }
    }),
    { numRuns: 150, seed: 42 },
  );
});

test('property: every corrupted variant is rejected with the right class, line and column', () => {
  const variant = fc.constantFrom('garbage', 'truncate', 'nan', 'duplicate');
  fc.assert(
    fc.property(tableArb, variant, fc.nat(), fc.nat(), fc.constantFrom('abc', '1.2.3', 'x1', '12e', '#'), (t, kind, ri, ci, junk) => {
      const cells = toCsv(t);
      const r = 1 + (ri % t.rows.length); // data row (cells index)
      const line = r + 1;
      const ncol = cells[0]!.length;
      if (kind === 'duplicate') {
        const c = 1 + (ci % (ncol - 1)); // column ≥ 1 takes the name of an earlier column
        const earlier = ci % c;
        cells[0]![c] = cells[0]![earlier]!;
        assert.throws(() => loadCsvText(join2(cells), LONG, 'g.csv'), (err: unknown) => err instanceof DuplicateHeaderError && err.position.line === 1 && err.position.column === c + 1);
        return;
      }
      if (kind === 'truncate') {
        const keep = ci % ncol; // 0..ncol−1 fields remain (0 fields = an empty line would be skipped, so keep ≥ 1)
        const k = Math.max(1, keep);
        cells[r] = cells[r]!.slice(0, k);
        assert.throws(() => loadCsvText(join2(cells), LONG, 'g.csv'), (err: unknown) => err instanceof RaggedRowError && err.position.line === line && err.position.column === k + 1);
        return;
      }
      const c = 1 + (ci % (ncol - 1)); // the target or a feature column
      cells[r]![c] = kind === 'nan' ? 'NaN' : junk;
      const cls = kind === 'nan' ? NonFiniteCellError : NonNumericCellError;
      // The first bad cell in file order is reported: this is the only one.
      assert.throws(
        () => loadCsvText(join2(cells), { ...LONG, kind: 'regression' }, 'g.csv'),
        (err: unknown) => err instanceof cls && err.position.line === line && err.position.column === c + 1 && err.columnName === cells[0]![c] && /g\.csv/.test(err.message),
      );
    }),
    { numRuns: 300, seed: 7 },
  );
});

// src/data/csv.ts finishLong: the rows of all tasks are kept in file order and scattered into task
// order at the end — straight (≥ 64 KiB of X per task on average) or through buckets of tasks (many
// small tasks). Both must give each task its rows in file order, with y, rows and weights alongside.
test('long form: each task gets its rows in file order, on the direct and the bucketed scatter', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-csv-scatter-'));
  try {
    for (const [T, n, d] of [[3, 6000, 10], [300, 3000, 4], [70, 700, 3]] as const) {
      let seed = 12345 + T;
      const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const lines = [['task', 'y', 'w', ...Array.from({ length: d }, (_, j) => `x${j}`)].join(',')];
      const want = new Map<string, { X: number[]; y: number[]; w: number[]; rows: number[] }>();
      for (let i = 0; i < n; i++) {
        const t = `t${Math.floor(rnd() * T)}`;
        const x = Array.from({ length: d }, () => Math.round(rnd() * 2e6) / 1e3 - 1e3);
        const y = i + 0.5;
        const w = (i % 7) + 1;
        lines.push([t, y, w, ...x].join(','));
        if (!want.has(t)) want.set(t, { X: [], y: [], w: [], rows: [] });
        const e = want.get(t)!;
        e.X.push(...x);
        e.y.push(y);
        e.w.push(w);
        e.rows.push(i);
      }
      const f = join(dir, `s${T}.csv`);
      writeFileSync(f, lines.join('\n') + '\n');
      const ds = (await loadCsv(f, { taskCol: 'task', target: 'y', weightCol: 'w', kind: 'regression' })).dataset;
      assert.deepEqual(ds.tasks.map((t) => t.name), [...want.keys()], 'tasks in order of first appearance');
      for (const t of ds.tasks) {
        const e = want.get(t.name)!;
        assert.deepEqual(Array.from(t.X.data), e.X, `${T} tasks: X of ${t.name}`);
        assert.equal(t.X.rows, e.y.length);
        assert.deepEqual(Array.from(t.y), e.y);
        assert.deepEqual(Array.from(t.weights!), e.w);
        assert.deepEqual(Array.from(t.rows), e.rows);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
