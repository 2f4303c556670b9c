import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { ridgePenalty, taskRidgePenalty } from '../../../src/linear/penalty/ridge.ts';
import { randomMatrix } from '../helpers.ts';
import { checkGradient, checkLipschitz, checkTaskMatrix } from './check.ts';

test('ridge value is ρ‖W‖²_F; gradient, Lipschitz constant and task matrix agree', () => {
  const p = ridgePenalty(0.5);
  assert.equal(p.value(Matrix.from([[1, 2], [3, 0]])), 7);
  checkGradient(p, randomMatrix(4, 3, 1));
  checkLipschitz(p, 4, 3, 2);
  checkTaskMatrix(p, randomMatrix(4, 3, 3));
});

test('ridge prox is V/(1 + 2sρ): the minimiser of ½‖Z − V‖² + sρ‖Z‖²', () => {
  const Z = ridgePenalty(1).prox!(Matrix.from([[3, -6]]), 1);
  assert.deepEqual(Array.from(Z.data), [1, -2]);
});

test('per-task ridge Σ_t λ_t‖w_t‖²: value, gradient, task matrix', () => {
  const p = taskRidgePenalty([1, 0, 2]);
  assert.equal(p.value(Matrix.from([[1, 5, 1], [1, 5, 1]])), 2 + 4);
  checkGradient(p, randomMatrix(3, 3, 4));
  checkLipschitz(p, 3, 3, 5);
  checkTaskMatrix(p, randomMatrix(3, 3, 6));
});
