import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { SquaredLoss } from '../../../src/linear/loss/squared.ts';
import { taskScale } from '../../../src/linear/problem.ts';
import type { Problem } from '../../../src/linear/types.ts';
import { numericGradient, randomMatrix, relErr, synthProblem } from '../helpers.ts';

/** The loss with explicit intercepts b, straight from the definition (docs/objective.md). */
function directLoss(p: Problem, W: Matrix, b: Float64Array): number {
  let v = 0;
  p.tasks.forEach((task, t) => {
    const c = taskScale(p, t);
    for (let i = 0; i < task.y.length; i++) {
      let z = b[t]!;
      for (let j = 0; j < p.d; j++) z += task.X.data[i * p.d + j]! * W.data[j * W.cols + t]!;
      v += c * (task.weights ? task.weights[i]! : 1) * 0.5 * (task.y[i]! - z) ** 2;
    }
  });
  return v;
}

// Task sizes on both sides of d, so that both the Gram path (n_t > d) and the data path are used.
const sizes = [3, 12, 5, 30];
for (const scale of ['sum', 'mean'] as const) {
  for (const intercept of [true, false]) {
    test(`squared loss (${scale}, intercept ${intercept}): value equals the definition at the optimal intercepts`, () => {
      const { problem } = synthProblem({ T: 4, d: 6, n: sizes, scale, intercept, weights: true, seed: 3 });
      const loss = new SquaredLoss(problem);
      const W = randomMatrix(6, 4, 9);
      const b = loss.intercepts(W);
      const v = loss.value(W);
      assert.ok(Math.abs(v - directLoss(problem, W, b)) <= 1e-10 * Math.abs(v));
      // b is optimal: perturbing any intercept increases the loss.
      for (let t = 0; t < 4 && intercept; t++) {
        const bp = Float64Array.from(b);
        bp[t]! += 1e-3;
        assert.ok(directLoss(problem, W, bp) > v);
      }
      if (!intercept) assert.deepEqual(Array.from(b), [0, 0, 0, 0]);
    });

    test(`squared loss (${scale}, intercept ${intercept}): gradient matches finite differences, Gram and data paths agree`, () => {
      const { problem } = synthProblem({ T: 4, d: 6, n: sizes, scale, intercept, weights: true, seed: 4 });
      const loss = new SquaredLoss(problem);
      const plain = new SquaredLoss(problem, { gram: false });
      const W = randomMatrix(6, 4, 10);
      const e = loss.evaluate(W);
      const fd = numericGradient(() => loss.value(W), W.data);
      assert.ok(relErr(e.G.data, fd) < 1e-6, `gradient error ${relErr(e.G.data, fd)}`);
      const e2 = plain.evaluate(W);
      assert.ok(Math.abs(e.value - e2.value) <= 1e-10 * e.value);
      assert.ok(relErr(e.G.data, e2.G.data) < 1e-10);
      assert.ok(e.gIntercept.every((v) => v === 0));
    });
  }
}


/** Central finite differences of loss.value on a few coordinates of W against the gradient G. */
function assertCoordinateGradients(loss: SquaredLoss, W: Matrix, G: Float64Array, coords: number[]): void {
  for (const k of coords) {
    const h = 1e-6;
    const old = W.data[k]!;
    W.data[k] = old + h;
    const up = loss.value(W);
    W.data[k] = old - h;
    const down = loss.value(W);
    W.data[k] = old;
    assert.ok(Math.abs((up - down) / (2 * h) - G[k]!) <= 1e-6 * (1 + Math.abs(G[k]!)), `coordinate ${k}`);
  }
}
test('squared loss: lipschitz() bounds the curvature along random directions', () => {
  const { problem } = synthProblem({ T: 3, d: 5, n: [4, 20, 9], seed: 5 });
  const loss = new SquaredLoss(problem);
  const L = loss.lipschitz();
  for (let s = 0; s < 5; s++) {
    const V = randomMatrix(5, 3, 100 + s);
    const zero = Matrix.zeros(5, 3);
    // f(V) − f(0) − ⟨∇f(0), V⟩ = ½ Vᵀ H V ≤ ½ L ‖V‖²
    const g0 = loss.evaluate(zero).G;
    let lin = 0;
    let nn = 0;
    for (let i = 0; i < V.data.length; i++) {
      lin += g0.data[i]! * V.data[i]!;
      nn += V.data[i]! ** 2;
    }
    const curv = loss.value(V) - loss.value(zero) - lin;
    assert.ok(curv <= 0.5 * L * nn * (1 + 1e-6), `curvature ${curv} > ${0.5 * L * nn}`);
  }
});

