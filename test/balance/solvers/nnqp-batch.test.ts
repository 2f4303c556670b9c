// Batched NNQPs (FISTA → ADMM → exact active-set finish): every problem's KKT conditions on random and
// degenerate Gramians (fast-check, T ≤ 30), the same solutions as the one-by-one Lawson–Hanson solver,
// and at T = 128 on a well-conditioned (full-rank) and a rank-64 Gramian, with each phase exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { admmMatrix, batchNnqp, exactBatchNnqp, kktCertify, lambdaMaxBound } from '../../../src/balance/solvers/nnqp-batch.ts';
import { nativeDecomp } from '../../../src/linalg/backend.ts';
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
    // the TypeScript path (FISTA, ADMM, TypeScript exact finish); the native one is checked below
    const ts = { exact: { native: false } };
    const r = batchNnqp(A, T, Qrhs, T, ts);
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
    const w = batchNnqp(A, T, Qrhs, T, ts, sets);
    assert.equal(w.admmIterations, 0, `${label}: warm rows skip ADMM`);
    checkAll(A, T, Qrhs, T, w.X, `${label} warm`, false);
    // starting point: the solution itself (perturbed) — certified again, in fewer products when FISTA certifies
    const x0 = r.X.map((v, k) => v * (1 + 1e-4 * Math.sin(k)));
    const s0 = batchNnqp(A, T, Qrhs, T, ts, sets, x0);
    checkAll(A, T, Qrhs, T, s0.X, `${label} x0`, false);
    if (P > T) assert.ok(s0.iterations < r.iterations, `${label}: ${s0.iterations} products from x0 vs ${r.iterations} cold`);
    // the default path (native exact solver when the backend is native: PDAS probe cold, warm sets
    // straight to the exact solver): the same certified solutions
    for (const [name, d] of [['cold', batchNnqp(A, T, Qrhs, T)], ['warm', batchNnqp(A, T, Qrhs, T, {}, sets, x0)]] as const) {
      assert.ok(d.converged, `${label} default ${name}`);
      // rank 64 cold with the native solver: the probe fails, then 25 ADMM iterations and PDAS from their supports
      if (name === 'cold' && P < T && nativeDecomp()?.nnqpBatch) assert.equal(d.admmIterations, 25, `${label} default cold: ${d.admmIterations} ADMM iterations`);
      checkAll(A, T, Qrhs, T, d.X, `${label} default ${name}`, false);
      for (let k = 0; k < T * T; k++) assert.ok(Math.abs(d.X[k]! - r.X[k]!) <= 1e-7 * Math.max(1e-300, maxAbs(r.X.subarray(k - (k % T), k - (k % T) + T))), `${label} default ${name} entry ${k}`);
    }
  }
});

test('batch nnqp: shapes are checked', () => {
  assert.throws(() => batchNnqp(new Float64Array(4), 3, new Float64Array(3), 1), /expected 3×3/);
  assert.throws(() => batchNnqp(new Float64Array(9), 3, new Float64Array(4), 1), /expected 1×3/);
});

