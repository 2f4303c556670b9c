// Fuzzing the CSV and MAT readers (issue 16): random bytes and mutations of valid files must end in
// either a dataset of finite numbers or a PolytaskError (a data error with a place) — never another
// exception (the CLI's "internal error", exit 70), a hang, or a non-finite value. The streaming CSV
// reader, fed in tiny chunks, must agree with the one-buffer reader on every input. Plus the CLI
// cases of issue 16 with their exit codes and messages. Kept to a few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { PolytaskError } from '../../src/errors.ts';
import { loadCsv, loadCsvBytes, type CsvOptions, type CsvResult } from '../../src/data/csv.ts';
import { loadMatCells, parseMat } from '../../src/data/mat.ts';
import { MatLayoutError } from '../../src/data/errors.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { cell, compressed, matFile, numeric } from './mat-writer.ts';
import { cli, tempDir } from '../cli/helpers.ts';

function allFinite(ds: MultiTaskDataset): boolean {
  return ds.tasks.every((t) => t.X.data.every(Number.isFinite) && t.y.every(Number.isFinite) && (t.weights?.every(Number.isFinite) ?? true));
}

/** 'ok' with the dataset, or the PolytaskError's message; anything else fails the property. */
function outcome(f: () => CsvResult | MultiTaskDataset): { ok: MultiTaskDataset } | { err: string } {
  try {
    const r = f();
    const ds = 'dataset' in r ? r.dataset : r;
    assert.ok(allFinite(ds), 'loaded data must be finite');
    return { ok: ds };
  } catch (e) {
    if (e instanceof PolytaskError) return { err: e.message };
    throw e;
  }
}

const VALID_CSV = 'task,y,a,b\nA,1.5,1,2\n"B",2,3,4\r\nA,0.1,"5",6e-3\nB,-7,8,9.25\n';
const LONG: CsvOptions = { taskCol: 'task', target: 'y' };
/** Bytes that steer the tokenizer into its odd corners. */
const SPICY = [0x22, 0x2c, 0x0a, 0x0d, 0x20, 0xff, 0xc3, 0xa9, 0xe9, 0x00, 0x2d, 0x2e, 0x65, 0x31];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(...SPICY), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.constantFrom(...SPICY) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), byte: fc.constant(0) }),
);

function mutate(base: Uint8Array, muts: readonly { kind: 'flip' | 'insert' | 'cut'; at: number; byte: number }[]): Uint8Array {
  let b = Array.from(base);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'flip' && at < b.length) b[at] = m.byte;
    else if (m.kind === 'insert') b.splice(at, 0, m.byte);
    else if (m.kind === 'cut') b = b.slice(0, at);
  }
  return new Uint8Array(b);
}

test('CSV fuzz: random bytes and mutated files give finite data or a PolytaskError, never anything else', () => {
  const base = new TextEncoder().encode(VALID_CSV);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      outcome(() => loadCsvBytes(bytes, LONG, 'r.csv'));
      outcome(() => loadCsvBytes(bytes, { targets: ['y'], kind: 'regression', header: false }, 'r.csv'));
    }),
    { numRuns: 200, seed: 11 },
  );
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.constantFrom<CsvOptions>(LONG, { ...LONG, kind: 'regression' }, { ...LONG, dropMissingFeatures: true }, { targets: ['a', 'b'] }), (muts, opts) => {
      const r = outcome(() => loadCsvBytes(mutate(base, muts), opts, 'm.csv'));
      // Every refusal names the file; a syntax or cell error also names line and column.
      if ('err' in r) assert.match(r.err, /m\.csv/);
    }),
    { numRuns: 300, seed: 12 },
  );
});

test('CSV fuzz: the streaming reader in 5-byte chunks agrees with the one-buffer reader', async () => {
  const { dir, cleanup } = tempDir('polytask-fuzz-');
  try {
    const base = new TextEncoder().encode(VALID_CSV);
    const f = join(dir, 's.csv');
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 0, maxLength: 3 }), async (muts) => {
        const bytes = mutate(base, muts);
        writeFileSync(f, bytes);
        const one = outcome(() => loadCsvBytes(bytes, LONG, f));
        let streamed: { ok: MultiTaskDataset } | { err: string };
        try {
          streamed = { ok: (await loadCsv(f, LONG, { chunkBytes: 5 })).dataset };
        } catch (e) {
          if (!(e instanceof PolytaskError)) throw e;
          streamed = { err: e.message };
        }
        if ('err' in one) assert.deepEqual(streamed, one);
        else {
          assert.ok('ok' in streamed, `streamed failed where one-buffer loaded: ${'err' in streamed ? streamed.err : ''}`);
          assert.deepEqual(streamed.ok.tasks.map((t) => [t.name, Array.from(t.X.data), Array.from(t.y), Array.from(t.rows)]), one.ok.tasks.map((t) => [t.name, Array.from(t.X.data), Array.from(t.y), Array.from(t.rows)]));
        }
      }),
      { numRuns: 80, seed: 13 },
    );
  } finally {
    cleanup();
  }
});

