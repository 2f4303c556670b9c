// Shared plumbing of the balancing methods: input checks, the Gramian, the direction wᵀG, seeded
// per-call randomness, a small Adam for methods with their own learnable parameters, and dense
// Cholesky helpers for the T × T solvers (hand-written: T ≤ a few hundred, called every step, and the
// solvers need incremental factor updates that a general library does not offer).
import { DataError, NumericError, OptionError, ShapeError, UnsupportedError } from '../errors.ts';
import { Matrix, type FloatArray } from '../linalg/matrix.ts';
import { gemv, matmul } from '../linalg/ops.ts';
import { Random } from '../linalg/random.ts';
import { eigh, fromEigen } from '../linalg/decomp/eigh.ts';
import { nativeDecomp } from '../linalg/backend.ts';
import type { Aggregator, AggregatorInput, AggregatorOutput, GradMode, Weighting, WeightingInput } from './types.ts';

export function assertMode(what: 'aggregator' | 'weighting', m: Pick<Aggregator | Weighting, 'name' | 'modes' | 'modeNote'>, mode: GradMode): void {
  if (!m.modes.includes(mode)) {
    throw new UnsupportedError(
      `${what} ${m.name} does not support --grad-mode ${mode} (it supports: ${m.modes.join(', ')})${m.modeNote ? `: ${m.modeNote}` : ''}`,
    );
  }
}

function checkFinite(name: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) throw new NumericError(`${name}: entry ${i} is ${x[i]} (NaN or infinite)`);
}

/** K = G Gᵀ in float64 (symmetrised), from a float64 or float32 Jacobian. */
export function gramianOf(G: Matrix<FloatArray>): Matrix {
  let K: Matrix;
  if (G.data instanceof Float32Array) {
    K = matmul(G as Matrix<Float32Array>, G as Matrix<Float32Array>, { transB: true }).toFloat64();
  } else {
    K = matmul(G as Matrix, G as Matrix, { transB: true });
  }
  const T = K.rows;
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (K.data[i * T + j]! + K.data[j * T + i]!);
      K.data[i * T + j] = v;
      K.data[j * T + i] = v;
    }
  }
  return K;
}

/** The Gramian of an aggregator input (given, or computed from the Jacobian), checked. */
export function inputGramian(method: string, input: AggregatorInput): Matrix {
  let K = input.gramian;
  if (!K) {
    if (!input.jacobian) throw new ShapeError(`${method}: needs the Jacobian or the Gramian of the task gradients`);
    checkFinite(`${method}: Jacobian`, input.jacobian.data);
    K = gramianOf(input.jacobian);
  } else {
    if (K.rows !== K.cols) throw new ShapeError(`${method}: Gramian must be square, got ${K.rows}×${K.cols}`);
    if (input.jacobian && input.jacobian.rows !== K.rows) throw new ShapeError(`${method}: Jacobian has ${input.jacobian.rows} rows, Gramian is ${K.rows}×${K.cols}`);
    checkFinite(`${method}: Gramian`, K.data);
  }
  if (K.rows === 0) throw new ShapeError(`${method}: no tasks (0 × 0 Gramian)`);
  if (input.losses && input.losses.length !== K.rows) throw new ShapeError(`${method}: ${input.losses.length} losses for ${K.rows} tasks`);
  return K;
}

export function inputJacobian(method: string, input: AggregatorInput): Matrix<FloatArray> {
  const G = input.jacobian;
  if (!G) throw new ShapeError(`${method}: needs the Jacobian (T × P task gradients), not only the Gramian`);
  if (G.rows === 0) throw new ShapeError(`${method}: no tasks (Jacobian with 0 rows)`);
  checkFinite(`${method}: Jacobian`, G.data);
  if (input.losses && input.losses.length !== G.rows) throw new ShapeError(`${method}: ${input.losses.length} losses for ${G.rows} tasks`);
  return G;
}

export function inputLosses(method: string, losses: Float64Array | undefined, T: number, positive = false): Float64Array {
  if (!losses) throw new ShapeError(`${method}: needs the per-task losses`);
  if (losses.length !== T) throw new ShapeError(`${method}: ${losses.length} losses for ${T} tasks`);
  for (let t = 0; t < T; t++) {
    const l = losses[t]!;
    if (!Number.isFinite(l)) throw new NumericError(`${method}: loss of task ${t} is ${l}`);
    if (positive && !(l > 0)) throw new DataError(`${method}: loss of task ${t} is ${l}; this method takes logarithms of the losses and needs them > 0`);
  }
  return losses;
}

