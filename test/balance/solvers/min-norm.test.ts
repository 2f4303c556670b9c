// The min-norm point solver: KKT certificate on random and degenerate Gramians (fast-check), closed
// forms (two gradients; orthogonal gradients), agreement with a long Frank-Wolfe run, warm starts,
// and T = 128.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { minNormPoint, minNormKktGap } from '../../../src/balance/solvers/min-norm.ts';
import { frankWolfeMinNorm } from '../../../src/balance/solvers/frank-wolfe.ts';
import { arbCase, makeCase, maxDiagOf } from '../helpers.ts';
import { Random } from '../../../src/linalg/random.ts';
import { gramianOf } from '../../../src/balance/index.ts';
import { nativeDecomp } from '../../../src/linalg/backend.ts';

function assertOnSimplex(w: Float64Array): void {
  let s = 0;
  for (const v of w) {
    assert.ok(v >= 0, `negative weight ${v}`);
    s += v;
  }
  assert.ok(Math.abs(s - 1) < 1e-12, `weights sum to ${s}`);
}

test('min-norm: KKT holds on random and degenerate Gramians (collinear, opposite, duplicate, zero, T > P, scaled)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 16, maxP: 30 }), (c) => {
      const r = minNormPoint(c.K);
      assertOnSimplex(r.weights);
      assert.ok(r.converged, `${c.kind} T=${c.T} P=${c.P}: not converged`);
      // (Kw)_j ≥ wᵀKw for all j, up to the ridge (1e-10 · max K_jj) and rounding.
      assert.ok(r.kktGap <= 1e-8 * maxDiagOf(c.K) + 1e-300, `${c.kind} T=${c.T}: KKT gap ${r.kktGap}, scale ${maxDiagOf(c.K)}`);
      assert.ok(Math.abs(minNormKktGap(c.K, r.weights) - r.kktGap) <= 1e-9 * maxDiagOf(c.K));
    }),
    { numRuns: 300 },
  );
});

test('min-norm: two gradients, closed form w₁ = clip((g₂−g₁)·g₂ / ‖g₁−g₂‖², 0, 1)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 6 }), (seed, P) => {
      const c = makeCase('random', 2, P, seed);
      const [a, b, d] = [c.K.data[0]!, c.K.data[1]!, c.K.data[3]!];
      const den = a - 2 * b + d;
      const w1 = den > 0 ? Math.min(1, Math.max(0, (d - b) / den)) : 0.5;
      const r = minNormPoint(c.K);
      const q = (x: number) => x * x * a + 2 * x * (1 - x) * b + (1 - x) * (1 - x) * d;
      assert.ok(Math.abs(q(r.weights[0]!) - q(w1)) <= 1e-9 * Math.max(a, d), `value ${q(r.weights[0]!)} vs closed form ${q(w1)}`);
    }),
    { numRuns: 200 },
  );
});

test('min-norm: orthogonal gradients give w_t ∝ 1/‖g_t‖² (all in the hull), and T = 1 gives w = 1', () => {
  const norms = [1, 2, 0.5, 3];
  const K = Matrix.diag(norms.map((n) => n * n));
  const r = minNormPoint(K);
  const inv = norms.map((n) => 1 / (n * n));
  const s = inv.reduce((a, b) => a + b, 0);
  // Exact up to the solver ridge (1e-10 · max K_jj on the diagonal).
  inv.forEach((v, t) => assert.ok(Math.abs(r.weights[t]! - v / s) < 1e-8, `w${t} = ${r.weights[t]} vs ${v / s}`));
  assert.deepEqual(Array.from(minNormPoint(Matrix.from([[4]])).weights), [1]);
});

test('min-norm: exact solver is never worse than Frank-Wolfe and matches a long run', () => {
  for (let seed = 0; seed < 20; seed++) {
    const c = makeCase(seed % 2 ? 'random' : 'wide', 12, 8, seed);
    const r = minNormPoint(c.K);
    const fw = frankWolfeMinNorm(c.K, { maxIter: 100000, stop: 1e-14 });
    assert.ok(r.normSq <= fw.normSq + 1e-9 * maxDiagOf(c.K), `seed ${seed}: ${r.normSq} > FW ${fw.normSq}`);
    assert.ok(fw.normSq - r.normSq <= 1e-4 * maxDiagOf(c.K), `seed ${seed}: FW ${fw.normSq} far from ${r.normSq}`);
    // The 250-iteration baseline is NOT certified: its KKT gap is typically far from 0.
    assert.ok(frankWolfeMinNorm(c.K).kktGap >= r.kktGap - 1e-12);
  }
});

test('min-norm: every start (all, vertex, warm) reaches the same optimum', () => {
  for (let seed = 0; seed < 30; seed++) {
    const c = makeCase(seed % 3 === 0 ? 'wide' : 'random', 10, 6, seed);
    const a = minNormPoint(c.K, { start: 'all' });
    const v = minNormPoint(c.K, { start: 'vertex' });
    const w = minNormPoint(c.K, { start: [0, 3, 7] });
    const tol = 1e-8 * maxDiagOf(c.K);
    assert.ok(Math.abs(a.normSq - v.normSq) <= tol && Math.abs(a.normSq - w.normSq) <= tol, `seed ${seed}: ${a.normSq} ${v.normSq} ${w.normSq}`);
  }
});

test('min-norm: T = 128 (P = 300 and P = 20) certified', () => {
  for (const P of [300, 20]) {
    const c = makeCase('random', 128, P, 7);
    const r = minNormPoint(c.K);
    assert.ok(r.converged);
    assertOnSimplex(r.weights);
    assert.ok(r.kktGap <= 1e-8 * maxDiagOf(c.K), `P=${P}: gap ${r.kktGap}`);
  }
});

test('min-norm: all-zero Gramian gives the centre with norm 0', () => {
  const r = minNormPoint(Matrix.zeros(3, 3));
  assert.equal(r.normSq, 0);
  assertOnSimplex(r.weights);
});

test('min-norm: the native NNQP route (T ≥ 32) and Wolfe give the same certified point (random, rank-deficient, ill-conditioned, 0 in the hull)', { skip: !nativeDecomp()?.nnqpBatch && 'needs the native backend with the nnqpBatch kernel (node scripts/build-native.mjs)' }, () => {
  const rng = new Random(21);
  for (const T of [32, 64, 128]) {
    for (const kind of ['random', 'rank', 'ill', 'conflict'] as const) {
      const P = kind === 'rank' ? T >> 1 : 2 * T;
      const G = new Matrix(T, P, rng.normals(T * P));
      if (kind === 'ill') for (let i = 0; i < T; i++) for (let j = 0; j < P; j++) G.data[i * P + j]! *= 10 ** (-5 * j / P);
      // a shared component: all gradients agree on it, so the min-norm point is far from 0 and sparse
      if (kind === 'conflict') for (let i = 0; i < T; i++) G.data[i * P]! += 8;
      const K = gramianOf(G);
      const nat = minNormPoint(K);
      const wolfe = minNormPoint(K, { native: false });
      const scale = maxDiagOf(K);
      const what = `${kind} T=${T}`;
      assert.ok(nat.converged && wolfe.converged, what);
      assertOnSimplex(nat.weights);
      assert.ok(minNormKktGap(K, nat.weights) <= 1e-9 * scale, `${what}: KKT gap ${nat.kktGap}`);
      assert.ok(Math.abs(nat.normSq - wolfe.normSq) <= 1e-9 * scale, `${what}: ‖d‖² ${nat.normSq} vs Wolfe ${wolfe.normSq}`);
    }
  }
});
