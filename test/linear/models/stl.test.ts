import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError } from '../../../src/errors.ts';
import { stlSpec } from '../../../src/linear/models/stl.ts';
import { relDiff, relErr, synthProblem } from '../helpers.ts';

test('stl: direct (one Cholesky per task) and FISTA agree; perTaskLambda overrides lambda per task', () => {
  const { problem } = synthProblem({ T: 3, d: 5, n: [8, 30, 12], seed: 71 });
  const opts = { tol: 1e-10, maxIter: 20000, lambda: 0.2, perTaskLambda: { task1: 5 } };
  const a = stlSpec.fit(problem, opts);
  const b = stlSpec.fit(problem, { ...opts, solver: 'fista' });
  assert.equal(a.info.solver, 'direct');
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-10);
  assert.ok(relErr(a.W.data, b.W.data) < 1e-7);
  // Tasks are independent: task 1's heavier weight shrinks only its own column.
  const c = stlSpec.fit(problem, { ...opts, perTaskLambda: {} });
  const col = (W: typeof a.W, t: number) => Array.from({ length: 5 }, (_, j) => W.get(j, t));
  assert.ok(relErr(col(a.W, 0), col(c.W, 0)) < 1e-12);
  const norm = (v: number[]) => Math.hypot(...v);
  assert.ok(norm(col(a.W, 1)) < norm(col(c.W, 1)));
});

test('stl: perTaskLambda naming an unknown task is an OptionError naming the option and task', () => {
  const { problem } = synthProblem({ T: 2, d: 3, n: 10, seed: 72 });
  assert.throws(() => stlSpec.fit(problem, { tol: 1e-8, maxIter: 100, perTaskLambda: { nope: 1 } }), (e: unknown) => e instanceof OptionError && /perTaskLambda.*"nope"/.test(e.message));
});
