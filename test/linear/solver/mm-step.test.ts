import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { bcd } from '../../../src/linear/solver/bcd.ts';
import { gramProblem, type GramProblem } from '../../../src/linear/solver/gram-form.ts';
import { choleskySolveInPlace, mmStep } from '../../../src/linear/solver/mm-step.ts';
import type { TaskProblem } from '../../../src/linear/types.ts';

/** F(W) of the Gram form (loss + ridge + penalty), computed directly. */
function objective(gp: GramProblem, kind: 'lasso' | 'l21', lambda: number, W: Float64Array): number {
  const { d, T, H, h, c, yy, ridge } = gp;
  let v = 0;
  for (let t = 0; t < T; t++) {
    let q = 0;
    for (let j = 0; j < d; j++) {
      let hw = 0;
      for (let k = 0; k < d; k++) hw += H[t]![j * d + k]! * W[k * T + t]!;
      q += W[j * T + t]! * (0.5 * hw - h[t * d + j]!);
    }
    v += c[t]! * (q + 0.5 * yy[t]!);
  }
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let t = 0; t < T; t++) {
      s += W[j * T + t]! ** 2;
      if (kind === 'lasso') v += lambda * Math.abs(W[j * T + t]!);
    }
    v += ridge * s + (kind === 'l21' ? lambda * Math.sqrt(s) : 0);
  }
  return v;
}

/** Correlated, badly scaled columns (where row-wise coordinate descent is slow). */
function correlated(seed: number, ridge: number): GramProblem {
  const rng = new Random(seed);
  const d = 8;
  const T = 4;
  const tasks: TaskProblem[] = [];
  for (let t = 0; t < T; t++) {
    const n = 20 + 5 * t;
    const base = rng.normals(n);
    const X = new Matrix(n, d, rng.normals(n * d));
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X.data[i * d + j] = (0.9 * base[i]! + 0.3 * X.data[i * d + j]!) * Math.pow(10, (j % 3) - 1);
    const y = Float64Array.from({ length: n }, (_, i) => X.data[i * d]! - 2 * X.data[i * d + 3]! + 0.2 * rng.normal());
    tasks.push({ name: `t${t}`, X, y });
  }
  return { ...gramProblem(problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept: true })), ridge };
}

test('choleskySolveInPlace solves SPD systems and refuses an indefinite one', () => {
  const rng = new Random(3);
  for (const n of [1, 2, 5, 9]) {
    const B = rng.normals(n * n);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += B[i * n + k]! * B[j * n + k]!;
      A[i * n + j] = s;
    }
    const x = rng.normals(n);
    const b = Float64Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[i * n + k]! * x[k]!;
      return s;
    });
    assert.ok(choleskySolveInPlace(A.slice(), n, b));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(b[i]! - x[i]!) < 1e-8 * (1 + Math.abs(x[i]!)), `n = ${n}`);
  }
  assert.equal(choleskySolveInPlace(Float64Array.from([1, 2, 2, 1]), 2, new Float64Array(2)), false);
});

test('mmStep never increases F, keeps zero rows / entries zero, and is a fixed point at the optimum', () => {
  for (const kind of ['lasso', 'l21'] as const) {
    for (const [seed, ridge] of [[1, 0], [2, 0.05]] as const) {
      const gp = correlated(seed, ridge);
      const { d, T } = gp;
      const rng = new Random(seed + 10);
      const lambda = kind === 'l21' ? 0.3 : 0.15;
      // Random W with some zero rows and (lasso) zero entries.
      const W = Float64Array.from({ length: d * T }, (_, k) => (Math.floor(k / T) % 3 === 2 || (kind === 'lasso' && k % 5 === 0) ? 0 : rng.normal()));
      let F = objective(gp, kind, lambda, W);
      for (let it = 0; it < 20; it++) {
        const before = W.slice();
        assert.ok(mmStep(gp, kind, lambda, W));
        const Fn = objective(gp, kind, lambda, W);
        assert.ok(Fn <= F * (1 + 1e-12), `${kind} seed ${seed}: F rose from ${F} to ${Fn} at step ${it}`);
        for (let k = 0; k < d * T; k++) if (before[k] === 0 && (kind === 'lasso' || Math.floor(k / T) % 3 === 2)) assert.equal(W[k], 0);
        F = Fn;
      }
      // At the certified optimum the step moves W by (almost) nothing and F stays put.
      const opt = bcd(gp, { penalty: kind, lambda, tol: 1e-13, maxIter: 200000 });
      const Fopt = opt.info.objective;
      assert.ok(F >= Fopt * (1 - 1e-12), 'MM never goes below the optimum');
      const Wo = Float64Array.from(opt.W.data);
      mmStep(gp, kind, lambda, Wo);
      const Fm = objective(gp, kind, lambda, Wo);
      assert.ok(Math.abs(Fm - Fopt) <= 1e-9 * Fopt, `${kind}: F after an MM step at the optimum ${Fm} vs ${Fopt}`);
    }
  }
});

test('bcd with and without MM steps reaches the same certified optimum', () => {
  for (const kind of ['lasso', 'l21'] as const) {
    const gp = correlated(7, 0.01);
    const lambda = kind === 'l21' ? 0.2 : 0.1;
    const on = bcd(gp, { penalty: kind, lambda, tol: 1e-10 });
    const off = bcd(gp, { penalty: kind, lambda, tol: 1e-10, mm: false });
    assert.ok(on.info.converged && off.info.converged);
    assert.ok(on.gap <= 1e-10, `gap ${on.gap}`);
    assert.match(on.info.message ?? "", /MM \d+\/\d+ accepted/);
    assert.ok(Math.abs(on.info.objective - off.info.objective) <= 1e-9 * off.info.objective, `${on.info.objective} vs ${off.info.objective}`);
  }
});
