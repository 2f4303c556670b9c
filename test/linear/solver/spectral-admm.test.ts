import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { svd } from '../../../src/linalg/decomp/svd.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { cmtlConstants } from '../../../src/linear/structure/cmtl-m-step.ts';
import { cmtlOptimalEigenvalues } from '../../../src/linear/structure/capped-simplex.ts';
import { squaredTraceProx } from '../../../src/linear/structure/squared-trace.ts';
import { cmtlGramPenalty, squaredTraceGramPenalty } from '../../../src/linear/solver/spectral-admm.ts';
import { getModelSpec } from '../../../src/linear/registry.ts';
import type { Problem, TaskProblem } from '../../../src/linear/types.ts';
import { hasSchool, loadSchoolTasks } from '../helpers.ts';

/** Transposed storage (T × d) of a d × T matrix, as ADMM keeps it. */
function toT(W: Matrix): Float64Array {
  const out = new Float64Array(W.rows * W.cols);
  for (let j = 0; j < W.rows; j++) for (let t = 0; t < W.cols; t++) out[t * W.rows + j] = W.data[j * W.cols + t]!;
  return out;
}
function fromT(Wt: Float64Array, d: number, T: number): Matrix {
  const W = Matrix.zeros(d, T);
  for (let j = 0; j < d; j++) for (let t = 0; t < T; t++) W.data[j * T + t] = Wt[t * d + j]!;
  return W;
}
const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);

/** A d × T matrix with singular values graded from 10 down to 10/spread (exercises the exact-SVD fallback). */
function graded(rng: Random, d: number, T: number, spread: number): Matrix {
  const { U, s, V } = svd(new Matrix(d, T, rng.normals(d * T)));
  const r = s.length;
  const W = Matrix.zeros(d, T);
  for (let k = 0; k < r; k++) {
    const sk = Math.pow(spread, -k / Math.max(r - 1, 1)) * 10;
    for (let i = 0; i < d; i++) for (let t = 0; t < T; t++) W.data[i * T + t]! += U.data[i * r + k]! * sk * V.data[t * r + k]!;
  }
  return W;
}

/**
 * g(W) and ∇g = 2W(ηI + M*)⁻¹ from the exact (Jacobi) SVD of W, direction by direction: the reference
 * (structure/cmtl-m-step.ts cmtlReduced squares W into WᵀW, which loses the small singular values:
 * measured 7e-7 relative on the spread-10⁶ case below, where the route under test falls back to the SVD).
 */
function exactCmtl(W: Matrix, k: number, eta: number): { value: number; gradient: Matrix } {
  const { U, s, V } = svd(W);
  const sigma = new Float64Array(W.cols);
  sigma.set(s);
  const gamma = cmtlOptimalEigenvalues(sigma, k, eta);
  const G = Matrix.zeros(W.rows, W.cols);
  let value = 0;
  const r = s.length;
  for (let q = 0; q < r; q++) {
    value += s[q]! ** 2 / (eta + gamma[q]!);
    const f = (2 * s[q]!) / (eta + gamma[q]!);
    for (let i = 0; i < W.rows; i++) for (let t = 0; t < W.cols; t++) G.data[i * W.cols + t]! += U.data[i * r + q]! * f * V.data[t * r + q]!;
  }
  return { value, gradient: G };
}

const SHAPES = [[6, 15, 1], [15, 6, 1], [8, 8, 1], [10, 20, 1e6], [20, 5, 1e9]] as const;

