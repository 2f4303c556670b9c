import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, parseIdx, readIdx } from '../../../src/nn/data/idx.ts';
import { ParseError } from '../../../src/errors.ts';

test('IDX: a hand-written uint8 file parses to its shape and values', () => {
  // magic 0x00000803, dims 2 × 2 × 3 big-endian, then 12 bytes
  const bytes = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, ...Array.from({ length: 12 }, (_, i) => i * 20)]);
  const a = parseIdx(bytes);
  assert.deepEqual(a.shape, [2, 2, 3]);
  assert.ok(a.data instanceof Uint8Array);
  assert.deepEqual([...a.data], Array.from({ length: 12 }, (_, i) => i * 20));
});

test('IDX: big-endian multi-byte types round-trip through encode/parse', () => {
  const cases = [
    Int16Array.from([-3, 0, 32767, -32768]),
    Int32Array.from([-1, 2 ** 31 - 1, 7, -(2 ** 31)]),
    Float32Array.from([1.5, -2.25, 3e-8, 0]),
    Float64Array.from([Math.PI, -1e300, 5e-324, 0]),
    Int8Array.from([-128, 127, 0, 5]),
  ];
  for (const data of cases) {
    const enc = encodeIdx({ shape: [2, 2], data });
    // the first value's bytes must be big-endian: check int16 -3 = 0xFFFD explicitly
    if (data instanceof Int16Array) assert.deepEqual([...enc.subarray(12, 14)], [0xff, 0xfd]);
    const back = parseIdx(enc);
    assert.deepEqual(back.shape, [2, 2]);
    assert.equal(back.data.constructor, data.constructor);
    assert.deepEqual([...back.data], [...data]);
  }
});

test('IDX: gzip files are detected and read; bad files raise ParseError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  const enc = encodeIdx({ shape: [3], data: Uint8Array.from([7, 8, 9]) });
  const gz = join(dir, 'l.gz');
  writeFileSync(gz, gzipSync(enc));
  assert.deepEqual([...readIdx(gz).data], [7, 8, 9]);
  const truncated = join(dir, 'bad');
  writeFileSync(truncated, enc.subarray(0, enc.length - 1));
  assert.throws(() => readIdx(truncated), (e: unknown) => e instanceof ParseError && /bad/.test(e.message) && /truncated/.test(e.message));
  assert.throws(() => parseIdx(Uint8Array.from([1, 0, 8, 1]), 'x.idx'), (e: unknown) => e instanceof ParseError && /x\.idx/.test(e.message) && /magic/.test(e.message));
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0])), /unknown IDX type code 0x42/);
  assert.throws(() => parseIdx(Uint8Array.from([...enc, 0])), /trailing/);
});
