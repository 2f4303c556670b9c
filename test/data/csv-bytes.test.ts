// The byte tokenizer's number parser and its one-pass record path (src/data/csv-bytes.ts):
//  - parseNumberBytes is exact: on fuzzed decimal spellings (signs, many digits, exponents,
//    subnormals, overflow, junk) it returns either NaN (left to Number() by the loader) or exactly
//    Number()'s double, bit for bit (Object.is, so −0 counts);
//  - the one-pass path (one-byte delimiter) and the general tokenizer (a two-byte delimiter takes only
//    the general path) give the same dataset and the same error, at every chunk size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseNumberBytes } from '../../src/data/csv-bytes.ts';
import { loadCsv, loadCsvText, type CsvOptions } from '../../src/data/csv.ts';
import { PolytaskError } from '../../src/errors.ts';
import { Random } from '../../src/linalg/random.ts';

const enc = new TextEncoder();

function check(s: string): boolean {
  const b = enc.encode(s);
  const got = parseNumberBytes(b, 0, b.length);
  if (Number.isNaN(got)) return false;
  assert.ok(Object.is(got, Number(s)), `${s}: fast path ${got}, Number() ${Number(s)}`);
  return true;
}

test('parseNumberBytes equals Number() bit for bit, or declines (NaN), on fuzzed decimals', () => {
  const rng = new Random(21);
  const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
  let fast = 0;
  let total = 0;
  for (let k = 0; k < 20000; k++) {
    const sign = ['', '-', '+'][rng.int(3)]!;
    const ip = digits(rng.int(4) === 0 ? rng.int(25) : 1 + rng.int(4));
    const fp = rng.int(3) === 0 ? '' : `.${digits(rng.int(20))}`;
    const ex = rng.int(3) === 0 ? `${['e', 'E'][rng.int(2)]}${['', '-', '+'][rng.int(3)]}${rng.int(5) === 0 ? String(rng.int(400)) : String(rng.int(25))}` : '';
    const s = sign + ip + fp + ex;
    if (!/\d/.test(ip + fp) || Number.isNaN(Number(s))) continue; // "." or "-.e5": not a number to Number() either
    total++;
    if (check(s)) fast++;
  }
  // Typical data spellings (≤ 15 significant digits, small exponents) take the fast path.
  for (let k = 0; k < 5000; k++) {
    const v = rng.normal() * 10 ** (rng.int(12) - 6);
    for (const s of [v.toFixed(6), v.toPrecision(1 + rng.int(15)), v.toExponential(rng.int(14))]) assert.ok(check(s), `fast path declined ${s}`);
  }
  // Hard cases decline (or are exact): 17+ digits, subnormals, overflow, halfway cases.
  for (const s of ['0.1', '-0', '-0.0', '0e0', '1e22', '1e23', '9007199254740993', '123456789012345678', '2.2250738585072011e-308', '4.9e-324',
    '1e-320', '1.7976931348623157e308', '1e309', '-1e400', '0.30000000000000004', '5e-324', '1.00000000000000011102230246251565404236316680908203125']) {
    check(s);
  }
  for (const s of ['', '-', '+', '.', '1.2.3', '1e', '1e+', '0x10', ' 1', '1 ', 'NaN', 'Infinity', '١']) {
    const b = enc.encode(s);
    assert.ok(Number.isNaN(parseNumberBytes(b, 0, b.length)), `${JSON.stringify(s)} must be left to the string rules`);
  }
  assert.ok(fast > total / 2, `fast path on ${fast} of ${total}`);
});

