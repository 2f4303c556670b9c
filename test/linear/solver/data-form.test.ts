import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { solveLinear, linearObjective } from '../../../src/linear/solver/composite.ts';
import { proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { bcd, type RowPenaltyKind } from '../../../src/linear/solver/bcd.ts';
import { dataProblem, prefersDataForm } from '../../../src/linear/solver/data-form.ts';
import { gramProblem } from '../../../src/linear/solver/gram-form.ts';
import { solveBcd } from '../../../src/linear/solver/row-solvers.ts';
import type { Problem, TaskProblem } from '../../../src/linear/types.ts';
import { relDiff, rowLambdaMax, rowPenalties } from '../helpers.ts';

/**
 * Many small tasks (issue 15's regime, scaled down): n_t from 1 to 8 rows < d = 10, badly scaled
 * columns, a duplicated feature, sample weights on some tasks, a shared planted row support.
 */
function manySmallTasks(seed: number, T: number, intercept: boolean): Problem {
  const rng = new Random(seed);
  const d = 10;
  const scales = Array.from({ length: d }, (_, j) => Math.pow(10, (j % 4) - 1));
  const tasks: TaskProblem[] = [];
  for (let t = 0; t < T; t++) {
    const n = 1 + (t % 8);
    const X = new Matrix(n, d, rng.normals(n * d));
    for (let i = 0; i < n; i++) {
      X.data[i * d + 3] = X.data[i * d + 2]!; // duplicated feature
      for (let j = 0; j < d; j++) X.data[i * d + j]! *= scales[j]!;
    }
    const y = Float64Array.from({ length: n }, (_, i) => X.data[i * d]! / scales[0]! - 2 * X.data[i * d + 5]! / scales[5]! + 0.3 * rng.normal() + 1);
    const weights = t % 3 === 1 ? Float64Array.from({ length: n }, () => 0.5 + rng.uniform()) : undefined;
    tasks.push({ name: `t${t}`, X, y, ...(weights ? { weights } : {}) });
  }
  return problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept });
}



test('dataProblem: the same f as the loss object and the Gram form (values, row curvatures, linear terms, intercepts)', () => {
  const problem = manySmallTasks(3, 17, true);
  const dp = dataProblem(problem);
  const gp = gramProblem(problem);
  const { d, T } = dp;
  assert.equal(dp.data.N, problem.tasks.reduce((s, t) => s + t.X.rows, 0));
  for (let t = 0; t < T; t++) {
    assert.ok(relDiff(dp.yy[t]!, gp.yy[t]!) < 1e-12);
    for (let j = 0; j < d; j++) {
      assert.ok(Math.abs(dp.h[t * d + j]! - gp.h[t * d + j]!) <= 1e-12 * (1 + Math.abs(gp.h[t * d + j]!)));
      assert.ok(Math.abs(dp.data.diag[t * d + j]! - gp.H[t]![j * d + j]!) <= 1e-12 * (1 + gp.H[t]![j * d + j]!));
    }
  }
  const W = new Matrix(d, T, new Random(4).normals(d * T));
  const bl = createLoss(problem).intercepts(W);
  const bd = dp.intercepts(W);
  for (let t = 0; t < T; t++) assert.ok(Math.abs(bl[t]! - bd[t]!) < 1e-12 * (1 + Math.abs(bl[t]!)));
});

test('prefersDataForm: many small tasks yes; tasks with n_t ≥ d/2, or a shared design, no', () => {
  assert.equal(prefersDataForm(manySmallTasks(1, 20, true)), true);
  const rng = new Random(2);
  const big = Array.from({ length: 4 }, (_, t) => ({ name: `b${t}`, X: new Matrix(30, 10, rng.normals(300)), y: rng.normals(30) }));
  assert.equal(prefersDataForm(problemFromTasks(big, { loss: 'squared' })), false);
  const X = new Matrix(3, 10, rng.normals(30));
  const shared = Array.from({ length: 5 }, (_, t) => ({ name: `s${t}`, X, y: rng.normals(3) }));
  assert.equal(prefersDataForm(problemFromTasks(shared, { loss: 'squared' })), false);
});

