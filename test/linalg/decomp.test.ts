import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/linalg/matrix.ts';
import { matmul, normFro, sub } from '../../src/linalg/ops.ts';
import { Random } from '../../src/linalg/random.ts';
import { NumericError, ShapeError } from '../../src/errors.ts';
import { eigh, spectralApply } from '../../src/linalg/decomp/eigh.ts';
import { svd, svdReconstruct } from '../../src/linalg/decomp/svd.ts';
import { cholesky, choleskySolve } from '../../src/linalg/decomp/cholesky.ts';
import { pinv, solve, sqrtmPsd } from '../../src/linalg/decomp/solve.ts';
import { eighML, svdML } from '../../src/linalg/decomp/mlmatrix.ts';

const rng = new Random(2024);

function gaussian(m: number, n: number): Matrix {
  return new Matrix(m, n, rng.normals(m * n));
}

function symmetric(n: number): Matrix {
  const g = gaussian(n, n);
  return matmul(g, g, { transB: true, alpha: 0.5 }); // PSD, then shifted below where needed
}

/** An m×n matrix with orthonormal columns (m ≥ n), from the QR-like SVD of the reference library. */
function orthonormal(m: number, n: number): Matrix {
  return svdML(gaussian(m, n)).U;
}

/** U diag(s) Vᵀ with prescribed singular values: the way to build a matrix of known condition. */
function withSingularValues(m: number, n: number, s: readonly number[]): Matrix {
  const k = s.length;
  const U = orthonormal(m, k);
  const V = orthonormal(n, k);
  return svdReconstruct({ U, s: Float64Array.from(s), V });
}

/** Geometric singular values from 1 down to 1/cond. */
function geometric(k: number, cond: number): number[] {
  return Array.from({ length: k }, (_, i) => (k === 1 ? 1 : Math.pow(cond, -i / (k - 1))));
}

function relErr(a: Matrix, b: Matrix): number {
  const nb = normFro(b);
  return normFro(sub(a, b)) / (nb === 0 ? 1 : nb);
}

/** max |QᵀQ − I| */
function orthoErr(Q: Matrix): number {
  const G = matmul(Q, Q, { transA: true });
  let e = 0;
  for (let i = 0; i < G.rows; i++) for (let j = 0; j < G.cols; j++) e = Math.max(e, Math.abs(G.get(i, j) - (i === j ? 1 : 0)));
  return e;
}

function eighReconstruct(values: Float64Array, vectors: Matrix): Matrix {
  return spectralApply({ values, vectors }, (l) => l);
}

// ---------------------------------------------------------------- eigh

test('eigh: reconstruction, orthonormal vectors, ascending values, agreement with ml-matrix', () => {
  for (const n of [1, 2, 3, 7, 40, 90]) {
    const a = sub(symmetric(n), Matrix.identity(n)); // indefinite
    const { values, vectors } = eigh(a);
    assert.ok(relErr(eighReconstruct(values, vectors), a) < 1e-12, `n=${n} reconstruction`);
    assert.ok(orthoErr(vectors) < 1e-12, `n=${n} orthonormality`);
    for (let k = 1; k < n; k++) assert.ok(values[k]! >= values[k - 1]!);
    const ref = eighML(a).values;
    const scale = Math.max(...ref.map(Math.abs));
    for (let k = 0; k < n; k++) assert.ok(Math.abs(values[k]! - ref[k]!) < 1e-12 * scale, `n=${n} λ${k}`);
  }
});

test('eigh: known spectra — ill-conditioned (1e12), repeated eigenvalues, diagonal, zero and 0×0', () => {
  const n = 30;
  const lam = geometric(n, 1e12);
  const Q = orthonormal(n, n);
  const a = svdReconstruct({ U: Q, s: Float64Array.from(lam), V: Q });
  const e = eigh(a);
  assert.ok(relErr(eighReconstruct(e.values, e.vectors), a) < 1e-12);
  const sorted = [...lam].sort((x, y) => x - y);
  for (let k = 0; k < n; k++) assert.ok(Math.abs(e.values[k]! - sorted[k]!) < 1e-13, `λ${k}`);

  // A multiple eigenvalue: eigenvectors must still be orthonormal.
  const rep = svdReconstruct({ U: Q, s: Float64Array.from({ length: n }, (_, i) => (i < 10 ? 2 : 5)), V: Q });
  const er = eigh(rep);
  assert.ok(orthoErr(er.vectors) < 1e-12);
  assert.ok(relErr(eighReconstruct(er.values, er.vectors), rep) < 1e-12);

  const diag = eigh(Matrix.diag([3, -1, 2]));
  assert.deepEqual(Array.from(diag.values), [-1, 2, 3]);
  assert.deepEqual(Array.from(eigh(Matrix.zeros(4, 4)).values), [0, 0, 0, 0]);
  assert.equal(eigh(Matrix.zeros(0, 0)).values.length, 0);
  // Already tridiagonal and with zero off-diagonals in the middle (the skipped-reflector path).
  const t = Matrix.from([[2, 1, 0, 0], [1, 2, 0, 0], [0, 0, 3, 1], [0, 0, 1, 3]]);
  const et = eigh(t);
  assert.ok(Array.from(et.values).every((v, k) => Math.abs(v - [1, 2, 3, 4][k]!) < 1e-14));
  // Huge and tiny scales do not overflow or underflow.
  for (const s of [1e150, 1e-150]) {
    const big = eigh(Matrix.from([[2 * s, s], [s, 2 * s]]));
    assert.ok(Math.abs(big.values[0]! / s - 1) < 1e-14 && Math.abs(big.values[1]! / s - 3) < 1e-14);
  }
});

