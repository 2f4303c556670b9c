// The streaming summary of `polytask inspect` (summariseCsv / summariseColumnar → src/data/summary.ts)
// against the summary of the loaded data set (loadData + summariseDataset, what inspect did before
// issue 15): the same text, the same JSON up to the rounding of the one-pass standard deviation,
// and the same errors — on crafted files (quoted fields, CRLF, BOM, long and wide layouts, errors),
// on the shared real data and on `make-data esmm`; and a proof that the summary streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadData, summariseData, type MatFlags } from '../../src/cli/data-load.ts';
import { writeInspection } from '../../src/cli/inspect.ts';
import type { CliIO } from '../../src/cli/io.ts';
import type { DataFlags } from '../../src/cli/options.ts';
import { loadCsv, summariseCsv } from '../../src/data/csv.ts';
import { FeatureMoments, summariseDataset, type Inspection } from '../../src/data/summary.ts';
import { Random } from '../../src/linalg/random.ts';
import { cli, tempDir } from '../cli/helpers.ts';

type Flags = DataFlags & MatFlags & { json?: boolean; verbose?: boolean };

function capture(): { io: CliIO; text: () => string } {
  let s = '';
  const io: CliIO = { stdout: { write: (t: string) => ((s += t), true), isTTY: false }, stderr: { write: () => true, isTTY: false }, cwd: process.cwd(), env: {} };
  return { io, text: () => s };
}

/** The output of inspect before issue 15: the data set loaded whole, then summarised (text and --json). */
async function before(flags: Flags, cwd: string): Promise<{ text: string; json: string }> {
  const loaded = await loadData(flags, cwd);
  return render(summariseDataset(loaded.dataset), loaded.csvReport, flags);
}

async function now(flags: Flags, cwd: string): Promise<{ text: string; json: string }> {
  const { inspection, csvReport } = await summariseData(flags, cwd);
  return render(inspection, csvReport, flags);
}

function render(r: Inspection, rep: Parameters<typeof writeInspection>[2], flags: Flags): { text: string; json: string } {
  const t = capture();
  writeInspection(t.io, r, rep, { ...flags, json: false });
  const j = capture();
  writeInspection(j.io, r, rep, { ...flags, json: true });
  return { text: t.text(), json: j.text() };
}

async function outcome(f: () => Promise<{ text: string; json: string }>): Promise<{ ok: string; json: string } | { error: string; name: string }> {
  try {
    const { text, json } = await f();
    return { ok: text, json };
  } catch (e) {
    return { error: (e as Error).message, name: (e as Error).constructor.name };
  }
}

/**
 * Equal JSON except standard deviations, which may differ in their last bits (one-pass vs two-pass),
 * and feature means when tasks interleave in the file (the loaded path summed them task by task, the
 * stream sums in file order: the same Σv / n up to rounding). Task means and everything else: exact.
 */
function assertSameJson(a: string, b: string, what: string): void {
  const x = JSON.parse(a) as Inspection;
  const y = JSON.parse(b) as Inspection;
  const strip = (r: Inspection): unknown => ({ ...r, tasks: r.tasks.map((t) => ({ ...t, sd: undefined })), features: r.features.map((f) => ({ ...f, sd: undefined, mean: undefined })) });
  assert.deepEqual(strip(y), strip(x), what);
  const close = (p: number | undefined, q: number | undefined, k: string): void => {
    if (p === undefined || q === undefined) return assert.equal(q, p, k);
    assert.ok(Math.abs(p - q) <= 1e-12 * Math.max(1, Math.abs(p)), `${what}: ${k} ${p} vs ${q}`);
  };
  x.tasks.forEach((t, i) => close(t.sd, y.tasks[i]!.sd, `task ${t.task} sd`));
  x.features.forEach((f, i) => close(f.sd, y.features[i]!.sd, `feature ${f.feature} sd`));
  x.features.forEach((f, i) => close(f.mean, y.features[i]!.mean, `feature ${f.feature} mean`));
}