test('squared-trace prox from the small Gram equals the full-SVD prox (structure/squared-trace.ts); value and Fenchel–Young', () => {
  const rng = new Random(5);
  for (const [d, T, spread] of SHAPES) {
    const V = graded(rng, d, T, spread);
    for (const mu of [1e-3, 0.3, 10]) {
      const pen = squaredTraceGramPenalty(mu);
      for (const step of [1e-6, 0.01, 1, 100]) {
        const exact = squaredTraceProx(V, step, mu);
        const out = new Float64Array(d * T);
        const value = pen.proxT(toT(V), d, T, step, out);
        const P = fromT(out, d, T);
        let diff = 0;
        for (let i = 0; i < P.data.length; i++) diff = Math.max(diff, Math.abs(P.data[i]! - exact.data[i]!));
        assert.ok(diff <= 1e-9 * Math.max(norm(exact.data), 1), `${d}×${T} spread ${spread} μ ${mu} step ${step}: max diff ${diff}`);
        assert.ok(Math.abs(value - pen.exactValue(P)) <= 1e-9 * Math.max(value, 1e-300), `value ${value} vs ${pen.exactValue(P)}`);
      }
      // Fenchel–Young: Ω(W) + Ω*(G) ≥ ⟨W, G⟩, with equality for G = (V − prox(V))/step ∈ ∂Ω(prox(V)).
      const G = rng.normals(d * T);
      const Wt = toT(V);
      assert.ok(pen.valueT(Wt, d, T) + pen.conjugateT!(G, d, T) >= dot(Wt, G) - 1e-9 * Math.abs(dot(Wt, G)));
      const out = new Float64Array(d * T);
      pen.proxT(Wt, d, T, 1, out);
      const sub = Wt.map((v, i) => v - out[i]!);
      const lhs = pen.valueT(out, d, T) + pen.conjugateT!(sub, d, T);
      assert.ok(Math.abs(lhs - dot(out, sub)) <= 1e-8 * Math.max(Math.abs(lhs), 1e-12), `Fenchel–Young equality: ${lhs} vs ${dot(out, sub)}`);
    }
  }
});

test('cmtl prox is the fixed point (V − P)/s = ∇Ω(P); its value, the gradient and the conjugate agree with the exact SVD', () => {
  const rng = new Random(7);
  for (const [d, T, spread] of SHAPES) {
    const V = graded(rng, d, T, spread);
    for (const [rho1, rho2, k] of [[1, 0.1, 2], [10, 1e-6, 3], [0.01, 5, 1], [1e4, 1e-5, Math.min(T, 4)]] as const) {
      const { c, eta } = cmtlConstants(rho1, rho2);
      const pen = cmtlGramPenalty(c, eta, k);
      const Vt = toT(V);
      // The gradient and the value against cmtlReduced (full eigendecomposition).
      const g = new Float64Array(d * T);
      pen.gradientT!(Vt, d, T, g);
      const ref = exactCmtl(V, k, eta);
      const refG = toT(ref.gradient).map((v) => c * v);
      assert.ok(norm(g.map((v, i) => v - refG[i]!)) <= 1e-8 * norm(refG), `gradient ${d}×${T} spread ${spread} ρ ${rho1}/${rho2} k ${k}: rel. diff ${norm(g.map((v, i) => v - refG[i]!)) / norm(refG)}`);
      const v = pen.valueT(Vt, d, T);
      assert.ok(Math.abs(v - c * ref.value) <= 1e-8 * c * ref.value, `value ${d}×${T} spread ${spread} ρ ${rho1}/${rho2} k ${k}: ${v} vs ${c * ref.value}`);
      for (const step of [1e-4, 0.1, 10]) {
        const out = new Float64Array(d * T);
        const value = pen.proxT(Vt, d, T, step, out);
        // Optimality of the prox: V − P = s·∇Ω(P) (Ω is differentiable).
        const gp = new Float64Array(d * T);
        pen.gradientT!(out, d, T, gp);
        const res = norm(Vt.map((v, i) => v - out[i]! - step * gp[i]!));
        assert.ok(res <= 1e-8 * norm(Vt), `prox fixed point ${d}×${T} spread ${spread} ρ ${rho1}/${rho2} k ${k} step ${step}: ${res}`);
        const P = fromT(out, d, T);
        assert.ok(Math.abs(value - pen.exactValue(P)) <= 1e-8 * value, `prox value ${value} vs ${pen.exactValue(P)}`);
      }
      // Fenchel–Young equality at G = ∇Ω(W).
      const lhs = pen.valueT(Vt, d, T) + pen.conjugateT!(g, d, T);
      assert.ok(Math.abs(lhs - dot(Vt, g)) <= 1e-8 * Math.abs(lhs), `Fenchel–Young: ${lhs} vs ${dot(Vt, g)}`);
      const G = rng.normals(d * T);
      assert.ok(pen.valueT(Vt, d, T) + pen.conjugateT!(G, d, T) >= dot(Vt, G) - 1e-9 * Math.abs(dot(Vt, G)));
    }
  }
});

