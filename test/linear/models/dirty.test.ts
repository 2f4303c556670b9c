import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { dirtySpec } from '../../../src/linear/models/dirty.ts';
import { lassoPenalty } from '../../../src/linear/penalty/lasso.ts';
import { l1InfPenalty } from '../../../src/linear/penalty/l1inf.ts';
import { entrySupport, f1, plantedProblem, twoBlockCheck } from './planted.ts';

// Planted: features 0–2 shared by all 6 tasks (block structure for ‖P‖_1,∞), feature 5+t used by task t
// alone (element sparsity for ‖Q‖₁), features 11–19 irrelevant.
function planted(seed: number) {
  const rng = new Random(seed);
  const d = 20;
  const T = 6;
  const W = Matrix.zeros(d, T);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < 3; j++) W.set(j, t, 1 + 0.5 * rng.normal());
    W.set(5 + t, t, 1.5);
  }
  return { W, problem: plantedProblem(rng, W, { n: 60, noise: 0.1 }) };
}

test('dirty: recovers the planted shared-row + task-specific support (F1 ≥ 0.9), optimal at the returned point', () => {
  const { W, problem } = planted(5);
  const lambda = 1;
  const lambda2 = 0.2;
  const r = dirtySpec.fit(problem, { tol: 1e-9, maxIter: 20000, lambdaP: lambda, lambdaQ: lambda2 });
  assert.ok(r.info.converged, r.info.message);
  const score = f1(entrySupport(r.W), entrySupport(W));
  assert.ok(score >= 0.9, `support F1 ${score}`);
  assert.deepEqual(r.learned.selectedFeatures, ['x1', 'x2', 'x3', 'x6', 'x7', 'x8', 'x9', 'x10', 'x11']);
  const c = twoBlockCheck(problem, { P: l1InfPenalty(lambda), Q: lassoPenalty(lambda2), ridge: 0 }, r);
  assert.ok(c.residual < 1e-7, `prox-gradient residual ${c.residual}`);
  assert.ok(Math.abs(c.objective - r.info.objective) <= 1e-12 * Math.abs(c.objective));
});

test('dirty: ridge enters the objective; warm start from the solution stops at once; bad weights name the option', () => {
  const { problem } = planted(6);
  const opts = { tol: 1e-9, maxIter: 20000, lambdaP: 0.5, lambdaQ: 0.1, ridge: 0.05 };
  const r = dirtySpec.fit(problem, opts);
  const c = twoBlockCheck(problem, { P: l1InfPenalty(0.5), Q: lassoPenalty(0.1), ridge: 0.05 }, r);
  assert.ok(c.residual < 1e-7);
  assert.ok(Math.abs(c.objective - r.info.objective) <= 1e-12 * Math.abs(c.objective));
  const again = dirtySpec.fit(problem, opts, r.warm);
  assert.ok(again.info.iterations <= 2, `warm start took ${again.info.iterations} iterations`);
  assert.ok(Math.abs(again.info.objective - r.info.objective) <= 1e-9 * r.info.objective);
  assert.throws(() => dirtySpec.fit(problem, { ...opts, lambdaP: -1 }), /lambdaP/);
  assert.throws(() => dirtySpec.fit(problem, { ...opts, lambdaQ: Number.NaN }), /lambdaQ/);
});

test('dirty: the textbook proximal gradient (solver "gd") reaches the same optimum; unknown solvers are rejected', () => {
  const { problem } = planted(8);
  const opts = { tol: 1e-8, maxIter: 50000, lambdaP: 1, lambdaQ: 0.2 };
  const fast = dirtySpec.fit(problem, opts);
  const slow = dirtySpec.fit(problem, { ...opts, solver: 'gd' });
  assert.ok(slow.info.converged, slow.info.message);
  assert.match(slow.info.solver, /^ista/);
  assert.ok(Math.abs(slow.info.objective - fast.info.objective) <= 1e-8 * fast.info.objective);
  assert.throws(() => dirtySpec.fit(problem, { ...opts, solver: 'direct' }), /solver/);
});
