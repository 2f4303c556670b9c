// Arrow IPC / Feather and Parquet input: a small data set written in both formats (and as CSV) loads
// back identically, in the long and the wide layout; bad files and values are refused with the place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC, vectorFromArray, Table, Float64, Utf8 } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { loadColumnar, ColumnarValueError, type ColumnarFormat } from '../../src/data/columnar.ts';
import { loadCsvText } from '../../src/data/csv.ts';
import { OneClassTaskError, UnknownColumnError } from '../../src/data/errors.ts';
import { OptionError, ParseError } from '../../src/errors.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { Random } from '../../src/linalg/random.ts';
import { tempDir } from '../cli/helpers.ts';

interface Cols { [name: string]: (number | string | null)[] }

/** The same table as Arrow IPC (file format), Parquet and CSV. */
function writeAll(dir: string, base: string, cols: Cols, numeric: readonly string[]): Record<ColumnarFormat | 'csv', string> {
  const names = Object.keys(cols);
  const arrowCols: Record<string, unknown> = {};
  for (const n of names) {
    arrowCols[n] = numeric.includes(n)
      ? (cols[n]!.some((v) => v === null) ? vectorFromArray(cols[n]!, new Float64()) : Float64Array.from(cols[n]! as number[]))
      : vectorFromArray(cols[n]!, new Utf8());
  }
  const arrow = join(dir, `${base}.arrow`);
  writeFileSync(arrow, tableToIPC(tableFromArrays(arrowCols as never) as unknown as Table, 'file'));
  const parquet = join(dir, `${base}.parquet`);
  writeFileSync(parquet, new Uint8Array(parquetWriteBuffer({ columnData: names.map((n) => ({ name: n, data: cols[n]! as never, type: numeric.includes(n) ? ('DOUBLE' as const) : ('STRING' as const), nullable: true })) })));
  const csv = join(dir, `${base}.csv`);
  const n = cols[names[0]!]!.length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => (cols[c]![i] === null ? '' : String(cols[c]![i]))).join(','));
  writeFileSync(csv, lines.join('\n') + '\n');
  return { arrow, parquet, csv };
}

function snapshot(ds: MultiTaskDataset): unknown {
  return {
    layout: ds.layout,
    kind: ds.kind,
    labelMap: ds.labelMap,
    features: ds.featureNames,
    tasks: ds.tasks.map((t) => ({ name: t.name, X: Array.from(t.X.data), shape: [t.X.rows, t.X.cols], y: Array.from(t.y), rows: Array.from(t.rows), w: t.weights && Array.from(t.weights) })),
  };
}

test('long form: Arrow and Parquet load exactly what the CSV loader loads (regression and binary, weights)', async () => {
  const { dir, cleanup } = tempDir('polytask-col-');
  try {
    const rng = new Random(9);
    const n = 40;
    const cols: Cols = {
      task: Array.from({ length: n }, (_, i) => ['north', 'south', 'east'][(i * 7) % 3]!),
      y: Array.from({ length: n }, () => rng.normal()),
      w: Array.from({ length: n }, () => rng.uniform() * 2),
      x1: Array.from({ length: n }, () => rng.normal()),
      x2: Array.from({ length: n }, () => rng.normal() * 1e-7),
      label: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'yes' : 'no')),
    };
    const files = writeAll(dir, 'long', cols, ['y', 'w', 'x1', 'x2']);
    const csvText = (await import('node:fs')).readFileSync(files.csv, 'utf8');
    const reg = { taskCol: 'task', target: 'y', weightCol: 'w', skip: ['label'] };
    const want = snapshot(loadCsvText(csvText, reg).dataset);
    const bin = { taskCol: 'task', target: 'label', features: ['x2', 'x1'] };
    const wantBin = snapshot(loadCsvText(csvText, bin).dataset);
    for (const format of ['arrow', 'parquet'] as const) {
      const r = await loadColumnar(files[format], { format, ...reg });
      assert.deepEqual(snapshot(r.dataset), want, format);
      assert.equal(r.report.rowsRead, n);
      const b = await loadColumnar(files[format], { format, ...bin });
      assert.deepEqual(snapshot(b.dataset), wantBin, `${format} binary`);
      assert.deepEqual(b.dataset.labelMap, { negative: 'no', positive: 'yes' });
    }
  } finally {
    cleanup();
  }
});

