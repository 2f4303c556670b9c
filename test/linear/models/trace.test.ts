import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { matmul } from '../../../src/linalg/ops.ts';
import { Random } from '../../../src/linalg/random.ts';
import { traceSpec } from '../../../src/linear/models/trace.ts';
import { synthProblem } from '../helpers.ts';

test('trace norm recovers the rank of a planted low-rank W', () => {
  const d = 15;
  const T = 12;
  const rng = new Random(141);
  const W = matmul(new Matrix(d, 2, rng.normals(d * 2)), new Matrix(2, T, rng.normals(2 * T)));
  const { problem } = synthProblem({ T, d, n: 40, W, noise: 0.3, seed: 142 });
  const lmax = traceSpec.paramMax!('lambda', problem, {})!;
  const r = traceSpec.fit(problem, { tol: 1e-8, maxIter: 20000, lambda: 0.1 * lmax });
  assert.ok(r.info.converged, r.info.message);
  assert.equal(r.learned.rank, 2);
});

test('trace: λ ≥ λ_max (spectral norm of the gradient at 0) gives W = 0', () => {
  const { problem } = synthProblem({ T: 5, d: 4, n: 20, seed: 143 });
  const lmax = traceSpec.paramMax!('lambda', problem, {})!;
  const r = traceSpec.fit(problem, { tol: 1e-9, maxIter: 5000, lambda: lmax * 1.0001 });
  assert.ok(r.W.data.every((v) => v === 0));
  assert.equal(r.learned.rank, 0);
  const s = traceSpec.fit(problem, { tol: 1e-9, maxIter: 5000, lambda: lmax * 0.99 });
  assert.equal(s.learned.rank, 1);
});