test('eigh: errors', () => {
  assert.throws(() => eigh(Matrix.zeros(2, 3)), ShapeError);
  assert.throws(() => eigh(Matrix.from([[1, NaN], [NaN, 1]])), NumericError);
});

// ---------------------------------------------------------------- svd

function checkSvd(a: Matrix, label: string): void {
  const d = svd(a);
  const r = Math.min(a.rows, a.cols);
  assert.equal(d.U.rows, a.rows, label);
  assert.equal(d.U.cols, r, label);
  assert.equal(d.V.rows, a.cols, label);
  assert.equal(d.V.cols, r, label);
  assert.equal(d.s.length, r, label);
  if (r === 0) return;
  assert.ok(relErr(svdReconstruct(d), a) < 1e-10, `${label}: reconstruction ${relErr(svdReconstruct(d), a)}`);
  assert.ok(orthoErr(d.U) < 1e-10, `${label}: U orthonormal (${orthoErr(d.U)})`);
  assert.ok(orthoErr(d.V) < 1e-10, `${label}: V orthonormal (${orthoErr(d.V)})`);
  for (let k = 0; k < r; k++) assert.ok(d.s[k]! >= 0, `${label}: s ≥ 0`);
  for (let k = 1; k < r; k++) assert.ok(d.s[k]! <= d.s[k - 1]!, `${label}: s descending`);
}

test('svd: tall, wide, square, 1×n, n×1 random matrices', () => {
  for (const [m, n] of [[40, 7], [7, 40], [25, 25], [1, 9], [9, 1], [1, 1], [2, 3]] as const) checkSvd(gaussian(m, n), `${m}×${n}`);
});

test('svd: ill-conditioned inputs (κ = 1e10, 1e12) keep 1e-10 reconstruction, orthonormal factors and the singular values', () => {
  for (const [m, n, cond] of [[60, 60, 1e10], [80, 30, 1e12], [30, 80, 1e12]] as const) {
    const s = geometric(Math.min(m, n), cond);
    const a = withSingularValues(m, n, s);
    checkSvd(a, `${m}×${n} κ=${cond}`);
    const d = svd(a);
    // Singular values are perturbed by at most ‖E‖₂ ≈ ε‖A‖ (Weyl), so compare absolutely.
    for (let k = 0; k < s.length; k++) assert.ok(Math.abs(d.s[k]! - s[k]!) < 1e-13, `σ${k}`);
  }
});

