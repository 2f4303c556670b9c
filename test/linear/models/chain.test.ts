import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { chainSpec } from '../../../src/linear/models/chain.ts';
import { stlSpec } from '../../../src/linear/models/stl.ts';
import { synthProblem } from '../helpers.ts';

test('chain beats STL on slowly drifting tasks (held-out error on the planted model)', () => {
  const T = 12;
  const d = 10;
  const rng = new Random(101);
  // w_{t+1} = w_t + small step: a drifting sequence of tasks.
  const W = Matrix.zeros(d, T);
  const w = rng.normals(d);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < d; j++) W.data[j * T + t] = w[j]!;
    for (let j = 0; j < d; j++) w[j]! += 0.1 * rng.normal();
  }
  const b = new Float64Array(T);
  const train = synthProblem({ T, d, n: 8, W, b, noise: 1, seed: 102 }).problem;
  const opts = { tol: 1e-10, maxIter: 5000 };
  const chain = chainSpec.fit(train, { ...opts, lambda: 1 });
  const stl = stlSpec.fit(train, { ...opts, lambda: 0.1 });
  // Distance to the planted weights (the expected held-out excess error for X ~ N(0, I)).
  const err = (V: Matrix) => V.data.reduce((s, v, i) => s + (v - W.data[i]!) ** 2, 0);
  assert.ok(err(chain.W) < 0.5 * err(stl.W), `chain ${err(chain.W)} vs STL ${err(stl.W)}`);
  assert.ok(chain.info.converged);
});
