import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { chainPenalty, graphPenalty, meanPenalty } from '../../../src/linear/penalty/laplacian.ts';
import { randomMatrix } from '../helpers.ts';
import { checkGradient, checkLipschitz, checkTaskMatrix } from './check.ts';

test('chain value is λ Σ_t ‖w_t − w_{t+1}‖² (no hidden ½)', () => {
  // columns (1,0), (2,0), (2,3): differences 1 and 9
  assert.equal(chainPenalty(2, 3).value(Matrix.from([[1, 2, 2], [0, 0, 3]])), 2 * (1 + 9));
});

test('graph value is λ Σ a_st ‖w_s − w_t‖² over the listed edges', () => {
  const p = graphPenalty(1, [{ s: 0, t: 2, weight: 3 }], 3);
  assert.equal(p.value(Matrix.from([[1, 100, 2]])), 3);
});

test('mean-regularised value is λ Σ_t ‖w_t − w̄‖²', () => {
  assert.equal(meanPenalty(1).value(Matrix.from([[1, 3], [0, 0]])), 2);
});

for (const [name, p] of [
  ['chain', chainPenalty(0.7, 5)],
  ['graph', graphPenalty(1.3, [{ s: 0, t: 1, weight: 2 }, { s: 1, t: 4, weight: 0.5 }, { s: 3, t: 2, weight: 1 }, { s: 0, t: 4, weight: 1 }], 5)],
  ['mean', meanPenalty(0.9)],
] as const) {
  test(`${name}: gradient vs finite differences, Lipschitz bound, task matrix`, () => {
    checkGradient(p, randomMatrix(3, 5, 7));
    checkLipschitz(p, 3, 5, 8);
    checkTaskMatrix(p, randomMatrix(3, 5, 9));
  });
}

test('graph rejects edges outside the task range and negative weights', () => {
  assert.throws(() => graphPenalty(1, [{ s: 0, t: 5, weight: 1 }], 3), /outside/);
  assert.throws(() => graphPenalty(1, [{ s: 0, t: 1, weight: -1 }], 3), /weight/);
});
