// CAGrad's dual: KKT of F on the simplex, strong duality with the primal (min_t g_tᵀd = F(w*)),
// the primal constraint ‖d − g₀‖ = c‖g₀‖, and optimality against random simplex points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Random } from '../../../src/linalg/random.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { gramianOf } from '../../../src/balance/index.ts';
import { cagradObjective, solveCagradDual } from '../../../src/balance/solvers/cagrad-dual.ts';
import { arbCase, kv, maxDiagOf } from '../helpers.ts';

test('cagrad dual: KKT, strong duality and no better random point (random and degenerate, fast-check)', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 10, maxP: 12, kinds: ['random', 'wide', 'scaled', 'duplicate', 'collinear'] }), fc.constantFrom(0.1, 0.5, 0.9, 2), fc.integer({ min: 0, max: 1e9 }), (c, cc, s) => {
      const T = c.T;
      const pref = new Float64Array(T).fill(1 / T);
      const g0 = Math.sqrt(Math.max(0, kv(c.K, pref).reduce((a, v, t) => a + v * pref[t]!, 0)));
      const rho = cc * g0;
      if (!(rho > 0)) return;
      const r = solveCagradDual(c.K, pref, rho);
      const scale = maxDiagOf(c.K);
      // 'scaled' puts ‖g_t‖² over 16 decades: the inner min-norm solves (ridge 1e-10 of the largest
      // ‖g‖²) then limit the accuracy to about 1e-5 of the largest ‖g‖² (docs/balance.md).
      const tol = c.kind === 'scaled' ? 1e-4 : 1e-6;
      if (r.normGw > 1e-6 * Math.sqrt(scale)) {
        assert.ok(r.kktGap <= tol * scale, `${c.kind} T=${T}: KKT gap ${r.kktGap} (scale ${scale})`);
        // Strong duality: the primal d = g₀ + ρ g_w/‖g_w‖ attains min_t g_tᵀd = F(w*).
        const omega = pref.map((p, t) => p + (rho / r.normGw) * r.weights[t]!);
        const primal = Math.min(...kv(c.K, omega));
        assert.ok(Math.abs(primal - r.value) <= tol * scale, `${c.kind}: primal ${primal} vs dual ${r.value}`);
      }
      const rng = new Random(s);
      for (let k = 0; k < 20; k++) {
        const w = rng.normals(T).map((v) => Math.exp(v));
        const sum = w.reduce((a, b) => a + b, 0);
        const v = cagradObjective(c.K, pref, rho, w.map((x) => x / sum));
        assert.ok(v >= r.value - 0.1 * tol * scale, `random point ${v} beats ${r.value}`);
      }
    }),
    { numRuns: 150 },
  );
});

test('cagrad dual: the closed form on the inner support ends the search at T = 128 (Gaussian, rank-deficient), certified, same optimum as the full root search', () => {
  // With the optimal support S known, ∇F_S = λ1, Σw = 1 and ν² = w_SᵀK_SS w_S have a closed form
  // (src/balance/solvers/cagrad-dual.ts); a wrong formula gives a negative weight or a KKT gap above
  // 1e-12·max K_jj, and the solver goes on with the root search — then onSupport stays false here.
  const T = 128;
  const rng = new Random(2026);
  const pref = new Float64Array(T).fill(1 / T);
  for (const P of [4 * T, 64]) {
    const K = gramianOf(new Matrix(T, P, rng.normals(T * P)));
    const scale = maxDiagOf(K);
    const g0 = Math.sqrt(kv(K, pref).reduce((a, v, t) => a + v * pref[t]!, 0));
    for (const cc of [0.1, 0.5, 0.9]) {
      const rho = cc * g0;
      const fast = solveCagradDual(K, pref, rho);
      const full = solveCagradDual(K, pref, rho, { finish: false });
      const what = `P=${P} c=${cc}`;
      assert.ok(fast.onSupport && !full.onSupport, `${what}: closed form not taken`);
      assert.ok(fast.kktGap <= 1e-12 * scale && fast.kktGap >= -1e-12 * scale, `${what}: KKT gap ${fast.kktGap} (scale ${scale})`);
      assert.ok(fast.iterations <= full.iterations, `${what}: ${fast.iterations} vs ${full.iterations} root steps`);
      assert.ok(Math.abs(fast.value - full.value) <= 1e-10 * Math.abs(full.value), `${what}: F ${fast.value} vs ${full.value}`);
      assert.ok(Math.abs(fast.weights.reduce((a, b) => a + b, 0) - 1) <= 1e-12 && fast.weights.every((v) => v >= 0), `${what}: not on the simplex`);
      // the root search stops at |ψ| ≤ 1e-12, so its weights agree to the accuracy that gives
      for (let t = 0; t < T; t++) assert.ok(Math.abs(fast.weights[t]! - full.weights[t]!) <= 1e-7, `${what}: w_${t} ${fast.weights[t]} vs ${full.weights[t]}`);
      // strong duality at the closed-form point: min_t g_tᵀd = F(w*)
      const omega = pref.map((p, t) => p + (rho / fast.normGw) * fast.weights[t]!);
      assert.ok(Math.abs(Math.min(...kv(K, omega)) - fast.value) <= 1e-9 * scale, `${what}: primal ${Math.min(...kv(K, omega))} vs dual ${fast.value}`);
    }
  }
});
