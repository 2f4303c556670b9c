import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { lbfgs } from '../../../src/linear/solver/lbfgs.ts';

const norm = (g: Float64Array): number => Math.sqrt(g.reduce((a, v) => a + v * v, 0));

test('lbfgs: a badly scaled convex quadratic reaches its closed-form minimiser; a diagonal preconditioner cuts the iterations', () => {
  const rng = new Random(3);
  const n = 30;
  // f(x) = ½ Σ a_i (x_i − c_i)² + ½ (Σ x_i)², minimiser solves (diag(a) + 11ᵀ) x = a∘c.
  const a = Float64Array.from({ length: n }, (_, i) => 10 ** (4 * i / (n - 1)));
  const c = rng.normals(n);
  const f = (x: Float64Array, g: Float64Array): number => {
    let s = 0, v = 0;
    for (let i = 0; i < n; i++) s += x[i]!;
    for (let i = 0; i < n; i++) {
      v += 0.5 * a[i]! * (x[i]! - c[i]!) ** 2;
      g[i] = a[i]! * (x[i]! - c[i]!) + s;
    }
    return v + 0.5 * s * s;
  };
  // Closed form by Sherman–Morrison: x = D⁻¹b − D⁻¹1 (1ᵀD⁻¹b) / (1 + 1ᵀD⁻¹1).
  let u = 0, w = 0;
  for (let i = 0; i < n; i++) { u += c[i]!; w += 1 / a[i]!; }
  const exact = Float64Array.from(c, (ci, i) => ci - (1 / a[i]!) * u / (1 + w));
  const g0 = new Float64Array(n);
  f(new Float64Array(n), g0);
  const opt = (_x: Float64Array, g: Float64Array) => norm(g) / norm(g0);
  const plain = lbfgs(f, { x0: new Float64Array(n), tol: 1e-10, maxIter: 5000, optimality: opt });
  const pre = lbfgs(f, { x0: new Float64Array(n), tol: 1e-10, maxIter: 5000, optimality: opt, precondition: (v, out) => { for (let i = 0; i < n; i++) out[i] = v[i]! / (a[i]! + 1); } });
  for (const r of [plain, pre]) {
    assert.ok(r.converged, r.message);
    const g = new Float64Array(n);
    f(r.x, g);
    assert.ok(norm(g) / norm(g0) <= 1e-10);
    // The Hessian diag(a) + 11ᵀ has smallest eigenvalue ≥ min a = 1, so ‖x − x*‖ ≤ ‖∇f(x)‖.
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r.x[i]! - exact[i]!) <= norm(g) + 1e-12, `x[${i}] = ${r.x[i]} vs ${exact[i]}`);
    for (let k = 1; k < r.trace.length; k++) assert.ok(r.trace[k]! <= r.trace[k - 1]!, 'monotone');
  }
  assert.ok(pre.iterations < plain.iterations, `${pre.iterations} vs ${plain.iterations}`);
});

test('lbfgs: Rosenbrock (non-convex) converges to (1, 1); the iteration cap is reported, and required convergence throws', () => {
  const f = (x: Float64Array, g: Float64Array): number => {
    const [p, q] = [x[0]!, x[1]!];
    g[0] = -2 * (1 - p) - 400 * p * (q - p * p);
    g[1] = 200 * (q - p * p);
    return (1 - p) ** 2 + 100 * (q - p * p) ** 2;
  };
  const opt = (_x: Float64Array, g: Float64Array) => norm(g);
  const r = lbfgs(f, { x0: Float64Array.from([-1.2, 1]), tol: 1e-9, maxIter: 1000, optimality: opt });
  assert.ok(r.converged, r.message);
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-7 && Math.abs(r.x[1]! - 1) < 1e-7, `${r.x}`);
  const capped = lbfgs(f, { x0: Float64Array.from([-1.2, 1]), tol: 1e-9, maxIter: 3, optimality: opt });
  assert.equal(capped.converged, false);
  assert.match(capped.message, /NOT converged: stopped at maxIter = 3/);
  assert.throws(() => lbfgs(f, { x0: Float64Array.from([-1.2, 1]), tol: 1e-9, maxIter: 3, optimality: opt, requireConvergence: true }), /maxIter = 3/);
});
