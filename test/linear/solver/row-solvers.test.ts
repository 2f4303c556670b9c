import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { l21Spec } from '../../../src/linear/models/l21.ts';
import { lassoSpec } from '../../../src/linear/models/lasso.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { columnScaleSpread, defaultRowSolver, FISTA_MAX_SCALE_SPREAD, prefersFista } from '../../../src/linear/solver/row-solvers.ts';
import type { Problem } from '../../../src/linear/types.ts';
import { relDiff, synthProblem } from '../helpers.ts';

/** Column j of every task times scales[j]. */
function scaled(problem: Problem, scales: readonly number[]): Problem {
  const d = problem.d;
  const tasks = problem.tasks.map((t) => {
    const X = t.X.clone();
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) X.data[i * d + j]! *= scales[j]!;
    return { ...t, X };
  });
  return problemFromTasks(tasks, { loss: problem.loss, scale: problem.scale, intercept: problem.intercept });
}

const l21 = { kind: 'l21' as const, lambda: 1 };

test('defaultRowSolver: fista for separate designs with mean n_t ≤ d and column scales within ~30×, bcd otherwise', () => {
  // The shapes of the measured grid (docs/solvers.md, BENCH_PART=default-grid), scaled down in T.
  const cases: { T: number; n: number | number[]; d: number; want: string }[] = [
    { T: 30, n: 20, d: 20, want: 'fista' }, // n_t = d
    { T: 30, n: 20, d: 50, want: 'fista' },
    { T: 30, n: [10, 90], d: 50, want: 'fista' }, // mean n_t = d on mixed sizes (N = T·d)
    { T: 30, n: 100, d: 20, want: 'bcd' },
    { T: 30, n: 100, d: 50, want: 'bcd' },
    { T: 30, n: 21, d: 20, want: 'bcd' }, // just above N = T·d
  ];
  for (const c of cases) {
    const sizes = c.n;
    const n = Array.isArray(sizes) ? Array.from({ length: c.T }, (_, t) => sizes[t % 2]!) : sizes;
    const { problem } = synthProblem({ T: c.T, d: c.d, n, seed: 3 });
    assert.equal(defaultRowSolver(problem, l21), c.want, `T = ${c.T}, n_t = ${String(c.n)}, d = ${c.d}`);
    assert.equal(defaultRowSolver(problem, { kind: 'lasso', lambda: 1 }), c.want, `lasso, T = ${c.T}, n_t = ${String(c.n)}, d = ${c.d}`);
  }
  // Logistic loss: proximal Newton whatever the shape; the chain term (tgl): bcd.
  const { problem: logit } = synthProblem({ T: 30, d: 20, n: 10, loss: 'logistic', seed: 4 });
  assert.equal(defaultRowSolver(logit, l21), 'newton');
  const { problem: small } = synthProblem({ T: 30, d: 20, n: 10, seed: 5 });
  assert.equal(defaultRowSolver(small, l21), 'fista');
  assert.equal(defaultRowSolver(small, { ...l21, chain: 1 }), 'bcd');
  assert.equal(prefersFista(small, { ...l21, chain: 1 }), false);
});

test('defaultRowSolver: one shared design keeps bcd even with n ≤ d', () => {
  const { problem } = synthProblem({ T: 8, d: 20, n: 10, seed: 6 });
  const X = problem.tasks[0]!.X;
  const shared = problemFromTasks(problem.tasks.map((t) => ({ ...t, X })), { loss: 'squared', scale: 'mean', intercept: true });
  assert.equal(defaultRowSolver(shared, l21), 'bcd');
});

test('columnScaleSpread and the scale guard: columns 10⁴ apart keep bcd, 3× apart fista at a fista shape', () => {
  const { problem } = synthProblem({ T: 20, d: 10, n: 8, seed: 7 });
  assert.equal(defaultRowSolver(problem, l21), 'fista');
  // Spread of the pooled centred column sums of squares: scaling column 0 by s multiplies its sum by s².
  const base = columnScaleSpread(problem);
  assert.ok(base >= 1 && base < 10, `N(0,1) columns: spread ${base}`);
  const wide = scaled(problem, [1e4, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.ok(columnScaleSpread(wide) > FISTA_MAX_SCALE_SPREAD, `spread ${columnScaleSpread(wide)}`);
  assert.equal(defaultRowSolver(wide, l21), 'bcd');
  const mild = scaled(problem, [3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(defaultRowSolver(mild, l21), 'fista');
  // Centring: a column constant within each task (any size) adds nothing with intercepts.
  const withConst = problemFromTasks(
    problem.tasks.map((t, k) => {
      const X = t.X.clone();
      for (let i = 0; i < X.rows; i++) X.data[i * X.cols] = 1000 * (k + 1);
      return { ...t, X };
    }),
    { loss: 'squared', scale: 'mean', intercept: true },
  );
  assert.ok(columnScaleSpread(withConst) < 10);
  assert.equal(columnScaleSpread(problemFromTasks([{ name: 'z', X: Matrix.zeros(3, 2), y: new Float64Array(3) }], { loss: 'squared', scale: 'mean', intercept: true })), 1);
});

test('the model fit records the solver the default picked, and both solvers reach the same optimum', () => {
  const { problem: few } = synthProblem({ T: 40, d: 20, n: 10, seed: 8 });
  const { problem: many } = synthProblem({ T: 10, d: 10, n: 40, seed: 9 });
  for (const spec of [l21Spec, lassoSpec]) {
    for (const [problem, want] of [[few, 'fista'], [many, 'bcd']] as const) {
      const lambda = 0.1 * spec.paramMax!('lambda', problem, {})!;
      const dflt = spec.fit(problem, { lambda, tol: 1e-9, maxIter: 20000 }, undefined, undefined);
      assert.equal(dflt.info.solver, want, `${spec.name}: info.solver`);
      assert.ok(dflt.info.converged, `${spec.name} ${want}: ${dflt.info.message ?? ''}`);
      const other = spec.fit(problem, { lambda, tol: 1e-9, maxIter: 20000, solver: want === 'bcd' ? 'fista' : 'bcd' }, undefined, undefined);
      assert.notEqual(other.info.solver, want);
      assert.ok(relDiff(dflt.info.objective, other.info.objective) < 1e-8, `${spec.name}: ${dflt.info.objective} vs ${other.info.objective}`);
    }
  }
});