test('exact batch nnqp: native (native/nnqp.cc) and TypeScript give the same KKT-certified solutions, T = 2 … 128 (random, rank-deficient, ill-conditioned)', { skip: !nativeDecomp()?.nnqpBatch && 'needs the native backend with the nnqpBatch kernel (node scripts/build-native.mjs)' }, () => {
  const rng = new Random(12);
  for (const T of [2, 3, 5, 8, 16, 33, 64, 128]) {
    for (const kind of ['random', 'rank', 'ill'] as const) {
      // random: Gaussian rows in 2T dimensions; rank: ⌈T/2⌉ dimensions (singular K); ill: column
      // scales over 6 decades (condition number ~1e12 before the regularisation)
      const P = kind === 'rank' ? Math.ceil(T / 2) : 2 * T;
      const G = new Matrix(T, P, rng.normals(T * P));
      if (kind === 'ill') for (let i = 0; i < T; i++) for (let j = 0; j < P; j++) G.data[i * P + j]! *= 10 ** (-6 * j / P);
      const A = regularisedGramian(gramianOf(G), 1e-4, kind === 'ill' ? 1e-10 : 1e-4)!;
      const Qrhs = upgradRhs(A, T);
      const nat = exactBatchNnqp(A, T, Qrhs, T, null, { redo: false });
      const what = `${kind} T=${T}`;
      assert.ok(nat.native, what);
      assert.ok(nat.certified.every((v) => v === 1), `${what}: every native solution certified`);
      checkAll(A, T, Qrhs, T, nat.X, `${what} native`, false);
      // the TypeScript solver on every row up to T = 33, on 3 rows beyond (it is the slow one)
      const rows = T <= 33 ? Array.from({ length: T }, (_, i) => i) : [0, T >> 1, T - 1];
      const sub = new Float64Array(rows.length * T);
      rows.forEach((i, r) => sub.set(Qrhs.subarray(i * T, i * T + T), r * T));
      const ts = exactBatchNnqp(A, T, sub, rows.length, null, { native: false });
      assert.ok(!ts.native && ts.converged, what);
      checkAll(A, T, sub, rows.length, ts.X, `${what} ts`, false);
      rows.forEach((i, r) => {
        const xs = Math.max(maxAbs(ts.X.subarray(r * T, r * T + T)), 1e-300);
        for (let j = 0; j < T; j++) assert.ok(Math.abs(nat.X[i * T + j]! - ts.X[r * T + j]!) <= 1e-7 * xs, `${what} row ${i}: x_${j} native ${nat.X[i * T + j]} vs ts ${ts.X[r * T + j]}`);
      });
      // random right-hand sides too (not UPGrad's), a few rows
      const R = rng.normals(3 * T);
      const a = exactBatchNnqp(A, T, R, 3, null, { redo: false });
      assert.ok(a.certified.every((v) => v === 1), `${what}: random rhs certified`);
      checkAll(A, T, R, 3, a.X, `${what} random rhs`, true);
    }
  }
});

test('exact batch nnqp: the TypeScript check catches a wrong answer (PDAS-only probe left uncertified) and redoes it', () => {
  // maxIter 0 = PDAS only: on a rank-deficient Gramian PDAS cycles, so some rows come back as x = 0
  // without a certificate; with redo they are solved again and certified.
  const T = 32;
  const G = new Matrix(T, 16, new Random(3).normals(T * 16));
  const A = regularisedGramian(gramianOf(G), 1e-4, 1e-4)!;
  const Qrhs = upgradRhs(A, T);
  for (const native of [true, false]) {
    const probe = exactBatchNnqp(A, T, Qrhs, T, null, { native, maxIter: 0, pdasSteps: 1, redo: false });
    const fixed = exactBatchNnqp(A, T, Qrhs, T, null, { native, maxIter: 0, pdasSteps: 1 });
    assert.ok(probe.certified.some((v) => v === 0), `native ${native}: some probe rows uncertified`);
    assert.ok(!probe.converged);
    assert.ok(fixed.converged && fixed.certified.every((v) => v === 1));
    checkAll(A, T, Qrhs, T, fixed.X, `native ${native} redone`, false);
  }
});

test('batch nnqp: ADMM in the addon finds the same supports as in TypeScript (rank-deficient T = 64), and the exact finish certifies', { skip: !nativeDecomp()?.admmSupports && 'needs the native backend with the admmSupports kernel (node scripts/build-native.mjs)' }, () => {
  const T = 64;
  const G = new Matrix(T, 24, new Random(8).normals(T * 24));
  const A = regularisedGramian(gramianOf(G), 1e-4, 1e-4)!;
  const Qrhs = upgradRhs(A, T);
  const nat = batchNnqp(A, T, Qrhs, T, { maxIter: 0 });
  const ts = batchNnqp(A, T, Qrhs, T, { maxIter: 0, exact: { native: false } });
  assert.ok(nat.admmIterations > 0 && nat.converged && ts.converged);
  // rounding differs (the addon's GEMM sums in another order), so the iteration counts may differ by a check
  assert.ok(Math.abs(nat.admmIterations - ts.admmIterations) <= 10, `${nat.admmIterations} vs ${ts.admmIterations} ADMM iterations`);
  checkAll(A, T, Qrhs, T, nat.X, 'native ADMM', false);
  for (let k = 0; k < T * T; k++) assert.ok(Math.abs(nat.X[k]! - ts.X[k]!) <= 1e-7 * maxAbs(ts.X.subarray(k - (k % T), k - (k % T) + T)) + 1e-300, `entry ${k}`);
});

