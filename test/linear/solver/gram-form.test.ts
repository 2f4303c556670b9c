import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { gramProblem } from '../../../src/linear/solver/gram-form.ts';
import type { TaskProblem } from '../../../src/linear/types.ts';

// The shared design's one Gram matrix (XᵀX − n·x̄x̄ᵀ when the means are small against the spread, the
// Gram of an explicitly centred copy otherwise) against the per-task path, which always centres
// explicitly (unit sample weights make a design "not shared").
test('shared design: the one Gram matrix, X̂ᵀŶ and ŷᵀŷ equal the per-task (explicitly centred) ones, small or large column means, with and without intercepts', () => {
  const rng = new Random(31);
  const n = 80;
  const d = 9;
  const T = 4;
  for (const offset of [0, 0.3, 1e3]) {
    for (const intercept of [true, false]) {
      const X = new Matrix(n, d, rng.normals(n * d));
      // Column offsets (offset·(j + 1)); the last column constant (zero spread) in the large case.
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X.data[i * d + j] = (offset === 1e3 && j === d - 1 ? 0 : X.data[i * d + j]!) + offset * (j + 1);
      const tasks: TaskProblem[] = Array.from({ length: T }, (_, t) => ({ name: `o${t}`, X, y: Float64Array.from(rng.normals(n), (v) => v + 5 * t) }));
      const gp = gramProblem(problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept }));
      const gq = gramProblem(problemFromTasks(tasks.map((t) => ({ ...t, weights: new Float64Array(n).fill(1) })), { loss: 'squared', scale: 'mean', intercept }));
      assert.ok(gp.shared && !gq.shared);
      const scale = (a: ArrayLike<number>): number => Math.max(...Array.from(a, Math.abs));
      const H = gp.H[0]!;
      const Hs = scale(gq.H[0]!);
      for (let k = 0; k < d * d; k++) assert.ok(Math.abs(H[k]! - gq.H[0]![k]!) <= 1e-12 * Hs, `offset ${offset} intercept ${intercept}: H[${k}] ${H[k]} vs ${gq.H[0]![k]}`);
      const hs = scale(gq.h);
      for (let k = 0; k < T * d; k++) assert.ok(Math.abs(gp.h[k]! - gq.h[k]!) <= 1e-11 * hs, `offset ${offset}: h[${k}]`);
      for (let t = 0; t < T; t++) assert.ok(Math.abs(gp.yy[t]! - gq.yy[t]!) <= 1e-12 * gq.yy[t]!, `offset ${offset}: yy[${t}]`);
      const W = new Matrix(d, T, rng.normals(d * T));
      const b = gp.intercepts(W);
      const c = gq.intercepts(W);
      for (let t = 0; t < T; t++) assert.ok(Math.abs(b[t]! - c[t]!) <= 1e-9 * (1 + Math.abs(c[t]!)), `offset ${offset}: intercept ${t}`);
    }
  }
});

test('shared design: rows whose first block looks centred but whose whole columns are not take the centred path (exact check on the Gram diagonal)', () => {
  const rng = new Random(32);
  const n = 10000;
  const d = 3;
  // First 1 024 rows ±2 (the sample the router reads), the rest the constant 1: mean ≈ 0.9, mean
  // square ≈ 1.31 < 2·mean², so XᵀX − n·x̄x̄ᵀ would cancel digits and must not be used.
  const X = new Matrix(n, d, Float64Array.from({ length: n * d }, (_, k) => (k < 1024 * d ? (rng.uniform() < 0.5 ? -2 : 2) : 1 + 1e-3 * rng.normal())));
  const tasks: TaskProblem[] = Array.from({ length: 3 }, (_, t) => ({ name: `o${t}`, X, y: rng.normals(n) }));
  const gp = gramProblem(problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept: true }));
  const gq = gramProblem(problemFromTasks(tasks.map((t) => ({ ...t, weights: new Float64Array(n).fill(1) })), { loss: 'squared', scale: 'mean', intercept: true }));
  const Hs = Math.max(...Array.from(gq.H[0]!, Math.abs));
  for (let k = 0; k < d * d; k++) assert.ok(Math.abs(gp.H[0]![k]! - gq.H[0]![k]!) <= 1e-12 * Hs, `H[${k}] ${gp.H[0]![k]} vs ${gq.H[0]![k]}`);
  const hs = Math.max(...Array.from(gq.h, Math.abs));
  for (let k = 0; k < gq.h.length; k++) assert.ok(Math.abs(gp.h[k]! - gq.h[k]!) <= 1e-11 * hs, `h[${k}]`);
});