test('squared loss over many mixed tasks (batched kernels, issue 15): every backend gives the definition and the same gradient', async () => {
  const { availableBackends, setBackend, backendName } = await import('../../../src/linalg/backend.ts');
  const T = 300;
  const n = Array.from({ length: T }, (_, t) => [2, 9, 4, 15][t % 4]!); // d = 8: both paths, interleaved
  const { problem } = synthProblem({ T, d: 8, n, scale: 'mean', intercept: true, weights: true, seed: 5 });
  const W = randomMatrix(8, T, 11);
  const before = backendName();
  const results = availableBackends().map((b) => {
    setBackend(b);
    const loss = new SquaredLoss(problem);
    const e = loss.evaluate(W);
    assert.ok(Math.abs(e.value - directLoss(problem, W, loss.intercepts(W))) <= 1e-10 * e.value, b);
    assert.ok(Math.abs(loss.value(W) - e.value) <= 1e-12 * e.value, `${b}: value() and evaluate() agree`);
    return e;
  });
  setBackend(before);
  for (const e of results.slice(1)) assert.ok(relErr(e.G.data, results[0]!.G.data) < 1e-12);
  // Finite differences on a few coordinates of the gradient (the full check above covers T = 4).
  const loss = new SquaredLoss(problem);
  const e = loss.evaluate(W);
  assertCoordinateGradients(loss, W, e.G.data, [0, 7, 8 * 150 + 3, W.data.length - 1]);
});

test('squared loss, every task on the data path (one dsqGradBatched call on W as it is, issue 15): every backend gives the definition, the same gradient, finite differences', async () => {
  const { availableBackends, setBackend, backendName } = await import('../../../src/linalg/backend.ts');
  const { hasSqGradBatched } = await import('../../../src/linalg/batched.ts');
  const T = 500;
  const n = Array.from({ length: T }, (_, t) => 1 + (t % 8)); // d = 8: n_t ≤ d everywhere
  const before = backendName();
  for (const intercept of [true, false]) {
    const { problem } = synthProblem({ T, d: 8, n, scale: 'mean', intercept, weights: true, seed: 6 });
    const W = randomMatrix(8, T, 12);
    const fusedOn: string[] = [];
    const results = availableBackends().map((b) => {
      setBackend(b);
      if (hasSqGradBatched()) fusedOn.push(b);
      const loss = new SquaredLoss(problem);
      const e = loss.evaluate(W);
      assert.ok(Math.abs(e.value - directLoss(problem, W, loss.intercepts(W))) <= 1e-10 * e.value, `${b}: value equals the definition`);
      assert.ok(Math.abs(loss.value(W) - e.value) <= 1e-12 * e.value, `${b}: value() and evaluate() agree`);
      return { b, e };
    });
    setBackend(before);
    assert.ok(fusedOn.includes('ts'), 'the reference backend takes the fused path');
    for (const { b, e } of results.slice(1)) {
      assert.ok(Math.abs(e.value - results[0]!.e.value) <= 1e-12 * e.value, `${b} value vs ${results[0]!.b}`);
      assert.ok(relErr(e.G.data, results[0]!.e.G.data) < 1e-12, `${b} gradient vs ${results[0]!.b}: ${relErr(e.G.data, results[0]!.e.G.data)}`);
    }
    const loss = new SquaredLoss(problem);
    const e = loss.evaluate(W);
    assertCoordinateGradients(loss, W, e.G.data, [0, 5, 8 * 250 + 3, W.data.length - 1]);
  }
});
