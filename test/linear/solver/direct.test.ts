import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { cholesky, choleskySolve } from '../../../src/linalg/decomp/cholesky.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { chainPenalty, graphPenalty, meanPenalty } from '../../../src/linear/penalty/laplacian.ts';
import { ridgePenalty, taskRidgePenalty } from '../../../src/linear/penalty/ridge.ts';
import { l21Penalty } from '../../../src/linear/penalty/l21.ts';
import { solveDirect, spdInverseFromFactor, totalSparseTaskMatrix, totalTaskMatrix } from '../../../src/linear/solver/direct.ts';
import { solveLinear } from '../../../src/linear/solver/composite.ts';
import { taskScale } from '../../../src/linear/problem.ts';
import { relDiff, relErr, synthProblem } from '../helpers.ts';

test('direct: ridge per task equals the normal-equation solution on explicitly centred data', () => {
  const { problem } = synthProblem({ T: 3, d: 4, n: [6, 20, 9], scale: 'mean', weights: true, seed: 41 });
  const lam = [0.3, 0.01, 1];
  const sol = solveDirect(problem, [taskRidgePenalty(lam)], { tol: 1e-10, maxIter: 100 });
  assert.ok(sol.info.converged);
  assert.ok(sol.info.iterations <= 2, `block-diagonal system should need one PCG step, took ${sol.info.iterations}`);
  problem.tasks.forEach((task, t) => {
    // Normal equations with an intercept column: minimise c Σ s ½(y − Xw − b)² + λ‖w‖².
    const d = 4;
    const c = taskScale(problem, t);
    const A = Matrix.zeros(d + 1, d + 1);
    const rhs = Matrix.zeros(d + 1, 1);
    for (let i = 0; i < task.y.length; i++) {
      const s = task.weights![i]!;
      const x = [...task.X.row(i), 1];
      for (let a = 0; a <= d; a++) {
        rhs.data[a]! += c * s * x[a]! * task.y[i]!;
        for (let b = 0; b <= d; b++) A.data[a * (d + 1) + b]! += c * s * x[a]! * x[b]!;
      }
    }
    for (let a = 0; a < d; a++) A.data[a * (d + 1) + a]! += 2 * lam[t]!;
    const z = choleskySolve(cholesky(A), rhs).data;
    const w = Array.from({ length: d }, (_, j) => sol.W.get(j, t));
    assert.ok(relErr(w, z.subarray(0, d)) < 1e-9);
    assert.ok(Math.abs(sol.intercepts[t]! - z[d]!) < 1e-9 * Math.max(1, Math.abs(z[d]!)));
  });
});

for (const [name, pen] of [
  ['chain', chainPenalty(0.5, 5)],
  ['graph', graphPenalty(0.8, [{ s: 0, t: 3, weight: 2 }, { s: 1, t: 2, weight: 1 }, { s: 4, t: 2, weight: 0.3 }], 5)],
  ['mean', meanPenalty(2)],
] as const) {
  test(`direct (${name} + ridge) agrees with FISTA and has a vanishing gradient`, () => {
    const { problem } = synthProblem({ T: 5, d: 6, n: [4, 30, 12, 8, 20], seed: 42 });
    const pens = [pen, ridgePenalty(0.01)];
    const a = solveDirect(problem, pens, { tol: 1e-10, maxIter: 1000 });
    const b = solveLinear(problem, { smooth: pens }, { tol: 1e-10, maxIter: 20000 });
    assert.ok(a.info.converged && b.info.converged);
    assert.ok(relDiff(a.info.objective, b.info.objective) < 1e-10);
    // Gradient of the full objective at the direct solution, relative to the gradient at zero.
    const loss = createLoss(problem);
    const g = loss.evaluate(a.W).G;
    for (const p of pens) p.gradient!(a.W, g);
    const g0 = loss.evaluate(Matrix.zeros(6, 5)).G;
    const n = (m: Matrix): number => Math.sqrt(m.data.reduce((s, v) => s + v * v, 0));
    assert.ok(n(g) / n(g0) <= 1e-10, `relative gradient ${n(g) / n(g0)}`);
  });
}

test('direct refuses non-quadratic penalties and the logistic loss with a clear error', () => {
  const { problem } = synthProblem({ T: 2, d: 3, n: 10, seed: 43 });
  assert.throws(() => solveDirect(problem, [l21Penalty(1)], { tol: 1e-8, maxIter: 10 }), /quadratic penalties/);
  const { problem: lp } = synthProblem({ T: 2, d: 3, n: 10, loss: 'logistic', seed: 44 });
  assert.throws(() => solveDirect(lp, [ridgePenalty(1)], { tol: 1e-8, maxIter: 10 }), /squared loss/);
});

test('direct: a chain (tridiagonal coupling) is solved exactly by the block-LU preconditioner in one PCG step', () => {
  const { problem } = synthProblem({ T: 7, d: 4, n: [3, 10, 2, 8, 5, 6, 9], seed: 45 });
  const sol = solveDirect(problem, [chainPenalty(3, 7)], { tol: 1e-10, maxIter: 100 });
  assert.ok(sol.info.converged);
  assert.ok(sol.info.iterations <= 2, `${sol.info.iterations} PCG steps`);
});