/** The aggregated direction: wᵀG for weights, the direction itself otherwise. */
export function directionOf(out: AggregatorOutput<unknown>, G: Matrix<FloatArray>): Float64Array {
  if (out.kind === 'direction') return out.direction;
  if (out.weights.length !== G.rows) throw new ShapeError(`directionOf: ${out.weights.length} weights for ${G.rows} task gradients`);
  if (G.data instanceof Float32Array) return Float64Array.from(gemv(G as Matrix<Float32Array>, Float32Array.from(out.weights), { trans: true }));
  return gemv(G as Matrix, out.weights, { trans: true });
}

/**
 * A generator for call number `k` of a method seeded with `seed`: state stays two integers (pure
 * functions, reproducible), and each call draws from its own stream.
 */
export function stepRandom(seed: number, k: number): Random {
  return new Random((seed >>> 0) * 1000003 + k);
}

/** K v for symmetric K (n × n row-major) into `out`. */
export function symv(K: Float64Array, n: number, v: ArrayLike<number>, out = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) s += K[r + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

export function quad(K: Float64Array, n: number, v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += K[i * n + j]! * v[j]!;
    s += v[i]! * r;
  }
  return s;
}

export function maxDiag(K: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, K[i * n + i]!);
  return m;
}

export function traceOf(K: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += K[i * n + i]!;
  return s;
}

/**
 * In-place lower Cholesky of the n × n SPD matrix A (row-major; the strict upper triangle is left as is).
 * Returns false when a pivot is not positive.
 */
