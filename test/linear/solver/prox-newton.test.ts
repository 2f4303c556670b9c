import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { availableBackends, backendName, setBackend } from '../../../src/linalg/backend.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { l21Penalty } from '../../../src/linear/penalty/l21.ts';
import { lassoPenalty } from '../../../src/linear/penalty/lasso.ts';
import { ridgePenalty } from '../../../src/linear/penalty/ridge.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { linearObjective, solveLinear } from '../../../src/linear/solver/composite.ts';
import { proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { minNormSubgradient, proxNewtonLogistic } from '../../../src/linear/solver/prox-newton.ts';
import type { Problem } from '../../../src/linear/types.ts';
import { LANDMINE, loadLandmineTasks, relDiff, synthProblem } from '../helpers.ts';

/** Landmine (the first 10 fields, to keep the FISTA oracle fast). */
function landmine(): Problem {
  const tasks = loadLandmineTasks((t) => `m${t}`).slice(0, 10);
  return problemFromTasks(tasks, { loss: 'logistic', scale: 'mean', intercept: true });
}

/** λ_max of the row penalty (intercepts at their optimum for W = 0). */
function lambdaMax(problem: Problem, kind: 'lasso' | 'l21'): number {
  const loss = createLoss(problem);
  const G = loss.evaluate(Matrix.zeros(problem.d, problem.tasks.length), loss.zeroIntercepts()).G;
  let m = 0;
  for (let j = 0; j < G.rows; j++) {
    let s = 0;
    for (let t = 0; t < G.cols; t++) {
      const v = G.data[j * G.cols + t]!;
      s += v * v;
      if (kind === 'lasso') m = Math.max(m, Math.abs(v));
    }
    if (kind === 'l21') m = Math.max(m, Math.sqrt(s));
  }
  return m;
}

function check(problem: Problem, kind: 'lasso' | 'l21', lambda: number, ridge: number, label: string): void {
  const r = proxNewtonLogistic(problem, { penalty: kind, lambda, ridge, tol: 1e-10, maxIter: 100 });
  assert.ok(r.info.converged, r.info.message);
  const prox = kind === 'l21' ? l21Penalty(lambda) : lassoPenalty(lambda);
  const smooth = ridge > 0 ? [ridgePenalty(ridge)] : [];
  const f = solveLinear(problem, { smooth, prox }, { tol: 1e-9, maxIter: 100000 });
  assert.ok(f.info.converged, f.info.message);
  assert.ok(relDiff(r.info.objective, f.info.objective) < 1e-8, `${label}: newton ${r.info.objective} vs fista ${f.info.objective}`);
  // Independent certificate on all of (W, b): FISTA's prox-gradient mapping at the returned point.
  const loss = createLoss(problem);
  const obj = linearObjective(loss, smooth, prox);
  const b = new Matrix(1, problem.tasks.length, r.intercepts);
  const x = loss.explicitIntercept ? [r.W, b] : [r.W];
  assert.ok(proxGradientResidual(obj, x, f.lipschitz) < 1e-8, `${label}: residual`);
  // The reported objective is the objective at the returned point.
  assert.ok(relDiff(obj.smooth(x).value + obj.nonsmoothValue(x), r.info.objective) < 1e-12);
}

test('minNormSubgradient is zero at a planted optimum and positive away from it', () => {
  const W = Matrix.from([[0, 0], [3, 4]]);
  const G = Matrix.from([[0.5, 0.5], [-0.6, -0.8]]); // row 2: G = −λ W/‖W‖ with λ = 1; row 1: ‖G‖ < 1
  assert.ok(minNormSubgradient('l21', 1, W, G, null) < 1e-15);
  assert.ok(Math.abs(minNormSubgradient('l21', 1, W, G, Float64Array.of(0.3, 0.4)) - 0.5) < 1e-15);
  const G2 = Matrix.from([[2, 0], [-0.6, -0.8]]);
  assert.ok(Math.abs(minNormSubgradient('l21', 1, W, G2, null) - 1) < 1e-15);
});

for (const kind of ['l21', 'lasso'] as const) {
  test(`proximal Newton (logistic ${kind}): same optimum as FISTA to 1e-8, with and without intercepts and ridge`, () => {
    for (const [seed, intercept, ridge] of [[91, true, 0], [92, false, 0.01]] as const) {
      const { problem } = synthProblem({ T: 5, d: 8, n: [30, 60, 12, 45, 25], loss: 'logistic', intercept, seed });
      // Columns scaled over two decades, as raw features (FISTA, the oracle, cannot go much further).
      const scaled = problemFromTasks(
        problem.tasks.map((t) => ({ ...t, X: new Matrix(t.X.rows, t.X.cols, t.X.data.map((v, k) => v * Math.pow(10, ((k % 8) - 4) / 4))) })),
        { loss: 'logistic', scale: 'mean', intercept },
      );
      check(scaled, kind, 0.05 * lambdaMax(scaled, kind), ridge, `${kind} seed ${seed}`);
    }
  });
}

test('proximal Newton with sample weights and sum scaling (its fused loss/curvature pass): same optimum as FISTA, objective as the loss computes it', () => {
  const { problem } = synthProblem({ T: 4, d: 6, n: [25, 40, 15, 30], loss: 'logistic', intercept: true, seed: 93 });
  const weighted = problemFromTasks(
    problem.tasks.map((t, k) => ({ ...t, weights: Float64Array.from({ length: t.y.length }, (_, i) => 0.2 + ((i * 7 + k) % 5)) })),
    { loss: 'logistic', scale: 'sum', intercept: true },
  );
  check(weighted, 'l21', 0.05 * lambdaMax(weighted, 'l21'), 0, 'weighted l21');
});

test('proximal Newton: λ ≥ λ_max gives W = 0 with the optimal intercepts', () => {
  const { problem } = synthProblem({ T: 4, d: 6, n: 40, loss: 'logistic', seed: 93 });
  const lmax = lambdaMax(problem, 'l21');
  const r = proxNewtonLogistic(problem, { penalty: 'l21', lambda: lmax * 1.001, tol: 1e-10, maxIter: 50 });
  assert.ok(r.info.converged, r.info.message);
  assert.ok(r.W.data.every((v) => v === 0));
  const b0 = createLoss(problem).zeroIntercepts();
  for (let t = 0; t < 4; t++) assert.ok(Math.abs(r.intercepts[t]! - b0[t]!) < 1e-8);
});

test('proximal Newton on Landmine (10 fields, logistic L21, mean loss, intercepts, ρ = 0.01): same optimum as FISTA', { skip: !existsSync(LANDMINE) && 'needs ../shared/data' }, () => {
  check(landmine(), 'l21', 0.01, 0, 'landmine');
});

test('proximal Newton: the batched per-point pass (native, ts) and the per-task GEMV/Gram path (wasm) reach the same certified optimum', () => {
  const { problem } = synthProblem({ T: 5, d: 9, n: [30, 1, 55, 12, 40], loss: 'logistic', intercept: true, seed: 17 });
  const weighted = problemFromTasks(
    problem.tasks.map((t, k) => ({ ...t, weights: k === 2 ? undefined : Float64Array.from({ length: t.y.length }, (_, i) => 0.5 + ((i * 3 + k) % 4)) })),
    { loss: 'logistic', scale: 'mean', intercept: true },
  );
  const lambda = 0.05 * lambdaMax(weighted, 'l21');
  const before = backendName();
  const fits: { name: string; objective: number; W: Float64Array }[] = [];
  try {
    for (const name of availableBackends()) {
      setBackend(name);
      const r = proxNewtonLogistic(weighted, { penalty: 'l21', lambda, tol: 1e-10, maxIter: 100 });
      assert.ok(r.info.converged, `${name}: ${r.info.message}`);
      fits.push({ name, objective: r.info.objective, W: r.W.data });
    }
  } finally {
    setBackend(before);
  }
  assert.ok(fits.length >= 2, `needs two backends, have ${fits.map((f) => f.name).join(', ')}`);
  for (const f of fits.slice(1)) {
    assert.ok(relDiff(f.objective, fits[0]!.objective) < 1e-10, `${f.name} ${f.objective} vs ${fits[0]!.name} ${fits[0]!.objective}`);
    for (let i = 0; i < f.W.length; i++) assert.ok(Math.abs(f.W[i]! - fits[0]!.W[i]!) < 1e-6, `${f.name} W[${i}]`);
  }
});
