import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { cholesky, choleskySolve } from '../../../src/linalg/decomp/cholesky.ts';
import { pooledSpec } from '../../../src/linear/models/pooled.ts';
import { taskScale } from '../../../src/linear/problem.ts';
import { relDiff, relErr, synthProblem } from '../helpers.ts';

test('pooled equals pooled least squares with per-task intercepts (explicit normal equations)', () => {
  const { problem } = synthProblem({ T: 3, d: 4, n: [10, 25, 7], seed: 81 });
  const lam = 0.3;
  const r = pooledSpec.fit(problem, { tol: 1e-10, maxIter: 100, lambda: lam });
  // Unknowns [θ (d), b_1..b_T]; minimise Σ_t c_t ½‖y_t − X_tθ − b_t‖² + λ‖θ‖².
  const d = 4;
  const m = d + 3;
  const A = Matrix.zeros(m, m);
  const rhs = Matrix.zeros(m, 1);
  problem.tasks.forEach((task, t) => {
    const c = taskScale(problem, t);
    for (let i = 0; i < task.y.length; i++) {
      const x = new Float64Array(m);
      x.set(task.X.row(i));
      x[d + t] = 1;
      for (let a = 0; a < m; a++) {
        rhs.data[a]! += c * x[a]! * task.y[i]!;
        for (let b = 0; b < m; b++) A.data[a * m + b]! += c * x[a]! * x[b]!;
      }
    }
  });
  for (let a = 0; a < d; a++) A.data[a * m + a]! += 2 * lam;
  const z = choleskySolve(cholesky(A), rhs).data;
  for (let t = 0; t < 3; t++) {
    assert.ok(relErr(Array.from({ length: d }, (_, j) => r.W.get(j, t)), z.subarray(0, d)) < 1e-10);
    assert.ok(Math.abs(r.intercepts[t]! - z[d + t]!) < 1e-9);
  }
  assert.ok(r.info.converged);
});

test('pooled: FISTA agrees with the direct solve; logistic pooled has identical columns and converges', () => {
  const { problem } = synthProblem({ T: 3, d: 4, n: 20, seed: 82 });
  const a = pooledSpec.fit(problem, { tol: 1e-10, maxIter: 100, lambda: 0.1 });
  const b = pooledSpec.fit(problem, { tol: 1e-10, maxIter: 10000, lambda: 0.1, solver: 'fista' });
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-10);
  const { problem: lp } = synthProblem({ T: 3, d: 4, n: 30, loss: 'logistic', seed: 83 });
  const c = pooledSpec.fit(lp, { tol: 1e-8, maxIter: 10000, lambda: 0.1 });
  assert.ok(c.info.converged);
  for (let j = 0; j < 4; j++) assert.equal(c.W.get(j, 0), c.W.get(j, 2));
});
