// UPGrad: the direction lies in the dual cone of the (regularised) Gramian, every projection satisfies
// its NNQP KKT conditions, non-conflicting gradients are left alone (weights = 1/T), T = 128.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { upgrad, regularisedGramian, upgradWeights } from '../../../src/balance/aggregator/upgrad.ts';
import { nnqp, nnqpKkt } from '../../../src/balance/solvers/nnqp.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { gramianOf } from '../../../src/balance/index.ts';
import { arbCase, kv, makeCase } from '../helpers.ts';

function inDualCone(K: Matrix, w: Float64Array, eps: number): void {
  const T = K.rows;
  let tr = 0;
  for (let t = 0; t < T; t++) tr += K.get(t, t);
  const Kw = kv(K, w);
  const wInf = Math.max(...Array.from(w, Math.abs));
  // (K/tr + εI) w ≥ 0 ⇒ g_tᵀd = (Kw)_t ≥ −ε tr(K) |w_t|.
  for (let t = 0; t < T; t++) assert.ok(Kw[t]! >= -eps * tr * wInf - 1e-9 * tr * wInf, `task ${t}: g_tᵀd = ${Kw[t]}`);
}

test('upgrad: g_tᵀd ≥ 0 (up to the regularisation) for every task, random and degenerate (fast-check)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 12, maxP: 16 }), (c) => {
      const out = upgrad().aggregate({ mode: 'jacobian', jacobian: c.G }, { sets: null });
      if (out.kind !== 'weights') return;
      assert.ok(out.weights.every((v) => v >= 0));
      inDualCone(c.K, out.weights, 1e-4);
    }),
    { numRuns: 200 },
  );
});

test('upgrad: each projection is a certified NNQP solution; the sum matches the weights', () => {
  const c = makeCase('random', 8, 5, 3);
  const T = 8;
  const A = regularisedGramian(c.K, 1e-4, 1e-4)!;
  const p = new Float64Array(T).fill(1 / T);
  const total = Float64Array.from(p);
  for (let i = 0; i < T; i++) {
    const q = Float64Array.from({ length: T }, (_, j) => A[j * T + i]! / T);
    const r = nnqp(A, T, q);
    const k = nnqpKkt(A, T, q, r.x);
    assert.ok(k.primal === 0 && k.dual < 1e-12 && k.complementarity < 1e-12, JSON.stringify(k));
    r.x.forEach((v, j) => (total[j]! += v));
  }
  const w = upgradWeights(A, T, p).weights;
  w.forEach((v, j) => assert.ok(Math.abs(v - total[j]!) < 1e-10));
});

test('upgrad: without conflicts the direction is the mean; T = 128 stays in the dual cone', () => {
  const G = Matrix.from([[1, 0, 2], [0, 1, 1], [1, 1, 0]]);
  const out = upgrad().aggregate({ mode: 'jacobian', jacobian: G }, { sets: null });
  assert.ok(out.kind === 'weights' && out.weights.every((v) => Math.abs(v - 1 / 3) < 1e-15));
  const c = makeCase('random', 128, 200, 2);
  const big = upgrad().aggregate({ mode: 'jacobian', jacobian: c.G }, { sets: null });
  if (big.kind === 'weights') inDualCone(c.K, big.weights, 1e-4);
  assert.equal(big.info!.converged, 1);
});

test('upgrad: warm start from the previous call gives the same weights on a perturbed Gramian, in fewer steps', () => {
  const agg = upgrad();
  const a = makeCase('random', 40, 30, 12);
  const first = agg.aggregate({ mode: 'jacobian', jacobian: a.G }, agg.init(40));
  const G2 = a.G.clone();
  for (let k = 0; k < G2.data.length; k++) G2.data[k]! *= 1 + 1e-3 * Math.sin(k);
  const warm = agg.aggregate({ mode: 'jacobian', jacobian: G2 }, first.state);
  const cold = agg.aggregate({ mode: 'jacobian', jacobian: G2 }, agg.init(40));
  assert.ok(warm.kind === 'weights' && cold.kind === 'weights');
  if (warm.kind === 'weights' && cold.kind === 'weights') warm.weights.forEach((v, t) => assert.ok(Math.abs(v - cold.weights[t]!) < 1e-9, `task ${t}`));
  assert.ok(warm.info!.iterations! < cold.info!.iterations!, `warm ${warm.info!.iterations} vs cold ${cold.info!.iterations}`);
});

test('upgrad: the batched solver (default) and the one-by-one active-set solver give the same weights (fast-check, T ≤ 30)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 30, maxP: 40 }), (c) => {
      const A = regularisedGramian(c.K, 1e-4, 1e-4);
      if (!A) return;
      const T = c.T;
      const p = new Float64Array(T).fill(1 / T);
      const a = upgradWeights(A, T, p, null, 'active-set');
      const b = upgradWeights(A, T, p, null, 'batch');
      assert.ok(a.converged && b.converged);
      const s = Math.max(...a.weights);
      a.weights.forEach((v, t) => assert.ok(Math.abs(v - b.weights[t]!) <= 1e-8 * s, `${c.kind} T=${T} task ${t}: ${v} vs ${b.weights[t]}`));
    }),
    { numRuns: 60 },
  );
});

test('upgrad: warm calls on a rank-deficient Gramian (FISTA certifies nothing, skipped next time) match a cold solve', () => {
  const agg = upgrad();
  const a = makeCase('random', 60, 20, 4);
  const first = agg.aggregate({ mode: 'jacobian', jacobian: a.G }, agg.init(60));
  const G2 = a.G.clone();
  for (let k = 0; k < G2.data.length; k++) G2.data[k]! *= 1 + 1e-3 * Math.cos(k);
  const warm = agg.aggregate({ mode: 'jacobian', jacobian: G2 }, first.state);
  const cold = agg.aggregate({ mode: 'jacobian', jacobian: G2 }, agg.init(60));
  assert.ok(warm.kind === 'weights' && cold.kind === 'weights');
  assert.equal(warm.info!.converged, 1);
  if (warm.kind === 'weights' && cold.kind === 'weights') {
    const s = Math.max(...cold.weights);
    warm.weights.forEach((v, t) => assert.ok(Math.abs(v - cold.weights[t]!) < 1e-9 * s, `task ${t}`));
    inDualCone(gramianOf(G2), warm.weights, 1e-4);
  }
});
