import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { rmtflSpec } from '../../../src/linear/models/rmtfl.ts';
import { l12ColumnsPenalty } from '../../../src/linear/penalty/l12.ts';
import { l21Penalty } from '../../../src/linear/penalty/l21.ts';
import { nonZeroRows } from '../../../src/linear/models/common.ts';
import { f1, plantedProblem, twoBlockCheck } from './planted.ts';

// Planted: 8 regular tasks use features 0–3 only; tasks 1 and 4 are outliers with dense weights.
function planted(seed: number, loss: 'squared' | 'logistic' = 'squared') {
  const rng = new Random(seed);
  const d = 20;
  const T = 10;
  const outliers = [1, 4];
  const W = Matrix.zeros(d, T);
  for (let t = 0; t < T; t++) {
    if (outliers.includes(t)) for (let j = 0; j < d; j++) W.set(j, t, 2 * rng.normal());
    else for (let j = 0; j < 4; j++) W.set(j, t, 1 + 0.5 * rng.normal());
  }
  return { W, outliers, problem: plantedProblem(rng, W, { n: 50, noise: 0.1, loss }) };
}

test('rmtfl: P selects the planted shared features (F1 ≥ 0.9) and Q marks exactly the planted outlier tasks', () => {
  const { problem } = planted(5);
  const lambda = 2;
  const lambda2 = 2.5;
  const r = rmtflSpec.fit(problem, { tol: 1e-9, maxIter: 20000, lambdaP: lambda, lambdaQ: lambda2 });
  assert.ok(r.info.converged, r.info.message);
  const score = f1(nonZeroRows(r.learned.P!), [0, 1, 2, 3]);
  assert.ok(score >= 0.9, `feature F1 ${score} (rows ${nonZeroRows(r.learned.P!)})`);
  assert.deepEqual(r.learned.outlierTasks, ['task1', 'task4']);
  const c = twoBlockCheck(problem, { P: l21Penalty(lambda), Q: l12ColumnsPenalty(lambda2), ridge: 0 }, r);
  assert.ok(c.residual < 1e-7, `prox-gradient residual ${c.residual}`);
  assert.ok(Math.abs(c.objective - r.info.objective) <= 1e-12 * Math.abs(c.objective));
});

test('rmtfl: the same weights recover the planted structure on other seeds', () => {
  for (const seed of [9, 13, 17]) {
    const { problem } = planted(seed);
    const r = rmtflSpec.fit(problem, { tol: 1e-8, maxIter: 20000, lambdaP: 2, lambdaQ: 2.5 });
    assert.deepEqual(nonZeroRows(r.learned.P!), [0, 1, 2, 3], `seed ${seed}`);
    assert.deepEqual(r.learned.outlierTasks, ['task1', 'task4'], `seed ${seed}`);
  }
});

test('rmtfl with logistic loss and intercepts: the intercept block is optimised and the point is optimal', () => {
  const { problem } = planted(7, 'logistic');
  const lambda = 0.02;
  const lambda2 = 0.05;
  const r = rmtflSpec.fit(problem, { tol: 1e-8, maxIter: 20000, lambdaP: lambda, lambdaQ: lambda2 });
  assert.ok(r.info.converged, r.info.message);
  assert.ok(r.intercepts.some((b) => b !== 0));
  const c = twoBlockCheck(problem, { P: l21Penalty(lambda), Q: l12ColumnsPenalty(lambda2), ridge: 0 }, r);
  assert.ok(c.residual < 1e-6, `prox-gradient residual ${c.residual}`);
  assert.ok(Math.abs(c.objective - r.info.objective) <= 1e-12 * Math.abs(c.objective));
});
