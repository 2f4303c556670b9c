import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { admmGram } from '../../../src/linear/solver/admm.ts';
import { dirtyGramPenalty } from '../../../src/linear/solver/dirty-row.ts';
import { gramProblem } from '../../../src/linear/solver/gram-form.ts';
import { plantedProblem } from '../models/planted.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';

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

test('admm: at loose tolerances the returned point (Z or the proximal-gradient point from W) is the certified one: objective within tol of the optimum, recomputed independently', () => {
  const p = problem(5);
  const gp = gramProblem(p);
  const lp = 0.5;
  const lq = 0.2;
  const pen = dirtyGramPenalty(lp, lq);
  const opt = admmGram(gp, pen, { tol: 1e-10, maxIter: 200000 });
  assert.ok(opt.info.converged, opt.info.message);
  const F = opt.info.objective;
  let fromW = 0;
  for (const tol of [1e-2, 1e-3, 1e-4, 1e-6]) {
    for (const o of [{ relax: 1.8, betaRule: 'geometric' as const }, {}]) {
      const r = admmGram(gp, pen, { tol, maxIter: 200000, ...o });
      assert.ok(r.info.converged && r.gap <= tol, r.info.message);
      if (r.info.message?.includes('proximal-gradient point from W')) fromW++;
      // f(W) + Σ_j g(W_j) at the returned W by the loss object (from the data, not the Gram form).
      const loss = createLoss(p).value(r.W);
      const value = loss + pen.exactValue(r.W);
      assert.ok(Math.abs(value - r.info.objective) <= 1e-9 * Math.abs(value), `tol ${tol}: reported ${r.info.objective}, recomputed ${value}`);
      assert.ok(value >= F * (1 - 1e-9) && (value - F) / Math.abs(F) <= tol, `tol ${tol} ${JSON.stringify(o)}: objective ${value} vs optimum ${F}`);
    }
  }
  assert.ok(fromW > 0, 'the proximal-gradient candidate was never the certified point');
});
