import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConvergenceError } from '../../../src/errors.ts';
import { alternate, type AlternatingProblem } from '../../../src/linear/solver/alternating.ts';

// f(x, y) = (x − 1)² + (y − 2)² + x·y: strictly convex (Hessian [[2, 1], [1, 2]]); exact coordinate
// steps x = 1 − y/2, y = 2 − x/2; the minimiser solves 2x + y = 2, x + 2y = 4: (0, 2).
interface XY {
  readonly x: number;
  readonly y: number;
}
const f = (s: XY): number => (s.x - 1) ** 2 + (s.y - 2) ** 2 + s.x * s.y;
const problem: AlternatingProblem<XY> = {
  objective: f,
  steps: [
    { name: 'x', update: (s) => ({ state: { ...s, x: 1 - s.y / 2 }, iterations: 0, converged: true }) },
    { name: 'y', update: (s) => ({ state: { ...s, y: 2 - s.x / 2 }, iterations: 0, converged: true }) },
  ],
  // Gradient norm relative to the gradient at the origin (‖(−2, −4)‖).
  optimality: (s) => Math.hypot(2 * (s.x - 1) + s.y, 2 * (s.y - 2) + s.x) / Math.hypot(2, 4),
};

test('alternate: exact block steps converge to the minimiser with a non-increasing objective trace', () => {
  const r = alternate(problem, { x: 5, y: -3 }, { tol: 1e-12, maxOuter: 200, solverName: 'toy' });
  assert.ok(r.info.converged, r.info.message);
  assert.ok(Math.abs(r.state.x) < 1e-10 && Math.abs(r.state.y - 2) < 1e-10);
  assert.equal(r.info.objectiveTrace.length, r.info.iterations + 1);
  for (let i = 1; i < r.info.objectiveTrace.length; i++) assert.ok(r.info.objectiveTrace[i]! <= r.info.objectiveTrace[i - 1]!);
  assert.ok(Math.abs(r.info.objective - f(r.state)) === 0);
});

test('alternate: stopping at the cap is reported, and requireConvergence turns it into a ConvergenceError', () => {
  const r = alternate(problem, { x: 5, y: -3 }, { tol: 1e-12, maxOuter: 2, solverName: 'toy' });
  assert.equal(r.info.converged, false);
  assert.match(r.info.message!, /NOT converged.*maxIter = 2/);
  assert.throws(() => alternate(problem, { x: 5, y: -3 }, { tol: 1e-12, maxOuter: 2, solverName: 'toy', requireConvergence: true }), ConvergenceError);
});

test('alternate: a run whose steps no longer change anything stops early and says so', () => {
  // The steps keep their start (as a step does when it cannot improve); the optimality stays above tol.
  const stuck: AlternatingProblem<XY> = { ...problem, steps: [{ name: 'noop', update: (s) => ({ state: s, iterations: 1, converged: true }) }] };
  const r = alternate(stuck, { x: 5, y: -3 }, { tol: 1e-12, maxOuter: 1000, solverName: 'toy' });
  assert.equal(r.info.converged, false);
  assert.ok(r.info.iterations <= 3);
  assert.match(r.info.message!, /could not improve|no block step/);
});
