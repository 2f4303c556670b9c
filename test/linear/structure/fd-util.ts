// Finite-difference helpers shared by the structure and model tests (central differences).
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';

export function randomMatrix(rng: Random, rows: number, cols: number, sd = 1): Matrix {
  return new Matrix(rows, cols, rng.normals(rows * cols, 0, sd));
}

/** Directional derivative of f at X along E by central differences. */
export function directional(f: (X: Matrix) => number, X: Matrix, E: Matrix, h = 1e-6): number {
  const plus = X.clone();
  const minus = X.clone();
  for (let i = 0; i < X.data.length; i++) {
    plus.data[i]! += h * E.data[i]!;
    minus.data[i]! -= h * E.data[i]!;
  }
  return (f(plus) - f(minus)) / (2 * h);
}

export function inner(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i]! * b.data[i]!;
  return s;
}

/** max over a few random directions of |⟨G, E⟩ − FD| / max(1, |FD|). */
export function gradientError(f: (X: Matrix) => number, G: Matrix, X: Matrix, rng: Random, directions = 5, h = 1e-6): number {
  let worst = 0;
  for (let r = 0; r < directions; r++) {
    const E = randomMatrix(rng, X.rows, X.cols);
    const fd = directional(f, X, E, h);
    worst = Math.max(worst, Math.abs(inner(G, E) - fd) / Math.max(1, Math.abs(fd)));
  }
  return worst;
}

/** A random orthogonal n × n matrix (QR of a Gaussian matrix by Gram–Schmidt). */
export function randomOrthogonal(rng: Random, n: number): Matrix {
  const Q = randomMatrix(rng, n, n);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let ip = 0;
      for (let i = 0; i < n; i++) ip += Q.data[i * n + j]! * Q.data[i * n + p]!;
      for (let i = 0; i < n; i++) Q.data[i * n + j]! -= ip * Q.data[i * n + p]!;
    }
    let nn = 0;
    for (let i = 0; i < n; i++) nn += Q.data[i * n + j]! ** 2;
    nn = Math.sqrt(nn);
    for (let i = 0; i < n; i++) Q.data[i * n + j]! /= nn;
  }
  return Q;
}

/** Q diag(g) Qᵀ. */
export function withEigenvalues(Q: Matrix, g: ArrayLike<number>): Matrix {
  const n = Q.rows;
  const out = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let q = 0; q < n; q++) s += Q.data[i * n + q]! * g[q]! * Q.data[j * n + q]!;
    out.data[i * n + j] = s;
  }
  return out;
}
