import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainPenalty } from '../../../src/linear/penalty/laplacian.ts';
import { ridgePenalty } from '../../../src/linear/penalty/ridge.ts';
import { lassoPenalty } from '../../../src/linear/penalty/lasso.ts';
import { gradientDescent } from '../../../src/linear/solver/gradient.ts';
import { solveDirect } from '../../../src/linear/solver/direct.ts';
import { solveLinear } from '../../../src/linear/solver/composite.ts';
import { relDiff, synthProblem } from '../helpers.ts';

test('plain gradient descent reaches the exact solution of a smooth model (chain + ridge)', () => {
  const { problem } = synthProblem({ T: 4, d: 5, n: 25, seed: 51 });
  const pens = [chainPenalty(0.3, 4), ridgePenalty(0.05)];
  const gd = gradientDescent(problem, { smooth: pens }, { tol: 1e-9, maxIter: 50000 });
  const exact = solveDirect(problem, pens, { tol: 1e-12, maxIter: 1000 });
  assert.equal(gd.info.solver, 'gd');
  assert.ok(gd.info.converged, gd.info.message);
  assert.ok(relDiff(gd.info.objective, exact.info.objective) < 1e-9);
  // Objective never increases without momentum.
  const tr = gd.info.objectiveTrace;
  for (let k = 1; k < tr.length; k++) assert.ok(tr[k]! <= tr[k - 1]! * (1 + 1e-12));
});

test('proximal gradient (gd) on a logistic lasso reaches the FISTA optimum', () => {
  const { problem } = synthProblem({ T: 3, d: 4, n: 40, loss: 'logistic', seed: 52 });
  const pen = { smooth: [], prox: lassoPenalty(0.02) };
  const a = gradientDescent(problem, pen, { tol: 1e-8, maxIter: 100000 });
  const b = solveLinear(problem, pen, { tol: 1e-10, maxIter: 20000 });
  assert.ok(a.info.converged);
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-8);
});
