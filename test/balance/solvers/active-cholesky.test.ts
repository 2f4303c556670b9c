// The incrementally updated Cholesky factor: after random insertions and deletions, solves with the
// factor agree with a direct solve of the current principal submatrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveCholesky } from '../../../src/balance/solvers/active-cholesky.ts';
import { Random } from '../../../src/linalg/random.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { solve } from '../../../src/linalg/decomp/solve.ts';
import { makeCase } from '../helpers.ts';

test('active cholesky: add / removeAt keep L Lᵀ = A_SS', () => {
  const n = 15;
  const A = makeCase('random', n, 40, 9).K.data;
  const rng = new Random(4);
  const ch = new ActiveCholesky(A, n, 0);
  for (let step = 0; step < 200; step++) {
    if (ch.size > 0 && (ch.size === n || rng.uniform() < 0.4)) ch.removeAt(rng.int(ch.size));
    else {
      let j = rng.int(n);
      while (ch.member[j]) j = (j + 1) % n;
      ch.add(j);
    }
    const s = ch.size;
    if (s === 0) continue;
    const sub = Matrix.zeros(s, s);
    for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) sub.data[a * s + b] = A[ch.set[a]! * n + ch.set[b]!]!;
    const rhs = rng.normals(s);
    const direct = solve(sub, new Matrix(s, 1, Float64Array.from(rhs)));
    const mine = ch.solve(Float64Array.from(rhs));
    for (let a = 0; a < s; a++) assert.ok(Math.abs(direct.data[a]! - mine[a]!) < 1e-8 * (1 + Math.abs(direct.data[a]!)), `step ${step}`);
  }
});
