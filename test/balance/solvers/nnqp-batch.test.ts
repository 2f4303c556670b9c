// Batched NNQPs (FISTA → ADMM → exact active-set finish): every problem's KKT conditions on random and
// degenerate Gramians (fast-check, T ≤ 30), the same solutions as the one-by-one Lawson–Hanson solver,
// and at T = 128 on a well-conditioned (full-rank) and a rank-64 Gramian, with each phase exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { batchNnqp, lambdaMaxBound } from '../../../src/balance/solvers/nnqp-batch.ts';
import { nnqp, nnqpKkt } from '../../../src/balance/solvers/nnqp.ts';
import { regularisedGramian } from '../../../src/balance/aggregator/upgrad.ts';
import { eigh } from '../../../src/linalg/decomp/eigh.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { gramianOf } from '../../../src/balance/index.ts';
import { Random } from '../../../src/linalg/random.ts';
import { arbCase, makeCase, maxAbs, maxDiagOf } from '../helpers.ts';

/** UPGrad's right-hand sides: row i is p_i·A e_i, p = 1/T. */
function upgradRhs(A: Float64Array, T: number): Float64Array {
  return A.map((v) => v / T);
}

function checkAll(Q: Float64Array, n: number, Qrhs: Float64Array, m: number, X: Float64Array, what: string, compare = true): void {
  const scale = Math.max(maxDiagOf(new Matrix(n, n, Q)), 1e-300);
  for (let i = 0; i < m; i++) {
    const q = Qrhs.subarray(i * n, i * n + n);
    const x = X.subarray(i * n, i * n + n);
    const k = nnqpKkt(Q, n, q, x);
    const xs = Math.max(maxAbs(x), maxAbs(q) / scale, 1e-300);
    assert.equal(k.primal, 0, `${what} row ${i}: x has a negative entry`);
    assert.ok(k.dual <= 1e-9 * scale * xs, `${what} row ${i}: min ∇ = ${-k.dual} (scale ${scale * xs})`);
    assert.ok(k.complementarity <= 1e-9 * scale * xs * xs, `${what} row ${i}: complementarity ${k.complementarity}`);
    if (compare) {
      const ref = nnqp(Q, n, q).x;
      for (let j = 0; j < n; j++) assert.ok(Math.abs(ref[j]! - x[j]!) <= 1e-6 * xs, `${what} row ${i}: x_${j} ${x[j]} vs Lawson–Hanson ${ref[j]}`);
    }
  }
}

test('batch nnqp: every problem KKT-certified and equal to Lawson–Hanson (random and degenerate, fast-check, T ≤ 30)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 30, maxP: 40 }), fc.integer({ min: 0, max: 1e9 }), fc.boolean(), (c, s, upgradLike) => {
      const n = c.T;
      const A = regularisedGramian(c.K, 1e-4, 1e-4);
      if (!A) return;
      const m = upgradLike ? n : 1 + (s % 7);
      const Qrhs = upgradLike ? upgradRhs(A, n) : new Random(s).normals(m * n);
      const r = batchNnqp(A, n, Qrhs, m);
      assert.ok(r.converged);
      assert.equal(r.batched + r.exact + (m - r.batched - r.exact), m);
      checkAll(A, n, Qrhs, m, r.X, `${c.kind} T=${n}`);
    }),
    { numRuns: 80 },
  );
});

test('batch nnqp: each phase alone gives the certified solution (FISTA only, ADMM + exact, exact only)', () => {
  const c = makeCase('random', 24, 12, 5);
  const A = regularisedGramian(c.K, 1e-4, 1e-4)!;
  const Qrhs = upgradRhs(A, 24);
  for (const opts of [{ maxIter: 0 }, { maxIter: 0, admmIter: 0 }, { admmIter: 0 }, { maxIter: 500, admmIter: 0 }]) {
    const r = batchNnqp(A, 24, Qrhs, 24, opts);
    checkAll(A, 24, Qrhs, 24, r.X, JSON.stringify(opts));
  }
});

test('batch nnqp: λ_max bound is an upper bound within 5 % (random Gramians)', () => {
  for (const seed of [1, 2, 3]) {
    const c = makeCase('random', 20, 30, seed);
    const lam = eigh(c.K).values;
    const b = lambdaMaxBound(c.K.data as Float64Array, 20);
    assert.ok(b >= lam[19]! * (1 - 1e-12) && b <= 1.05 * lam[19]! + 1e-12, `bound ${b}, λ_max ${lam[19]}`);
  }
});

test('batch nnqp: T = 128, full rank (certified by FISTA) and rank 64 (ADMM active sets, exact finish)', () => {
  const T = 128;
  const rng = new Random(2026);
  for (const [P, label] of [[2000, 'full rank'], [64, 'rank 64']] as const) {
    const G = new Matrix(T, P, rng.normals(T * P));
    const A = regularisedGramian(gramianOf(G), 1e-4, 1e-4)!;
    const Qrhs = upgradRhs(A, T);
    const r = batchNnqp(A, T, Qrhs, T);
    assert.ok(r.converged, label);
    if (P > T) assert.equal(r.batched, T, `${label}: all certified by the batched path`);
    else assert.ok(r.admmIterations > 0 && r.exact > 0, `${label}: ADMM and the exact finish ran`);
    checkAll(A, T, Qrhs, T, r.X, label, false);
    // against Lawson–Hanson on a few rows (all rows would take too long for a test)
    for (const i of [0, 63, 127]) {
      const ref = nnqp(A, T, Qrhs.subarray(i * T, i * T + T)).x;
      const xs = maxAbs(ref);
      for (let j = 0; j < T; j++) assert.ok(Math.abs(ref[j]! - r.X[i * T + j]!) <= 1e-6 * xs, `${label} row ${i}`);
    }
    // warm start: the solution's own supports; rows skip ADMM and are finished exactly
    const sets = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => j).filter((j) => r.X[i * T + j]! > 0));
    const w = batchNnqp(A, T, Qrhs, T, {}, sets);
    assert.equal(w.admmIterations, 0, `${label}: warm rows skip ADMM`);
    checkAll(A, T, Qrhs, T, w.X, `${label} warm`, false);
    // starting point: the solution itself (perturbed) — certified again, in fewer products when FISTA certifies
    const x0 = r.X.map((v, k) => v * (1 + 1e-4 * Math.sin(k)));
    const s0 = batchNnqp(A, T, Qrhs, T, {}, sets, x0);
    checkAll(A, T, Qrhs, T, s0.X, `${label} x0`, false);
    if (P > T) assert.ok(s0.iterations < r.iterations, `${label}: ${s0.iterations} products from x0 vs ${r.iterations} cold`);
  }
});

test('batch nnqp: shapes are checked', () => {
  assert.throws(() => batchNnqp(new Float64Array(4), 3, new Float64Array(3), 1), /expected 3×3/);
  assert.throws(() => batchNnqp(new Float64Array(9), 3, new Float64Array(4), 1), /expected 1×3/);
});
