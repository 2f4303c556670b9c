// Matrix: construction (and its errors), element access, views and copies, transposition,
// precision conversion, row selection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.ts';
import { Matrix, assertShapes, shapeOf } from '../../src/linalg/matrix.ts';
import { Random } from '../../src/linalg/random.ts';

test('constructor validates the shape and the data length', () => {
  assert.throws(() => new Matrix(2, 2, new Float64Array(3)), (e: unknown) =>
    e instanceof ShapeError && /data has length 3, shape 2×2 needs 4/.test(e.message));
  assert.throws(() => new Matrix(-1, 2, new Float64Array(0)), /invalid shape -1×2/);
  assert.throws(() => new Matrix(1.5, 2, new Float64Array(3)), /invalid shape 1.5×2/);
  const empty = new Matrix(0, 5, new Float64Array(0));
  assert.deepEqual(empty.shape, [0, 5]);
});

test('factories: zeros, zeros32, identity, from, diag', () => {
  assert.deepEqual(Matrix.zeros(2, 3).toArray(), [[0, 0, 0], [0, 0, 0]]);
  assert.ok(Matrix.zeros32(2, 2).data instanceof Float32Array);
  assert.deepEqual(Matrix.identity(3).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(Matrix.diag([2, 3]).toArray(), [[2, 0], [0, 3]]);
  assert.deepEqual(Matrix.from([]).shape, [0, 0]);
  assert.throws(() => Matrix.from([[1, 2], [3]]), (e: unknown) =>
    e instanceof ShapeError && /Matrix.from: row 1 has 1 entries, row 0 has 2/.test(e.message));
});

test('get/set address row-major storage; row is a view, col and clone are copies', () => {
  const m = Matrix.from([[1, 2, 3], [4, 5, 6]]);
  assert.equal(m.get(1, 2), 6);
  m.set(0, 1, 20);
  assert.equal(m.data[1], 20);
  const r = m.row(1);
  r[0] = 40;
  assert.equal(m.get(1, 0), 40, 'row() shares storage');
  const c = m.col(2);
  assert.deepEqual(Array.from(c), [3, 6]);
  c[0] = 99;
  assert.equal(m.get(0, 2), 3, 'col() copies');
  const k = m.clone();
  k.set(0, 0, -1);
  assert.equal(m.get(0, 0), 1, 'clone() copies');
  assert.ok(m.toFloat32().col(0) instanceof Float32Array);
});

test('transpose: small by hand, and larger than its 32×32 blocking against the definition', () => {
  assert.deepEqual(Matrix.from([[1, 2, 3], [4, 5, 6]]).transpose().toArray(), [[1, 4], [2, 5], [3, 6]]);
  const rng = new Random(5);
  const r = 45, c = 70;
  const m = new Matrix(r, c, Float64Array.from({ length: r * c }, () => rng.normal()));
  const t = m.transpose();
  assert.deepEqual(t.shape, [c, r]);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) assert.equal(t.get(j, i), m.get(i, j));
  assert.ok(m.toFloat32().transpose().data instanceof Float32Array);
});

test('precision conversion rounds to float32 and back', () => {
  const m = Matrix.from([[0.1, 1 / 3]]);
  const f = m.toFloat32();
  assert.ok(f.data instanceof Float32Array);
  assert.equal(f.get(0, 0), Math.fround(0.1));
  const back = f.toFloat64();
  assert.ok(back.data instanceof Float64Array);
  assert.equal(back.get(0, 1), Math.fround(1 / 3));
});

test('selectRows copies rows in the given order and rejects out-of-range indices', () => {
  const m = Matrix.from([[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(m.selectRows([2, 0, 2]).toArray(), [[5, 6], [1, 2], [5, 6]]);
  assert.deepEqual(m.selectRows([]).shape, [0, 2]);
  assert.throws(() => m.selectRows([0, 3]), (e: unknown) => e instanceof ShapeError && /row 3 out of range for 3 rows/.test(e.message));
});

test('toString, shapeOf and assertShapes', () => {
  assert.equal(Matrix.zeros(2, 3).toString(), 'Matrix(2×3, f64)');
  assert.equal(Matrix.zeros32(1, 1).toString(), 'Matrix(1×1, f32)');
  assert.equal(shapeOf({ rows: 4, cols: 5 }), '4×5');
  assert.doesNotThrow(() => assertShapes(true, 'op', Matrix.zeros(1, 2), Matrix.zeros(3, 4)));
  assert.throws(() => assertShapes(false, 'solve', Matrix.zeros(1, 2), Matrix.zeros(3, 4), 'why'), (e: unknown) =>
    e instanceof ShapeError && e.message === 'solve: incompatible shapes 1×2 and 3×4 (why)');
});