test('wide form with missing labels (nulls): Arrow and Parquet equal the CSV load, shared X kept', async () => {
  const { dir, cleanup } = tempDir('polytask-col-');
  try {
    const cols: Cols = { a: [1, 2, 3, 4], b: [5.5, 6, 7, 8], t1: [0.5, null, 2.5, null], t2: [null, 1.5, 3.5, null] };
    const files = writeAll(dir, 'wide', cols, ['a', 'b', 't1', 't2']);
    const want = snapshot(loadCsvText((await import('node:fs')).readFileSync(files.csv, 'utf8'), { targets: ['t1', 't2'] }).dataset);
    for (const format of ['arrow', 'parquet'] as const) {
      const { dataset } = await loadColumnar(files[format], { format, targets: ['t1', 't2'] });
      assert.deepEqual(snapshot(dataset), want, format);
      assert.equal(dataset.shared!.X.rows, 4);
      assert.ok(Number.isNaN(dataset.shared!.Y.get(3, 0)));
    }
  } finally {
    cleanup();
  }
});

test('columnar errors: unknown column, null feature, text feature, NaN, one-class task, not a file of the format, CSV-only options', async () => {
  const { dir, cleanup } = tempDir('polytask-col-');
  try {
    const cols: Cols = { task: ['a', 'a', 'b', 'b'], y: [0, 1, 1, 0], x: [1, null, 3, 4], s: ['p', 'q', 'r', 's'], z: [1, 2, NaN, 4] };
    const files = writeAll(dir, 'bad', cols, ['y', 'x', 'z']);
    for (const format of ['arrow', 'parquet'] as const) {
      const f = files[format];
      await assert.rejects(loadColumnar(f, { format, taskCol: 'task', target: 'score' }), (e: unknown) => e instanceof UnknownColumnError && e.option === 'target');
      await assert.rejects(loadColumnar(f, { format, taskCol: 'task', target: 'y', features: ['x'] }), (e: unknown) => e instanceof ColumnarValueError && e.row === 2 && e.columnName === 'x' && /null/.test(e.message) && e.message.includes(f));
      await assert.rejects(loadColumnar(f, { format, taskCol: 'task', target: 'y', features: ['s'] }), (e: unknown) => e instanceof ColumnarValueError && e.row === 1 && /"p"/.test(e.message));
      await assert.rejects(loadColumnar(f, { format, taskCol: 'task', target: 'y', features: ['z'] }), (e: unknown) => e instanceof ColumnarValueError && e.row === 3 && /non-finite/.test(e.message));
      await assert.rejects(loadColumnar(f, { format, taskCol: 's', target: 'y', features: ['z'], kind: 'binary' }), ColumnarValueError);
      await assert.rejects(loadColumnar(f, { format, ...({ categorical: ['s'] } as object), taskCol: 'task', target: 'y' }), OptionError);
    }
    const one: Cols = { task: ['a', 'a', 'b', 'b'], y: [0, 1, 1, 1], x: [1, 2, 3, 4] };
    const f1 = writeAll(dir, 'one', one, ['y', 'x']);
    await assert.rejects(loadColumnar(f1.parquet, { format: 'parquet', taskCol: 'task', target: 'y' }), (e: unknown) => e instanceof OneClassTaskError && e.task === 'b');
    writeFileSync(join(dir, 'junk.parquet'), 'task,y\n1,2\n');
    await assert.rejects(loadColumnar(join(dir, 'junk.parquet'), { format: 'parquet', taskCol: 'task', target: 'y' }), (e: unknown) => e instanceof ParseError && /junk\.parquet/.test(e.message));
    await assert.rejects(loadColumnar(join(dir, 'junk.parquet'), { format: 'arrow', taskCol: 'task', target: 'y' }), (e: unknown) => e instanceof ParseError && /Arrow/.test(e.message));
  } finally {
    cleanup();
  }
});

