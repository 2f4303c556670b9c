// Matrix-level operations on small hand-checked matrices, on every available backend, and the
// shape errors (which must name the operation and both shapes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.ts';
import { availableBackends, backendName, setBackend } from '../../src/linalg/backend.ts';
import { Matrix } from '../../src/linalg/matrix.ts';
import {
  add, allFinite, axpy, colSums, dot, gemv, gram, hadamard, map, matmul, norm1, norm2, normFro, normInf,
  rowSums, scal, scale, sub, symmetrize, trace, xtv,
} from '../../src/linalg/ops.ts';

const A = Matrix.from([[1, 2, 3], [4, 5, 6]]); // 2×3
const B = Matrix.from([[7, 8], [9, 10], [11, 12]]); // 3×2

function shapeError(re: RegExp): (e: unknown) => boolean {
  return (e: unknown) => e instanceof ShapeError && re.test(e.message);
}

for (const name of availableBackends()) {
  test(`[${name}] matmul: all transpose combinations on a hand-checked product`, () => {
    setBackend(name);
    assert.equal(backendName(), name);
    assert.deepEqual(matmul(A, B).toArray(), [[58, 64], [139, 154]]);
    assert.deepEqual(matmul(A.transpose(), B, { transA: true }).toArray(), [[58, 64], [139, 154]]);
    assert.deepEqual(matmul(A, B.transpose(), { transB: true }).toArray(), [[58, 64], [139, 154]]);
    assert.deepEqual(matmul(A, A, { transA: true }).toArray(), [[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
    assert.deepEqual(matmul(A, A, { transB: true }).toArray(), [[14, 32], [32, 77]]);
    // f32 operands give an f32 result.
    const c32 = matmul(A.toFloat32(), B.toFloat32());
    assert.ok(c32.data instanceof Float32Array);
    assert.deepEqual(Array.from(c32.data), [58, 64, 139, 154]);
  });

  test(`[${name}] matmul: alpha, beta and out (beta = 0 overwrites NaN)`, () => {
    setBackend(name);
    const out = Matrix.from([[1, 1], [1, 1]]);
    const r = matmul(A, B, { alpha: 2, beta: -1, out });
    assert.equal(r, out);
    assert.deepEqual(out.toArray(), [[115, 127], [277, 307]]);
    const nan = new Matrix(2, 2, new Float64Array(4).fill(NaN));
    assert.deepEqual(matmul(A, B, { out: nan }).toArray(), [[58, 64], [139, 154]]);
    // A larger product goes through the SIMD path on the wasm backend: compare with a naive loop.
    const n = 23, m = 17, k = 29;
    const X = Matrix.zeros(m, k), Y = Matrix.zeros(k, n);
    X.data.forEach((_, i) => (X.data[i] = ((i * 7) % 11) - 5));
    Y.data.forEach((_, i) => (Y.data[i] = ((i * 5) % 13) - 6));
    const Z = matmul(X, Y);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += X.get(i, p) * Y.get(p, j);
        assert.equal(Z.get(i, j), s); // small integers: exact in any summation order
      }
    }
  });

  test(`[${name}] gemv, xtv and gram on hand-checked values`, () => {
    setBackend(name);
    assert.deepEqual(Array.from(gemv(A, new Float64Array([1, 0, -1]))), [-2, -2]);
    assert.deepEqual(Array.from(gemv(A, new Float64Array([1, 2]), { trans: true })), [9, 12, 15]);
    const y = new Float64Array([1, 1]);
    gemv(A, new Float64Array([1, 1, 1]), { alpha: 2, beta: 3, out: y });
    assert.deepEqual(Array.from(y), [15, 33]);
    assert.deepEqual(Array.from(xtv(A, new Float64Array([1, -1]))), [-3, -3, -3]);
    assert.deepEqual(gram(A).toArray(), [[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
    const g = Matrix.identity(3);
    gram(A, { alpha: 1, beta: 2, out: g });
    assert.deepEqual(g.toArray(), [[19, 22, 27], [22, 31, 36], [27, 36, 47]]);
    assert.deepEqual(Array.from(gram(A.toFloat32()).data), [17, 22, 27, 22, 29, 36, 27, 36, 45]);
  });
}

test('matmul shape errors name the operation and both shapes', () => {
  assert.throws(() => matmul(A, A), shapeError(/^matmul\(A·B\): incompatible shapes 2×3 and 2×3 \(inner dimensions 3 and 2\)$/));
  assert.throws(() => matmul(A, B, { transA: true }), shapeError(/matmul\(Aᵀ·B\): incompatible shapes 2×3 and 3×2/));
  assert.throws(() => matmul(A, B, { transB: true }), shapeError(/matmul\(A·Bᵀ\): incompatible shapes 2×3 and 3×2/));
  assert.throws(() => matmul(A, B.toFloat32() as unknown as Matrix), shapeError(/matmul\(A·B\): mixed precision \(2×3 and 3×2\)/));
  assert.throws(() => matmul(A, B, { out: Matrix.zeros(3, 3) }), shapeError(/matmul\(A·B\): out is 3×3, result is 2×2/));
  assert.throws(() => matmul(A, B, { beta: 1 }), shapeError(/beta ≠ 0 needs an out matrix/));
});

test('gemv, gram and elementwise shape errors', () => {
  assert.throws(() => gemv(A, new Float64Array(2)), shapeError(/gemv\(A·x\): matrix 2×3 and vector of length 2/));
  assert.throws(() => gemv(A, new Float64Array(3), { trans: true }), shapeError(/gemv\(Aᵀ·x\): matrix 2×3 and vector of length 3/));
  assert.throws(() => gemv(A, new Float64Array(3), { out: new Float64Array(3) }), shapeError(/gemv: out has length 3, result has 2/));
  assert.throws(() => gram(A, { out: Matrix.zeros(2, 2) }), shapeError(/gram\(XᵀX\): X is 2×3, out is 2×2/));
  assert.throws(() => add(A, B), shapeError(/^add: incompatible shapes 2×3 and 3×2$/));
  assert.throws(() => sub(A, B), shapeError(/^sub: incompatible shapes 2×3 and 3×2$/));
  assert.throws(() => hadamard(A, B), shapeError(/^hadamard: incompatible shapes 2×3 and 3×2$/));
  assert.throws(() => dot([1, 2], [1]), shapeError(/dot: lengths 2 and 1/));
  assert.throws(() => axpy(1, [1, 2], new Float64Array(3)), shapeError(/axpy: lengths 2 and 3/));
  assert.throws(() => trace(A), shapeError(/trace: matrix 2×3 is not square/));
  assert.throws(() => symmetrize(A), shapeError(/symmetrize: matrix 2×3 is not square/));
});

test('BLAS-1 helpers and norms', () => {
  assert.equal(dot([1, 2, 3], [4, 5, 6]), 32);
  const y = new Float64Array([1, 1, 1]);
  axpy(2, [1, 2, 3], y);
  assert.deepEqual(Array.from(y), [3, 5, 7]);
  scal(-1, y);
  assert.deepEqual(Array.from(y), [-3, -5, -7]);
  assert.equal(norm2([3, 4]), 5);
  assert.equal(norm2([1e200, 1e200]), Math.SQRT2 * 1e200); // no overflow
  assert.equal(norm2([3e-200, 4e-200]), 5e-200); // no underflow
  assert.equal(norm2([]), 0);
  assert.equal(norm1([1, -2, 3]), 6);
  assert.equal(normInf([1, -7, 3]), 7);
  assert.equal(normFro(Matrix.from([[1, 2], [2, 4]])), 5);
});

test('elementwise helpers, sums, trace and symmetrize', () => {
  assert.deepEqual(add(A, A).toArray(), [[2, 4, 6], [8, 10, 12]]);
  assert.deepEqual(sub(A, A).toArray(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(scale(A, 0.5).toArray(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
  assert.deepEqual(hadamard(A, A).toArray(), [[1, 4, 9], [16, 25, 36]]);
  assert.deepEqual(map(A, (v, i, j) => v * 10 + i + j).toArray(), [[10, 21, 32], [41, 52, 63]]);
  assert.deepEqual(A.toArray(), [[1, 2, 3], [4, 5, 6]], 'inputs unchanged');
  assert.deepEqual(Array.from(rowSums(A)), [6, 15]);
  assert.deepEqual(Array.from(colSums(A)), [5, 7, 9]);
  assert.equal(trace(Matrix.from([[1, 2], [3, 4]])), 5);
  assert.deepEqual(symmetrize(Matrix.from([[1, 2], [4, 3]])).toArray(), [[1, 3], [3, 3]]);
  assert.equal(allFinite([1, 2, 3]), true);
  assert.equal(allFinite([1, NaN]), false);
  assert.equal(allFinite([Infinity]), false);
});
