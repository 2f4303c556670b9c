import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { lassoPenalty } from '../../../src/linear/penalty/lasso.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { solveLinear, linearObjective } from '../../../src/linear/solver/composite.ts';
import { proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { bcd, gapSafeScreen, groupSecular, tridiagonalSecular, type RowPenaltyKind } from '../../../src/linear/solver/bcd.ts';
import { dirtyRowSolve, dirtyRowValue } from '../../../src/linear/solver/dirty-row.ts';
import { l1InfPenalty } from '../../../src/linear/penalty/l1inf.ts';
import { twoBlockObjective } from '../../../src/linear/structure/two-block.ts';
import { getModelSpec } from '../../../src/linear/registry.ts';
import { gramProblem, isSharedDesign } from '../../../src/linear/solver/gram-form.ts';
import type { Problem, TaskProblem } from '../../../src/linear/types.ts';
import { hasSchool, loadSchoolTasks, relDiff, rowLambdaMax, rowPenalties } from '../helpers.ts';

test('groupSecular and tridiagonalSecular solve the block optimality condition A u − b + λ u/‖u‖ = 0', () => {
  const rng = new Random(5);
  for (let rep = 0; rep < 20; rep++) {
    const T = 1 + rng.int(12);
    const a = Float64Array.from({ length: T }, () => Math.pow(10, 4 * rng.uniform() - 2) * (rng.uniform() < 0.15 ? 0 : 1));
    const b = Float64Array.from({ length: T }, (_, t) => (a[t] === 0 ? 0 : rng.normal() * 10));
    let nb = 0;
    for (const v of b) nb += v * v;
    const lambda = 0.3 * Math.sqrt(nb);
    if (lambda === 0) continue;
    const u = new Float64Array(T);
    groupSecular(a, b, lambda, u);
    const nu = Math.hypot(...u);
    for (let t = 0; t < T; t++) assert.ok(Math.abs(a[t]! * u[t]! - b[t]! + (lambda * u[t]!) / nu) < 1e-10 * Math.sqrt(nb), `diag rep ${rep}`);
    // Tridiagonal: A = diag(D) − 2κ (off-diagonals), D = a + 2κ·degree.
    const kappa = rng.uniform() * 5;
    const D = Float64Array.from(a, (v, t) => v + 2 * kappa * ((t > 0 ? 1 : 0) + (t + 1 < T ? 1 : 0)) + 1e-3);
    const amin = Math.min(...Array.from(a, (v) => v + 1e-3));
    const w = new Float64Array(T);
    tridiagonalSecular(D, -2 * kappa, amin, b, lambda, w, [new Float64Array(T), new Float64Array(T)]);
    const nw = Math.hypot(...w);
    for (let t = 0; t < T; t++) {
      let Aw = D[t]! * w[t]!;
      if (t > 0) Aw -= 2 * kappa * w[t - 1]!;
      if (t + 1 < T) Aw -= 2 * kappa * w[t + 1]!;
      assert.ok(Math.abs(Aw - b[t]! + (lambda * w[t]!) / nw) < 1e-10 * Math.sqrt(nb), `tridiagonal rep ${rep}`);
    }
  }
});

/** Random tasks with the pathologies of issue 17: raw badly scaled columns, a duplicated feature, a task with n_t < d (rank-deficient X). */
function hardProblem(seed: number, intercept: boolean): Problem {
  const rng = new Random(seed);
  const d = 12;
  const T = 6;
  const scales = Array.from({ length: d }, (_, j) => Math.pow(10, (j % 5) - 2));
  const wTrue = Array.from({ length: d * T }, (_, k) => (Math.floor(k / T) % 3 === 0 ? rng.normal() : 0));
  const tasks: TaskProblem[] = [];
  for (let t = 0; t < T; t++) {
    const n = t === 2 ? 7 : 25 + 10 * t;
    const X = new Matrix(n, d, rng.normals(n * d));
    for (let i = 0; i < n; i++) {
      X.data[i * d + 5] = X.data[i * d + 4]!; // duplicated feature
      for (let j = 0; j < d; j++) X.data[i * d + j]! *= scales[j]!;
    }
    const y = Float64Array.from({ length: n }, (_, i) => {
      let z = 3;
      for (let j = 0; j < d; j++) z += (X.data[i * d + j]! / scales[j]!) * wTrue[j * T + t]!;
      return z + 0.3 * rng.normal();
    });
    tasks.push({ name: `t${t}`, X, y });
  }
  return problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept });
}