test('svd: rank-deficient and zero matrices', () => {
  const lowRank = matmul(gaussian(20, 3), gaussian(3, 15)); // rank 3
  checkSvd(lowRank, 'rank 3');
  const d = svd(lowRank);
  assert.ok(d.s[2]! > 1e-3 * d.s[0]!);
  for (let k = 3; k < 15; k++) assert.ok(d.s[k]! < 1e-13 * d.s[0]!, `σ${k} = ${d.s[k]}`);
  // Exactly zero singular values: U must be completed to an orthonormal set.
  checkSvd(Matrix.from([[1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]), 'one non-zero entry');
  checkSvd(Matrix.from([[1, 1], [1, 1], [1, 1]]), 'rank 1 with an exact zero σ');
  const z = svd(Matrix.zeros(3, 2));
  assert.deepEqual(Array.from(z.s), [0, 0]);
  assert.ok(orthoErr(z.U) === 0 && orthoErr(z.V) === 0);
  // Repeated singular values (an orthogonal matrix): all 1.
  const Q = orthonormal(12, 12);
  assert.ok(svd(Q).s.every((v) => Math.abs(v - 1) < 1e-13));
  checkSvd(Q, 'orthogonal');
});

test('svd: 0-size matrices give empty factors of the right shapes', () => {
  for (const [m, n] of [[0, 0], [0, 4], [5, 0]] as const) checkSvd(Matrix.zeros(m, n), `${m}×${n}`);
});

test('svd: agrees with ml-matrix on singular values', () => {
  const a = gaussian(30, 18);
  const mine = svd(a).s;
  const ref = svdML(a).s;
  for (let k = 0; k < 18; k++) assert.ok(Math.abs(mine[k]! - ref[k]!) < 1e-12 * ref[0]!);
});

test('svd: NaN is an error', () => {
  assert.throws(() => svd(Matrix.from([[1, Infinity]])), NumericError);
});

// ---------------------------------------------------------------- cholesky and solve

test('cholesky: L Lᵀ = A with L lower triangular; choleskySolve solves', () => {
  const n = 25;
  const a = symmetric(n);
  for (let i = 0; i < n; i++) a.data[i * n + i]! += 1;
  const L = cholesky(a);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L.get(i, j), 0);
  assert.ok(relErr(matmul(L, L, { transB: true }), a) < 1e-13);
  const b = gaussian(n, 3);
  const x = choleskySolve(L, b);
  assert.ok(relErr(matmul(a, x), b) < 1e-12);
});

test('cholesky: a non-PD matrix names the failing pivot; shape and NaN errors', () => {
  const a = Matrix.from([[4, 2, 0], [2, 1, 0], [0, 0, 1]]); // PSD but singular: pivot 2 is 0
  assert.throws(() => cholesky(a), (e: unknown) => e instanceof NumericError && /pivot 2 of 3/.test(e.message));
  assert.throws(() => cholesky(Matrix.from([[1, 2], [2, 1]])), (e: unknown) => e instanceof NumericError && /pivot 2 of 2/.test(e.message));
  assert.throws(() => cholesky(Matrix.from([[-1]])), (e: unknown) => e instanceof NumericError && /pivot 1 of 1/.test(e.message));
  assert.throws(() => cholesky(Matrix.zeros(2, 3)), ShapeError);
  assert.throws(() => cholesky(Matrix.from([[NaN]])), NumericError);
  assert.throws(() => choleskySolve(Matrix.identity(2), Matrix.zeros(3, 1)), ShapeError);
});

test('solve: A X = B for random and moderately ill-conditioned A', () => {
  for (const n of [1, 3, 30]) {
    const a = gaussian(n, n);
    const b = gaussian(n, 4);
    assert.ok(relErr(matmul(a, solve(a, b)), b) < 1e-12, `n=${n}`);
  }
  const a = withSingularValues(20, 20, geometric(20, 1e8));
  const b = gaussian(20, 1);
  // Residual is backward-stable: ‖AX − B‖ ≲ ε‖A‖‖X‖.
  const x = solve(a, b);
  assert.ok(normFro(sub(matmul(a, x), b)) < 1e-12 * normFro(x) + 1e-12);
});

test('solve: singular (exactly and numerically) is a NumericError; shapes and NaN are checked', () => {
  assert.throws(() => solve(Matrix.from([[1, 2], [2, 4]]), Matrix.from([[1], [2]])), NumericError);
  // A product of rank 9: LU pivots are not exactly 0, the condition estimate catches it.
  const a = matmul(gaussian(10, 9), gaussian(9, 10));
  assert.throws(() => solve(a, gaussian(10, 1)), (e: unknown) => e instanceof NumericError && /singular/.test(e.message));
  assert.throws(() => solve(Matrix.zeros(2, 3), Matrix.zeros(2, 1)), ShapeError);
  assert.throws(() => solve(Matrix.identity(2), Matrix.zeros(3, 1)), ShapeError);
  assert.throws(() => solve(Matrix.from([[1, NaN], [0, 1]]), Matrix.zeros(2, 1)), NumericError);
  assert.equal(solve(Matrix.zeros(0, 0), Matrix.zeros(0, 2)).cols, 2);
});

// ---------------------------------------------------------------- pinv and sqrtm

function checkPenrose(a: Matrix, label: string): void {
  const p = pinv(a);
  assert.equal(p.rows, a.cols);
  assert.equal(p.cols, a.rows);
  const ap = matmul(a, p);
  const pa = matmul(p, a);
  // The four Moore–Penrose conditions (Penrose 1955).
  assert.ok(relErr(matmul(ap, a), a) < 1e-10, `${label}: A A⁺ A = A`);
  assert.ok(relErr(matmul(pa, p), p) < 1e-10, `${label}: A⁺ A A⁺ = A⁺`);
  assert.ok(relErr(ap.transpose(), ap) < 1e-10, `${label}: (A A⁺)ᵀ = A A⁺`);
  assert.ok(relErr(pa.transpose(), pa) < 1e-10, `${label}: (A⁺ A)ᵀ = A⁺ A`);
}

