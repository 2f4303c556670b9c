// Shared generators for the balancing tests: Jacobians G (T × P) from a seed, random or degenerate
// (collinear, opposite, duplicated, zero rows, more tasks than dimensions), and fast-check
// arbitraries over them. Matrices are built from Random(seed) so that a failing case is replayable.
import fc from 'fast-check';
import { Matrix } from '../../src/linalg/matrix.ts';
import { Random } from '../../src/linalg/random.ts';
import { gramianOf } from '../../src/balance/core.ts';

// Property tests are reproducible: one fixed fast-check seed for every run (override with FC_SEED to
// explore other cases; a failure prints the seed and path to replay).
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261130) });

export type Kind = 'random' | 'collinear' | 'opposite' | 'duplicate' | 'zero-row' | 'wide' | 'scaled';
export const KINDS: readonly Kind[] = ['random', 'collinear', 'opposite', 'duplicate', 'zero-row', 'wide', 'scaled'];

export function jacobian(kind: Kind, T: number, P: number, seed: number): Matrix {
  const r = new Random(seed);
  const G = new Matrix(T, P, r.normals(T * P));
  switch (kind) {
    case 'random':
      break;
    case 'collinear': {
      // Every row a multiple (either sign) of one vector.
      const v = r.normals(P);
      for (let t = 0; t < T; t++) {
        const a = r.normal();
        for (let j = 0; j < P; j++) G.data[t * P + j] = a * v[j]!;
      }
      break;
    }
    case 'opposite': {
      // Pairs g and −g: zero is in the convex hull.
      for (let t = 1; t < T; t += 2) for (let j = 0; j < P; j++) G.data[t * P + j] = -G.data[(t - 1) * P + j]!;
      break;
    }
    case 'duplicate':
      for (let t = 1; t < T; t++) if (t % 2 === 1) G.data.copyWithin(t * P, (t - 1) * P, t * P);
      break;
    case 'zero-row':
      G.data.fill(0, 0, P);
      break;
    case 'wide':
      // The caller passes P < T: rank-deficient Gramian.
      break;
    case 'scaled':
      // Norms over 8 orders of magnitude.
      for (let t = 0; t < T; t++) {
        const s = 10 ** (8 * (t / Math.max(T - 1, 1)) - 4);
        for (let j = 0; j < P; j++) G.data[t * P + j]! *= s;
      }
      break;
  }
  return G;
}

export interface Case {
  readonly kind: Kind;
  readonly T: number;
  readonly P: number;
  readonly seed: number;
  readonly G: Matrix;
  readonly K: Matrix;
}

export function makeCase(kind: Kind, T: number, P: number, seed: number): Case {
  const PP = kind === 'wide' ? Math.max(1, Math.min(P, T - 1)) : P;
  const G = jacobian(kind, T, PP, seed);
  return { kind, T, P: PP, seed, G, K: gramianOf(G) };
}

/** Random and degenerate cases with 1 ≤ T ≤ maxT tasks in up to maxP dimensions. */
export function arbCase(opts: { maxT?: number; maxP?: number; kinds?: readonly Kind[] } = {}): fc.Arbitrary<Case> {
  const { maxT = 12, maxP = 40, kinds = KINDS } = opts;
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      T: fc.integer({ min: 1, max: maxT }),
      P: fc.integer({ min: 1, max: maxP }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ kind, T, P, seed }) => makeCase(kind, T, P, seed));
}

/** A well-posed case: linearly independent gradients (P ≥ T, Gaussian rows). */
export function arbIndependent(maxT = 10, extraP = 30): fc.Arbitrary<Case> {
  return fc
    .record({ T: fc.integer({ min: 1, max: maxT }), extra: fc.integer({ min: 0, max: extraP }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) })
    .map(({ T, extra, seed }) => makeCase('random', T, T + extra, seed));
}

export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

export function maxDiagOf(K: Matrix): number {
  let m = 0;
  for (let i = 0; i < K.rows; i++) m = Math.max(m, K.data[i * K.rows + i]!);
  return m;
}

/** K w. */
export function kv(K: Matrix, w: ArrayLike<number>): Float64Array {
  const T = K.rows;
  const out = new Float64Array(T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) out[i]! += K.data[i * T + j]! * w[j]!;
  return out;
}

/** Central finite difference of f at x along each coordinate. */
export function fdGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[i]! += h;
    xm[i]! -= h;
    g[i] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
}