/** The minimum-norm subgradient of F over ALL features, from the loss object (independent of bcd's bookkeeping), relative to ‖∇f(0)‖. */
function independentViolation(problem: Problem, kind: RowPenaltyKind, lambda: number, ridge: number, chain: number, W: Matrix): number {
  const pen = rowPenalties(kind, lambda, ridge, chain, W.cols);
  const loss = createLoss(problem);
  const G = loss.evaluate(W).G;
  for (const p of pen.smooth) p.gradient!(W, G);
  const G0 = loss.evaluate(Matrix.zeros(W.rows, W.cols)).G;
  let s = 0;
  for (let j = 0; j < W.rows; j++) {
    const o = j * W.cols;
    let nw = 0;
    for (let t = 0; t < W.cols; t++) nw += W.data[o + t]! ** 2;
    nw = Math.sqrt(nw);
    let ng = 0;
    for (let t = 0; t < W.cols; t++) ng += G.data[o + t]! ** 2;
    for (let t = 0; t < W.cols; t++) {
      const w = W.data[o + t]!;
      const g = G.data[o + t]!;
      if (kind === 'lasso') s += (w !== 0 ? g + lambda * Math.sign(w) : Math.max(0, Math.abs(g) - lambda)) ** 2;
      else if (nw > 0) s += (g + (lambda * w) / nw) ** 2;
    }
    if (kind === 'l21' && nw === 0) s += Math.max(0, Math.sqrt(ng) - lambda) ** 2;
  }
  let g0 = 0;
  for (const v of G0.data) g0 += v * v;
  return Math.sqrt(s) / Math.sqrt(g0);
}

const cases: { kind: RowPenaltyKind; ridge: number; chain: number; label: string }[] = [
  { kind: 'lasso', ridge: 0, chain: 0, label: 'lasso' },
  { kind: 'l21', ridge: 0, chain: 0, label: 'L21' },
  { kind: 'l21', ridge: 0.01, chain: 0, label: 'L21 + ridge' },
  { kind: 'l21', ridge: 0, chain: 0.5, label: 'tgl (L21 + chain)' },
];

for (const c of cases) {
  test(`bcd ${c.label}: agrees with FISTA to 1e-8 relative objective on badly scaled, duplicated, rank-deficient data; optimality holds on ALL features`, () => {
    for (const [seed, intercept, frac] of [[71, true, 0.1], [72, false, 0.02]] as const) {
      const problem = hardProblem(seed, intercept);
      const lambda = frac * rowLambdaMax(problem, c.kind);
      const gp = gramProblem(problem, { ridge: c.ridge, chain: c.chain });
      const r = bcd(gp, { penalty: c.kind, lambda, tol: 1e-12, maxIter: 100000 });
      assert.ok(r.info.converged, r.info.message);
      const pen = rowPenalties(c.kind, lambda, c.ridge, c.chain, problem.tasks.length);
      const f = solveLinear(problem, pen, { tol: 1e-10, maxIter: 400000 });
      assert.ok(f.info.converged, f.info.message);
      // The reported objective is the objective at the returned W (recomputed by the loss object).
      const loss = createLoss(problem);
      let F = loss.value(r.W) + pen.prox.value(r.W);
      for (const p of pen.smooth) F += p.value(r.W);
      assert.ok(relDiff(F, r.info.objective) < 1e-11, `objective bookkeeping ${F} vs ${r.info.objective}`);
      assert.ok(relDiff(F, f.info.objective) < 1e-8, `${c.label} seed ${seed}: bcd ${F} vs fista ${f.info.objective}`);
      assert.ok(F <= f.info.objective * (1 + 1e-10), 'bcd is not worse than FISTA');
      // Working sets never stop with a violated optimality condition outside the set: checked on all features.
      const v = independentViolation(problem, c.kind, lambda, c.ridge, c.chain, r.W);
      assert.ok(v < 1e-6, `violation ${v}`);
      const obj = linearObjective(loss, pen.smooth, pen.prox);
      assert.ok(proxGradientResidual(obj, [r.W], f.lipschitz) < 1e-6);
    }
  });
}

