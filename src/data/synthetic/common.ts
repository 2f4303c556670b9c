// Shared pieces of the synthetic generators: option checking (every bad option is an OptionError
// naming it), the resolved common settings, and sampling of features and labels from a planted W.
// Every draw comes from the one Random stream created from `seed`, in a fixed order, so a
// generator's output is a pure function of its options.
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { Random } from '../../linalg/random.ts';
import { getLoss, lossForKind } from '../../linear/loss/registry.ts';
import type { LossName } from '../../linear/types.ts';
import type { MultiTaskDataset, TaskData } from '../dataset.ts';
import type { SyntheticOptions } from './types.ts';

export interface Resolved {
  readonly T: number;
  readonly d: number;
  readonly n: Int32Array;
  readonly noise: number;
  readonly loss: LossName;
  readonly interceptSd: number;
  readonly taskNames: string[];
  readonly seed: number;
}

export function positiveInt(option: string, v: unknown, fallback: number): number {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw new OptionError(option, `must be a positive integer, got ${String(x)}`);
  return x;
}

export function nonNegative(option: string, v: unknown, fallback: number): number {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new OptionError(option, `must be a finite number ≥ 0, got ${String(x)}`);
  return x;
}

export function inRange(option: string, v: unknown, fallback: number, lo: number, hi: number, hiOpen = false): number {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || (hiOpen ? x >= hi : x > hi)) {
    throw new OptionError(option, `must be a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${String(x)}`);
  }
  return x;
}

/** Checks and fills in the options every generator shares. `fixedT` is set by generators whose T is fixed. */
export function resolveCommon(o: SyntheticOptions, defaults: { T?: number; d?: number; n?: number } = {}, fixedT?: number): Resolved {
  if (fixedT !== undefined && o.T !== undefined && o.T !== fixedT) throw new OptionError('T', `this generator has exactly ${fixedT} tasks, got ${o.T}`);
  const T = fixedT ?? positiveInt('T', o.T, defaults.T ?? 10);
  const d = positiveInt('d', o.d, defaults.d ?? 10);
  const n = new Int32Array(T);
  const nOpt = o.n ?? defaults.n ?? 50;
  if (typeof nOpt === 'number') n.fill(positiveInt('n', nOpt, 50));
  else {
    if (nOpt.length !== T) throw new OptionError('n', `has ${nOpt.length} entries, one per task needs ${T}`);
    nOpt.forEach((v, t) => (n[t] = positiveInt(`n[${t}]`, v, 50)));
  }
  const noise = nonNegative('noise', o.noise, 0.1);
  const loss = o.loss ?? lossForKind('regression').name;
  getLoss(loss); // an unknown loss is an OptionError naming the registered ones
  const interceptSd = nonNegative('interceptSd', o.interceptSd, 0);
  const taskNames = o.taskNames ? [...o.taskNames] : Array.from({ length: T }, (_, t) => `t${t + 1}`);
  if (taskNames.length !== T) throw new OptionError('taskNames', `has ${taskNames.length} names, ${T} tasks need ${T}`);
  if (new Set(taskNames).size !== T) throw new OptionError('taskNames', 'names must be distinct');
  const seed = o.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new OptionError('seed', `must be an integer, got ${String(seed)}`);
  return { T, d, n, noise, loss, interceptSd, taskNames, seed };
}

export function featureNames(d: number): string[] {
  return Array.from({ length: d }, (_, j) => `x${j + 1}`);
}

/** An n × d matrix of independent N(0, 1) entries. */
export function gaussianMatrix(rng: Random, rows: number, cols: number, sd = 1): Matrix {
  return new Matrix(rows, cols, rng.normals(rows * cols, 0, sd));
}

export function drawIntercepts(rng: Random, r: Resolved): Float64Array {
  // No draws when interceptSd = 0: the order of draws still depends on the options alone.
  return r.interceptSd > 0 ? rng.normals(r.T, 0, r.interceptSd) : new Float64Array(r.T);
}

/**
 * A label from the linear score η = xᵀw + b, from the model the loss is the likelihood of (through
 * its link μ = response(η)): regression y = μ + ε, ε ~ N(0, noise²) (squared: μ = η); binary y = +1
 * with probability μ (logistic: σ(η)), else −1; counts y ~ Poisson(μ) (Knuth's method: exact, fine
 * for the moderate rates of test problems).
 */
export function drawLabel(rng: Random, eta: number, loss: LossName, noise: number): number {
  const spec = getLoss(loss);
  const mu = spec.response(eta);
  if (spec.labelKind === 'binary') return rng.uniform() < mu ? 1 : -1;
  if (spec.labelKind === 'count') {
    const L = Math.exp(-mu);
    let k = -1;
    for (let p = 1; p > L; p *= rng.uniform()) k++;
    return Math.max(k, 0);
  }
  return noise > 0 ? mu + rng.normal(0, noise) : mu;
}

/** x_tᵀw_t for every row of X (n × d) and the column w (length d). */
export function scores(X: Matrix, w: ArrayLike<number>, b: number): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = b;
    const o = i * X.cols;
    for (let j = 0; j < X.cols; j++) s += X.data[o + j]! * w[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * The per-task data set of a planted (W, b): for each task in order, X_t with N(0, 1) entries, then its
 * labels. `rows` run consecutively over the concatenation of the tasks.
 */
export function samplePerTask(rng: Random, W: Matrix, b: Float64Array, r: Resolved, source: string): MultiTaskDataset {
  const tasks: TaskData[] = [];
  let offset = 0;
  for (let t = 0; t < r.T; t++) {
    const nt = r.n[t]!;
    const X = gaussianMatrix(rng, nt, r.d);
    const eta = scores(X, W.col(t), b[t]!);
    const y = eta.map((e) => drawLabel(rng, e, r.loss, r.noise));
    const rows = new Int32Array(nt);
    for (let i = 0; i < nt; i++) rows[i] = offset + i;
    offset += nt;
    tasks.push({ name: r.taskNames[t]!, X, y, rows });
  }
  return {
    layout: 'per-task',
    kind: getLoss(r.loss).labelKind,
    featureNames: featureNames(r.d),
    tasks,
    ...(getLoss(r.loss).labelKind === 'binary' ? { labelMap: { negative: '-1', positive: '1' } } : {}),
    source,
  };
}

/** Fills a d × T matrix column by column from a function of the task index. */
export function fromColumns(d: number, T: number, colOf: (t: number) => ArrayLike<number>): Matrix {
  const W = Matrix.zeros(d, T);
  for (let t = 0; t < T; t++) {
    const c = colOf(t);
    for (let j = 0; j < d; j++) W.data[j * T + t] = c[j]!;
  }
  return W;
}

/** "key=value" list of the settings, for descriptions and `source`. */
export function describe(name: string, r: Resolved, extra: Record<string, string | number>): string {
  const parts = Object.entries({ T: r.T, d: r.d, ...extra, loss: r.loss, seed: r.seed }).map(([k, v]) => `${k}=${v}`);
  return `synthetic:${name}(${parts.join(', ')})`;
}
