import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConvergenceError } from '../../../src/errors.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { l21Penalty } from '../../../src/linear/penalty/l21.ts';
import { lassoPenalty } from '../../../src/linear/penalty/lasso.ts';
import { tracePenalty } from '../../../src/linear/penalty/trace.ts';
import { ridgePenalty } from '../../../src/linear/penalty/ridge.ts';
import { fista, proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { linearObjective, solveLinear } from '../../../src/linear/solver/composite.ts';
import { hasSchool, randomMatrix, relDiff, rowLambdaMax, schoolProblem, synthProblem } from '../helpers.ts';

test('fista on a 1-D lasso reaches the closed form argmin ½(x − 3)² + |x| = 2 (objective 2.5)', () => {
  const obj = {
    smooth: (x: readonly Matrix[]) => ({ value: 0.5 * (x[0]!.data[0]! - 3) ** 2, grad: [new Matrix(1, 1, Float64Array.of(x[0]!.data[0]! - 3))] }),
    prox: [lassoPenalty(1).prox!],
    nonsmoothValue: (x: readonly Matrix[]) => Math.abs(x[0]!.data[0]!),
  };
  const r = fista(obj, { x0: [Matrix.zeros(1, 1)], tol: 1e-12 });
  assert.ok(r.info.converged, r.info.message);
  assert.ok(Math.abs(r.x[0]!.data[0]! - 2) < 1e-10);
  assert.ok(Math.abs(r.info.objective - 2.5) < 1e-10);
});

for (const loss of ['squared', 'logistic'] as const) {
  test(`fista (${loss}, L21 + ridge): the optimality residual at the returned point is below tol, from two starts`, () => {
    const { problem } = synthProblem({ T: 5, d: 8, n: [10, 40, 15, 25, 12], loss, seed: 31 });
    const loss_ = createLoss(problem);
    const pen = { smooth: [ridgePenalty(0.01)], prox: l21Penalty(0.05) };
    const tol = 1e-8;
    const a = solveLinear(problem, pen, { tol, maxIter: 20000 });
    const b = solveLinear(problem, pen, { tol, maxIter: 20000 }, { W: randomMatrix(8, 5, 3), intercepts: Float64Array.from([1, -1, 2, 0, 3]) });
    assert.ok(a.info.converged && b.info.converged, a.info.message);
    const obj = linearObjective(loss_, pen.smooth, pen.prox);
    const x = loss_.explicitIntercept ? [a.W, new Matrix(1, 5, a.intercepts)] : [a.W];
    // The solver's measure bounds the prox-gradient mapping from above (docs/solvers.md).
    const resid = proxGradientResidual(obj, x, a.lipschitz);
    assert.ok(resid <= tol * 1.0001, `residual ${resid}`);
    assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-10);
    // The reported objective is the true objective at the returned point.
    const f = obj.smooth(x).value + obj.nonsmoothValue(x);
    assert.ok(relDiff(f, a.info.objective) < 1e-12);
    // The objective trace ends at the reported objective.
    assert.equal(a.info.objectiveTrace.at(-1), a.info.objective);
  });
}

test('the textbook proximal gradient (no momentum, no Gram) reaches the same optimum', () => {
  const { problem } = synthProblem({ T: 4, d: 6, n: 30, seed: 32 });
  const pen = { smooth: [], prox: lassoPenalty(0.1) };
  const a = solveLinear(problem, pen, { tol: 1e-9, maxIter: 20000 });
  const b = solveLinear(problem, pen, { tol: 1e-9, maxIter: 50000, accelerate: false, gram: false });
  assert.equal(b.info.solver, 'ista');
  assert.ok(b.info.converged);
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-10);
});

test('hitting maxIter is never silent: converged false with a message, or ConvergenceError when required', () => {
  const { problem } = synthProblem({ T: 4, d: 6, n: 30, seed: 33 });
  const pen = { smooth: [], prox: tracePenalty(0.1) };
  const r = solveLinear(problem, pen, { tol: 1e-14, maxIter: 3 });
  assert.equal(r.info.converged, false);
  assert.equal(r.info.iterations, 3);
  assert.match(r.info.message ?? '', /NOT converged.*maxIter = 3/);
  assert.throws(() => solveLinear(problem, pen, { tol: 1e-14, maxIter: 3, requireConvergence: true }), ConvergenceError);
});