test('bcd: λ ≥ λ_max gives W = 0 certified at once; just below gives a non-zero W', () => {
  const problem = hardProblem(73, true);
  for (const kind of ['lasso', 'l21'] as const) {
    const lmax = rowLambdaMax(problem, kind);
    const gp = gramProblem(problem);
    const r = bcd(gp, { penalty: kind, lambda: lmax * 1.0001, tol: 1e-10 });
    assert.ok(r.info.converged);
    assert.equal(r.info.iterations, 0);
    assert.ok(r.W.data.every((v) => v === 0));
    const s = bcd(gp, { penalty: kind, lambda: lmax * 0.99, tol: 1e-10 });
    assert.ok(s.info.converged && s.W.data.some((v) => v !== 0));
  }
});

test('bcd: greedy order, no Anderson and no working set reach the same optimum; warm start converges at once', () => {
  const problem = hardProblem(74, true);
  const lambda = 0.05 * rowLambdaMax(problem, 'l21');
  const gp = gramProblem(problem);
  const a = bcd(gp, { penalty: 'l21', lambda, tol: 1e-12 });
  const b = bcd(gp, { penalty: 'l21', lambda, tol: 1e-12, order: 'greedy' });
  const c = bcd(gp, { penalty: 'l21', lambda, tol: 1e-12, anderson: 0, workingSet: false });
  for (const r of [a, b, c]) assert.ok(r.info.converged, r.info.message);
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-10);
  assert.ok(relDiff(a.info.objective, c.info.objective) < 1e-10);
  const warm = bcd(gp, { penalty: 'l21', lambda, tol: 1e-12, W0: a.W });
  assert.equal(warm.info.iterations, 0);
});

test('bcd: hitting the cap is reported (converged false, message names maxIter)', () => {
  const problem = hardProblem(75, false);
  const r = bcd(gramProblem(problem), { penalty: 'l21', lambda: 0.001 * rowLambdaMax(problem, 'l21'), tol: 1e-14, maxIter: 3 });
  assert.equal(r.info.converged, false);
  assert.match(r.info.message ?? '', /maxIter = 3/);
});

test('shared design: one Gram matrix for all tasks (same array), same optimum as the per-task form', () => {
  const rng = new Random(76);
  const n = 60;
  const d = 15;
  const T = 5;
  const X = new Matrix(n, d, rng.normals(n * d));
  const tasks: TaskProblem[] = Array.from({ length: T }, (_, t) => ({ name: `o${t}`, X, y: rng.normals(n) }));
  const shared = problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept: true });
  assert.ok(isSharedDesign(shared));
  const gp = gramProblem(shared);
  assert.ok(gp.shared);
  assert.ok(gp.H.every((H) => H === gp.H[0]), 'one Gram matrix, never T copies');
  // Unit sample weights make the design "not shared" for the detector: the per-task path.
  const perTask = problemFromTasks(tasks.map((t) => ({ ...t, weights: new Float64Array(n).fill(1) })), { loss: 'squared', scale: 'mean', intercept: true });
  const gq = gramProblem(perTask);
  assert.ok(!gq.shared);
  const lambda = 0.1 * rowLambdaMax(shared, 'l21');
  const a = bcd(gp, { penalty: 'l21', lambda, tol: 1e-12 });
  const b = bcd(gq, { penalty: 'l21', lambda, tol: 1e-12 });
  assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-10);
  for (let t = 0; t < T; t++) for (let j = 0; j < d; j++) assert.ok(Math.abs(gp.H[t]![j]! - gq.H[t]![j]!) < 1e-9);
});

