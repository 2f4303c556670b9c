import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { l1InfPenalty, projectL1Ball } from '../../../src/linear/penalty/l1inf.ts';
import { Random } from '../../../src/linalg/random.ts';
import { checkNormProx } from './check.ts';

test('L1-ball projection: inside points unchanged, outside points land on the sphere, closed form in 2-D', () => {
  assert.deepEqual(Array.from(projectL1Ball([0.2, -0.3], 1)), [0.2, -0.3]);
  assert.deepEqual(Array.from(projectL1Ball([3, 1], 1)), [1, 0]);
  assert.deepEqual(Array.from(projectL1Ball([2, -1.5], 1.5)), [1, -0.5]);
  const rng = new Random(5);
  for (let k = 0; k < 20; k++) {
    const v = rng.normals(7, 0, 3);
    const p = projectL1Ball(v, 1);
    const l1 = p.reduce((s, x) => s + Math.abs(x), 0);
    assert.ok(Math.abs(l1 - 1) < 1e-12);
    // Optimality of a projection: ⟨v − p, q − p⟩ ≤ 0 for feasible q (signed vertices of the ball).
    for (let i = 0; i < 7; i++) {
      for (const sgn of [1, -1]) {
        let ip = 0;
        for (let j = 0; j < 7; j++) ip += (v[j]! - p[j]!) * ((j === i ? sgn : 0) - p[j]!);
        assert.ok(ip <= 1e-10);
      }
    }
  }
});

test('L1∞ value is λ Σ_j max_t |W_jt|', () => {
  assert.equal(l1InfPenalty(2).value(Matrix.from([[1, -3], [0.5, 0.2]])), 7);
});

test('L1∞ prox satisfies the Moreau/Fenchel conditions (dual: max row L1 norm ≤ λ)', () => {
  const dual = (U: Matrix): number => {
    let m = 0;
    for (let j = 0; j < U.rows; j++) m = Math.max(m, U.row(j).reduce((s, v) => s + Math.abs(v), 0));
    return m;
  };
  checkNormProx(l1InfPenalty(0.8), dual, 0.8, 25);
});
