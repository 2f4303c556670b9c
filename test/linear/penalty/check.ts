// Shared checks for penalty tests: the prox of a norm-type penalty Ω = λ‖·‖ satisfies the Moreau
// decomposition v = prox_{sΩ}(v) + s·prox_{Ω*/s}(v/s), where Ω* is the indicator of the dual-norm
// ball of radius λ, so v − prox_{sΩ}(v) must be the projection of v onto the dual ball of radius sλ.
// Equivalently (Fenchel): u = (v − z)/s has dual norm ≤ λ and ⟨u, z⟩ = Ω(z).
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import type { Penalty } from '../../../src/linear/penalty/types.ts';
import { Random } from '../../../src/linalg/random.ts';

/** Checks prox optimality by the Fenchel equality and by comparing against random perturbations. */
export function checkNormProx(p: Penalty, dualNorm: (U: Matrix) => number, lambda: number, seed: number): void {
  const rng = new Random(seed);
  for (let trial = 0; trial < 6; trial++) {
    const V = new Matrix(5, 4, rng.normals(20, 0, 1 + trial));
    const s = 0.2 + 0.3 * trial;
    const Z = p.prox!(V, s);
    const U = new Matrix(5, 4, V.data.map((v, i) => (v - Z.data[i]!) / s));
    assert.ok(dualNorm(U) <= lambda * (1 + 1e-10), `dual norm ${dualNorm(U)} > λ = ${lambda}`);
    let uz = 0;
    for (let i = 0; i < U.data.length; i++) uz += U.data[i]! * Z.data[i]!;
    assert.ok(Math.abs(uz - p.value(Z)) <= 1e-9 * Math.max(1, p.value(Z)), `Fenchel equality: ⟨u, z⟩ = ${uz}, Ω(z) = ${p.value(Z)}`);
    // z minimises ½‖z − v‖² + sΩ(z): no random perturbation does better.
    const obj = (X: Matrix): number => {
      let q = 0;
      for (let i = 0; i < X.data.length; i++) q += (X.data[i]! - V.data[i]!) ** 2;
      return 0.5 * q + s * p.value(X);
    };
    const best = obj(Z);
    for (let k = 0; k < 20; k++) {
      const P = new Matrix(5, 4, Z.data.map((z) => z + 1e-3 * rng.normal()));
      assert.ok(obj(P) >= best - 1e-12);
    }
  }
}

/** Gradient of a smooth penalty against central differences. */
export function checkGradient(p: Penalty, W: Matrix): void {
  const G = Matrix.zeros(W.rows, W.cols);
  p.gradient!(W, G);
  for (let i = 0; i < W.data.length; i++) {
    const old = W.data[i]!;
    const h = 1e-6;
    W.data[i] = old + h;
    const fp = p.value(W);
    W.data[i] = old - h;
    const fm = p.value(W);
    W.data[i] = old;
    const fd = (fp - fm) / (2 * h);
    assert.ok(Math.abs(fd - G.data[i]!) <= 1e-6 * Math.max(1, Math.abs(fd)), `entry ${i}: gradient ${G.data[i]}, finite difference ${fd}`);
  }
}

/** Ω(W) = tr(W M Wᵀ) for the penalty's task matrix, and ∇Ω = 2WM. */
export function checkTaskMatrix(p: Penalty, W: Matrix): void {
  const T = W.cols;
  const M = p.taskMatrix!(T);
  let v = 0;
  for (let j = 0; j < W.rows; j++) for (let s = 0; s < T; s++) for (let t = 0; t < T; t++) v += W.data[j * T + s]! * M.data[s * T + t]! * W.data[j * T + t]!;
  assert.ok(Math.abs(v - p.value(W)) <= 1e-10 * Math.max(1, Math.abs(v)));
}

/** Upper bound check: ⟨∇Ω(X) − ∇Ω(Y), X − Y⟩ ≤ L‖X − Y‖² on random pairs. */
export function checkLipschitz(p: Penalty, rows: number, cols: number, seed: number): void {
  const rng = new Random(seed);
  for (let k = 0; k < 5; k++) {
    const X = new Matrix(rows, cols, rng.normals(rows * cols));
    const Y = new Matrix(rows, cols, rng.normals(rows * cols));
    const GX = Matrix.zeros(rows, cols);
    const GY = Matrix.zeros(rows, cols);
    p.gradient!(X, GX);
    p.gradient!(Y, GY);
    let gd = 0;
    let nn = 0;
    let g2 = 0;
    for (let i = 0; i < X.data.length; i++) {
      const d = X.data[i]! - Y.data[i]!;
      gd += (GX.data[i]! - GY.data[i]!) * d;
      nn += d * d;
      g2 += (GX.data[i]! - GY.data[i]!) ** 2;
    }
    assert.ok(Math.sqrt(g2) <= p.lipschitz! * Math.sqrt(nn) * (1 + 1e-10), `‖Δ∇‖ = ${Math.sqrt(g2)} > L‖Δ‖ = ${p.lipschitz! * Math.sqrt(nn)}`);
    assert.ok(gd >= -1e-10, 'gradient of a convex penalty is monotone');
  }
}
