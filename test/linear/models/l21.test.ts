import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { l21Spec } from '../../../src/linear/models/l21.ts';
import { rowNorms } from '../../../src/linear/penalty/l21.ts';
import { synthProblem } from '../helpers.ts';

test('l21 (logistic): W = 0 exactly at λ ≥ λ_max and non-zero just below', () => {
  const { problem } = synthProblem({ T: 4, d: 6, n: 40, loss: 'logistic', seed: 131 });
  const lmax = l21Spec.paramMax!('lambda', problem, {})!;
  const above = l21Spec.fit(problem, { tol: 1e-9, maxIter: 10000, lambda: lmax * 1.0001 });
  assert.ok(above.W.data.every((v) => v === 0));
  assert.ok(above.info.converged);
  const below = l21Spec.fit(problem, { tol: 1e-9, maxIter: 10000, lambda: lmax * 0.99 });
  assert.equal(rowNorms(below.W).filter((v) => v > 0).length, 1);
});

test('l21 recovers a planted row support (F1 ≥ 0.9)', () => {
  const d = 30;
  const T = 8;
  const rng = new Random(132);
  const support = new Set(rng.permutation(d).slice(0, 5));
  const W = Matrix.zeros(d, T);
  for (const j of support) for (let t = 0; t < T; t++) W.data[j * T + t] = rng.normal(0, 1) + (rng.uniform() < 0.5 ? -1 : 1);
  const { problem } = synthProblem({ T, d, n: 40, W, noise: 0.5, seed: 133 });
  const lmax = l21Spec.paramMax!('lambda', problem, {})!;
  const r = l21Spec.fit(problem, { tol: 1e-8, maxIter: 20000, lambda: 0.1 * lmax });
  const found = new Set(Array.from(rowNorms(r.W)).flatMap((v, j) => (v > 0 ? [j] : [])));
  const tp = [...found].filter((j) => support.has(j)).length;
  const f1 = (2 * tp) / (found.size + support.size);
  assert.ok(f1 >= 0.9, `F1 = ${f1} (found ${[...found]}, true ${[...support]})`);
  assert.equal(r.learned.selectedFeatures!.length, found.size);
});
