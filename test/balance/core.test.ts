// Shared numerical helpers of src/balance/core.ts: spdSolveInPlace (Nash-MTL's and FairGrad's Newton
// systems), native (native/nnqp.cc spdSolve: register-blocked Cholesky, 4-row blocked back
// substitution) against the TypeScript Cholesky, by the residual of A x = b itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spdSolveInPlace } from '../../src/balance/core.ts';
import { nativeDecomp } from '../../src/linalg/backend.ts';
import { Random } from '../../src/linalg/random.ts';

/** A random SPD n × n matrix G Gᵀ/n + δI (δ small: condition numbers up to ~10⁴). */
function spd(n: number, rng: Random, delta: number): Float64Array {
  const G = rng.normals(n * n);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += G[i * n + k]! * G[j * n + k]!;
    A[i * n + j] = s / n + (i === j ? delta : 0);
  }
  return A;
}

function residual(A: Float64Array, n: number, x: Float64Array, b: Float64Array): number {
  let worst = 0, scale = 0;
  for (let i = 0; i < n; i++) {
    let s = -b[i]!;
    for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
    worst = Math.max(worst, Math.abs(s));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return worst / scale;
}

test('spd solve: A x = b to rounding, native and TypeScript alike, every size 1 … 41 and 64, 127, 128 (partial 4-row blocks of the back substitution included)', () => {
  const rng = new Random(31);
  const native = nativeDecomp()?.spdSolve;
  for (const n of [...Array.from({ length: 41 }, (_, i) => i + 1), 64, 127, 128]) {
    const A = spd(n, rng, 1e-3);
    const b = rng.normals(n);
    const xt = b.slice();
    assert.equal(spdSolveInPlace(A.slice(), n, xt, { native: false }), true, `n=${n}: TypeScript`);
    assert.ok(residual(A, n, xt, b) <= 1e-9, `n=${n}: TypeScript residual ${residual(A, n, xt, b)}`);
    const xd = b.slice();
    assert.equal(spdSolveInPlace(A.slice(), n, xd), true, `n=${n}: default`);
    assert.ok(residual(A, n, xd, b) <= 1e-9, `n=${n}: default residual ${residual(A, n, xd, b)}`);
    if (!native) continue;
    // the kernel itself at every size (the default route takes it from n = 24)
    const xn = b.slice();
    assert.equal(native(n, A.slice(), xn), true, `n=${n}: native`);
    assert.ok(residual(A, n, xn, b) <= 1e-9, `n=${n}: native residual ${residual(A, n, xn, b)}`);
    const xs = Math.max(...xt.map(Math.abs));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(xn[i]! - xt[i]!) <= 1e-8 * xs, `n=${n}: x_${i} native ${xn[i]} vs TypeScript ${xt[i]}`);
  }
});

test('spd solve: a matrix that is not positive definite is refused (false), native and TypeScript', () => {
  const rng = new Random(32);
  for (const n of [3, 30, 65]) {
    const A = spd(n, rng, 1e-3);
    A[(n - 1) * n + (n - 1)] = -1; // a negative diagonal entry: not positive definite
    for (const native of [false, true]) {
      assert.equal(spdSolveInPlace(A.slice(), n, rng.normals(n), { native }), false, `n=${n} native ${native}`);
    }
  }
});
