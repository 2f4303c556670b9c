import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanSpec } from '../../../src/linear/models/mean.ts';
import { stlSpec } from '../../../src/linear/models/stl.ts';
import { pooledSpec } from '../../../src/linear/models/pooled.ts';
import { relErr, synthProblem } from '../helpers.ts';

test('mean-regularised MTL tends to STL as λ → 0 and to pooled as λ → ∞', () => {
  const { problem } = synthProblem({ T: 4, d: 5, n: [12, 20, 9, 30], seed: 91 });
  const base = { tol: 1e-12, maxIter: 5000 };
  const rho = 0.05;
  // STL with ridge ρ: Σ_t ρ‖w_t‖² = ρ‖W‖²_F.
  const stl = stlSpec.fit(problem, { ...base, lambda: rho });
  const small = meanSpec.fit(problem, { ...base, lambda: 1e-9, ridge: rho });
  assert.ok(relErr(small.W.data, stl.W.data) < 1e-6, `λ→0: ${relErr(small.W.data, stl.W.data)}`);
  // Pooled with the same ridge on W = θ1ᵀ: ρ‖W‖²_F = Tρ‖θ‖² (pooled's λ is 0 here).
  const pooled = pooledSpec.fit(problem, { ...base, lambda: 0, ridge: rho });
  const big = meanSpec.fit(problem, { ...base, lambda: 1e7, ridge: rho });
  assert.ok(relErr(big.W.data, pooled.W.data) < 1e-5, `λ→∞: ${relErr(big.W.data, pooled.W.data)}`);
  assert.ok(relErr(big.intercepts, pooled.intercepts) < 1e-5);
  // And in between it is neither.
  const mid = meanSpec.fit(problem, { ...base, lambda: 0.1, ridge: rho });
  assert.ok(relErr(mid.W.data, stl.W.data) > 1e-3 && relErr(mid.W.data, pooled.W.data) > 1e-3);
});