test('exact batch nnqp: safeguarded PDAS alone (no Lawson–Hanson) certifies every cold problem of a rank-deficient Gramian, both backends', () => {
  // Before the safeguard and the unclipped dual variable, PDAS cycled here (the test above relies on
  // 1 step being too few; 40 safeguarded steps must suffice for all rows).
  const T = 64;
  const G = new Matrix(T, 24, new Random(8).normals(T * 24));
  const A = regularisedGramian(gramianOf(G), 1e-4, 1e-4)!;
  const Qrhs = upgradRhs(A, T);
  for (const native of nativeDecomp()?.nnqpBatch ? [true, false] : [false]) {
    const r = exactBatchNnqp(A, T, Qrhs, T, null, { native, maxIter: 0, pdasSteps: 40, redo: false });
    assert.ok(r.converged && r.certified.every((v) => v === 1), `native ${native}: ${r.certified.filter((v) => v === 0).length} rows uncertified`);
    assert.ok(r.exactSteps < 20 * T, `native ${native}: ${r.exactSteps} PDAS steps`);
    checkAll(A, T, Qrhs, T, r.X, `native ${native} safeguarded PDAS`, false);
  }
});

test('exact batch nnqp: native PDAS on up/downdated Cholesky factors (sets that change by a few indices) certifies and equals the TypeScript solver, rank-deficient and full-rank T = 128', { skip: !nativeDecomp()?.nnqpBatch && 'needs the native backend with the nnqpBatch kernel (node scripts/build-native.mjs)' }, () => {
  // Cold PDAS from the conflicting sets on a rank-64 Gramian takes ~9 steps per problem, the later
  // ones changing a few indices: those steps update the previous factor (native/nnqp.cc, SetFactor).
  // A solution is accepted on an updated factor only when ∇ vanishes on its set as on a new factor, so
  // a wrong update cannot return a wrong answer — but no problem would then be certified that way.
  const T = 128;
  const rng = new Random(2026);
  for (const P of [64, 4 * T]) {
    const A = regularisedGramian(gramianOf(new Matrix(T, P, rng.normals(T * P))), 1e-4, 1e-4)!;
    const Qrhs = upgradRhs(A, T);
    const r = exactBatchNnqp(A, T, Qrhs, T, null, { maxIter: 0, pdasSteps: 40, redo: false });
    assert.ok(r.native && r.converged && r.certified.every((v) => v === 1), `P=${P}: ${r.certified.filter((v) => v === 0).length} rows uncertified`);
    assert.ok(r.updatedFactor > (P === 64 ? T / 4 : 0), `P=${P}: only ${r.updatedFactor} of ${T} problems certified on an updated factor`);
    checkAll(A, T, Qrhs, T, r.X, `P=${P} updated factors`, false);
    const rows = [0, 17, 64, 127];
    const sub = new Float64Array(rows.length * T);
    rows.forEach((i, k) => sub.set(Qrhs.subarray(i * T, i * T + T), k * T));
    const ts = exactBatchNnqp(A, T, sub, rows.length, null, { native: false });
    rows.forEach((i, k) => {
      const xs = Math.max(maxAbs(ts.X.subarray(k * T, k * T + T)), 1e-300);
      for (let j = 0; j < T; j++) assert.ok(Math.abs(r.X[i * T + j]! - ts.X[k * T + j]!) <= 1e-9 * xs, `P=${P} row ${i}: x_${j} native ${r.X[i * T + j]} vs ts ${ts.X[k * T + j]}`);
    });
  }
});

test('batch nnqp: native ADMM in single precision finds supports as good as double precision (the exact finish needs as few steps) and the same certified solutions', { skip: !nativeDecomp()?.admmSupports && 'needs the native backend with the admmSupports kernel (node scripts/build-native.mjs)' }, () => {
  const T = 128;
  const rng = new Random(2026);
  const A = regularisedGramian(gramianOf(new Matrix(T, 64, rng.normals(T * 64))), 1e-4, 1e-4)!;
  const Qrhs = upgradRhs(A, T);
  const s = batchNnqp(A, T, Qrhs, T, { maxIter: 0, probeSteps: 0, admmSingle: true });
  const d = batchNnqp(A, T, Qrhs, T, { maxIter: 0, probeSteps: 0, admmSingle: false });
  assert.ok(s.converged && d.converged && s.admmIterations > 0);
  // ADMM's supports are near-optimal: the exact finish takes about one step per problem either way
  // (a broken single-precision ADMM would leave it several steps per problem)
  assert.ok(s.exactSteps <= 1.2 * d.exactSteps + 8, `single ${s.exactSteps} vs double ${d.exactSteps} exact steps`);
  assert.ok(d.exactSteps <= 1.5 * T, `double: ${d.exactSteps} exact steps`);
  checkAll(A, T, Qrhs, T, s.X, 'single-precision ADMM', false);
  for (let k = 0; k < T * T; k++) assert.ok(Math.abs(s.X[k]! - d.X[k]!) <= 1e-9 * maxAbs(d.X.subarray(k - (k % T), k - (k % T) + T)) + 1e-300, `entry ${k}`);
});

