import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMatCells, matToMatrix, parseMat, type MatCell, type MatNumeric, type MatSparse, type MatStruct } from '../../src/data/mat.ts';
import { MatFormatError, OneClassTaskError } from '../../src/data/errors.ts';
import { cell, char, compressed, matFile, numeric, sparse, struct } from './mat-writer.ts';

// Classes: 6 double, 7 single, 8 int8, 9 uint8, 10 int16, 11 uint16, 12 int32, 13 uint32.
// Storage types: 1 int8, 2 uint8, 3 int16, 4 uint16, 5 int32, 6 uint32, 7 single, 9 double, 12 int64.

for (const le of [true, false]) {
  const w = { le };
  const order = le ? 'little-endian' : 'big-endian';

  test(`MAT v5 ${order}: every numeric class and storage type reads as the same doubles`, () => {
    const vals = [1, 2, 3, 4, 5, 6];
    const cases: [number, number, string][] = [
      [6, 9, 'double'], [6, 2, 'double'], [7, 7, 'single'], [8, 1, 'int8'], [9, 2, 'uint8'], [10, 3, 'int16'],
      [11, 4, 'uint16'], [12, 5, 'int32'], [13, 6, 'uint32'], [14, 12, 'int64'],
    ];
    const file = matFile(w, cases.map(([cls, store], i) => numeric(w, `v${i}`, cls, [2, 3], vals, store)));
    const m = parseMat(file);
    cases.forEach(([, , name], i) => {
      const v = m.get(`v${i}`) as MatNumeric;
      assert.equal(v.type, 'numeric');
      assert.equal(v.class, name);
      assert.deepEqual(v.dims, [2, 3]);
      assert.deepEqual(Array.from(v.real), vals);
    });
    // Column-major [2×3] 1..6 is the matrix [[1,3,5],[2,4,6]].
    assert.deepEqual(matToMatrix(m.get('v0')!).toArray(), [[1, 3, 5], [2, 4, 6]]);
    // Negative values survive signed storage.
    const neg = parseMat(matFile(w, [numeric(w, 'n', 10, [1, 3], [-1, -300, 7], 3)]));
    assert.deepEqual(Array.from((neg.get('n') as MatNumeric).real), [-1, -300, 7]);
  });

  test(`MAT v5 ${order}: logical, complex, char, cell, struct, sparse, compressed`, () => {
    const els = [
      numeric(w, 'L', 9, [1, 3], [1, 0, 1], 2, { logical: true }),
      numeric(w, 'Z', 6, [1, 2], [1, 2], 9, { imag: [3, -4] }),
      char(w, 'name', 'school'),
      cell(w, 'C', [1, 2], [numeric(w, '', 6, [1, 1], [7.5]), char(w, '', 'ab')]),
      struct(w, 'S', ['alpha', 'beta'], [numeric(w, '', 6, [1, 1], [1]), numeric(w, '', 6, [1, 2], [2, 3])]),
      sparse(w, 'sp', 3, 4, [[0, 0, 1.5], [2, 0, 2], [1, 2, 3], [2, 3, 4]]),
      compressed(w, numeric(w, 'packed', 6, [2, 2], [0.1, 0.2, 0.3, 0.4])),
    ];
    const m = parseMat(matFile(w, els));
    assert.equal((m.get('L') as MatNumeric).class, 'logical');
    assert.deepEqual(Array.from((m.get('Z') as MatNumeric).imag!), [3, -4]);
    assert.deepEqual(m.get('name'), { type: 'char', dims: [1, 6], text: 'school' });
    const C = m.get('C') as MatCell;
    assert.equal(C.cells.length, 2);
    assert.deepEqual(Array.from((C.cells[0] as MatNumeric).real), [7.5]);
    const S = m.get('S') as MatStruct;
    assert.deepEqual(S.fieldNames, ['alpha', 'beta']);
    assert.deepEqual(Array.from((S.elements[0]!.beta as MatNumeric).real), [2, 3]);
    const sp = m.get('sp') as MatSparse;
    assert.deepEqual(matToMatrix(sp).toArray(), [[1.5, 0, 0, 0], [0, 0, 3, 0], [2, 0, 0, 4]]);
    assert.deepEqual(Array.from((m.get('packed') as MatNumeric).real), [0.1, 0.2, 0.3, 0.4]);
  });

  test(`loadMatCells ${order}: per-task dataset from X{t}, Y{t}; binary 0/1 mapped to ±1`, () => {
    const X = cell(w, 'X', [1, 2], [numeric(w, '', 9, [2, 2], [1, 2, 3, 4], 2), numeric(w, '', 9, [3, 2], [5, 6, 7, 8, 9, 10], 2)]);
    const Y = cell(w, 'Y', [1, 2], [numeric(w, '', 6, [2, 1], [0, 1]), numeric(w, '', 6, [3, 1], [1, 0, 1])]);
    const dir = mkdtempSync(join(tmpdir(), 'polytask-mat-'));
    try {
      const f = join(dir, 'd.mat');
      writeFileSync(f, matFile(w, [X, Y]));
      const { dataset, report } = loadMatCells(f, { x: 'X', y: 'Y' });
      assert.deepEqual(dataset.tasks.map((t) => t.name), ['1', '2']);
      assert.deepEqual(dataset.tasks[0]!.X.toArray(), [[1, 3], [2, 4]]);
      assert.deepEqual(Array.from(dataset.tasks[1]!.y), [1, -1, 1]);
      assert.deepEqual(Array.from(dataset.tasks[1]!.rows), [2, 3, 4]);
      assert.deepEqual(report.labelMap, { negative: '0', positive: '1' });
      assert.equal(dataset.kind, 'binary');
      assert.throws(() => loadMatCells(f, { x: 'X', y: 'nope' }), /no variable "nope"/);
      const Y1 = cell(w, 'Y', [1, 2], [numeric(w, '', 6, [2, 1], [0, 1]), numeric(w, '', 6, [3, 1], [1, 1, 1])]);
      writeFileSync(f, matFile(w, [X, Y1]));
      assert.throws(() => loadMatCells(f, { x: 'X', y: 'Y' }), (e: unknown) => e instanceof OneClassTaskError && e.task === '2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('MAT errors: HDF5 / v7.3, bad header, truncation, bad compression, all with byte offsets', () => {
  const w = { le: true };
  const hdf5 = new Uint8Array(200);
  hdf5.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.throws(() => parseMat(hdf5, 'h.mat'), (e: unknown) => e instanceof MatFormatError && /HDF5/.test(e.message) && /h\.mat/.test(e.message));
  const v73 = matFile(w, []);
  v73.set(new TextEncoder().encode('MATLAB 7.3 MAT-file'));
  assert.throws(() => parseMat(v73), (e: unknown) => e instanceof MatFormatError && /7\.3/.test(e.message));
  assert.throws(() => parseMat(new Uint8Array(50)), (e: unknown) => e instanceof MatFormatError && e.offset === 0);
  const good = matFile(w, [numeric(w, 'a', 6, [2, 2], [1, 2, 3, 4])]);
  // Cut inside the element: the tag claims more bytes than remain.
  assert.throws(() => parseMat(good.subarray(0, good.length - 12)), (e: unknown) => e instanceof MatFormatError && e.offset === 128);
  const bad = compressed(w, numeric(w, 'a', 6, [1, 1], [1]));
  bad[12] ^= 0xff;
  bad[13] ^= 0xff;
  assert.throws(() => parseMat(matFile(w, [bad])), (e: unknown) => e instanceof MatFormatError && e.offset === 128);
  // A miMATRIX whose value count does not match its dimensions.
  assert.throws(() => parseMat(matFile(w, [numeric(w, 'a', 6, [2, 2], [1, 2, 3])])), (e: unknown) => e instanceof MatFormatError && /needs 4 values/.test(e.message));
});
