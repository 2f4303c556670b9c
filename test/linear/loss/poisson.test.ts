// The Poisson loss (log link) for count targets: per-sample derivative and the data loss's gradient
// against finite differences, a planted Poisson regression recovered through the estimator, the
// link in predictResponse, and the registry that names every loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, OptionError } from '../../../src/errors.ts';
import type { MultiTaskDataset, TaskData } from '../../../src/data/dataset.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { MTLEstimator } from '../../../src/linear/estimator.ts';
import { createLoss, getLoss, lossForKind, lossNames, poissonLoss } from '../../../src/linear/loss/index.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { linearObjective } from '../../../src/linear/solver/composite.ts';
import { proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { numericGradient, randomMatrix, relErr } from '../helpers.ts';

/** Knuth's method: exact Poisson draws for moderate means, from the seeded Random. */
function poissonDraw(rng: Random, mu: number): number {
  const L = Math.exp(-mu);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.uniform();
  } while (p > L);
  return k - 1;
}

/** T count tasks y ~ Poisson(exp(x·w_t + b_t)) with known W (d × T) and b. */
function plantedCounts(T: number, d: number, n: number, seed: number): { ds: MultiTaskDataset; W: Matrix; b: Float64Array } {
  const rng = new Random(seed);
  const W = Matrix.zeros(d, T);
  for (let i = 0; i < W.data.length; i++) W.data[i] = 0.4 * rng.normal();
  const b = Float64Array.from({ length: T }, () => 0.5 + 0.3 * rng.normal());
  let row = 0;
  const tasks: TaskData[] = Array.from({ length: T }, (_, t) => {
    const X = Matrix.zeros(n, d);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = b[t]!;
      for (let j = 0; j < d; j++) {
        const v = rng.normal();
        X.data[i * d + j] = v;
        z += v * W.data[j * T + t]!;
      }
      y[i] = poissonDraw(rng, Math.exp(z));
    }
    return { name: `c${t}`, X, y, rows: Int32Array.from({ length: n }, () => row++), kind: 'count' };
  });
  return { ds: { layout: 'per-task', kind: 'count', featureNames: Array.from({ length: d }, (_, j) => `x${j}`), tasks, source: 'planted-poisson' }, W, b };
}

test('poisson: per-sample derivative and curvature agree with finite differences of the value', () => {
  for (const [y, z] of [[0, -1.3], [3, 0.2], [7, 2.1], [1, -4]] as const) {
    const h = 1e-6;
    const fd = (poissonLoss.value(y, z + h) - poissonLoss.value(y, z - h)) / (2 * h);
    assert.ok(Math.abs(fd - poissonLoss.derivative(y, z)) < 1e-6 * Math.max(1, Math.abs(fd)), `y=${y} z=${z}`);
    assert.equal(poissonLoss.response(z), Math.exp(z));
  }
  assert.equal(poissonLoss.curvatureBound, Number.POSITIVE_INFINITY);
  assert.equal(poissonLoss.checkLabel(2), null);
  assert.match(poissonLoss.checkLabel(-1)!, /counts ≥ 0/);
});

for (const scale of ['sum', 'mean'] as const) {
  test(`poisson data loss (${scale}): gradient in W and b matches finite differences`, () => {
    const { ds } = plantedCounts(3, 4, 15, 3);
    const problem = problemFromTasks(ds.tasks, { loss: 'poisson', scale, intercept: true });
    const loss = createLoss(problem);
    assert.equal(loss.explicitIntercept, true);
    assert.equal(loss.spec, poissonLoss);
    const W = randomMatrix(4, 3, 12, 0.3);
    const b = Float64Array.from([0.1, -0.4, 0.7]);
    const e = loss.evaluate(W, b);
    assert.ok(relErr(e.G.data, numericGradient(() => loss.value(W, b), W.data)) < 1e-6);
    assert.ok(relErr(e.gIntercept, numericGradient(() => loss.value(W, b), b)) < 1e-6);
    // At W = 0 the zero intercepts are optimal: the intercept gradient vanishes there.
    const z = loss.evaluate(Matrix.zeros(4, 3), loss.zeroIntercepts());
    assert.ok(z.gIntercept.every((g) => Math.abs(g) < 1e-12));
  });
}

test('poisson: a planted regression is recovered, the fit is certified optimal, predictResponse applies exp', () => {
  const { ds, W, b } = plantedCounts(2, 3, 1500, 21);
  const est = new MTLEstimator('stl', { loss: 'poisson', lambda: 1e-4, tol: 1e-8 }).fit(ds);
  assert.ok(est.info.converged, est.info.message);
  assert.equal(est.loss, 'poisson');
  const What = est.W;
  // Relative error of W and of the intercepts (n = 1500 per task: sampling error ≈ 3 %).
  assert.ok(relErr(What.data, W.data) < 0.08, `W rel. error ${relErr(What.data, W.data)}`);
  assert.ok(relErr(est.intercepts, b) < 0.08, `b rel. error ${relErr(est.intercepts, b)}`);
  // Optimality by the prox-gradient fixed point of the composite objective (loss + λ‖W‖²).
  const problem = problemFromTasks(ds.tasks, { loss: 'poisson', scale: 'mean', intercept: true });
  const pen = { name: 'ridge', lipschitz: 2e-4, value: (M: Matrix) => 1e-4 * M.data.reduce((s, v) => s + v * v, 0), gradient: (M: Matrix, G: Matrix) => M.data.forEach((v, i) => (G.data[i]! += 2e-4 * v)) };
  const obj = linearObjective(createLoss(problem), [pen]);
  assert.ok(proxGradientResidual(obj, [What, new Matrix(1, 2, est.intercepts)], 1) < 1e-6);
  const X = ds.tasks[0]!.X;
  const eta = est.predict(X, 'c0');
  const mu = est.predictResponse(X, 'c0');
  mu.forEach((m, i) => assert.equal(m, Math.exp(eta[i]!)));
  // Saved and loaded, the loss (and so the link) comes back.
  const back = MTLEstimator.fromJSON(est.toJSON());
  assert.deepEqual(back.predictResponse(X, 'c0'), mu);
  assert.deepEqual(back.taskKinds, ['count', 'count']);
});

test('loss registry: names, default loss per task kind, clear errors for unknown losses and bad counts', () => {
  assert.deepEqual(lossNames(), ['squared', 'logistic', 'poisson']);
  assert.equal(lossForKind('count'), poissonLoss);
  assert.equal(lossForKind('binary').link, 'sigmoid');
  assert.equal(getLoss('squared').link, 'identity');
  assert.throws(() => getLoss('hinge'), (e: unknown) => e instanceof OptionError && /unknown loss "hinge" \(available: squared, logistic, poisson\)/.test(e.message));
  // Count data default to the Poisson loss; a negative count is a DataError naming task and sample.
  const { ds } = plantedCounts(1, 2, 5, 4);
  assert.equal(new MTLEstimator('stl', { lambda: 0.1 }).fit(ds).loss, 'poisson');
  const bad: MultiTaskDataset = { ...ds, tasks: [{ ...ds.tasks[0]!, y: Float64Array.from(ds.tasks[0]!.y, (v, i) => (i === 2 ? -1 : v)) }] };
  assert.throws(() => new MTLEstimator('stl').fit(bad), (e: unknown) => e instanceof DataError && /task "c0", sample 2: Poisson loss needs counts ≥ 0/.test(e.message));
  // The logistic loss refuses count tasks by the option's name.
  assert.throws(() => new MTLEstimator('stl', { loss: 'logistic' }).fit(ds), (e: unknown) => e instanceof OptionError && e.option === 'loss');
});
