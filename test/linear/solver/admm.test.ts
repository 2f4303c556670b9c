import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { admmGram } from '../../../src/linear/solver/admm.ts';
import { dirtyGramPenalty } from '../../../src/linear/solver/dirty-row.ts';
import { gramProblem } from '../../../src/linear/solver/gram-form.ts';
import { plantedProblem } from '../models/planted.ts';

// Badly scaled columns (raw-feature-like: scales 1e-2 … 1e2), so β₀ rules differ by decades.
function problem(seed: number) {
  const rng = new Random(seed);
  const d = 12;
  const T = 5;
  const W = Matrix.zeros(d, T);
  for (let t = 0; t < T; t++) for (let j = 0; j < 4; j++) W.set(j, t, 1 + 0.3 * rng.normal());
  const p = plantedProblem(rng, W, { n: 40, noise: 0.2 });
  for (const task of p.tasks) for (let i = 0; i < task.X.rows; i++) for (let j = 0; j < d; j++) task.X.data[i * d + j]! *= 10 ** ((j % 5) - 2);
  return p;
}

test('admm: over-relaxation and the geometric β₀ reach plain ADMM\'s certified optimum (duality gap ≤ tol, objectives to 1e-8)', () => {
  const gp = gramProblem(problem(3));
  const pen = dirtyGramPenalty(0.5, 0.2);
  const plain = admmGram(gp, pen, { tol: 1e-10, maxIter: 200000 });
  assert.ok(plain.info.converged, plain.info.message);
  for (const o of [{ relax: 1.6 }, { betaRule: 'geometric' as const }, { relax: 1.6, betaRule: 'geometric' as const }, { relax: 0.7 }]) {
    const r = admmGram(gp, pen, { tol: 1e-10, maxIter: 200000, ...o });
    assert.ok(r.info.converged && r.gap <= 1e-10, `${JSON.stringify(o)}: ${r.info.message}`);
    const rel = Math.abs(r.info.objective - plain.info.objective) / Math.abs(plain.info.objective);
    assert.ok(rel <= 1e-8, `${JSON.stringify(o)}: objective differs by ${rel}`);
  }
  assert.throws(() => admmGram(gp, pen, { relax: 2 }), /relax/);
});
