// Test helpers for the linear MTL tests: synthetic tasks drawn with Random, School loaded with a few
// lines of fs code (../shared/data/school/school.csv: task,y,x1..x28, tasks 0-based), and Landmine likewise.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../../src/linalg/matrix.ts';
import { Random } from '../../src/linalg/random.ts';
import { problemFromTasks } from '../../src/linear/problem.ts';
import { createLoss } from '../../src/linear/loss/index.ts';
import { l21Penalty } from '../../src/linear/penalty/l21.ts';
import { lassoPenalty } from '../../src/linear/penalty/lasso.ts';
import { ridgePenalty } from '../../src/linear/penalty/ridge.ts';
import { chainPenalty } from '../../src/linear/penalty/laplacian.ts';
import type { Penalty } from '../../src/linear/penalty/types.ts';
import type { RowPenaltyKind } from '../../src/linear/solver/bcd.ts';
import type { LossName, Problem, Scaling, TaskProblem } from '../../src/linear/types.ts';

export const SCHOOL = join(process.cwd(), '..', 'shared', 'data', 'school', 'school.csv');
export const hasSchool = existsSync(SCHOOL);

export function loadSchoolTasks(): TaskProblem[] {
  const lines = readFileSync(SCHOOL, 'utf8').trim().split('\n');
  const groups = new Map<number, { x: number[][]; y: number[] }>();
  for (const line of lines.slice(1)) {
    const f = line.split(',').map(Number);
    const t = f[0]!;
    let g = groups.get(t);
    if (!g) groups.set(t, (g = { x: [], y: [] }));
    g.y.push(f[1]!);
    g.x.push(f.slice(2));
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([t, g]) => ({ name: `school${t}`, X: Matrix.from(g.x), y: Float64Array.from(g.y) }));
}

export const LANDMINE = join(process.cwd(), '..', 'shared', 'data', 'landmine', 'landmine.csv');

/**
 * Landmine (../shared/data/landmine/landmine.csv: task,y,x1..x9, fields 0-based, y 1/0 → ±1): one task
 * per field in field order, task t named name(t). Shared by the prox-Newton tests and bench/linear.bench.ts.
 */
export function loadLandmineTasks(name: (field: number) => string = (t) => `field${t + 1}`): TaskProblem[] {
  const lines = readFileSync(LANDMINE, 'utf8').trim().split('\n').slice(1);
  const groups = new Map<number, { x: number[][]; y: number[] }>();
  for (const line of lines) {
    const f = line.split(',').map(Number);
    let g = groups.get(f[0]!);
    if (!g) groups.set(f[0]!, (g = { x: [], y: [] }));
    g.y.push(f[1] === 1 ? 1 : -1);
    g.x.push(f.slice(2));
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([t, g]) => ({ name: name(t), X: Matrix.from(g.x), y: Float64Array.from(g.y) }));
}

/** MALSAR's School convention: squared loss, 'sum' scaling, no intercept, raw features. */
export function schoolProblem(): Problem {
  return problemFromTasks(loadSchoolTasks(), { loss: 'squared', scale: 'sum', intercept: false });
}

export interface SynthOptions {
  T: number;
  d: number;
  n: number | number[];
  loss?: LossName;
  scale?: Scaling;
  intercept?: boolean;
  noise?: number;
  seed?: number;
  weights?: boolean;
  /** Ground truth W (d × T); drawn N(0,1) when absent. */
  W?: Matrix;
  b?: Float64Array;
}

/** Tasks with X ~ N(0,1), y = Xw_t + b_t + noise (squared) or ±1 from a logistic model. */
export function synthProblem(o: SynthOptions): { problem: Problem; W: Matrix; b: Float64Array } {
  const rng = new Random(o.seed ?? 1);
  const W = o.W ?? new Matrix(o.d, o.T, rng.normals(o.d * o.T));
  const b = o.b ?? (o.intercept === false ? new Float64Array(o.T) : rng.normals(o.T));
  const loss = o.loss ?? 'squared';
  const tasks: TaskProblem[] = [];
  for (let t = 0; t < o.T; t++) {
    const n = Array.isArray(o.n) ? o.n[t]! : o.n;
    const X = new Matrix(n, o.d, rng.normals(n * o.d));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = b[t]!;
      for (let j = 0; j < o.d; j++) z += X.data[i * o.d + j]! * W.data[j * o.T + t]!;
      if (loss === 'squared') y[i] = z + (o.noise ?? 0.5) * rng.normal();
      else y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : -1;
    }
    const weights = o.weights ? Float64Array.from({ length: n }, () => rng.uniformIn(0.5, 2)) : undefined;
    tasks.push(weights ? { name: `task${t}`, X, y, weights } : { name: `task${t}`, X, y });
  }
  const problem = problemFromTasks(tasks, { loss, scale: o.scale ?? 'mean', intercept: o.intercept ?? true });
  return { problem, W, b };
}

export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Central finite-difference gradient of f at x (entries perturbed in place and restored). */
export function numericGradient(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i]!;
    const step = h * Math.max(1, Math.abs(old));
    x[i] = old + step;
    const fp = f();
    x[i] = old - step;
    const fm = f();
    x[i] = old;
    g[i] = (fp - fm) / (2 * step);
  }
  return g;
}

export function randomMatrix(rows: number, cols: number, seed: number, sd = 1): Matrix {
  return new Matrix(rows, cols, new Random(seed).normals(rows * cols, 0, sd));
}

/** max |a − b| / max(1, max |b|) */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 1;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(b[i]!));
  return maxAbsDiff(a, b) / m;
}

/** The FISTA form (smooth terms + prox term) of a row-penalty problem, the reference the BCD tests
 * compare against: ridge and chain as smooth terms, lasso or L21 as the prox term. */
export function rowPenalties(kind: RowPenaltyKind, lambda: number, ridge: number, chain: number, T: number): { smooth: Penalty[]; prox: Penalty } {
  const smooth: Penalty[] = [];
  if (ridge > 0) smooth.push(ridgePenalty(ridge));
  if (chain > 0) smooth.push(chainPenalty(chain, T));
  return { smooth, prox: kind === 'lasso' ? lassoPenalty(lambda) : l21Penalty(lambda) };
}

/** λ_max of the row penalty at W = 0 (from the gradient at 0 = −c_t h_t). */
export function rowLambdaMax(problem: Problem, kind: RowPenaltyKind): number {
  const G = createLoss(problem).evaluate(Matrix.zeros(problem.d, problem.tasks.length)).G;
  let m = 0;
  for (let j = 0; j < G.rows; j++) {
    let s = 0;
    for (let t = 0; t < G.cols; t++) {
      const v = G.data[j * G.cols + t]!;
      if (kind === 'lasso') m = Math.max(m, Math.abs(v));
      s += v * v;
    }
    if (kind === 'l21') m = Math.max(m, Math.sqrt(s));
  }
  return m;
}