/** Text output identical, JSON identical but for sd rounding, or the very same error. */
async function assertSame(flags: Flags, cwd: string, what: string): Promise<void> {
  const a = await outcome(() => before(flags, cwd));
  const b = await outcome(() => now(flags, cwd));
  if ('ok' in a && 'ok' in b) {
    assert.equal(b.ok, a.ok, what);
    assertSameJson(a.json, b.json, what);
  } else assert.deepEqual(b, a, what);
}

const LONG = { taskCol: 'task', target: 'y' };

/** Crafted files: name, content, flags; each is inspected both ways. */
const CASES: readonly [string, string | Buffer, Omit<Flags, 'data'>][] = [
  ['long regression, tasks interleaved', 'task,y,x1,x2\na,1.5,1,2\nb,2,3,4\na,-3,5,6\nc,7,1e3,0.25\nb,2,-1,8\n', LONG],
  ['quoted fields, CRLF and BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"task","y","x,1",x2\r\n"a b",1,"2",3\r\n"a b",2,4,"5"\r\n"c""d",3,6,7\r\n"c""d",5,8,9\r\n')]), LONG],
  ['lone CR line ends and blank lines', 'task,y,x\r\rp,1,2\rp,3,4\r\rq,5,6\rq,9,8\r', LONG],
  ['long binary with string labels', 'task,y,x\na,yes,1\na,no,2\nb,no,3\nb,yes,4\nb,yes,5\n', LONG],
  ['long binary numeric labels', 'task,y,x1,x2\n1,0,1,2\n1,1,2,2\n2,1,3,2\n2,0,4,2\n', LONG],
  ['wide binary with missing labels', 'x1,x2,a,b\n1,5,0,1\n2,5,1,\n3,5,1,0\n4,5,,1\n', { targets: ['a', 'b'] }],
  ['wide regression', 'a,b,x1,x2,x3\n1.25,,0,1,2\n,3,1,1,2\n4,5,2,1,9\n6,7,3,1,2\n', { targets: ['a', 'b'] }],
  ['one-vs-rest', 'digit,x1,x2\n3,1,0\n1,2,0\n3,3,1\n2,4,1\n1,5,0\n', { oneVsRest: 'digit' }],
  ['features and skip', 'id,task,y,x1,x2,x3\n1,a,1,1,2,3\n2,a,2,4,5,6\n3,b,3,7,8,9\n4,b,5,1,1,1\n', { ...LONG, features: ['x3', 'x1'], skip: ['id'] }],
  ['--classes 3, long', 'task,y,x\na,0,1\na,2,2\nb,1,3\nb,1,4\nb,0,5\n', { ...LONG, classes: 3 }],
  ['--classes 3, wide', 'x,s,t\n1,0,2\n2,1,\n3,2,0\n4,,1\n', { targets: ['s', 't'], classes: 3 }],
  ['many tasks listed (> 40) and --verbose', 'task,y,x\n' + Array.from({ length: 90 }, (_, i) => `t${i % 45},${i * 0.37},${(i * 7) % 11}`).join('\n') + '\n', LONG],
  // Errors: every one must come out the same, message and class.
  ['error: ragged row', 'task,y,x\na,1,2\na,3\n', LONG],
  ['error: text feature', 'task,y,x\na,1,2\na,3,abc\n', LONG],
  ['error: NaN feature', 'task,y,x\na,1,NaN\n', LONG],
  ['error: empty feature', 'task,y,x\na,1,\n', LONG],
  ['error: missing target', 'task,y,x\na,,2\n', LONG],
  ['error: missing task id', 'task,y,x\n,1,2\n', LONG],
  ['error: quote inside an unquoted field', 'task,y,x\na,1,3"4\n', LONG],
  ['error: unterminated quote', 'task,y,x\na,1,"34\n', LONG],
  ['error: duplicate header', 'task,y,x,x\na,1,2,3\n', LONG],
  ['error: unknown target column', 'task,yy,x\na,1,2\n', LONG],
  ['error: empty file', '', LONG],
  ['error: header only', 'task,y,x\n', LONG],
  ['error: one-class task', 'task,y,x\na,0,1\na,1,2\nb,1,3\nb,1,4\n', LONG],
  ['error: text targets with three values', 'task,y,x\na,p,1\na,q,2\na,r,3\n', LONG],
  ['error: invalid UTF-8', Buffer.concat([Buffer.from('task,y,x\na,1,2\n'), Buffer.from([0x62, 0xff, 0x2c, 0x31, 0x2c, 0x32, 0x0a])]), LONG],
  ['error: two errors, the first wins', 'task,y,x\na,1,2\na,x,3\nb,1,zz\n', LONG],
  ['error: --classes label out of range', 'task,y,x\na,0,1\na,1,2\nb,0,3\nb,3,4\n', { ...LONG, classes: 3 }],
  ['error: --classes one class', 'task,y,x\na,0,1\na,1,2\nb,2,3\nb,2,4\n', { ...LONG, classes: 3 }],
  ['error: --classes non-integer', 'task,y,x\na,0,1\na,0.5,2\n', { ...LONG, classes: 3 }],
  ['error: one-vs-rest with one class', 'digit,x\n3,1\n3,2\n', { oneVsRest: 'digit' }],
];