test('bcd on real data (School, raw features, 20 tasks, MALSAR convention): same optimum as FISTA for lasso, L21, tgl', { skip: !hasSchool && 'needs ../shared/data' }, () => {
  const problem = problemFromTasks(loadSchoolTasks().slice(0, 20), { loss: 'squared', scale: 'sum', intercept: false });
  for (const c of [cases[0]!, cases[1]!, { kind: 'l21' as const, ridge: 0, chain: 10, label: 'tgl' }]) {
    const lambda = 0.2 * rowLambdaMax(problem, c.kind);
    const r = bcd(gramProblem(problem, { ridge: c.ridge, chain: c.chain }), { penalty: c.kind, lambda, tol: 1e-12, maxIter: 100000 });
    assert.ok(r.info.converged, r.info.message);
    const f = solveLinear(problem, rowPenalties(c.kind, lambda, c.ridge, c.chain, 20), { tol: 1e-10, maxIter: 200000 });
    assert.ok(relDiff(r.info.objective, f.info.objective) < 1e-8, `${c.label}: ${r.info.objective} vs ${f.info.objective}`);
    assert.ok(independentViolation(problem, c.kind, lambda, c.ridge, c.chain, r.W) < 1e-6);
  }
});

test('dirtyRowSolve minimises ½Σa_t u_t² − bᵀu + g(u) (g the dirty row penalty): no random perturbation does better', () => {
  const rng = new Random(8);
  for (let rep = 0; rep < 30; rep++) {
    const T = 1 + rng.int(9);
    const a = Float64Array.from({ length: T }, () => Math.pow(10, 3 * rng.uniform() - 1.5));
    const b = Float64Array.from({ length: T }, () => 5 * rng.normal());
    const lp = 0.5 + 5 * rng.uniform();
    const lq = 0.2 + 3 * rng.uniform();
    const u = new Float64Array(T);
    dirtyRowSolve(a, b, lp, lq, u);
    const F = (x: Float64Array): number => {
      let v = dirtyRowValue(x, lp, lq);
      for (let t = 0; t < T; t++) v += 0.5 * a[t]! * x[t]! * x[t]! - b[t]! * x[t]!;
      return v;
    };
    const F0 = F(u);
    for (let k = 0; k < 200; k++) {
      const x = Float64Array.from(u, (v) => v + Math.pow(10, -1 - 5 * rng.uniform()) * rng.normal());
      assert.ok(F(x) >= F0 - 1e-12 * (1 + Math.abs(F0)), `rep ${rep}: perturbation lowers F (${F(x)} < ${F0})`);
    }
    // g is the infimal convolution: never above either pure split.
    let linf = 0;
    let l1 = 0;
    for (const v of u) {
      linf = Math.max(linf, Math.abs(v));
      l1 += Math.abs(v);
    }
    assert.ok(dirtyRowValue(u, lp, lq) <= Math.min(lp * linf, lq * l1) + 1e-12);
  }
});

