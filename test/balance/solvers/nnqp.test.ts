// Lawson–Hanson NNQP: KKT (x ≥ 0, ∇ ≥ 0, x∘∇ = 0) on random and degenerate problems, closed forms
// (unconstrained optimum already ≥ 0; diagonal Q), warm starts that are wrong, T = 128.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nnqp, nnqpKkt, makeNnqpSolver } from '../../../src/balance/solvers/nnqp.ts';
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