test('inspect streams: the same output and errors as the loaded summary on crafted files', async () => {
  const { dir, cleanup } = tempDir('polytask-summary-');
  try {
    for (const [name, content, flags] of CASES) {
      const f = join(dir, `case-${CASES.findIndex((c) => c[0] === name)}.csv`);
      writeFileSync(f, content);
      await assertSame({ data: f, ...flags }, dir, name);
      if (name.startsWith('many tasks')) await assertSame({ data: f, ...flags, verbose: true }, dir, `${name} --verbose`);
    }
  } finally {
    cleanup();
  }
});

test('the CSV summary is the same at every read size (records and cells split across chunks)', async () => {
  const { dir, cleanup } = tempDir('polytask-summary-');
  try {
    const rng = new Random(5);
    const lines = ['task,"y",x1,x2'];
    for (let i = 0; i < 300; i++) lines.push(`"t${i % 7}",${rng.normal().toFixed(5)},${rng.normal().toFixed(3)},"${rng.normal()}"`);
    const f = join(dir, 'chunks.csv');
    writeFileSync(f, lines.join('\r\n'));
    const whole = await summariseCsv(f, LONG);
    for (const chunkBytes of [4, 7, 64, 1000]) assert.deepEqual(await summariseCsv(f, LONG, {}, { chunkBytes }), whole, `chunk ${chunkBytes}`);
    // And the same as the loaded data set's summary (tasks: sd to rounding).
    const ref = summariseDataset((await loadCsv(f, LONG)).dataset);
    assert.deepEqual(whole.inspection.tasks.map((t) => [t.task, t.n, t.mean]), ref.tasks.map((t) => [t.task, t.n, t.mean]));
  } finally {
    cleanup();
  }
});

test('inspect streams: never more than one block of rows held, whatever the file size (the loader holds them all)', async () => {
  const { dir, cleanup } = tempDir('polytask-summary-');
  try {
    const d = 128;
    const write = (rows: number): string => {
      const rng = new Random(rows);
      const lines = ['task,y,' + Array.from({ length: d }, (_, j) => `x${j}`).join(',')];
      for (let i = 0; i < rows; i++) lines.push([`t${i % 13}`, ...Array.from(rng.normals(d + 1), (v) => v.toFixed(2))].join(','));
      const f = join(dir, `rows-${rows}.csv`);
      writeFileSync(f, lines.join('\n') + '\n');
      return f;
    };
    const block = new FeatureMoments(d).blockRows;
    for (const rows of [2 * block + 5, 6 * block + 5]) {
      const f = write(rows);
      let maxSummary = 0;
      let maxLoad = 0;
      await summariseCsv(f, LONG, {}, { chunkBytes: 8192, onChunk: (held) => { maxSummary = Math.max(maxSummary, held); } });
      await loadCsv(f, LONG, { chunkBytes: 8192, onChunk: (held) => { maxLoad = Math.max(maxLoad, held); } });
      assert.ok(maxSummary > 0 && maxSummary < block, `summary held ${maxSummary} rows at most (block ${block}) of ${rows}`);
      // The loading path, which inspect used before, holds every row: the counter can tell them apart.
      assert.equal(maxLoad, rows);
    }
  } finally {
    cleanup();
  }
});