test('dirty by row BCD and by ADMM on W = P + Q: agree with FISTA over [P, Q] to 1e-8 relative objective on badly scaled, duplicated, rank-deficient data; (P, Q) satisfies the joint optimality condition', () => {
  for (const [seed, intercept, fp, fq, solver] of [[81, true, 0.3, 0.1, 'bcd'], [82, false, 0.05, 0.03, 'bcd'], [81, true, 0.3, 0.1, 'admm'], [82, false, 0.05, 0.03, undefined]] as const) {
    const problem = hardProblem(seed, intercept);
    const lmax = rowLambdaMax(problem, 'lasso');
    const lambdaP = fp * lmax * 3;
    const lambdaQ = fq * lmax;
    const spec = getModelSpec('dirty');
    const r = spec.fit(problem, { lambdaP, lambdaQ, tol: 1e-12, maxIter: 200000, ...(solver ? { solver } : {}) });
    assert.equal(r.info.solver, solver ?? 'admm', 'admm is the default for the squared loss');
    assert.ok(r.info.converged, r.info.message);
    const f = spec.fit(problem, { lambdaP, lambdaQ, tol: 1e-10, maxIter: 400000, solver: 'fista' });
    assert.ok(f.info.converged, f.info.message);
    const rel = (r.info.objective - f.info.objective) / Math.abs(f.info.objective);
    assert.ok(Math.abs(rel) <= 1e-8, `seed ${seed}: bcd ${r.info.objective} vs fista ${f.info.objective} (rel ${rel})`);
    // Independent check at (P, Q): the prox-gradient fixed point of the two-block objective.
    const P = r.learned.P as Matrix;
    const Q = r.learned.Q as Matrix;
    const loss = createLoss(problem);
    const obj = twoBlockObjective(loss, { P: l1InfPenalty(lambdaP), Q: lassoPenalty(lambdaQ), ridge: 0 });
    const res = proxGradientResidual(obj, [P, Q], 2 * loss.lipschitz());
    assert.ok(res <= 1e-7, `seed ${seed}: two-block prox-gradient residual ${res}`);
    const val = loss.value(r.W) + l1InfPenalty(lambdaP).value(P) + lassoPenalty(lambdaQ).value(Q);
    assert.ok(Math.abs(val - r.info.objective) <= 1e-10 * Math.abs(val), 'reported objective = two-block objective at (P, Q)');
  }
});

test('dirty: λ_P, λ_Q above their maxima give P = Q = 0; bcd refuses a zero weight and the logistic loss with a clear error', () => {
  const problem = hardProblem(83, true);
  const lmax = rowLambdaMax(problem, 'lasso');
  const spec = getModelSpec('dirty');
  // W = 0 is optimal iff every row of −∇f(0) lies in the dual ball {‖z‖₁ ≤ λ_P, ‖z‖_∞ ≤ λ_Q}.
  const r = spec.fit(problem, { lambdaP: 1e3 * lmax * problem.tasks.length, lambdaQ: 1.0001 * lmax, tol: 1e-10 });
  assert.ok(r.W.data.every((v) => v === 0));
  assert.throws(() => spec.fit(problem, { lambdaP: 0, lambdaQ: 1, solver: 'bcd' }), /lambda-p > 0/);
  assert.throws(() => spec.fit(problem, { lambdaP: 1, lambdaQ: 0, solver: 'admm' }), /lambda-q > 0/);
  assert.equal(spec.fit(problem, { lambdaP: 0, lambdaQ: lmax, maxIter: 50 }).info.solver.startsWith('fista'), true);
});

// ---------------------------------------------------------------- sequential strong rule (previousLambda)