// 16–19 significant digits (src/data/csv-bytes.ts longDecimal: double-double with a rounding check).
test('16–19 significant digits: exact and on the fast path; halfway decimals decline or are exact', () => {
  const rng = new Random(2026);
  const digits = (n: number): string => Array.from({ length: n }, (_, i) => String(i === 0 ? 1 + rng.int(9) : rng.int(10))).join('');
  let fast = 0;
  let total = 0;
  for (let k = 0; k < 20000; k++) {
    const nd = 16 + rng.int(4); // significant digits, first one nonzero
    const d = digits(nd);
    const point = rng.int(nd + 1); // digits before the decimal point
    const lead = point === 0 && rng.int(2) === 0 ? '0.' + '0'.repeat(rng.int(4)) : point === 0 ? '.' : '';
    const body = point === 0 ? lead + d : point === nd ? d : `${d.slice(0, point)}.${d.slice(point)}`;
    const xs = rng.int(3) === 0 ? rng.int(3) : -1;
    const xv = rng.int(23);
    const ex = xs < 0 ? '' : `e${['', '-', '+'][xs]}${xv}`;
    const s = ['', '-', '+'][rng.int(3)]! + body + ex;
    const fast1 = check(s);
    // The decimal's exponent when its digits are read as an integer: the fast path's range is ±22.
    const scale = (xs === 1 ? -xv : xs < 0 ? 0 : xv) - (body.length - body.indexOf('.') - 1) * (body.includes('.') ? 1 : 0);
    if (scale < -22 || scale > 22) continue;
    total++;
    if (fast1) fast++;
  }
  // Within |scale| ≤ 22 the check declines only within 2^-98 of a midpoint: never on random digits.
  assert.ok(fast > 0.99 * total, `fast path on ${fast} of ${total}`);
  // Doubles as data files spell them (String(): the shortest round-trip, mostly 16–17 digits, like Landmine).
  for (let k = 0; k < 10000; k++) {
    const v = rng.normal() * 10 ** (rng.int(16) - 8);
    assert.ok(check(String(v)) || /e/.test(String(v)), `fast path declined ${String(v)}`);
    check(v.toPrecision(16 + rng.int(4)));
    check(v.toExponential(15 + rng.int(4)));
  }
  // Exact midpoints between neighbouring doubles: n + 0.5 on [2^52, 2^53) (spacing 1), n + 0.25 / 0.75
  // on [2^51, 2^52) (spacing 0.5), odd integers on [2^53, 2^54), 2 mod 4 on [2^54, 2^55), also with
  // the exponent moving the point; and decimals one unit of the 19th digit beside them (must be exact).
  const big = (lo: bigint, span: bigint): bigint => lo + BigInt(rng.int(2 ** 30)) * (span >> 30n);
  for (let k = 0; k < 1500; k++) {
    const n1 = big(2n ** 52n, 2n ** 52n);
    const n2 = big(2n ** 51n, 2n ** 51n);
    const odd = big(2n ** 53n, 2n ** 53n) | 1n;
    const two = (big(2n ** 54n, 2n ** 54n) & ~3n) | 2n;
    for (const s of [`${n1}.5`, `${n2}.25`, `${n2}.75`, `${odd}`, `${two}`, `${odd}0e-1`, `${n1}5e-1`, `${odd.toString().slice(0, 10)}.${odd.toString().slice(10)}e6`,
      `${n1}.501`, `${n1}.499`, `${n2}.2501`, `${n2}.7499`, `${odd}.01`, `${odd - 1n}.99`, `${n1}.5e-3`, `-${n1}.5e+2`]) {
      check(s);
    }
  }
  // Up to 20 digits are taken when the first 16 stay below 2^53 (exact: checked against Number()).
  assert.ok(check('12345678901234567890') && check('1.2345678901234567891'), '20 digits with a 16-digit head below 2^53');
  // Tails the fast path must leave to Number(): 21+ significant digits, |scale| > 22 (subnormals, overflow).
  for (const s of ['123456789012345678901', '9.9999999999999999999', '1.23456789012345678901', '1234567890123456789e-23', '1234567890123456789e23', '4.940656458412465441e-324', '1.797693134862315708e308']) {
    const b = enc.encode(s);
    assert.ok(Number.isNaN(parseNumberBytes(b, 0, b.length)), `${s} must be left to Number()`);
  }
});

test('the loader reads every spelling as Number() does (fast path or fallback)', () => {
  const cells = ['1', '-0', '0.1', '1e-320', '123456789012345678', '2.2250738585072011e-308', '1.7976931348623157e308', '  3.5', '4.', '.5', '+7', '1E5', '0.30000000000000004'];
  const text = `task,y,x\n${cells.map((c, i) => `a,${i},${c}`).join('\n')}\n`;
  const ds = loadCsvText(text, { taskCol: 'task', target: 'y', kind: 'regression' }).dataset;
  const got = Array.from(ds.tasks[0]!.X.data);
  cells.forEach((c, i) => assert.ok(Object.is(got[i], Number(c)), `${c}: ${got[i]} vs ${Number(c)}`));
});

test('the one-pass record path (inline ≤ 15-digit cells, scanInto for the rest) equals Number() bit for bit on fuzzed decimals', () => {
  const rng = new Random(22);
  const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
  const cells: string[] = [];
  while (cells.length < 20000) {
    const sign = ['', '-', '-', '+'][rng.int(4)]!;
    const ip = digits(rng.int(4) === 0 ? rng.int(20) : rng.int(5));
    const fp = rng.int(4) === 0 ? '' : `.${digits(rng.int(18))}`;
    const ex = rng.int(5) === 0 ? `e${['', '-', '+'][rng.int(3)]}${rng.int(30)}` : '';
    const s = sign + ip + fp + ex;
    if (Number.isFinite(Number(s)) && /\d/.test(ip + fp)) cells.push(s);
  }
  // Four cells per row so that the inline path meets every spelling in the middle and at the end of a record.
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 4) lines.push(`a,0,${cells.slice(i, i + 4).join(',')}`);
  for (const nl of ['\n', '\r\n']) {
    const ds = loadCsvText(`task,y,p,q,r,s${nl}${lines.join(nl)}${nl}`, { taskCol: 'task', target: 'y', kind: 'regression' }).dataset;
    const got = ds.tasks[0]!.X.data;
    assert.equal(got.length, cells.length);
    cells.forEach((c, i) => assert.ok(Object.is(got[i], Number(c)), `${JSON.stringify(c)}: ${got[i]} vs ${Number(c)}`));
  }
});

