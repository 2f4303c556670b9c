import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { cmtlOptimalEigenvalues, projectCappedSimplex } from '../../../src/linear/structure/capped-simplex.ts';

/** All 0/1 vectors of length n with exactly k ones: the vertices of the capped simplex C_k (k integer). */
function vertices(n: number, k: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) bits++;
    if (bits !== k) continue;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) if (mask & (1 << i)) v[i] = 1;
    out.push(v);
  }
  return out;
}

function assertFeasible(g: Float64Array, k: number): void {
  let s = 0;
  for (const x of g) {
    assert.ok(x >= 0 && x <= 1, `entry ${x} outside [0, 1]`);
    s += x;
  }
  assert.ok(Math.abs(s - k) < 1e-12 * Math.max(1, k), `sum ${s} ≠ ${k}`);
}

test('projectCappedSimplex: feasible and satisfies the variational inequality at every vertex (exact projection)', () => {
  const rng = new Random(11);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.int(6);
    const k = rng.int(n + 1);
    const v = rng.normals(n, 0.5, 1.5);
    const p = projectCappedSimplex(v, k);
    assertFeasible(p, k);
    // p is the projection of v onto the polytope C_k iff ⟨v − p, x − p⟩ ≤ 0 for every x ∈ C_k, and a
    // linear function attains its maximum over a polytope at a vertex.
    for (const x of vertices(n, k)) {
      let ip = 0;
      for (let i = 0; i < n; i++) ip += (v[i]! - p[i]!) * (x[i]! - p[i]!);
      assert.ok(ip <= 1e-10, `variational inequality violated by ${ip} (n=${n}, k=${k})`);
    }
  }
});

test('projectCappedSimplex: points already in the set are fixed, and bad k is rejected', () => {
  const g = Float64Array.from([0.2, 0.8, 1, 0, 0.5, 0.5]);
  assert.deepEqual(Array.from(projectCappedSimplex(g, 3)).map((x) => +x.toFixed(12)), Array.from(g));
  assert.throws(() => projectCappedSimplex(g, 7), /clusters.*\[0, 6\]/);
  assert.throws(() => projectCappedSimplex(g, -1), /clusters/);
});

test('cmtlOptimalEigenvalues: minimises Σ σ²/(η+γ) over C_k (first-order optimality at every vertex)', () => {
  const rng = new Random(12);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.int(6);
    const k = 1 + rng.int(n);
    const eta = 0.05 + 2 * rng.uniform();
    const sigma = Float64Array.from(rng.normals(n), (x) => Math.abs(x) * (rng.uniform() < 0.2 ? 0 : 1));
    const g = cmtlOptimalEigenvalues(sigma, k, eta);
    assertFeasible(g, k);
    // Convex objective f(γ) = Σ σ²/(η+γ): γ is optimal over C_k iff ⟨∇f(γ), x − γ⟩ ≥ 0 at every vertex x.
    const grad = g.map((gi, i) => -(sigma[i]! ** 2) / (eta + gi) ** 2);
    for (const x of vertices(n, k)) {
      let ip = 0;
      for (let i = 0; i < n; i++) ip += grad[i]! * (x[i]! - g[i]!);
      assert.ok(ip >= -1e-9 * (1 + Math.abs(grad.reduce((a, b) => a + Math.abs(b), 0))), `optimality violated by ${ip}`);
    }
  }
});

test('cmtlOptimalEigenvalues: fewer positive σ than k puts γ = 1 on them and spreads the rest', () => {
  const g = cmtlOptimalEigenvalues([3, 0, 0, 0, 2], 3, 0.5);
  assert.deepEqual(Array.from(g), [1, 1 / 3, 1 / 3, 1 / 3, 1]);
  assert.throws(() => cmtlOptimalEigenvalues([1, 2], 1, 0), /rho2/);
});