test('strong rule: a constructed failure (a badly scaled, correlated feature) is detected, added back, and the fit is still the optimum', () => {
  // One task: x1 = (1, 0, 0), x2 = (3, 1, 0), y = (2, −5, 0). x1 enters at λ_max = 2 alone; along its
  // path w1 = 2 − λ, so |∇_2 f| = |5 − 3λ| moves with slope 3 > 1 (the rule assumes slope ≤ 1):
  // at λ_prev = 1.4 it is 0.8 < 2λ − λ_prev = 1.0, so λ = 1.2 discards x2, yet at λ = 1.2 it is 1.4 > λ.
  // L21 on two identical tasks scales every row norm by √2, the same case.
  for (const kind of ['lasso', 'l21'] as const) {
    const T = kind === 'lasso' ? 1 : 2;
    const s = kind === 'lasso' ? 1 : Math.SQRT2;
    const tasks: TaskProblem[] = Array.from({ length: T }, (_, t) => ({ name: `t${t}`, X: new Matrix(3, 2, Float64Array.from([1, 3, 0, 1, 0, 0])), y: Float64Array.from([2, -5, 0]) }));
    const gp = gramProblem(problemFromTasks(tasks, { loss: 'squared', scale: 'sum', intercept: false }));
    const prev = bcd(gp, { penalty: kind, lambda: 1.4 * s, tol: 1e-12 });
    assert.equal(prev.W.data[1 * T], 0, 'x2 inactive at λ_prev');
    const r = bcd(gp, { penalty: kind, lambda: 1.2 * s, tol: 1e-10, W0: prev.W, previousLambda: 1.4 * s });
    assert.ok(r.strongRuleViolations >= 1, `${kind}: the violation was not detected (${r.info.message})`);
    assert.match(r.info.message ?? "", /strong rule: 1 kept, [1-9]\d* violations added back/);
    assert.ok(r.info.converged && r.gap <= 1e-10, r.info.message);
    assert.notEqual(r.W.data[1 * T], 0, 'x2 active at the optimum');
    const cold = bcd(gp, { penalty: kind, lambda: 1.2 * s, tol: 1e-12 });
    assert.ok(relDiff(r.info.objective, cold.info.objective) <= 1e-10, `${r.info.objective} vs ${cold.info.objective}`);
    // Closed form (lasso, both active at λ = 1.2): w = (XᵀX)⁻¹(Xᵀy − λ sign) with signs (+, −).
    if (kind === 'lasso') {
      const lam = 1.2;
      // XᵀX = [[1, 3], [3, 10]], Xᵀy = (2, 1); solve [[1,3],[3,10]] w = (2 − λ, 1 + λ).
      const b1 = 2 - lam;
      const b2 = 1 + lam;
      const w2 = (b2 - 3 * b1) / (10 - 9);
      const w1 = b1 - 3 * w2;
      assert.ok(Math.abs(r.W.data[0]! - w1) < 1e-8 && Math.abs(r.W.data[1]! - w2) < 1e-8, `${r.W.data[0]}, ${r.W.data[1]} vs ${w1}, ${w2}`);
    }
  }
});

test('strong rule along random paths: never stops with a feature active at the optimum left out, same optimum as unscreened fits', () => {
  for (const kind of ['lasso', 'l21'] as const) {
    for (const seed of [31, 32]) {
      const problem = hardProblem(seed, true);
      const gp = gramProblem(problem);
      const lmax = rowLambdaMax(problem, kind);
      let W0: Matrix | undefined;
      let prevLambda = lmax;
      let screenedOut = 0;
      for (let k = 1; k <= 8; k++) {
        const lambda = lmax * Math.pow(0.75, k);
        const r = bcd(gp, { penalty: kind, lambda, tol: 1e-9, ...(W0 ? { W0, previousLambda: prevLambda } : {}) });
        const ref = bcd(gp, { penalty: kind, lambda, tol: 1e-12, screening: false });
        assert.ok(r.info.converged && r.gap <= 1e-9, `${kind} seed ${seed} k ${k}: ${r.info.message}`);
        assert.ok(relDiff(r.info.objective, ref.info.objective) <= 1e-8, `${kind} seed ${seed} k ${k}: ${r.info.objective} vs ${ref.info.objective}`);
        // Every row active at the (reference) optimum is active in the screened fit.
        const { d, T } = gp;
        let maxRow = 0;
        const rowNorm = (W: Matrix, j: number): number => Math.hypot(...W.data.subarray(j * T, (j + 1) * T));
        for (let j = 0; j < d; j++) maxRow = Math.max(maxRow, rowNorm(ref.W, j));
        for (let j = 0; j < d; j++) if (rowNorm(ref.W, j) > 1e-6 * maxRow) assert.ok(rowNorm(r.W, j) > 0, `${kind} seed ${seed} k ${k}: row ${j} active at the optimum, zero in the screened fit`);
        const m = /strong rule: (\d+) kept/.exec(r.info.message ?? "");
        if (m) screenedOut += d - Number(m[1]);
        W0 = r.W;
        prevLambda = lambda;
      }
      assert.ok(screenedOut > 0, `${kind} seed ${seed}: the strong rule discarded nothing along the path (the test would be vacuous)`);
    }
  }
});

