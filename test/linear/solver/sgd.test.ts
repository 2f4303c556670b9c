import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanPenalty } from '../../../src/linear/penalty/laplacian.ts';
import { ridgePenalty } from '../../../src/linear/penalty/ridge.ts';
import { sgd } from '../../../src/linear/solver/sgd.ts';
import { solveDirect } from '../../../src/linear/solver/direct.ts';
import { solveLinear } from '../../../src/linear/solver/composite.ts';
import { ConvergenceError } from '../../../src/errors.ts';
import { synthProblem } from '../helpers.ts';

test('sgd is reproducible for a seed, and gets close to the optimum of a smooth model', () => {
  const { problem } = synthProblem({ T: 3, d: 4, n: 60, seed: 61 });
  const pens = [meanPenalty(0.2), ridgePenalty(0.01)];
  const a = sgd(problem, pens, { tol: 1e-12, maxIter: 60, seed: 7, batchSize: 16 });
  const b = sgd(problem, pens, { tol: 1e-12, maxIter: 60, seed: 7, batchSize: 16 });
  assert.deepEqual(Array.from(a.W.data), Array.from(b.W.data));
  const c = sgd(problem, pens, { tol: 1e-12, maxIter: 60, seed: 8, batchSize: 16 });
  assert.notDeepEqual(Array.from(a.W.data), Array.from(c.W.data));
  const exact = solveDirect(problem, pens, { tol: 1e-12, maxIter: 1000 });
  const start = a.info.objectiveTrace[0]!;
  assert.ok(a.info.objective < start);
  // Within 2% of the optimal objective after 60 epochs, and honest about not meeting tol 1e-12.
  assert.ok((a.info.objective - exact.info.objective) / exact.info.objective < 0.02, `${a.info.objective} vs ${exact.info.objective}`);
  assert.equal(a.info.converged, false);
  assert.match(a.info.message ?? '', /NOT converged/);
  assert.throws(() => sgd(problem, pens, { tol: 1e-12, maxIter: 2, requireConvergence: true }), ConvergenceError);
});

test('sgd on logistic data decreases the objective towards the FISTA optimum', () => {
  const { problem } = synthProblem({ T: 2, d: 3, n: 80, loss: 'logistic', seed: 62 });
  const pens = [ridgePenalty(0.05)];
  const a = sgd(problem, pens, { tol: 1e-12, maxIter: 80, seed: 1 });
  const opt = solveLinear(problem, { smooth: pens }, { tol: 1e-10, maxIter: 10000 });
  assert.ok((a.info.objective - opt.info.objective) / opt.info.objective < 0.02, `${a.info.objective} vs ${opt.info.objective}`);
});