/** Random tasks with badly scaled columns, a duplicated feature and (optionally) a rank-deficient design. */
function randomProblem(seed: number, scale: 'sum' | 'mean', intercept: boolean): Problem {
  const rng = new Random(seed);
  const d = 9;
  const T = 7;
  const colScale = Array.from({ length: d }, (_, j) => Math.pow(10, (j % 3) - 1));
  const tasks: TaskProblem[] = Array.from({ length: T }, (_, t) => {
    const n = 12 + 3 * t;
    const X = new Matrix(n, d, rng.normals(n * d));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) X.data[i * d + j]! *= colScale[j]!;
      X.data[i * d + d - 1] = X.data[i * d]!; // duplicated feature
    }
    const y = Float64Array.from({ length: n }, (_, i) => X.data[i * d]! * 0.5 + X.data[i * d + 1]! * (t % 2 ? 1 : -1) + rng.normal());
    return { name: `t${t}`, X, y };
  });
  return problemFromTasks(tasks, { loss: 'squared', scale, intercept });
}

function agree(problem: Problem, model: string, options: Record<string, number>, label: string): void {
  const spec = getModelSpec(model);
  // FISTA (today's default) capped at 5 000 iterations to keep the file fast; measured within 1e-13 of ADMM's optimum on these cases.
  const f = spec.fit(problem, { ...options, solver: 'fista', tol: 1e-10, maxIter: 5000 });
  const a = spec.fit(problem, { ...options, tol: 1e-10, maxIter: 100000 });
  assert.match(a.info.solver, /^admm/, 'admm is the squared-loss default');
  const rel = (a.info.objective - f.info.objective) / Math.abs(f.info.objective);
  assert.ok(Math.abs(rel) <= 1e-8, `${label}: admm ${a.info.objective} vs fista ${f.info.objective} (${rel})`);
}

test('cmtl and mtrl: ADMM (the default for squared loss) = FISTA to 1e-8 relative objective (badly scaled, duplicated columns; sum and mean, intercepts)', () => {
  for (const [scale, intercept] of [['sum', false], ['mean', true]] as const) {
    const p = randomProblem(11, scale, intercept);
    agree(p, 'cmtl', { rho1: 1, rho2: 0.1, clusters: 2 }, `cmtl ${scale}`);
    agree(p, 'cmtl', { rho1: 1e3, rho2: 1e-3, clusters: 3 }, `cmtl ${scale} ill-conditioned`);
    agree(p, 'mtrl', { lambda2: 1, lambda1: 0.1 }, `mtrl ${scale}`);
    agree(p, 'mtrl', { lambda2: 1e3, lambda1: 0 }, `mtrl ${scale} large λ2`);
  }
});

test('cmtl and mtrl on School (sum scaling, raw features): ADMM = FISTA to 1e-8 relative objective', { skip: !hasSchool && 'needs ../shared/data' }, () => {
  const tasks = loadSchoolTasks().slice(0, 40);
  const p = problemFromTasks(tasks, { loss: 'squared', scale: 'sum', intercept: false });
  agree(p, 'cmtl', { rho1: 1000, rho2: 1000, clusters: 3 }, 'School cmtl');
  agree(p, 'mtrl', { lambda1: 1000, lambda2: 1000 }, 'School mtrl');
});