/** max |((Q + ρI)M − I)_ij|: M must be the inverse ADMM's x-update needs. */
function inverseResidual(Q: Float64Array, n: number, rho: number, M: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = rho * M[i * n + j]!;
    for (let k = 0; k < n; k++) s += Q[i * n + k]! * M[k * n + j]!;
    worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
  }
  return worst;
}

test('admm matrix: the addon (power / inverse iteration, Cholesky) gives M = (Q + ρI)⁻¹ with ρ within 10 % of the eigendecomposition route, and the extreme-eigenvalue bounds on the right sides (T = 128 rank 64 and full rank, T = 37 ill-conditioned)', { skip: !nativeDecomp()?.admmMatrix && 'needs the native backend with the admmMatrix kernel (node scripts/build-native.mjs)' }, () => {
  const rng = new Random(2026);
  const cases: [string, Float64Array, number][] = [];
  for (const [T, P] of [[128, 64], [128, 1000]] as const) cases.push([`T=${T} P=${P}`, regularisedGramian(gramianOf(new Matrix(T, P, rng.normals(T * P))), 1e-4, 1e-4)!, T]);
  const T = 37;
  const B = rng.normals(T * T).map((v, k) => v * 10 ** (-3 * (k % T) / T));
  cases.push(['T=37 graded', regularisedGramian(gramianOf(new Matrix(T, T, B)), 1e-4, 1e-6)!, T]);
  for (const [what, Q, n] of cases) {
    const nat = admmMatrix(Q, n, nativeDecomp())!;
    const ref = admmMatrix(Q, n, null)!;
    const e = eigh(new Matrix(n, n, Q)).values;
    // (Q + ρI)M = I to rounding (relative to ‖M‖ ≤ 1/ρ)
    assert.ok(inverseResidual(Q, n, nat.rho, nat.M) <= 1e-9, `${what}: (Q + ρI)M − I = ${inverseResidual(Q, n, nat.rho, nat.M)}`);
    // estimates stopped at 1 % progress per step: ρ within 10 % (measured ≤ 5.4 %, the graded case)
    assert.ok(Math.abs(nat.rho / ref.rho - 1) <= 0.1, `${what}: ρ ${nat.rho} vs eigh ${ref.rho}`);
    // Rayleigh quotients: λ_max from below, λ_min from above (the floor 10⁻¹²λ_max aside)
    assert.ok(nat.lmax <= e[n - 1]! * (1 + 1e-9) && nat.lmax >= 0.95 * e[n - 1]!, `${what}: λ_max ${nat.lmax} vs ${e[n - 1]}`);
    assert.ok(nat.lmin >= e[0]! * (1 - 1e-6) && nat.lmin <= 1.25 * e[0]!, `${what}: λ_min ${nat.lmin} vs ${e[0]}`);
  }
  // not positive definite (eigenvalues 3 and −1): the addon declines and the eigendecomposition route
  // answers (which clips λ at 0, as before)
  const N = Float64Array.from([1, 2, 2, 1]);
  assert.equal(nativeDecomp()!.admmMatrix!(2, N, new Float64Array(4)), null, 'indefinite Q accepted by the addon');
  const f = admmMatrix(N, 2, nativeDecomp());
  assert.ok(f && Math.abs(f.lmax - 3) < 1e-12 && f.rho > 0 && f.M.every(Number.isFinite), `indefinite Q: ${JSON.stringify(f && { lmax: f.lmax, rho: f.rho })}`);
});