test('MAT fuzz: random bytes and mutated files give finite data or a PolytaskError', () => {
  const { dir, cleanup } = tempDir('polytask-fuzz-');
  try {
    const w = { le: true };
    const X = cell(w, 'X', [1, 2], [numeric(w, '', 9, [2, 2], [1, 2, 3, 4], 2), compressed(w, numeric(w, '', 9, [3, 2], [5, 6, 7, 8, 9, 10]))]);
    const Y = cell(w, 'Y', [1, 2], [numeric(w, '', 6, [2, 1], [0.5, 1]), numeric(w, '', 6, [3, 1], [1, 0, 2])]);
    const base = matFile(w, [X, Y]);
    const f = join(dir, 'm.mat');
    const check = (bytes: Uint8Array): void => {
      try {
        parseMat(bytes, 'm.mat');
      } catch (e) {
        if (!(e instanceof PolytaskError)) throw e;
      }
      writeFileSync(f, bytes);
      outcome(() => loadMatCells(f, { x: 'X', y: 'Y' }).dataset);
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => check(b)), { numRuns: 100, seed: 21 });
    // Random bytes behind a valid 128-byte header reach the element parser.
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 400 }), (b) => check(new Uint8Array([...base.subarray(0, 128), ...b]))), { numRuns: 100, seed: 22 });
    fc.assert(
      fc.property(fc.array(fc.record({ kind: fc.constantFrom('flip' as const, 'cut' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 3 }), (muts) => check(mutate(base, muts))),
      { numRuns: 200, seed: 23 },
    );
  } finally {
    cleanup();
  }
});

test('issue 16 through the CLI: quote in an unquoted field, random bytes, Latin-1 names, MAT layout → exit 1 with the place', async () => {
  const { dir, cleanup } = tempDir('polytask-fuzz-');
  try {
    const args = (file: string): string[] => ['inspect', '--data', file, '--task-col', 'task', '--target', 'y'];
    writeFileSync(join(dir, 'q.csv'), 'task,y,a,b,c\nA,1,2,3"4,5\n');
    let r = await cli(args('q.csv'), dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /q\.csv:2:4: column "b" \(#4\).*quote/);
    assert.doesNotMatch(r.stderr, /internal error/);

    const junk = new Uint8Array(4096);
    let s = 12345;
    for (let i = 0; i < junk.length; i++) junk[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    writeFileSync(join(dir, 'junk.csv'), junk);
    r = await cli(args('junk.csv'), dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /junk\.csv:\d+/);
    assert.doesNotMatch(r.stderr, /internal error/);

    // café / cafè in Latin-1: the é and è bytes are invalid UTF-8; refused at line 2, column "task".
    const latin1 = Buffer.concat([Buffer.from('task,y,a\ncaf'), Buffer.from([0xe9]), Buffer.from(',1,2\ncaf'), Buffer.from([0xe8]), Buffer.from(',2,3\n')]);
    writeFileSync(join(dir, 'l1.csv'), latin1);
    r = await cli(args('l1.csv'), dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /l1\.csv:2:1: column "task" \(#1\).*invalid UTF-8/);
    // The same names in UTF-8 are two tasks.
    writeFileSync(join(dir, 'u8.csv'), 'task,y,a\ncafé,1,2\ncafè,2,3\ncafé,3,1\ncafè,1,1\n');
    r = await cli([...args('u8.csv'), '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { tasks: { task: string }[] }).tasks.map((t) => t.task), ['café', 'cafè']);

    const w = { le: true };
    const X = cell(w, 'X', [1, 1], [numeric(w, '', 9, [2, 2], [1, 2, 3, 4])]);
    const Y = cell(w, 'Y', [1, 1], [numeric(w, '', 9, [3, 1], [1, 2, 3])]);
    writeFileSync(join(dir, 'bad.mat'), matFile(w, [X, Y]));
    r = await cli(['inspect', '--data', 'bad.mat'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^polytask: \S*bad\.mat: task 1 has 2 rows in X but 3 targets/); // no internal `y:` prefix
    assert.throws(() => loadMatCells(join(dir, 'bad.mat'), { x: 'X', y: 'Y' }), MatLayoutError);
    r = await cli(['inspect', '--data', 'bad.mat', '--mat-y', 'Z'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /bad\.mat: no variable "Z"/);
  } finally {
    cleanup();
  }
});
