import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { eigh } from '../../../src/linalg/decomp/eigh.ts';
import { matmul, trace } from '../../../src/linalg/ops.ts';
import { solve } from '../../../src/linalg/decomp/solve.ts';
import {
  covarianceToCorrelation, mtrlOmegaStep, omegaPower, traceWOmegaInvWt,
} from '../../../src/linear/structure/mtrl-omega.ts';
import { randomMatrix } from './fd-util.ts';

/** f(S) = tr(Ω⁻¹A) at Ω = S/tr S, i.e. tr(S⁻¹A)·tr(S): scale-free in S. */
function objectiveAt(S: Matrix, A: Matrix): number {
  return trace(solve(S, A)) * trace(S);
}

test('MTRL Ω step: trace 1, positive definite, and equal to a numerical minimisation of tr(Ω⁻¹(WᵀW+εI)) on a small case', () => {
  const rng = new Random(31);
  const d = 2;
  const T = 3; // d < T: WᵀW is singular, so ε matters
  const eps = 0.05;
  const W = randomMatrix(rng, d, T);
  const step = mtrlOmegaStep(W, eps);
  assert.ok(Math.abs(trace(step.omega) - 1) < 1e-14);
  for (const w of eigh(step.omega).values) assert.ok(w > 0);
  const A = matmul(W, W, { transA: true });
  for (let i = 0; i < T; i++) A.data[i * T + i]! += eps;
  const closed = objectiveAt(step.omega, A);
  assert.ok(Math.abs(closed - step.value) < 1e-10 * step.value, 'reported value is the objective at Ω');
  // Numerical minimisation over Ω = LLᵀ/tr(LLᵀ) (L lower triangular, 6 parameters): gradient descent
  // with finite-difference gradients and a backtracking line search, from a random start.
  const idx = [[0, 0], [1, 0], [1, 1], [2, 0], [2, 1], [2, 2]] as const;
  const toS = (p: Float64Array): Matrix => {
    const L = Matrix.zeros(T, T);
    idx.forEach(([i, j], q) => L.set(i, j, p[q]!));
    return matmul(L, L, { transB: true });
  };
  const f = (p: Float64Array): number => objectiveAt(toS(p), A);
  let p = Float64Array.from([1, 0.3, 1, -0.2, 0.1, 1]);
  let fp = f(p);
  for (let it = 0; it < 4000; it++) {
    const g = new Float64Array(p.length);
    for (let q = 0; q < p.length; q++) {
      const h = 1e-7;
      const a = p.slice();
      const b = p.slice();
      a[q]! += h;
      b[q]! -= h;
      g[q] = (f(a) - f(b)) / (2 * h);
    }
    let t = 1;
    for (;;) {
      const next = p.map((v, q) => v - t * g[q]!);
      const fn = f(next);
      if (fn < fp || t < 1e-20) {
        if (fn < fp) {
          p = next;
          fp = fn;
        }
        break;
      }
      t /= 2;
    }
  }
  assert.ok(fp >= closed * (1 - 1e-12), `numerical minimum ${fp} below the closed form ${closed}`);
  assert.ok((fp - closed) / closed < 1e-6, `numerical minimum ${fp} vs closed form ${closed}`);
  const S = toS(p);
  const trS = trace(S);
  for (let i = 0; i < T * T; i++) assert.ok(Math.abs(S.data[i]! / trS - step.omega.data[i]!) < 1e-3, 'same minimiser');
  // and no random feasible Ω does better
  for (let r = 0; r < 500; r++) {
    const B = randomMatrix(rng, T, T);
    assert.ok(objectiveAt(matmul(B, B, { transB: true }), A) >= closed * (1 - 1e-12));
  }
});

test('MTRL Ω helpers: powers, tr(WΩ⁻¹Wᵀ) = value − ε·tr Ω⁻¹, correlation has unit diagonal', () => {
  const rng = new Random(32);
  const W = randomMatrix(rng, 5, 4);
  const eps = 1e-6;
  const step = mtrlOmegaStep(W, eps);
  const inv = omegaPower(step, -1);
  const prod = matmul(inv, step.omega);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) assert.ok(Math.abs(prod.get(i, j) - (i === j ? 1 : 0)) < 1e-9);
  const half = omegaPower(step, 0.5);
  const sq = matmul(half, half);
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(sq.data[i]! - step.omega.data[i]!) < 1e-12);
  const t = traceWOmegaInvWt(W, step);
  const direct = trace(matmul(matmul(W, inv), W, { transB: true }));
  assert.ok(Math.abs(t - direct) < 1e-9 * direct);
  assert.ok(Math.abs(t + eps * trace(inv) - step.value) < 1e-9 * step.value);
  const C = covarianceToCorrelation(step.omega);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(C.get(i, i) - 1) < 1e-14);
  assert.throws(() => mtrlOmegaStep(W, 0), /epsilon/);
});