test('gap-safe screening along paths (badly scaled, duplicated, rank-deficient features, ridge, λ near λ_max): every discarded entry is zero at the unscreened optimum; same objective to 1e-8; the gap bounds the suboptimality', () => {
  let total = 0;
  for (const kind of ['lasso', 'l21'] as const) {
    for (const [seed, ridge] of [[41, 0], [42, 0.05]] as const) {
      const problem = hardProblem(seed, true);
      const gp = gramProblem(problem, { ridge });
      const { d, T } = gp;
      const lmax = rowLambdaMax(problem, kind);
      let W0: Matrix | undefined;
      let prevLambda = lmax;
      // λ just below λ_max first (few active rows), then down the path; the warm start carries the
      // previous λ's iterate, so screening at the start is the sequential rule.
      for (const f of [0.999, 0.97, 0.8, 0.5, 0.3, 0.15, 0.05, 0.01]) {
        const lambda = lmax * f;
        const r = bcd(gp, { penalty: kind, lambda, tol: 1e-10, ...(W0 ? { W0, previousLambda: prevLambda } : {}) });
        const ref = bcd(gp, { penalty: kind, lambda, tol: 1e-13, maxIter: 200000, screening: false });
        const where = `${kind} seed ${seed} ridge ${ridge} λ = ${f}·λ_max`;
        assert.ok(r.info.converged && ref.info.converged, `${where}: ${r.info.message} / ${ref.info.message}`);
        assert.ok(relDiff(r.info.objective, ref.info.objective) <= 1e-8, `${where}: ${r.info.objective} vs ${ref.info.objective}`);
        // The reported gap is an upper bound on the suboptimality (the reference is within 1e-13).
        assert.ok((r.info.objective - ref.info.objective) / Math.abs(r.info.objective) <= r.gap + 1e-12, `${where}: gap ${r.gap} below the suboptimality`);
        let maxAbs = 0;
        for (const v of ref.W.data) maxAbs = Math.max(maxAbs, Math.abs(v));
        let n = 0;
        for (let k = 0; k < d * T; k++) {
          if (r.discarded[k] !== 1) continue;
          n++;
          assert.equal(r.W.data[k], 0, `${where}: discarded entry ${k} is not zero in the screened fit`);
          assert.ok(Math.abs(ref.W.data[k]!) <= 1e-9 * Math.max(maxAbs, 1e-300), `${where}: entry (${Math.floor(k / T)}, ${k % T}) discarded but ${ref.W.data[k]} at the unscreened optimum`);
        }
        assert.equal(n, r.screened, `${where}: the mask and the count disagree`);
        total += n;
        W0 = r.W;
        prevLambda = lambda;
      }
    }
  }
  assert.ok(total > 0, 'screening discarded nothing (the test would be vacuous)');
});

