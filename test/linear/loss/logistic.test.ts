import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { LogisticLoss, sigmoidNeg, softplusNeg } from '../../../src/linear/loss/logistic.ts';
import { numericGradient, randomMatrix, relErr, synthProblem } from '../helpers.ts';

test('softplusNeg and sigmoidNeg are finite and accurate at extreme margins', () => {
  assert.equal(softplusNeg(1000), 0);
  assert.equal(softplusNeg(-1000), 1000);
  assert.ok(Math.abs(softplusNeg(0) - Math.log(2)) < 1e-15);
  assert.ok(Math.abs(softplusNeg(40) - Math.exp(-40)) < 1e-30);
  assert.equal(sigmoidNeg(-1000), 1);
  assert.equal(sigmoidNeg(1000), 0);
  assert.ok(Math.abs(sigmoidNeg(2) - 1 / (1 + Math.exp(2))) < 1e-16);
});

for (const scale of ['sum', 'mean'] as const) {
  for (const intercept of [true, false]) {
    test(`logistic loss (${scale}, intercept ${intercept}): gradient in W and b matches finite differences`, () => {
      const { problem } = synthProblem({ T: 3, d: 5, n: [7, 25, 12], loss: 'logistic', scale, intercept, weights: true, seed: 6 });
      const loss = new LogisticLoss(problem);
      assert.equal(loss.explicitIntercept, intercept);
      const W = randomMatrix(5, 3, 11);
      const b = Float64Array.from([0.3, -0.7, 1.1]);
      const e = loss.evaluate(W, b);
      const gW = numericGradient(() => loss.value(W, b), W.data);
      assert.ok(relErr(e.G.data, gW) < 1e-6);
      if (intercept) {
        const gb = numericGradient(() => loss.value(W, b), b);
        assert.ok(relErr(e.gIntercept, gb) < 1e-6);
      } else {
        assert.ok(e.gIntercept.every((v) => v === 0));
      }
    });
  }
}

test('logistic loss stays finite for huge weights', () => {
  const { problem } = synthProblem({ T: 2, d: 3, n: 10, loss: 'logistic', seed: 7 });
  const loss = new LogisticLoss(problem);
  const W = randomMatrix(3, 2, 12, 1e6);
  const e = loss.evaluate(W, new Float64Array(2));
  assert.ok(Number.isFinite(e.value) && e.value > 0);
  assert.ok(e.G.data.every(Number.isFinite));
});

test('logistic zeroIntercepts are optimal at W = 0 (gradient in b vanishes)', () => {
  const { problem } = synthProblem({ T: 3, d: 4, n: [15, 30, 8], loss: 'logistic', weights: true, seed: 8 });
  const loss = new LogisticLoss(problem);
  const b0 = loss.zeroIntercepts();
  const e = loss.evaluate(Matrix.zeros(4, 3), b0);
  for (const g of e.gIntercept) assert.ok(Math.abs(g) < 1e-12);
});

test('logistic lipschitz() bounds the curvature along random directions', () => {
  const { problem } = synthProblem({ T: 2, d: 4, n: [10, 20], loss: 'logistic', seed: 9 });
  const loss = new LogisticLoss(problem);
  const L = loss.lipschitz();
  const W0 = randomMatrix(4, 2, 13, 0.1);
  const b0 = new Float64Array([0.1, -0.2]);
  const e0 = loss.evaluate(W0, b0);
  for (let s = 0; s < 5; s++) {
    const V = randomMatrix(4, 2, 200 + s, 0.5);
    const vb = Float64Array.from([0.3 * (s - 2), 0.2]);
    const W1 = new Matrix(4, 2, W0.data.map((v, i) => v + V.data[i]!));
    const b1 = b0.map((v, i) => v + vb[i]!);
    let lin = 0;
    let nn = 0;
    for (let i = 0; i < V.data.length; i++) {
      lin += e0.G.data[i]! * V.data[i]!;
      nn += V.data[i]! ** 2;
    }
    for (let t = 0; t < 2; t++) {
      lin += e0.gIntercept[t]! * vb[t]!;
      nn += vb[t]! ** 2;
    }
    const curv = loss.value(W1, b1) - e0.value - lin;
    assert.ok(curv <= 0.5 * L * nn * (1 + 1e-6));
  }
});
