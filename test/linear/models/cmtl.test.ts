import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { eigh } from '../../../src/linalg/decomp/eigh.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { cmtlSpec } from '../../../src/linear/models/cmtl.ts';
import { adjustedRandIndex } from '../../../src/linear/structure/clustering.ts';
import { cmtlConstants, cmtlGradW, cmtlMResidual, cmtlPenaltyValue } from '../../../src/linear/structure/cmtl-m-step.ts';
import { plantedProblem } from './planted.ts';
import { haveSchool, loadSchool } from './school.ts';

// Planted: 12 tasks in 3 clusters; each task's weights = its cluster centre + small noise.
function planted(seed: number, loss: 'squared' | 'logistic' = 'squared') {
  const rng = new Random(seed);
  const d = 10;
  const T = 12;
  const k = 3;
  const centres = new Matrix(d, k, rng.normals(d * k, 0, 2));
  const truth = Int32Array.from({ length: T }, (_, t) => [2, 0, 1][t % 3]!);
  const W = Matrix.zeros(d, T);
  for (let j = 0; j < d; j++) for (let t = 0; t < T; t++) W.set(j, t, centres.get(j, truth[t]!) + 0.2 * rng.normal());
  return { truth, problem: plantedProblem(rng, W, { n: 40, noise: 0.3, loss }) };
}

test('cmtl: recovers the planted clusters (adjusted Rand ≥ 0.9) and certifies both blocks at the returned point', () => {
  const { truth, problem } = planted(1);
  const rho1 = 0.1;
  const rho2 = 0.1;
  // FISTA stops on the W-gradient certificate itself; the default (ADMM, squared loss) on its duality
  // gap, which bounds the objective's error, not the gradient's: check both.
  const admm = cmtlSpec.fit(problem, { tol: 1e-8, maxIter: 20000, rho1, rho2, clusters: 3, seed: 4 });
  const r = cmtlSpec.fit(problem, { tol: 1e-8, maxIter: 20000, rho1, rho2, clusters: 3, seed: 4, solver: 'fista' });
  assert.ok(r.info.converged, r.info.message);
  assert.ok(admm.info.converged && /^admm/.test(admm.info.solver), admm.info.message);
  assert.ok(Math.abs(admm.info.objective - r.info.objective) <= 1e-8 * r.info.objective, `admm ${admm.info.objective} vs fista ${r.info.objective}`);
  assert.deepEqual(Array.from(admm.learned.clusters!), Array.from(r.learned.clusters!));
  const wRes = /W-gradient ([0-9.e+-]+)/.exec(admm.info.message ?? '');
  assert.ok(wRes && Number(wRes[1] ?? NaN) < 1e-6, admm.info.message);
  const ari = adjustedRandIndex(r.learned.clusters!, truth);
  assert.ok(ari >= 0.9, `adjusted Rand ${ari}`);
  // Independent certificate: the joint objective's W-gradient at (W, M) is zero and M is the projection fixed point.
  const M = r.learned.clusterMatrix!;
  const e = eigh(M);
  let tr = 0;
  for (const v of e.values) {
    assert.ok(v >= -1e-10 && v <= 1 + 1e-10, `eigenvalue of M ${v}`);
    tr += v;
  }
  assert.ok(Math.abs(tr - 3) < 1e-9);
  const consts = cmtlConstants(rho1, rho2);
  const loss = createLoss(problem);
  const G = loss.evaluate(r.W).G;
  const gp = cmtlGradW(r.W, M, consts);
  let g2 = 0;
  for (let i = 0; i < G.data.length; i++) g2 += (G.data[i]! + gp.data[i]!) ** 2;
  let g0 = 0;
  for (const v of loss.evaluate(Matrix.zeros(10, 12)).G.data) g0 += v * v;
  assert.ok(Math.sqrt(g2 / g0) < 1e-7, `relative W-gradient ${Math.sqrt(g2 / g0)}`);
  assert.ok(cmtlMResidual(r.W, M, 3, consts) < 1e-9);
  // The reported objective is the true joint objective at (W, M).
  const F = loss.value(r.W) + cmtlPenaltyValue(r.W, M, consts);
  assert.ok(Math.abs(F - r.info.objective) <= 1e-10 * F, `objective ${r.info.objective} vs recomputed ${F}`);
});

test('cmtl with logistic loss: clusters recovered; options are checked by name', () => {
  const { truth, problem } = planted(2, 'logistic');
  const r = cmtlSpec.fit(problem, { tol: 1e-7, maxIter: 20000, rho1: 0.01, rho2: 0.01, clusters: 3 });
  assert.ok(r.info.converged, r.info.message);
  assert.ok(adjustedRandIndex(r.learned.clusters!, truth) >= 0.9);
  assert.throws(() => cmtlSpec.fit(problem, { tol: 1e-6, maxIter: 10, clusters: 13 }), /clusters.*1 ≤ k ≤ 12/);
  assert.throws(() => cmtlSpec.fit(problem, { tol: 1e-6, maxIter: 10, clusters: 2.5 }), /clusters/);
  assert.throws(() => cmtlSpec.fit(problem, { tol: 1e-6, maxIter: 10, rho1: 0 }), /rho1/);
});

test('cmtl on School (sum scaling, no intercept, raw features): two different starts reach the same objective to 1e-6', { skip: !haveSchool && 'needs ../shared/data' }, () => {
  const problem = loadSchool({ scale: 'sum', intercept: false });
  const opts = { tol: 1e-6, maxIter: 5000, rho1: 1000, rho2: 1000, clusters: 3 };
  const a = cmtlSpec.fit(problem, opts);
  const rng = new Random(3);
  const W0 = new Matrix(problem.d, problem.tasks.length, rng.normals(problem.d * problem.tasks.length));
  const b = cmtlSpec.fit(problem, opts, { W: W0 });
  assert.ok(a.info.converged && b.info.converged, `${a.info.message} / ${b.info.message}`);
  const rel = Math.abs(a.info.objective - b.info.objective) / a.info.objective;
  assert.ok(rel <= 1e-6, `relative objective difference ${rel}`);
});
