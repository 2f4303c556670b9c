// Lawson–Hanson NNQP: KKT (x ≥ 0, ∇ ≥ 0, x∘∇ = 0) on random and degenerate problems, closed forms
// (unconstrained optimum already ≥ 0; diagonal Q), warm starts that are wrong, T = 128.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { denseCholesky, denseCholeskySolve, nnqp, nnqpKkt, makeNnqpSolver } from '../../../src/balance/solvers/nnqp.ts';
import { Random } from '../../../src/linalg/random.ts';
import { arbCase, makeCase, maxAbs, maxDiagOf } from '../helpers.ts';

function check(Q: Float64Array, n: number, q: ArrayLike<number>, x: Float64Array, scale: number, what: string): void {
  const k = nnqpKkt(Q, n, q, x);
  const xs = Math.max(1, maxAbs(x));
  assert.equal(k.primal, 0, `${what}: x has a negative entry`);
  assert.ok(k.dual <= 1e-9 * scale * xs, `${what}: min ∇ = ${-k.dual}`);
  assert.ok(k.complementarity <= 1e-9 * scale * xs * xs, `${what}: complementarity ${k.complementarity}`);
}

test('nnqp: KKT on Gramians with random linear terms (random and degenerate, fast-check)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 14, maxP: 20 }), fc.integer({ min: 0, max: 1e9 }), (c, s) => {
      const n = c.T;
      // Regularised as UPGrad does, so that the problem is strictly convex (bounded).
      const Q = Float64Array.from(c.K.data);
      const scale = Math.max(maxDiagOf(c.K), 1e-300);
      for (let i = 0; i < n; i++) Q[i * n + i]! += 1e-4 * scale;
      const q = new Random(s).normals(n).map((v) => v * scale);
      const r = nnqp(Q, n, q);
      assert.ok(r.converged);
      check(Q, n, q, r.x, scale, `${c.kind} T=${n}`);
    }),
    { numRuns: 300 },
  );
});

test('nnqp: closed forms (interior optimum; diagonal Q gives max(−q/Q_ii, 0))', () => {
  const Q = Float64Array.from([2, 1, 1, 3]);
  // Unconstrained optimum of ½xᵀQx + qᵀx is −Q⁻¹q; pick q so that it is (1, 2).
  const q = [-(2 * 1 + 1 * 2), -(1 * 1 + 3 * 2)];
  const r = nnqp(Q, 2, q);
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-10 && Math.abs(r.x[1]! - 2) < 1e-10, `x = ${Array.from(r.x)}`);
  const D = Float64Array.from([4, 0, 0, 0, 0.5, 0, 0, 0, 2]);
  const qd = [-8, 3, -1];
  const rd = nnqp(D, 3, qd);
  [2, 0, 0.5].forEach((v, i) => assert.ok(Math.abs(rd.x[i]! - v) < 1e-10, `x${i} = ${rd.x[i]}`));
});

test('nnqp: any warm-start set gives the same solution', () => {
  for (let seed = 0; seed < 40; seed++) {
    const c = makeCase('random', 9, 5, seed);
    const n = 9;
    const Q = Float64Array.from(c.K.data);
    for (let i = 0; i < n; i++) Q[i * n + i]! += 1e-3;
    const q = new Random(seed + 1).normals(n);
    const solve = makeNnqpSolver(Q, n);
    const cold = solve(q);
    const warm = solve(q, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const odd = solve(q, [8, 2]);
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(cold.x[i]! - warm.x[i]!) < 1e-8 && Math.abs(cold.x[i]! - odd.x[i]!) < 1e-8, `seed ${seed}`);
    }
  }
});

test('nnqp: T = 128 certified', () => {
  const c = makeCase('random', 128, 200, 3);
  const n = 128;
  const Q = Float64Array.from(c.K.data);
  for (let i = 0; i < n; i++) Q[i * n + i]! += 1e-4 * maxDiagOf(c.K);
  const q = Float64Array.from(c.K.data.subarray(0, n));
  const r = nnqp(Q, n, q);
  assert.ok(r.converged);
  check(Q, n, q, r.x, maxDiagOf(c.K), 'T=128');
});

test('nnqp: the primal-dual active-set fast path is certified, agrees with Lawson–Hanson, and falls back when it cycles', () => {
  const methods = new Set<string>();
  fc.assert(
    fc.property(arbCase({ maxT: 30, maxP: 40 }), fc.integer({ min: 0, max: 1e9 }), (c, s) => {
      const n = c.T;
      const Q = Float64Array.from(c.K.data);
      const scale = Math.max(maxDiagOf(c.K), 1e-300);
      for (let i = 0; i < n; i++) Q[i * n + i]! += 1e-4 * scale;
      const rng = new Random(s);
      const q = rng.normals(n).map((v) => v * scale);
      const lh = makeNnqpSolver(Q, n, { pdasSteps: 0 })(q);
      // warm sets: the exact one, a random one, and all indices
      const exact: number[] = [];
      lh.x.forEach((v, i) => { if (v > 0) exact.push(i); });
      const random = Array.from({ length: n }, (_, i) => i).filter(() => rng.uniform() < 0.5);
      const solve = makeNnqpSolver(Q, n);
      for (const start of [exact, random, Array.from({ length: n }, (_, i) => i)]) {
        const r = solve(q, start);
        assert.ok(r.converged);
        methods.add(r.method!);
        check(Q, n, q, r.x, scale, `${c.kind} T=${n} (${r.method})`);
        for (let i = 0; i < n; i++) assert.ok(Math.abs(r.x[i]! - lh.x[i]!) <= 1e-6 * Math.max(1, maxAbs(lh.x)), `${c.kind} T=${n}: x${i} ${r.x[i]} vs ${lh.x[i]}`);
      }
    }),
    { numRuns: 150 },
  );
  assert.ok(methods.has('pdas') && methods.has('lawson-hanson'), `both paths exercised: ${[...methods].join(', ')}`);
});

test('denseCholesky: L Lᵀ reproduces the matrix and solves; a singular pivot is reported', () => {
  const n = 13;
  const G = new Random(4).normals(n * (n + 2));
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n + 2; k++) M[i * n + j]! += G[i * (n + 2) + k]! * G[j * (n + 2) + k]!;
  const L = Float64Array.from(M);
  assert.ok(denseCholesky(L, n, 0));
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let v = 0;
    for (let k = 0; k <= j; k++) v += L[i * n + k]! * L[j * n + k]!;
    assert.ok(Math.abs(v - M[i * n + j]!) < 1e-9 * Math.abs(M[i * n + i]!), `(${i}, ${j})`);
  }
  const b = new Random(5).normals(n);
  const z = Float64Array.from(b);
  denseCholeskySolve(L, n, z);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += M[i * n + j]! * z[j]!;
    assert.ok(Math.abs(v - b[i]!) < 1e-8, `row ${i}`);
  }
  assert.equal(denseCholesky(Float64Array.from([1, 1, 1, 1]), 2, 1e-12), false);
});