test('direct: a warm start x0 reaches the same solution; started at the solution it takes no step', () => {
  const { problem } = synthProblem({ T: 6, d: 5, n: 30, seed: 47 });
  const pens = [graphPenalty(0.7, [{ s: 0, t: 3, weight: 1 }, { s: 1, t: 5, weight: 2 }, { s: 2, t: 4, weight: 1 }], 6), ridgePenalty(0.01)];
  const cold = solveDirect(problem, pens, { tol: 1e-10, maxIter: 1000 });
  const start = new Matrix(5, 6, Float64Array.from({ length: 30 }, (_, k) => Math.sin(k)));
  const warm = solveDirect(problem, pens, { tol: 1e-10, maxIter: 1000, x0: start });
  assert.ok(cold.info.converged && warm.info.converged);
  assert.ok(relErr(warm.W.data, cold.W.data) < 1e-8);
  const again = solveDirect(problem, pens, { tol: 1e-6, maxIter: 1000, x0: cold.W });
  assert.equal(again.info.iterations, 0);
  assert.ok(relDiff(again.info.objective, cold.info.objective) < 1e-12);
});

test('direct: mean coupling (diagonal + constant) is inverted exactly by Woodbury: one PCG step, same W as the dense task matrix', () => {
  // n_t < d for some tasks and no ridge: the per-task blocks rely on λ alone; singular H_t.
  const { problem } = synthProblem({ T: 9, d: 6, n: [3, 20, 4, 12, 5, 30, 8, 2, 15], seed: 48 });
  const mean = meanPenalty(1.5);
  const structured = solveDirect(problem, [mean, ridgePenalty(0.02)], { tol: 1e-10, maxIter: 1000 });
  // The same penalties without taskStructure: the dense M and block Jacobi path.
  const dense = [mean, ridgePenalty(0.02)].map(({ taskStructure: _s, ...p }) => p);
  const ref = solveDirect(problem, dense, { tol: 1e-10, maxIter: 1000 });
  assert.ok(structured.info.converged && ref.info.converged);
  assert.ok(structured.info.iterations <= 2, `${structured.info.iterations} PCG steps`);
  assert.ok(ref.info.iterations > structured.info.iterations, `dense path ${ref.info.iterations} steps`);
  assert.ok(relErr(structured.W.data, ref.W.data) < 1e-8, `W differ by ${relErr(structured.W.data, ref.W.data)}`);
  assert.ok(relDiff(structured.info.objective, ref.info.objective) < 1e-12);
});

test('direct: graph Laplacians and ridges stay sparse (no T × T matrix); same M, same iterations and W as the dense path to 1e-10', () => {
  const { problem } = synthProblem({ T: 12, d: 5, n: [3, 20, 4, 12, 5, 30, 8, 2, 15, 6, 9, 11], seed: 52 });
  const T = 12;
  const edges = [{ s: 0, t: 5, weight: 0.5 }, { s: 2, t: 3, weight: 2 }, { s: 3, t: 11, weight: 1 }, { s: 2, t: 3, weight: 0.25 }, { s: 7, t: 1, weight: 1.5 }];
  const cases = [
    { label: 'chain + ridge (block Thomas)', pens: [chainPenalty(0.8, T), ridgePenalty(0.05)] },
    { label: 'graph + task ridge (block Jacobi PCG)', pens: [graphPenalty(1.3, edges, T), taskRidgePenalty(Array.from({ length: T }, (_, t) => 0.01 * (t + 1)))] },
  ];
  for (const { label, pens } of cases) {
    // The sparse form densified is exactly the dense task matrix.
    const S = totalSparseTaskMatrix(pens, T)!;
    const Md = totalTaskMatrix(pens, T);
    const fromSparse = Matrix.diag(S.diag);
    for (let k = 0; k < S.value.length; k++) fromSparse.data[S.row[k]! * T + S.col[k]!]! += S.value[k]!;
    assert.ok(relErr(fromSparse.data, Md.data) < 1e-15, `${label}: sparse M ≠ dense M`);
    const sparse = solveDirect(problem, pens, { tol: 1e-10, maxIter: 1000 });
    const dense = solveDirect(problem, pens.map(({ sparseTaskMatrix: _s, ...p }) => p), { tol: 1e-10, maxIter: 1000 });
    assert.ok(sparse.info.converged && dense.info.converged, label);
    assert.equal(sparse.info.iterations, dense.info.iterations, label);
    assert.ok(relErr(sparse.W.data, dense.W.data) < 1e-10, `${label}: W differ by ${relErr(sparse.W.data, dense.W.data)}`);
    assert.ok(relDiff(sparse.info.objective, dense.info.objective) < 1e-12, label);
  }
});

test('spdInverseFromFactor: (LLᵀ)⁻¹ from the factor equals the Cholesky solve against I, exactly symmetric', () => {
  const { problem } = synthProblem({ T: 1, d: 7, n: [30], seed: 61 });
  const X = problem.tasks[0]!.X;
  const A = Matrix.zeros(7, 7);
  for (let i = 0; i < X.rows; i++) for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) A.data[a * 7 + b]! += X.data[i * 7 + a]! * X.data[i * 7 + b]!;
  for (let a = 0; a < 7; a++) A.data[a * 7 + a]! += 0.1;
  const L = cholesky(A);
  const inv = spdInverseFromFactor(L);
  const ref = choleskySolve(L, Matrix.identity(7));
  assert.ok(relErr(inv.data, ref.data) < 1e-13, `${relErr(inv.data, ref.data)}`);
  for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) assert.equal(inv.data[a * 7 + b], inv.data[b * 7 + a]);
  // A·A⁻¹ = I.
  for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) {
    let s = 0;
    for (let k = 0; k < 7; k++) s += A.data[a * 7 + k]! * inv.data[k * 7 + b]!;
    assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-10);
  }
});