const cases: { kind: RowPenaltyKind; ridge: number; chain: number; label: string }[] = [
  { kind: 'lasso', ridge: 0, chain: 0, label: 'lasso' },
  { kind: 'l21', ridge: 0, chain: 0, label: 'L21' },
  { kind: 'l21', ridge: 0.01, chain: 0, label: 'L21 + ridge' },
  { kind: 'l21', ridge: 0, chain: 0.5, label: 'tgl (L21 + chain)' },
];

for (const c of cases) {
  test(`bcd on the data form, ${c.label}: same optimum as FISTA (1e-8 relative objective) and the Gram form; certified by the prox-gradient fixed point`, () => {
    for (const [seed, T, intercept, frac] of [[11, 40, true, 0.1], [12, 1, false, 0.05], [13, 9, true, 0.02]] as const) {
      const problem = manySmallTasks(seed, T, intercept);
      const lambda = frac * rowLambdaMax(problem, c.kind);
      const terms = { ridge: c.ridge, chain: c.chain };
      const r = bcd(dataProblem(problem, terms), { penalty: c.kind, lambda, tol: 1e-12, maxIter: 100000 });
      assert.ok(r.info.converged, r.info.message);
      const g = bcd(gramProblem(problem, terms), { penalty: c.kind, lambda, tol: 1e-12, maxIter: 100000 });
      const pen = rowPenalties(c.kind, lambda, c.ridge, c.chain, T);
      const f = solveLinear(problem, pen, { tol: 1e-10, maxIter: 400000 });
      assert.ok(f.info.converged, f.info.message);
      const loss = createLoss(problem);
      let F = loss.value(r.W) + pen.prox.value(r.W);
      for (const p of pen.smooth) F += p.value(r.W);
      assert.ok(relDiff(F, r.info.objective) < 1e-11, `objective bookkeeping ${F} vs ${r.info.objective}`);
      assert.ok(relDiff(F, f.info.objective) < 1e-8, `${c.label} seed ${seed}: data-form bcd ${F} vs fista ${f.info.objective}`);
      assert.ok(relDiff(F, g.info.objective) < 1e-10, `${c.label} seed ${seed}: data form ${F} vs Gram form ${g.info.objective}`);
      const obj = linearObjective(loss, pen.smooth, pen.prox);
      assert.ok(proxGradientResidual(obj, [r.W], f.lipschitz) < 1e-6);
      if (c.chain === 0) assert.ok(r.gap <= 1e-12, `gap ${r.gap}`);
    }
  });
}

test('solveBcd picks the data form for many small tasks (same optimum, intercepts from the loss) and honours form: "gram"', () => {
  const problem = manySmallTasks(21, 60, true);
  const lambda = 0.05; // λ_max is set by the ×100 columns; the planted features need a small λ
  const a = solveBcd(problem, { kind: 'l21', lambda }, { tol: 1e-9, maxIter: 50000 });
  const b = solveBcd(problem, { kind: 'l21', lambda }, { tol: 1e-9, maxIter: 50000, form: 'gram' });
  assert.ok(a.info.converged, a.info.message);
  assert.ok(b.info.converged, b.info.message);
  assert.equal(a.info.solver, 'bcd');
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-9, `${a.info.objective} vs ${b.info.objective}`);
  const bl = createLoss(problem).intercepts(a.W);
  for (let t = 0; t < 60; t++) assert.ok(Math.abs(bl[t]! - a.intercepts[t]!) < 1e-12 * (1 + Math.abs(bl[t]!)));
  // A planted support: features 0 and 5 (and not all of W zero) are selected.
  const rowNorm = (j: number) => Math.hypot(...a.W.data.subarray(j * 60, (j + 1) * 60));
  assert.ok(rowNorm(0) > 0 && rowNorm(5) > 0, `row norms ${rowNorm(0)}, ${rowNorm(5)}`);
});
