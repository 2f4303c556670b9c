// Newton for K x = x^(−p): the residual of the equation itself (Nash-MTL p = 1, FairGrad p = 1/α),
// closed forms (diagonal K; two tasks with p = 1), warm starts, the ridge fallback on degenerate K.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { NumericError } from '../../../src/errors.ts';
import { powerEquationResidual, solvePowerEquation } from '../../../src/balance/solvers/power-equation.ts';
import { arbIndependent, makeCase, kv } from '../helpers.ts';
import { Random } from '../../../src/linalg/random.ts';
import { gramianOf } from '../../../src/balance/index.ts';

test('power equation: K x = x^(−p) with x > 0 on independent gradients, p ∈ {1, 1/2, 2, 1/5} (fast-check)', () => {
  fc.assert(
    fc.property(arbIndependent(10, 20), fc.constantFrom(1, 0.5, 2, 0.2), (c, p) => {
      const r = solvePowerEquation(c.K, p);
      assert.ok(r.converged, `T=${c.T} p=${p}: residual ${r.residual}`);
      assert.ok(r.x.every((v) => v > 0));
      // Check the equation directly, not the solver's own residual.
      const Kx = kv(c.K, r.x);
      for (let t = 0; t < c.T; t++) assert.ok(Math.abs(Kx[t]! * r.x[t]! ** p - 1) < 1e-9, `T=${c.T} p=${p} task ${t}`);
    }),
    { numRuns: 200 },
  );
});

test('power equation: closed forms — diagonal K gives x_t = K_tt^(−1/(1+p)); p = 1, K = [[a,b],[b,a]] gives x = 1/√(a+b)', () => {
  const K = Matrix.diag([4, 0.25, 9]);
  for (const p of [1, 2, 0.5]) {
    const r = solvePowerEquation(K, p);
    [4, 0.25, 9].forEach((k, t) => assert.ok(Math.abs(r.x[t]! - k ** (-1 / (1 + p))) < 1e-12));
  }
  const a = 3;
  const b = -1;
  const r = solvePowerEquation(Matrix.from([[a, b], [b, a]]), 1);
  r.x.forEach((v) => assert.ok(Math.abs(v - 1 / Math.sqrt(a + b)) < 1e-12));
});

test('power equation: warm start from a nearby solution converges in fewer Newton steps', () => {
  const c = makeCase('random', 20, 60, 11);
  const cold = solvePowerEquation(c.K, 1);
  const K2 = new Matrix(20, 20, c.K.data.map((v, i) => v * (1 + 1e-3 * Math.sin(i))));
  const warm = solvePowerEquation(new Matrix(20, 20, K2.data.map((v, i) => 0.5 * (v + K2.data[(i % 20) * 20 + Math.floor(i / 20)]!))), 1, { x0: cold.x });
  assert.ok(warm.converged && warm.iterations < cold.iterations, `warm ${warm.iterations} vs cold ${cold.iterations}`);
});

test('power equation: T = 128 solved exactly', () => {
  const c = makeCase('random', 128, 300, 5);
  const r = solvePowerEquation(c.K, 1);
  assert.ok(r.converged);
  assert.ok(powerEquationResidual(c.K, 1, r.x) < 1e-9);
});

test('power equation: a zero gradient is refused; opposite gradients need the ridge, which is then solved exactly', () => {
  assert.throws(() => solvePowerEquation(makeCase('zero-row', 3, 5, 1).K, 1), NumericError);
  const K = makeCase('opposite', 2, 4, 2).K; // g₂ = −g₁: no positive solution
  const bad = solvePowerEquation(K, 1, { maxIter: 50 });
  assert.equal(bad.converged, false);
  const r = solvePowerEquation(K, 1, { ridge: 1e-2 });
  assert.ok(r.converged && powerEquationResidual(K, 1, r.x, 1e-2) < 1e-9);
});

test('power equation: the quadratic line search (default) and the evaluating reference reach the same certified x, T = 2 … 128 (random, rank-deficient with a ridge, ill-conditioned)', () => {
  const rng = new Random(31);
  for (const T of [2, 5, 16, 64, 128]) {
    for (const kind of ['random', 'rank', 'ill'] as const) {
      const P = kind === 'rank' ? Math.max(1, T >> 1) : 2 * T;
      const G = new Matrix(T, P, rng.normals(T * P));
      if (kind === 'ill') for (let i = 0; i < T; i++) for (let j = 0; j < P; j++) G.data[i * P + j]! *= 10 ** (-4 * j / P);
      const K = gramianOf(G);
      let f = 0;
      for (const v of K.data) f += v * v;
      const Kn = new Matrix(T, T, K.data.map((v) => v / Math.sqrt(f)));
      const ridge = kind === 'rank' ? 1e-4 : 0;
      for (const p of [1, 0.5]) {
        const what = `${kind} T=${T} p=${p}`;
        const a = solvePowerEquation(Kn, p, { ridge });
        const b = solvePowerEquation(Kn, p, { ridge, evaluate: true });
        assert.ok(a.converged && b.converged, `${what}: ${a.residual} / ${b.residual}`);
        // the certificate recomputed independently on K + ρI
        assert.ok(powerEquationResidual(Kn, p, a.x, ridge) <= 1e-10, `${what}: residual ${powerEquationResidual(Kn, p, a.x, ridge)}`);
        for (let t = 0; t < T; t++) assert.ok(Math.abs(a.x[t]! - b.x[t]!) <= 1e-8 * b.x[t]!, `${what}: x_${t} ${a.x[t]} vs ${b.x[t]}`);
      }
    }
  }
});

test('power equation: the Newton systems through the addon (spdSolve) and in TypeScript reach the same certified x, T = 24 … 128 (Nash-MTL p = 1 with and without a ridge, FairGrad p = 1/2)', () => {
  const rng = new Random(2027);
  for (const [T, P, p, ridge] of [[24, 60, 1, 0], [64, 200, 0.5, 0], [128, 64, 1, 1e-4], [128, 1000, 1, 0]] as const) {
    const K = gramianOf(new Matrix(T, P, rng.normals(T * P)));
    let tr = 0;
    for (let i = 0; i < T; i++) tr += K.data[i * T + i]!;
    const Kn = new Matrix(T, T, K.data.map((v) => v / tr));
    const a = solvePowerEquation(Kn, p, { ridge, maxIter: 200 });
    const b = solvePowerEquation(Kn, p, { ridge, maxIter: 200, native: false });
    assert.ok(a.converged && b.converged, `T=${T}: converged ${a.converged}/${b.converged}`);
    assert.ok(powerEquationResidual(Kn, p, a.x, ridge) <= 1e-9, `T=${T}: residual ${powerEquationResidual(Kn, p, a.x, ridge)}`);
    const xs = Math.max(...b.x);
    for (let t = 0; t < T; t++) assert.ok(Math.abs(a.x[t]! - b.x[t]!) <= 1e-8 * xs, `T=${T} task ${t}: ${a.x[t]} vs ${b.x[t]}`);
  }
});