test('a warm start at the solution converges at once', () => {
  const { problem } = synthProblem({ T: 3, d: 5, n: 20, seed: 34 });
  const pen = { smooth: [], prox: l21Penalty(0.2) };
  const a = solveLinear(problem, pen, { tol: 1e-9, maxIter: 5000 });
  const b = solveLinear(problem, pen, { tol: 1e-9, maxIter: 5000 }, { W: a.W });
  assert.ok(b.info.iterations <= 3, `${b.info.iterations} iterations`);
});

test('School (sum, no intercept, raw): L21 and trace reach the same objective from two starts to 1e-6', { skip: !hasSchool && 'needs ../shared/data' }, () => {
  const problem = schoolProblem();
  const start = new Matrix(28, 139, Float64Array.from({ length: 28 * 139 }, (_, i) => Math.sin(i)));
  for (const prox of [l21Penalty(2e5), tracePenalty(2e5)]) {
    const a = solveLinear(problem, { smooth: [], prox }, { tol: 1e-6, maxIter: 20000 });
    const b = solveLinear(problem, { smooth: [], prox }, { tol: 1e-6, maxIter: 20000 }, { W: start });
    assert.ok(a.info.converged && b.info.converged);
    assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-6, `${prox.name}: ${a.info.objective} vs ${b.info.objective}`);
  }
});

test('the quadratic shortcut (extrapolated f and ∇f) follows the same iterates as evaluating f at y', () => {
  const { problem } = synthProblem({ T: 4, d: 6, n: 30, seed: 35 });
  const base = linearObjective(createLoss(problem), [ridgePenalty(0.1)], l21Penalty(0.1));
  assert.equal(base.quadratic, true);
  const x0 = [Matrix.zeros(6, 4)];
  const a = fista(base, { x0, tol: 1e-10 });
  const b = fista({ ...base, quadratic: false }, { x0, tol: 1e-10 });
  // Equal in exact arithmetic; in floating point the two paths round differently (how much depends
  // on the kernel backend: FMA in the native one), so the stopping test at 1e-10 may be crossed one
  // iteration apart.
  assert.ok(Math.abs(a.info.iterations - b.info.iterations) <= 1, `iterations ${a.info.iterations} vs ${b.info.iterations}`);
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-13);
});

test('fista over many small tasks (data path: one dsqGradBatched call per evaluation) reaches the optimum of fista on the Gram form, certified, on every backend', async () => {
  const { availableBackends, backendName, setBackend } = await import('../../../src/linalg/backend.ts');
  const { rowNorms } = await import('../../../src/linear/penalty/l21.ts');
  const T = 150;
  const n = Array.from({ length: T }, (_, t) => 3 + (t % 8)); // d = 12: n_t ≤ d, the data path
  const { problem } = synthProblem({ T, d: 12, n, intercept: true, weights: true, seed: 41 });
  const pen = l21Penalty(0.7 * rowLambdaMax(problem, 'l21'));
  const run = (gram: boolean | 'always') => {
    const obj = linearObjective(createLoss(problem, { gram }), [], pen);
    const r = fista(obj, { x0: [Matrix.zeros(12, T)], tol: 1e-10, maxIter: 20000 });
    assert.ok(r.info.converged, r.info.message);
    // Certified at the returned point, independently of the solver's bookkeeping.
    const res = proxGradientResidual(obj, r.x, r.lipschitz);
    assert.ok(res <= 1e-9, `prox-gradient residual ${res}`);
    return r;
  };
  const before = backendName();
  try {
    for (const b of availableBackends()) {
      setBackend(b);
      const ref = run('always');
      const data = run(true);
      assert.ok(relDiff(data.info.objective, ref.info.objective) <= 1e-8, `${b}: objective ${data.info.objective} vs Gram form ${ref.info.objective}`);
      const norms = rowNorms(data.x[0]!);
      assert.ok(norms.some((v) => v === 0) && norms.some((v) => v > 0), `some rows selected, some not: ${Array.from(norms, (v) => v.toFixed(3))}`);
    }
  } finally {
    setBackend(before);
  }
});