test('batch nnqp: the KKT certificate in the addon flags the same rows as the TypeScript one — exact solutions pass; a negative entry, a negative gradient off the support, a non-zero gradient on it, a NaN, a zero row do not', { skip: !nativeDecomp()?.nnqpCertify && 'needs the native backend with the nnqpCertify kernel (node scripts/build-native.mjs)' }, () => {
  const T = 48;
  const A = regularisedGramian(gramianOf(new Matrix(T, 20, new Random(11).normals(T * 20))), 1e-4, 1e-4)!;
  const Qrhs = upgradRhs(A, T);
  const exact = exactBatchNnqp(A, T, Qrhs, T, null, { native: false });
  const X = exact.X.slice();
  const rng = new Random(5);
  const broken: string[] = new Array<string>(T).fill('');
  for (let i = 0; i < T; i++) {
    const o = i * T;
    const on: number[] = [], off: number[] = [];
    for (let j = 0; j < T; j++) (X[o + j]! > 0 ? on : off).push(j);
    const xs = maxAbs(X.subarray(o, o + T));
    switch (i % 6) {
      case 1: if (off.length) { X[o + off[0]!] = -1e-6 * xs; broken[i] = 'negative entry'; } break;
      case 2: if (on.length) { X[o + on[0]!] = 0; broken[i] = 'support entry dropped (its gradient turns negative)'; } break;
      case 3: if (on.length) { X[o + on[0]!]! *= 1 + 1e-6; broken[i] = 'support entry scaled (gradient ≠ 0 on the support)'; } break;
      case 4: X[o + Math.floor(rng.uniform() * T)] = NaN; broken[i] = 'NaN'; break;
      // x = 0 where the solution is not: ∇ = q, whose negative entries only the test ∇ ≥ −tol sees
      case 5: if (on.length) { X.fill(0, o, o + T); broken[i] = 'zero row (∇ = q < 0 somewhere)'; } break;
      default: break;
    }
  }
  const nat = new Uint8Array(T), ts = new Uint8Array(T);
  nativeDecomp()!.nnqpCertify!(T, T, A, Qrhs, X, 1e-13, nat);
  kktCertify(A, T, Qrhs, X, T, 1e-13, ts);
  for (let i = 0; i < T; i++) {
    assert.equal(nat[i], ts[i], `row ${i} (${broken[i] || 'exact'}): addon ${nat[i]} vs TypeScript ${ts[i]}`);
    assert.equal(nat[i], broken[i] ? 0 : 1, `row ${i} (${broken[i] || 'exact'}) certified ${nat[i]}`);
  }
});

test('batch nnqp: the TypeScript fallback (no addon: eigendecomposition ρ, TypeScript ADMM, Lawson–Hanson finish, TypeScript certificate) and the default route give the same certified solutions at T = 128 rank 64', () => {
  const T = 128;
  const A = regularisedGramian(gramianOf(new Matrix(T, 64, new Random(2026).normals(T * 64))), 1e-4, 1e-4)!;
  const Qrhs = upgradRhs(A, T);
  const ts = batchNnqp(A, T, Qrhs, T, { maxIter: 0, admmIter: 60, exact: { native: false } });
  assert.ok(ts.converged && ts.admmIterations > 0);
  checkAll(A, T, Qrhs, T, ts.X, 'TypeScript fallback', false);
  if (!nativeDecomp()?.nnqpBatch) return;
  const nat = batchNnqp(A, T, Qrhs, T);
  assert.ok(nat.converged);
  for (let k = 0; k < T * T; k++) assert.ok(Math.abs(nat.X[k]! - ts.X[k]!) <= 1e-9 * maxAbs(ts.X.subarray(k - (k % T), k - (k % T) + T)) + 1e-300, `entry ${k}: ${nat.X[k]} vs ${ts.X[k]}`);
});

test('batch nnqp: the cold route — a failed 2-problem probe sends a rank-64 Gramian to ADMM (25 iterations) with ~one factorisation per problem after it; a full-rank Gramian stays on PDAS (no ADMM)', { skip: !nativeDecomp()?.nnqpBatch && 'needs the native backend with the nnqpBatch kernel (node scripts/build-native.mjs)' }, () => {
  const T = 128;
  const rng = new Random(2026);
  const low = regularisedGramian(gramianOf(new Matrix(T, 64, rng.normals(T * 64))), 1e-4, 1e-4)!;
  const r = batchNnqp(low, T, upgradRhs(low, T), T);
  assert.ok(r.converged);
  assert.equal(r.admmIterations, 25);
  // 2 probe problems × 4 steps, then ≤ 1.7 steps per problem (measured 1.5; the vectorised ADMM
  // before this route, at 15 iterations, left ~2.3; a broken ADMM update many more)
  assert.ok(r.exactSteps <= 8 + 1.7 * T, `${r.exactSteps} PDAS steps`);
  checkAll(low, T, upgradRhs(low, T), T, r.X, 'rank 64 cold', false);
  const full = regularisedGramian(gramianOf(new Matrix(T, 4 * T, rng.normals(4 * T * T))), 1e-4, 1e-4)!;
  const f = batchNnqp(full, T, upgradRhs(full, T), T);
  assert.ok(f.converged && f.admmIterations === 0, `full rank: ${f.admmIterations} ADMM iterations`);
  checkAll(full, T, upgradRhs(full, T), T, f.X, 'full rank cold', false);
});
