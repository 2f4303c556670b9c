import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { sparseLowrankSpec } from '../../../src/linear/models/sparse-lowrank.ts';
import { lassoPenalty } from '../../../src/linear/penalty/lasso.ts';
import { tracePenalty } from '../../../src/linear/penalty/trace.ts';
import { plantedProblem, twoBlockCheck } from './planted.ts';

// Planted: a rank-1 shared part plus one large task-specific entry per task.
function planted(seed: number) {
  const rng = new Random(seed);
  const d = 15;
  const T = 8;
  const u = rng.normals(d);
  const v = rng.normals(T);
  const W = Matrix.zeros(d, T);
  for (let j = 0; j < d; j++) for (let t = 0; t < T; t++) W.set(j, t, u[j]! * v[t]!);
  for (let t = 0; t < T; t++) W.data[((3 + t) % d) * T + t]! += 4;
  return { W, problem: plantedProblem(rng, W, { n: 60, noise: 0.1 }) };
}

test('sparse-lowrank: optimal at the returned point; the low-rank part Q has the planted rank 1 and P the planted entries', () => {
  const { problem } = planted(3);
  const lambda = 0.5;
  const lambda2 = 1;
  const r = sparseLowrankSpec.fit(problem, { tol: 1e-9, maxIter: 20000, lambdaP: lambda, lambdaQ: lambda2 });
  assert.ok(r.info.converged, r.info.message);
  const c = twoBlockCheck(problem, { P: lassoPenalty(lambda), Q: tracePenalty(lambda2), ridge: 0 }, r);
  assert.ok(c.residual < 1e-7, `prox-gradient residual ${c.residual}`);
  assert.ok(Math.abs(c.objective - r.info.objective) <= 1e-12 * Math.abs(c.objective));
  assert.equal(r.learned.rank, 1);
  // The largest entry of each column of P is the planted one.
  const P = r.learned.P!;
  for (let t = 0; t < 8; t++) {
    let best = 0;
    for (let j = 1; j < 15; j++) if (Math.abs(P.get(j, t)) > Math.abs(P.get(best, t))) best = j;
    assert.equal(best, (3 + t) % 15, `task ${t}`);
  }
});