test('CLI: the format comes from the extension (.arrow, .feather, .parquet) or --format', async () => {
  const { cli } = await import('../cli/helpers.ts');
  const { dir, cleanup } = tempDir('polytask-col-');
  try {
    const cols: Cols = { task: ['a', 'a', 'b', 'b', 'b'], y: [1, 2, 3, 4, 5], x1: [1, 0, 2, 5, 1], x2: [3, 1, 4, 1, 5] };
    const files = writeAll(dir, 'd', cols, ['y', 'x1', 'x2']);
    writeFileSync(join(dir, 'd.feather'), (await import('node:fs')).readFileSync(files.arrow));
    writeFileSync(join(dir, 'd.bin'), (await import('node:fs')).readFileSync(files.parquet));
    const outs: string[] = [];
    for (const args of [['--data', 'd.arrow'], ['--data', 'd.feather'], ['--data', 'd.parquet'], ['--data', 'd.bin', '--format', 'parquet'], ['--data', 'd.csv']]) {
      const r = await cli(['inspect', ...args, '--task-col', 'task', '--target', 'y', '--json'], dir);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { tasks: unknown; features: unknown; samples: number };
      outs.push(JSON.stringify([j.tasks, j.features, j.samples]));
    }
    assert.equal(new Set(outs).size, 1, 'every format gives the same summary');
    const bad = await cli(['inspect', '--data', 'd.bin', '--task-col', 'task', '--target', 'y'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format csv\|mat\|json\|arrow\|parquet/);
  } finally {
    cleanup();
  }
});

// src/data/columnar.ts reads Arrow record batch by record batch (the file never whole in memory):
// a file of several batches loads as the same table written as one batch, and a bad value in a later
// batch is named by its row in the file, not in the batch.
test('Arrow with several record batches: same dataset as one batch; errors give the file row', async () => {
  const { dir, cleanup } = tempDir('polytask-col-batches-');
  try {
    const rng = new Random(4);
    const n = 30;
    const task = Array.from({ length: n }, (_, i) => ['a', 'b', 'c', 'd'][(i * 5) % 4]!);
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const x1 = Float64Array.from({ length: n }, () => rng.normal());
    const x2 = Float64Array.from({ length: n }, () => rng.normal());
    const one = tableFromArrays({ task: vectorFromArray(task, new Utf8()), y, x1, x2 } as never) as unknown as Table;
    const part = (a: number, b: number, xs = x2) => tableFromArrays({ task: vectorFromArray(task.slice(a, b), new Utf8()), y: y.slice(a, b), x1: x1.slice(a, b), x2: xs.slice(a, b) } as never) as unknown as Table;
    const many = new Table([...part(0, 7).batches, ...part(7, 19).batches, ...part(19, 30).batches]);
    assert.equal(many.batches.length, 3);
    const f1 = join(dir, 'one.arrow');
    const f3 = join(dir, 'three.arrow');
    writeFileSync(f1, tableToIPC(one, 'file'));
    writeFileSync(f3, tableToIPC(many, 'file'));
    const opts = { format: 'arrow' as const, taskCol: 'task', target: 'y' };
    const a = await loadColumnar(f1, opts);
    const b = await loadColumnar(f3, opts);
    assert.deepEqual(snapshot(b.dataset), snapshot(a.dataset));
    assert.equal(b.report.rowsRead, n);
    // A NaN feature in row 12 of the file (row 5 of the second batch).
    const bad = Float64Array.from(x2);
    bad[11] = NaN;
    const fb = join(dir, 'bad.arrow');
    writeFileSync(fb, tableToIPC(new Table([...part(0, 7, bad).batches, ...part(7, 19, bad).batches, ...part(19, 30, bad).batches]), 'file'));
    await assert.rejects(loadColumnar(fb, opts), (e: unknown) => e instanceof ColumnarValueError && e.row === 12 && e.columnName === 'x2');
  } finally {
    cleanup();
  }
});