export function choleskyInPlace(A: Float64Array, n: number, opts: { readonly native?: boolean } = {}): boolean {
  const native = n >= 24 && opts.native !== false ? nativeDecomp() : null;
  if (native) {
    // The addon's Cholesky (the same algorithm compiled; Nash-MTL / FairGrad factor a T × T matrix
    // per Newton step): it reads the full symmetric A and writes L with zeros above the diagonal.
    const L = new Float64Array(n * n);
    if (native.cholesky(n, A, L)) return false;
    A.set(L);
    return true;
  }
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j]!;
    for (let k = 0; k < j; k++) d -= A[rj + k]! * A[rj + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    A[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j]!;
      for (let k = 0; k < j; k++) s -= A[ri + k]! * A[rj + k]!;
      A[ri + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Solves A x = b in place for a symmetric positive definite A (row-major n × n, overwritten: scratch)
 * into b; false when A is not positive definite (a pivot ≤ 0; b is then unspecified). From n = 24 with
 * the addon, one native call (native/nnqp.cc spdSolve: the register-blocked Cholesky of the NNQP
 * solver and its substitutions); otherwise choleskyInPlace + choleskySolveInPlace. The two differ by
 * rounding only.
 */
export function spdSolveInPlace(A: Float64Array, n: number, b: Float64Array, opts: { readonly native?: boolean } = {}): boolean {
  const native = n >= 24 && opts.native !== false ? nativeDecomp() : null;
  if (native?.spdSolve) return native.spdSolve(n, A, b);
  if (!choleskyInPlace(A, n, opts)) return false;
  choleskySolveInPlace(A, n, b);
  return true;
}

/** Solves L Lᵀ x = b in place (L lower, row-major n × n). */
export function choleskySolveInPlace(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
  return b;
}

/** Adam (Kingma & Ba 2015, Alg. 1) with L2 weight decay added to the gradient (torch.optim.Adam's `weight_decay`). */
export interface AdamState {
  readonly m: Float64Array;
  readonly v: Float64Array;
  readonly t: number;
}

export function adamInit(n: number): AdamState {
  return { m: new Float64Array(n), v: new Float64Array(n), t: 0 };
}

export function adamStep(x: Float64Array, grad: Float64Array, s: AdamState, lr: number, weightDecay = 0, b1 = 0.9, b2 = 0.999, eps = 1e-8): { x: Float64Array; state: AdamState } {
  const n = x.length;
  const t = s.t + 1;
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const out = new Float64Array(n);
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < n; i++) {
    const g = grad[i]! + weightDecay * x[i]!;
    m[i] = b1 * s.m[i]! + (1 - b1) * g;
    v[i] = b2 * s.v[i]! + (1 - b2) * g * g;
    out[i] = x[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
  }
  return { x: out, state: { m, v, t } };
}

export function softmax(z: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < z.length; i++) mx = Math.max(mx, z[i]!);
  const out = new Float64Array(z.length);
  let s = 0;
  for (let i = 0; i < z.length; i++) s += out[i] = Math.exp(z[i]! - mx);
  for (let i = 0; i < z.length; i++) out[i]! /= s;
  return out;
}

export function filled(n: number, v: number): Float64Array {
  return new Float64Array(n).fill(v);
}

export function positiveOption(method: string, name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new OptionError(`${method}.${name}`, `must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  }
  return v;
}

/** What a Gramian-based method computes: task weights from K (and possibly losses and its state). */
export interface GramianStep<S> {
  readonly weights: Float64Array;
  readonly state: S;
  readonly info?: Readonly<Record<string, number>>;
}

/**
 * An Aggregator whose output is a combination of the task gradients computed from K alone (torchjd's
 * GramianWeightedAggregator): the trainer may pass K (e.g. computed layer by layer) instead of G.
 */
export function gramianAggregator<S>(spec: {
  name: string;
  paper: string;
  modes?: readonly GradMode[];
  modeNote?: string;
  init: (tasks: number) => S;
  weights: (K: Matrix, input: AggregatorInput, state: S) => GramianStep<S>;
}): Aggregator<S> {
  const agg: Aggregator<S> = {
    name: spec.name,
    paper: spec.paper,
    modes: spec.modes ?? ['jacobian', 'backward', 'rep'],
    ...(spec.modeNote ? { modeNote: spec.modeNote } : {}),
    needs: 'gramian',
    init: spec.init,
    aggregate(input, state) {
      assertMode('aggregator', agg, input.mode);
      const K = inputGramian(spec.name, input);
      const r = spec.weights(K, input, state);
      for (let t = 0; t < r.weights.length; t++) {
        if (!Number.isFinite(r.weights[t]!)) throw new NumericError(`${spec.name}: weight of task ${t} is ${r.weights[t]} (please report: the solver failed on this Gramian)`);
      }
      return { kind: 'weights', weights: r.weights, state: r.state, mode: input.mode, ...(r.info ? { info: r.info } : {}) };
    },
  };
  return agg;
}

/** Moore–Penrose pseudo-inverse of a symmetric PSD matrix from its eigendecomposition (eigenvalues ≤ rcond·λ_max count as 0). */
export function pinvPsd(K: Matrix, rcond = K.rows * 2.220446049250313e-16): Matrix {
  const e = eigh(K);
  const n = K.rows;
  const top = n > 0 ? Math.max(e.values[n - 1]!, 0) : 0;
  const inv = e.values.map((l) => (l > rcond * top && l > 0 ? 1 / l : 0));
  return fromEigen(e.vectors, inv);
}

export function checkPref(method: string, pref: readonly number[] | undefined, T: number): Float64Array {
  if (!pref) return filled(T, 1 / T);
  if (pref.length !== T) throw new OptionError(`${method}.pref`, `has ${pref.length} entries for ${T} tasks`);
  for (const v of pref) if (!(v >= 0) || !Number.isFinite(v)) throw new OptionError(`${method}.pref`, `entries must be finite and ≥ 0, got ${v}`);
  return Float64Array.from(pref);
}

/** A Weighting from its step function; checks the mode and the losses (finite; > 0 when `positive`). */
export function lossWeighting<S>(spec: {
  name: string;
  paper: string;
  modes?: readonly GradMode[];
  modeNote?: string;
  needs?: 'losses' | 'gramian' | 'jacobian';
  positive?: boolean;
  init: (tasks: number) => S;
  step: (input: WeightingInput, state: S) => { weights: Float64Array; objective: number; state: S; info?: Record<string, number> };
  afterStep?: (lossesAfter: Float64Array, state: S) => S;
}): Weighting<S> {
  const w: Weighting<S> = {
    name: spec.name,
    paper: spec.paper,
    modes: spec.modes ?? ['jacobian', 'backward', 'rep'],
    ...(spec.modeNote ? { modeNote: spec.modeNote } : {}),
    needs: spec.needs ?? 'losses',
    init: spec.init,
    weigh(input, state) {
      assertMode('weighting', w, input.mode);
      if (!Number.isInteger(input.epoch) || input.epoch < 0) throw new OptionError(`${spec.name}: epoch`, `must be an integer ≥ 0, got ${input.epoch}`);
      inputLosses(spec.name, input.losses, input.losses.length, spec.positive ?? false);
      const r = spec.step(input, state);
      for (let t = 0; t < r.weights.length; t++) {
        if (!Number.isFinite(r.weights[t]!)) throw new NumericError(`${spec.name}: weight of task ${t} is ${r.weights[t]}`);
      }
      return { weights: r.weights, objective: r.objective, state: r.state, mode: input.mode, ...(r.info ? { info: r.info } : {}) };
    },
    ...(spec.afterStep
      ? {
          afterStep(lossesAfter: Float64Array, state: S): S {
            inputLosses(spec.name, lossesAfter, lossesAfter.length, spec.positive ?? false);
            return spec.afterStep!(lossesAfter, state);
          },
        }
      : {}),
  };
  return w;
}

export function weightedSum(w: ArrayLike<number>, L: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < L.length; t++) s += w[t]! * L[t]!;
  return s;
}
