import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { robustSpec } from '../../../src/linear/models/robust.ts';
import { l12ColumnsPenalty } from '../../../src/linear/penalty/l12.ts';
import { tracePenalty } from '../../../src/linear/penalty/trace.ts';
import { plantedProblem, twoBlockCheck } from './planted.ts';

// Planted: 8 regular tasks share a rank-2 W (columns of equal norm); tasks 2 and 7 are outliers with unrelated dense weights.
function planted(seed: number) {
  const rng = new Random(seed);
  const d = 20;
  const T = 10;
  const U = new Matrix(d, 2, rng.normals(2 * d));
  const V = new Matrix(2, T, rng.normals(2 * T));
  // Every regular task's weight vector has the same norm (1.5·‖U·‖-scale): no task is cheaper to move to Q.
  for (let t = 0; t < T; t++) {
    const nv = Math.hypot(V.get(0, t), V.get(1, t));
    V.set(0, t, (1.5 * V.get(0, t)) / nv);
    V.set(1, t, (1.5 * V.get(1, t)) / nv);
  }
  const W = Matrix.zeros(d, T);
  for (let j = 0; j < d; j++) {
    for (let t = 0; t < T; t++) {
      W.set(j, t, t === 2 || t === 7 ? 3 * rng.normal() : U.get(j, 0) * V.get(0, t) + U.get(j, 1) * V.get(1, t));
    }
  }
  return { W, problem: plantedProblem(rng, W, { n: 50, noise: 0.1 }) };
}

test('robust: finds exactly the planted outlier tasks, P has the planted rank 2, optimal at the returned point', () => {
  // Outliers go to Q when lambda2 < lambda (a column costs lambda2·‖q‖ in Q, lambda·‖q‖ as a new
  // direction of P), regular tasks stay in P when their shared rank-2 structure makes P cheaper.
  const { problem } = planted(5);
  const lambda = 1;
  const lambda2 = 0.75;
  const r = robustSpec.fit(problem, { tol: 1e-9, maxIter: 20000, lambdaP: lambda, lambdaQ: lambda2 });
  assert.ok(r.info.converged, r.info.message);
  assert.deepEqual(r.learned.outlierTasks, ['task2', 'task7']);
  assert.equal(r.learned.rank, 2);
  const c = twoBlockCheck(problem, { P: tracePenalty(lambda), Q: l12ColumnsPenalty(lambda2), ridge: 0 }, r);
  assert.ok(c.residual < 1e-7, `prox-gradient residual ${c.residual}`);
  assert.ok(Math.abs(c.objective - r.info.objective) <= 1e-12 * Math.abs(c.objective));
});

test('robust: other seeds and a range of lambda2 still isolate the outliers', () => {
  for (const [seed, lambda2] of [[9, 0.7], [13, 0.8], [17, 0.75]] as const) {
    const { problem } = planted(seed);
    const r = robustSpec.fit(problem, { tol: 1e-8, maxIter: 20000, lambdaP: 1, lambdaQ: lambda2 });
    assert.deepEqual(r.learned.outlierTasks, ['task2', 'task7'], `seed ${seed}, lambda2 = ${lambda2}`);
    assert.equal(r.learned.rank, 2);
  }
});
