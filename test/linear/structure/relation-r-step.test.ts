import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { solve } from '../../../src/linalg/decomp/solve.ts';
import { relationGradW, relationPenaltyValue, relationRStep } from '../../../src/linear/structure/relation-r-step.ts';
import { gradientError, randomMatrix } from './fd-util.ts';

/** Column t of R by its own ridge regression of w_t on the other columns (the definition). */
function ridgeColumn(W: Matrix, t: number, alpha: number, beta: number): Float64Array {
  const T = W.cols;
  const others = [...Array(T).keys()].filter((s) => s !== t);
  const Xo = Matrix.zeros(W.rows, T - 1);
  for (let i = 0; i < W.rows; i++) others.forEach((s, q) => Xo.set(i, q, W.get(i, s)));
  const A = Matrix.zeros(T - 1, T - 1);
  const b = Matrix.zeros(T - 1, 1);
  for (let p = 0; p < T - 1; p++) {
    for (let q = 0; q < T - 1; q++) {
      let s = 0;
      for (let i = 0; i < W.rows; i++) s += Xo.get(i, p) * Xo.get(i, q);
      A.set(p, q, alpha * s + (p === q ? beta : 0));
    }
    let s = 0;
    for (let i = 0; i < W.rows; i++) s += Xo.get(i, p) * W.get(i, t);
    b.set(p, 0, alpha * s);
  }
  const r = solve(A, b);
  const out = new Float64Array(T);
  others.forEach((s, q) => (out[s] = r.get(q, 0)));
  return out;
}

test('relation R step equals T separate ridge regressions (zero diagonal) and minimises the penalty in R', () => {
  const rng = new Random(41);
  for (const [d, T] of [[6, 4], [3, 7]] as const) {
    const W = randomMatrix(rng, d, T);
    const alpha = 0.7;
    const beta = 0.3;
    const R = relationRStep(W, alpha, beta);
    for (let t = 0; t < T; t++) {
      assert.equal(R.get(t, t), 0);
      const col = ridgeColumn(W, t, alpha, beta);
      for (let s = 0; s < T; s++) assert.ok(Math.abs(R.get(s, t) - col[s]!) < 1e-10, `R[${s},${t}]`);
    }
    const best = relationPenaltyValue(W, R, alpha, beta);
    for (let r = 0; r < 200; r++) {
      const P = R.clone();
      for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) if (i !== j) P.data[i * T + j]! += 0.05 * rng.normal();
      assert.ok(relationPenaltyValue(W, P, alpha, beta) >= best);
    }
  }
  assert.throws(() => relationRStep(randomMatrix(rng, 2, 3), 1, 0), /beta/);
});

test('relation W-gradient 2α·W(I−R)(I−R)ᵀ matches finite differences', () => {
  const rng = new Random(42);
  const W = randomMatrix(rng, 5, 4);
  const R = randomMatrix(rng, 4, 4);
  for (let t = 0; t < 4; t++) R.set(t, t, 0);
  const g = relationGradW(W, R, 0.9);
  assert.ok(gradientError((X) => relationPenaltyValue(X, R, 0.9, 0.2), g, W, rng) < 1e-7);
});
