import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { dirtyProxRow, dirtyRowSolve, dirtyRowValue } from '../../../src/linear/solver/dirty-row.ts';

test('dirtyProxRow (unit curvature, warm-started θ) equals dirtyRowSolve with a = 1 from any guess, including ties λ_P = k·λ_Q', () => {
  const rng = new Random(17);
  for (let rep = 0; rep < 300; rep++) {
    const T = 1 + rng.int(40);
    const b = Float64Array.from({ length: T }, () => (rng.uniform() < 0.2 ? 0 : Math.pow(10, 2 * rng.uniform() - 1) * rng.normal()));
    // Repeated magnitudes make φ's pieces meet; λ_P = k·λ_Q makes φ flat at the level λ_P.
    if (rep % 3 === 0 && T > 2) b[1] = -b[0]!;
    const lq = 0.05 + 2 * rng.uniform();
    const lp = rep % 4 === 0 ? lq * (1 + rng.int(4)) : 0.05 + 6 * rng.uniform();
    const ones = new Float64Array(T).fill(1);
    const ref = new Float64Array(T);
    dirtyRowSolve(ones, b, lp, lq, ref);
    let bmax = 0;
    for (const v of b) bmax = Math.max(bmax, Math.abs(v));
    for (const guess of [0, rng.uniform() * bmax, 2 * bmax, bmax * (1 - 1e-12), -1]) {
      const u = new Float64Array(T);
      const theta = dirtyProxRow(b, lp, lq, guess, u);
      assert.ok(theta >= 0, `rep ${rep}: θ = ${theta}`);
      for (let t = 0; t < T; t++) assert.ok(Math.abs(u[t]! - ref[t]!) <= 1e-12 * (1 + bmax), `rep ${rep} guess ${guess}: u[${t}] = ${u[t]} vs ${ref[t]}`);
      // The prox's optimality: b − u is in the dual ball and ⟨b − u, u⟩ = g(u) (a subgradient at u).
      let l1 = 0;
      let linf = 0;
      let inner = 0;
      for (let t = 0; t < T; t++) {
        const z = b[t]! - u[t]!;
        l1 += Math.abs(z);
        linf = Math.max(linf, Math.abs(z));
        inner += z * u[t]!;
      }
      assert.ok(l1 <= lp * (1 + 1e-12) && linf <= lq * (1 + 1e-12), `rep ${rep}: z outside the dual ball (${l1} > ${lp} or ${linf} > ${lq})`);
      const g = dirtyRowValue(u, lp, lq);
      assert.ok(Math.abs(inner - g) <= 1e-10 * (1 + g), `rep ${rep}: ⟨z, u⟩ = ${inner} ≠ g(u) = ${g}`);
    }
  }
});