test('FeatureMoments: block-merged moments equal the two-pass ones on badly centred data', () => {
  const rng = new Random(9);
  const d = 3;
  const m = new FeatureMoments(d);
  const rows = 5 * m.blockRows + 17;
  const cols: number[][] = [[], [], []];
  for (let i = 0; i < rows; i++) {
    const r = [1e9 + rng.normal(), -3 + 1e-6 * rng.normal(), i % 2];
    r.forEach((v, j) => cols[j]!.push(v));
    m.add(r);
  }
  m.finish();
  cols.forEach((c, j) => {
    // Reference: two passes over v − c[0] (exact: Sterbenz), so the 1e9 offset costs no digits.
    const mean = c.reduce((s, v) => s + v, 0) / c.length;
    const s0 = c[0]!;
    const meanShift = c.reduce((s, v) => s + (v - s0), 0) / c.length;
    const sd = Math.sqrt(c.reduce((s, v) => s + (v - s0 - meanShift) ** 2, 0) / (c.length - 1));
    const st = m.stats(j, `x${j}`);
    assert.equal(st.mean, mean);
    assert.ok(Math.abs(st.sd - sd) <= 1e-12 * sd, `column ${j}: ${st.sd} vs ${sd}`);
    // The textbook one-pass formula (Σv² − n·mean²) loses the 1e9-offset column entirely: the test can fail.
    if (j === 0) {
      const naive = Math.sqrt(Math.max(0, (c.reduce((s, v) => s + v * v, 0) - c.length * mean * mean) / (c.length - 1)));
      assert.ok(Math.abs(naive - sd) > 1e-3 * sd, `naive ${naive} vs ${sd}`);
    }
    assert.equal(st.min, Math.min(...c));
    assert.equal(st.max, Math.max(...c));
  });
});

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
test('inspect streams: the same output on the shared real data (School, Landmine, USPS one-vs-rest)', { skip: !existsSync(join(SHARED, 'school', 'school.csv')) && 'needs ../shared/data' }, async () => {
  await assertSame({ data: join(SHARED, 'school', 'school.csv'), ...LONG }, process.cwd(), 'school');
  await assertSame({ data: join(SHARED, 'landmine', 'landmine.csv'), ...LONG }, process.cwd(), 'landmine');
  await assertSame({ data: join(SHARED, 'usps', 'usps.csv'), oneVsRest: 'digit', skip: ['set'] }, process.cwd(), 'usps');
});

test('inspect streams: the same output on make-data esmm (the built-in synthetic set)', async () => {
  const { dir, cleanup } = tempDir('polytask-summary-');
  try {
    const r = await cli(['make-data', 'esmm', '--n', '3000', '--out', 'esmm.csv'], dir);
    assert.equal(r.code, 0, r.stderr);
    const head = (await import('node:fs')).readFileSync(join(dir, 'esmm.csv'), 'utf8').split('\n')[0]!;
    assert.ok(head.includes('click') && head.includes('buy'), head);
    await assertSame({ data: join(dir, 'esmm.csv'), targets: ['click', 'buy'] }, dir, 'esmm');
  } finally {
    cleanup();
  }
});

/** Arrow IPC in `batches` record batches (apache-arrow reads a multi-batch file batch by batch) and Parquet, from columns. */
async function writeColumnar(dir: string, base: string, cols: Record<string, (number | string | null)[]>, numeric: readonly string[], batches: number): Promise<{ arrow: string; parquet: string }> {
  const { tableFromArrays, tableToIPC, vectorFromArray, Float64, Utf8 } = await import('apache-arrow');
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const names = Object.keys(cols);
  const n = cols[names[0]!]!.length;
  const cut = Array.from({ length: batches + 1 }, (_, b) => Math.round((b * n) / batches));
  let table: ReturnType<typeof tableFromArrays> | null = null;
  for (let b = 0; b < batches; b++) {
    const part: Record<string, unknown> = {};
    for (const c of names) {
      const v = cols[c]!.slice(cut[b], cut[b + 1]);
      part[c] = numeric.includes(c) ? vectorFromArray(v, new Float64()) : vectorFromArray(v, new Utf8());
    }
    const t = tableFromArrays(part as never);
    table = table === null ? t : table.concat(t);
  }
  const arrow = join(dir, `${base}.arrow`);
  writeFileSync(arrow, tableToIPC(table!, 'file'));
  const parquet = join(dir, `${base}.parquet`);
  writeFileSync(parquet, new Uint8Array(parquetWriteBuffer({ columnData: names.map((c) => ({ name: c, data: cols[c]! as never, type: numeric.includes(c) ? ('DOUBLE' as const) : ('STRING' as const), nullable: true })) })));
  return { arrow, parquet };
}