test('pinv: the four Moore–Penrose conditions on full-rank, rank-deficient, wide and zero matrices', () => {
  checkPenrose(gaussian(12, 5), 'tall');
  checkPenrose(gaussian(5, 12), 'wide');
  checkPenrose(matmul(gaussian(10, 2), gaussian(2, 8)), 'rank 2');
  checkPenrose(Matrix.zeros(3, 4), 'zero');
  // Full column rank: A⁺ = (AᵀA)⁻¹Aᵀ.
  const a = gaussian(9, 4);
  const closed = solve(matmul(a, a, { transA: true }), a.transpose());
  assert.ok(relErr(pinv(a), closed) < 1e-10);
});

test('sqrtmPsd: S S = A, S symmetric PSD; clear error on an indefinite matrix', () => {
  const a = symmetric(15);
  const s = sqrtmPsd(a);
  assert.ok(relErr(matmul(s, s), a) < 1e-10);
  assert.ok(relErr(s.transpose(), s) < 1e-14);
  assert.ok(eigh(s).values[0]! > -1e-10);
  // Singular PSD (rank 1): still exact.
  const r1 = Matrix.from([[1, 2], [2, 4]]);
  assert.ok(relErr(matmul(sqrtmPsd(r1), sqrtmPsd(r1)), r1) < 1e-12);
  assert.throws(() => sqrtmPsd(Matrix.from([[1, 0], [0, -1]])), NumericError);
});

// Issue 9: `compare` on a real 42-task × 19-feature set died with "one-sided Jacobi did not converge in
// 60 sweeps (42×19)". Column norms spanning hundreds of decades made ‖b_p‖²‖b_q‖² underflow in the
// rotation test (and the Gram preconditioner's eigh divided by subnormals); these are the regressions.
test('svd: 42×19 (and 19×42) at κ = 1e12 — graded, clustered, tiny and rank-deficient spectra', () => {
  const n = 19;
  const spectra: Record<string, number[]> = {
    graded: geometric(n, 1e12),
    clustered: Array.from({ length: n }, (_, i) => (i < 9 ? 1 + 1e-13 * i : 1e-12 * (1 + 1e-13 * i))),
    tiny: Array.from({ length: n }, (_, i) => (i < 3 ? 1 : 1e-15 * (i + 1))),
    rankDeficient: Array.from({ length: n }, (_, i) => (i < 5 ? 1 / (i + 1) : 0)),
  };
  for (const [label, s] of Object.entries(spectra)) {
    const a = withSingularValues(42, n, s);
    checkSvd(a, `42×19 ${label}`);
    checkSvd(a.transpose(), `19×42 ${label}`);
    const d = svd(a);
    const want = [...s].sort((x, y) => y - x);
    for (let k = 0; k < n; k++) assert.ok(Math.abs(d.s[k]! - want[k]!) < 1e-13, `${label} σ${k}: ${d.s[k]} vs ${want[k]}`);
  }
});

test('svd: columns graded over hundreds of decades (scale 10^(−5j) … 10^(−20j)) converge with orthonormal factors', () => {
  for (const step of [5, 10, 20]) {
    const a = gaussian(42, 19);
    for (let i = 0; i < 42; i++) for (let j = 0; j < 19; j++) a.data[i * 19 + j]! *= Math.pow(10, -step * j);
    checkSvd(a, `graded 10^(-${step}j)`);
    checkSvd(a.transpose(), `graded 10^(-${step}j)ᵀ`);
    // The largest singular value is the first column's norm to within the (negligible) rest.
    let c0 = 0;
    for (let i = 0; i < 42; i++) c0 += a.data[i * 19]! ** 2;
    assert.ok(Math.abs(svd(a).s[0]! - Math.sqrt(c0)) < 1e-12 * Math.sqrt(c0));
  }
});

test('eigh: graded Gram matrices with subnormal entries converge', () => {
  const a = gaussian(42, 19);
  for (let i = 0; i < 42; i++) for (let j = 0; j < 19; j++) a.data[i * 19 + j]! *= Math.pow(10, -10 * j);
  const G = matmul(a, a, { transA: true });
  const e = eigh(G);
  assert.ok(orthoErr(e.vectors) < 1e-12);
  assert.ok(relErr(eighReconstruct(e.values, e.vectors), G) < 1e-12);
});