test('gap-safe screening from a wrong warm start (every entry non-zero) zeroes what it discards; dual extrapolation on or off reaches the same optimum with a valid gap', () => {
  const problem = hardProblem(43, false);
  const gp = gramProblem(problem);
  const { d, T } = gp;
  const rng = new Random(3);
  for (const kind of ['lasso', 'l21'] as const) {
    const lambda = 0.3 * rowLambdaMax(problem, kind);
    const ref = bcd(gp, { penalty: kind, lambda, tol: 1e-13, maxIter: 200000, screening: false });
    const W0 = new Matrix(d, T, Float64Array.from({ length: d * T }, () => rng.normal()));
    for (const dualExtrapolation of [false, true]) {
      const r = bcd(gp, { penalty: kind, lambda, tol: 1e-10, W0, dualExtrapolation });
      assert.ok(r.info.converged, r.info.message);
      assert.ok(relDiff(r.info.objective, ref.info.objective) <= 1e-8, `${kind} extrapolation ${dualExtrapolation}: ${r.info.objective} vs ${ref.info.objective}`);
      assert.ok((r.info.objective - ref.info.objective) / r.info.objective <= r.gap + 1e-12, `${kind}: gap ${r.gap} below the suboptimality`);
      assert.ok(r.screened > 0, `${kind}: nothing discarded at λ = 0.3 λ_max (${r.info.message})`);
      for (let k = 0; k < d * T; k++) if (r.discarded[k] === 1) assert.equal(ref.W.data[k], 0, `${kind}: entry ${k} discarded, ${ref.W.data[k]} at the optimum`);
    }
  }
});

test('gapSafeScreen: a row is discarded exactly when ‖(s_t G_jt)_t‖ + √(2·gap·max_t a_jt) < λ (L21), entrywise for lasso', () => {
  const T = 2;
  const grad = Float64Array.from([0.3, 0.4, 0.9, 0.0, 0.1, 0.1]);
  const factors = Float64Array.from([1, 1]);
  const a = (j: number) => Float64Array.from(j === 2 ? [100, 1] : [1, 1]);
  // λ = 1, gap = 0.02: radius √(0.04·a_max) = 0.2 (rows 0, 1) or 2 (row 2).
  const mask = new Uint8Array(6);
  assert.equal(gapSafeScreen('l21', 1, 0.02, 1, grad, factors, a, 3, T, mask), 2);
  assert.deepEqual([...mask], [1, 1, 0, 0, 0, 0]); // 0.5 + 0.2 < 1; 0.9 + 0.2 ≥ 1; 0.14 + 2 ≥ 1
  const lm = new Uint8Array(6);
  assert.equal(gapSafeScreen('lasso', 1, 0.02, 1, grad, factors, a, 3, T, lm), 4);
  assert.deepEqual([...lm], [1, 1, 0, 1, 0, 1]); // row 2: 0.1 + √4 ≥ 1 for task 0, 0.1 + 0.2 < 1 for task 1
  // A zero gap discards every entry strictly inside the dual ball; a NaN gap nothing.
  assert.equal(gapSafeScreen('l21', 1, Number.NaN, 1, grad, factors, a, 3, T, new Uint8Array(6)), 0);
});

test('groupSecular from a warm root μ0 (the previous pass) gives the same block solution as from the bracket', () => {
  const rng = new Random(8);
  for (let rep = 0; rep < 20; rep++) {
    const T = 2 + rng.int(10);
    const a = Float64Array.from({ length: T }, () => Math.pow(10, 3 * rng.uniform() - 1));
    const b = Float64Array.from({ length: T }, () => rng.normal() * 5);
    const lambda = 0.4 * Math.hypot(...b);
    const cold = new Float64Array(T);
    const mu = groupSecular(a, b, lambda, cold);
    // Perturb b a little (as between passes) and solve from the old root, and from outside the bracket.
    const b2 = Float64Array.from(b, (v) => v * (1 + 0.01 * rng.normal()));
    const fromCold = new Float64Array(T);
    const fromWarm = new Float64Array(T);
    const fromBad = new Float64Array(T);
    groupSecular(a, b2, lambda, fromCold);
    groupSecular(a, b2, lambda, fromWarm, mu);
    groupSecular(a, b2, lambda, fromBad, -1);
    for (let t = 0; t < T; t++) {
      assert.ok(Math.abs(fromWarm[t]! - fromCold[t]!) <= 1e-12 * (1 + Math.abs(fromCold[t]!)), `rep ${rep}`);
      assert.ok(Math.abs(fromBad[t]! - fromCold[t]!) <= 1e-12 * (1 + Math.abs(fromCold[t]!)), `rep ${rep}`);
    }
  }
});