test('inspect of Arrow and Parquet streams the features: the same output and errors as the loaded summary', async () => {
  const { dir, cleanup } = tempDir('polytask-summary-');
  try {
    const rng = new Random(21);
    const n = 60;
    const long = {
      task: Array.from({ length: n }, (_, i) => ['n', 's', 'e'][(i * 7) % 3]!),
      y: Array.from({ length: n }, () => rng.normal()),
      x1: Array.from({ length: n }, () => rng.normal()),
      x2: Array.from({ length: n }, () => 1e6 + rng.normal()),
    };
    const bin = { ...long, y: long.y.map((v) => (v > 0 ? 'yes' : 'no')) };
    const wide = {
      a: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : rng.normal())),
      b: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i % 2)),
      x1: Array.from({ length: n }, () => rng.normal()),
      x2: Array.from({ length: n }, () => rng.normal()),
    };
    const bad = (c: Record<string, (number | string | null)[]>, col: string, row: number, v: number | null): Record<string, (number | string | null)[]> => ({ ...c, [col]: c[col]!.map((x, i) => (i === row ? v : x)) });
    const cases: [string, Record<string, (number | string | null)[]>, string[], Omit<Flags, 'data'>][] = [
      ['long regression', long, ['y', 'x1', 'x2'], LONG],
      ['long binary text labels', bin, ['x1', 'x2'], LONG],
      ['long --classes 2', { ...long, y: long.y.map((v) => (v > 0 ? 1 : 0)) }, ['y', 'x1', 'x2'], { ...LONG, classes: 2 }],
      ['wide, missing labels', wide, ['a', 'b', 'x1', 'x2'], { targets: ['a', 'b'] }],
      ['wide binary', { ...wide, a: wide.b }, ['a', 'b', 'x1', 'x2'], { targets: ['a', 'b'] }],
      ['error: null feature (long)', bad(long, 'x2', 41, null), ['y', 'x1', 'x2'], LONG],
      ['error: NaN feature (long)', bad(long, 'x1', 3, NaN), ['y', 'x1', 'x2'], LONG],
      // Two bad feature columns, the later column's cell in an earlier batch: the first column's error wins, as before.
      ['error: two bad columns (wide)', bad(bad(wide, 'x2', 2, null), 'x1', 55, NaN), ['a', 'b', 'x1', 'x2'], { targets: ['a', 'b'] }],
      ['error: bad feature before a bad target (wide)', bad(bad(wide, 'x2', 50, null), 'a', 1, NaN), ['a', 'b', 'x1', 'x2'], { targets: ['a', 'b'] }],
      ['error: null target (long)', bad(long, 'y', 9, null), ['y', 'x1', 'x2'], LONG],
      ['error: one-class task (long)', { ...long, y: long.task.map((t, i) => (t === 'n' ? 1 : i % 2)) }, ['y', 'x1', 'x2'], LONG],
    ];
    for (const [name, cols, numeric, flags] of cases) {
      for (const batches of [1, 3]) {
        const files = await writeColumnar(dir, `${name.replace(/\W+/g, '-')}-${batches}`, cols, numeric, batches);
        await assertSame({ data: files.arrow, ...flags }, dir, `${name}, arrow, ${batches} batches`);
        if (batches === 1) await assertSame({ data: files.parquet, ...flags }, dir, `${name}, parquet`);
      }
    }
  } finally {
    cleanup();
  }
});