/** Datasets or error messages, comparable across paths. */
async function outcomes(text: string, opts: CsvOptions, dir: string): Promise<string[]> {
  const f = join(dir, 'c.csv');
  writeFileSync(f, text);
  const one = (run: () => unknown): string => {
    try {
      return JSON.stringify(run());
    } catch (e) {
      if (!(e instanceof PolytaskError)) throw e;
      return `error: ${e.message}`;
    }
  };
  const summary = (r: { dataset: { tasks: readonly { name: string; X: { data: Float64Array }; y: Float64Array; rows: Int32Array }[] } }) =>
    r.dataset.tasks.map((t) => [t.name, Array.from(t.X.data), Array.from(t.y), Array.from(t.rows)]);
  const out = [one(() => summary(loadCsvText(text, opts, 'c.csv')))];
  for (const chunkBytes of [7, 64]) {
    try {
      out.push(JSON.stringify(summary(await loadCsv(f, opts, { chunkBytes }))));
    } catch (e) {
      if (!(e instanceof PolytaskError)) throw e;
      out.push(`error: ${e.message.replaceAll(f, 'c.csv')}`);
    }
  }
  return out;
}

test('one-pass path (comma) and general tokenizer (two-byte delimiter) agree: data, CRLF, CR, quotes, wide rows, errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-csvbytes-'));
  try {
    const wide = Array.from({ length: 70 }, (_, j) => `x${j}`);
    const wideRow = (t: string, y: number) => [t, String(y), ...wide.map((_, j) => String(j * 0.5 - y))].join(',');
    const base = [
      'task,y,x1,x2',
      'a,1,0.5,-2',
      'b,2,1e-3,3.25',
      '',
      '"a",3,"4",5',
      'b,4,+6, 7',
      'a,5,1.25,0.75',
    ];
    const cases: [string, string][] = [
      ['LF', base.join('\n') + '\n'],
      ['CRLF', base.join('\r\n') + '\r\n'],
      ['CR only', base.join('\r')],
      ['no final newline', base.join('\n')],
      ['quoted line break', base.join('\n') + '\n"a\nb",6,1,2\n'],
      ['wide rows (more fields than the record arrays hold)', [['task', 'y', ...wide].join(','), wideRow('a', 1), wideRow('b', 2), wideRow('a', 3)].join('\n') + '\n'],
      ['quote inside a plain field', base.join('\n') + '\nb,7,3"4,1\n'],
      ['ragged row', base.join('\n') + '\nb,7,3\n'],
      ['text in a numeric column', base.join('\n') + '\nb,7,abc,1\n'],
      ['invalid UTF-8 in a task name', base.join('\n') + '\nb\xff,7,1,1\n'],
      ['unclosed quote', base.join('\n') + '\nb,7,"1,1\n'],
    ];
    for (const [name, text0] of cases) {
      const bytes = name.startsWith('invalid') ? Buffer.from(text0, 'latin1').toString('latin1') : text0;
      const opts: CsvOptions = { taskCol: 'task', target: 'y', kind: 'regression' };
      // The same content with a two-byte delimiter takes only the general path (quoted fields hold no commas here).
      const fast = await outcomes(bytes, opts, dir);
      const general = await outcomes(bytes.replaceAll(',', ';;'), { ...opts, delimiter: ';;' }, dir);
      for (const o of [...fast, ...general]) assert.equal(o, fast[0], `${name}: paths or chunk sizes disagree`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: random numeric CSVs read the same on both paths and chunk sizes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-csvbytes-'));
  try {
    const cell = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.integer().map(String), fc.constantFrom('1e5', '-0.000001', '+3', '7.'));
    const row = fc.tuple(fc.constantFrom('a', 'b', 'c'), cell, cell, cell);
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'), async (rows, nl) => {
        const text = ['task,y,p,q', ...rows.map((r) => r.join(','))].join(nl) + nl;
        const opts: CsvOptions = { taskCol: 'task', target: 'y', kind: 'regression' };
        const fast = await outcomes(text, opts, dir);
        const general = await outcomes(text.replaceAll(',', ';;'), { ...opts, delimiter: ';;' }, dir);
        for (const o of [...fast, ...general]) assert.equal(o, fast[0]);
        // And the values are Number()'s.
        const ds = loadCsvText(text, opts).dataset;
        const byTask = new Map(ds.tasks.map((t) => [t.name, Array.from(t.X.data)]));
        const seen = new Map<string, number>();
        for (const r of rows) {
          const k = seen.get(r[0]) ?? 0;
          seen.set(r[0], k + 1);
          const got = byTask.get(r[0])!;
          assert.ok(Object.is(got[k * 2], Number(r[2])) && Object.is(got[k * 2 + 1], Number(r[3])), `${r.join(',')}`);
        }
      }),
      { numRuns: 60, seed: 5 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
