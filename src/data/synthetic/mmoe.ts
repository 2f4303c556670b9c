// The correlation-controlled non-linear task pair of the MMoE paper: Ma, Zhao, Yi, Chen, Hong & Chi,
// "Modeling Task Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018,
// section 4.1 (synthetic data generation, steps 1–5):
//   1. orthonormal u_1, u_2 ∈ R^d;
//   2. w_1 = c·u_1,  w_2 = c·(p·u_1 + √(1 − p²)·u_2), so cos(w_1, w_2) = p (the "task correlation");
//   3. x ~ N(0, I_d);
//   4. y_i = w_iᵀx + Σ_{j=1..m} sin(α_j w_iᵀx + β_j) + ε_i,  ε_i ~ N(0, noise²), i = 1, 2;
//   5. repeat for n points.
// The paper labels the same x for both tasks, so the data set is multi-output (shared X, two target
// columns, nothing missing). The paper does not list α_j, β_j; here they are drawn from N(0, 1) unless
// given. Its noise is "N(0, 0.01)"; we read 0.01 as the standard deviation (the default, settable).
// Because of the sine terms the Pearson correlation of the labels is not p; p is the cosine of the
// linear parts, which is what the truth records (W holds w_1, w_2).
import { OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { dot, norm2 } from '../../linalg/ops.ts';
import { gaussianMatrix, inRange, nonNegative, positiveInt } from './common.ts';
import { buildMultiOutput } from './multioutput.ts';
import type { SyntheticProblem, SyntheticTruth } from './types.ts';

export interface MmoeOptions {
  /** Input dimension d ≥ 2 (default 100, as in the paper's experiments). */
  d?: number;
  /** Number of shared samples (default 1000). */
  n?: number;
  /** Cosine p ∈ [−1, 1] between w_1 and w_2 (default 0.5). */
  p?: number;
  /** Scale c of the weights (default 1). */
  c?: number;
  /** Number m of sine terms (default 10); ignored when alphas/betas are given. */
  m?: number;
  alphas?: readonly number[];
  betas?: readonly number[];
  /** Label noise standard deviation (default 0.01). */
  noise?: number;
  taskNames?: readonly [string, string];
  seed?: number;
}

export interface MmoeTruth extends SyntheticTruth {
  readonly p: number;
  readonly alphas: Float64Array;
  readonly betas: Float64Array;
}

/** Two orthonormal vectors: Gram–Schmidt on two Gaussian draws (applied twice for full precision). */
export function orthonormalPair(rng: Random, d: number): [Float64Array, Float64Array] {
  const u1 = rng.normals(d);
  const n1 = norm2(u1);
  u1.forEach((v, i) => (u1[i] = v / n1));
  const u2 = rng.normals(d);
  for (let pass = 0; pass < 2; pass++) {
    const c = dot(u1, u2);
    u2.forEach((v, i) => (u2[i] = v - c * u1[i]!));
  }
  const n2 = norm2(u2);
  u2.forEach((v, i) => (u2[i] = v / n2));
  return [u1, u2];
}

/** The non-linear label function f(z) = z + Σ_j sin(α_j z + β_j) of step 4, at z = wᵀx. */
export function mmoeLink(z: number, alphas: ArrayLike<number>, betas: ArrayLike<number>): number {
  let s = z;
  for (let j = 0; j < alphas.length; j++) s += Math.sin(alphas[j]! * z + betas[j]!);
  return s;
}

export function makeMmoeTasks(opts: MmoeOptions = {}): SyntheticProblem<MmoeTruth> {
  const d = positiveInt('d', opts.d, 100);
  if (d < 2) throw new OptionError('d', `needs at least 2 dimensions for two orthogonal directions, got ${d}`);
  const n = positiveInt('n', opts.n, 1000);
  const p = inRange('p', opts.p, 0.5, -1, 1);
  const c = nonNegative('c', opts.c, 1);
  if (c === 0) throw new OptionError('c', 'must be positive');
  const noise = nonNegative('noise', opts.noise, 0.01);
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new OptionError('seed', `must be an integer, got ${seed}`);
  const names = opts.taskNames ? [...opts.taskNames] : ['t1', 't2'];
  if (names.length !== 2 || names[0] === names[1]) throw new OptionError('taskNames', 'needs two distinct names');
  const rng = new Random(seed);

  let alphas: Float64Array;
  let betas: Float64Array;
  if (opts.alphas || opts.betas) {
    if (!opts.alphas || !opts.betas || opts.alphas.length !== opts.betas.length) throw new OptionError('alphas', 'alphas and betas must be given together, with the same length');
    alphas = Float64Array.from(opts.alphas);
    betas = Float64Array.from(opts.betas);
    if (![...alphas, ...betas].every(Number.isFinite)) throw new OptionError('alphas', 'alphas and betas must be finite');
  } else {
    const m = positiveInt('m', opts.m, 10);
    alphas = rng.normals(m);
    betas = rng.normals(m);
  }

  const [u1, u2] = orthonormalPair(rng, d);
  const q = Math.sqrt(1 - p * p);
  const w1 = u1.map((v) => c * v);
  const w2 = u1.map((v, i) => c * (p * v + q * u2[i]!));
  const W = Matrix.zeros(d, 2);
  for (let j = 0; j < d; j++) {
    W.data[2 * j] = w1[j]!;
    W.data[2 * j + 1] = w2[j]!;
  }

  const X = gaussianMatrix(rng, n, d);
  const Y = Matrix.zeros(n, 2);
  for (let i = 0; i < n; i++) {
    const x = X.row(i);
    Y.data[2 * i] = mmoeLink(dot(x, w1), alphas, betas) + (noise > 0 ? rng.normal(0, noise) : 0);
    Y.data[2 * i + 1] = mmoeLink(dot(x, w2), alphas, betas) + (noise > 0 ? rng.normal(0, noise) : 0);
  }
  const description = `synthetic:mmoe(d=${d}, n=${n}, p=${p}, c=${c}, m=${alphas.length}, noise=${noise}, seed=${seed}): y_i = w_iᵀx + Σ_j sin(α_j w_iᵀx + β_j) + ε`;
  return {
    dataset: buildMultiOutput(X, Y, names, 'regression', description),
    truth: { W, intercepts: new Float64Array(2), rank: p === 1 || p === -1 ? 1 : 2, p, alphas, betas, description },
  };
}
