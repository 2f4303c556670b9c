// Test fixtures for the evaluation machinery: a closed-form ridge estimator implementing the
// Fittable interface of src/eval/cv.ts (so CV and compare are tested independently of the real
// models), and small synthetic multi-task data sets.
import type { MultiTaskDataset, TaskData } from '../../src/data/dataset.ts';
import { cholesky, choleskySolve } from '../../src/linalg/decomp/cholesky.ts';
import { Matrix } from '../../src/linalg/matrix.ts';
import { Random } from '../../src/linalg/random.ts';
import type { FitContext, FitDiagnostics, Options } from '../../src/estimator/contract.ts';
import type { ModelOptions } from '../../src/linear/types.ts';
import type { Fittable } from '../../src/eval/cv.ts';

/** Solves (AᵀA/n + λI) w = Aᵀy/n on centred data; returns w and the intercept ȳ − x̄ᵀw. */
function ridge(rowsX: Float64Array[], y: number[], lambda: number): { w: Float64Array; b: number } {
  const n = y.length;
  const d = rowsX[0]!.length;
  const xbar = new Float64Array(d);
  let ybar = 0;
  for (let i = 0; i < n; i++) {
    ybar += y[i]! / n;
    for (let j = 0; j < d; j++) xbar[j]! += rowsX[i]![j]! / n;
  }
  const G = Matrix.zeros(d, d);
  const r = Matrix.zeros(d, 1);
  for (let i = 0; i < n; i++) {
    const yc = y[i]! - ybar;
    for (let j = 0; j < d; j++) {
      const xj = rowsX[i]![j]! - xbar[j]!;
      r.data[j]! += (xj * yc) / n;
      for (let k = 0; k < d; k++) G.data[j * d + k]! += (xj * (rowsX[i]![k]! - xbar[k]!)) / n;
    }
  }
  for (let j = 0; j < d; j++) G.data[j * d + j]! += lambda + 1e-12;
  const w = choleskySolve(cholesky(G), r).data;
  let b = ybar;
  for (let j = 0; j < d; j++) b -= xbar[j]! * w[j]!;
  return { w: Float64Array.from(w), b };
}

export interface FitLog {
  lambdas: number[];
  warmGiven: boolean[];
}

/** 'stl': an independent ridge per task (λ or perTaskLambda[task]); 'pooled': one ridge on all rows. */
export class TestRidge implements Fittable {
  private coef: Map<string, { w: Float64Array; b: number }> | null = null;
  constructor(
    readonly mode: 'stl' | 'pooled',
    readonly options: ModelOptions = {},
    readonly log?: FitLog,
  ) {}

  clone(patch: Options = {}): TestRidge {
    return new TestRidge(this.mode, { ...this.options, ...(patch as ModelOptions) }, this.log);
  }

  fit(ds: MultiTaskDataset, ctx: FitContext = {}): TestRidge {
    const lam = this.options.lambda ?? 1e-3;
    this.log?.lambdas.push(lam);
    this.log?.warmGiven.push(ctx.warm !== undefined);
    const coef = new Map<string, { w: Float64Array; b: number }>();
    if (this.mode === 'stl') {
      for (const t of ds.tasks) {
        const rows = Array.from({ length: t.y.length }, (_, i) => t.X.row(i));
        coef.set(t.name, ridge(rows, Array.from(t.y), this.options.perTaskLambda?.[t.name] ?? lam));
      }
    } else {
      const rows: Float64Array[] = [];
      const y: number[] = [];
      for (const t of ds.tasks) for (let i = 0; i < t.y.length; i++) {
        rows.push(t.X.row(i));
        y.push(t.y[i]!);
      }
      const c = ridge(rows, y, lam);
      for (const t of ds.tasks) coef.set(t.name, c);
    }
    const out = new TestRidge(this.mode, this.options, this.log);
    out.coef = coef;
    return out;
  }

  get warmStart(): unknown {
    return this.coef ? { intercepts: new Float64Array([0]) } : undefined;
  }

  /** A closed-form solve: always converged. */
  get diagnostics(): FitDiagnostics | undefined {
    return this.coef ? { converged: true, optimality: 0, iterations: 1, seconds: 0, backend: 'ts' } : undefined;
  }

  predict(X: Matrix, task: string): Float64Array {
    if (!this.coef) throw new Error('TestRidge: not fitted');
    const c = this.coef.get(String(task));
    if (!c) throw new Error(`TestRidge: unknown task ${task}`);
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let s = c.b;
      const row = X.row(i);
      for (let j = 0; j < X.cols; j++) s += row[j]! * c.w[j]!;
      out[i] = s;
    }
    return out;
  }
}

/**
 * Regression tasks y = Xw_t + noise: tasks 0..T−2 share one weight vector w, the last task (when
 * `unrelated`) has its own, −w (as far from the shared one as possible). Source rows are numbered
 * consecutively across tasks.
 */
export function syntheticTasks(opts: { T: number; n: number; d: number; noise: number; seed: number; unrelated?: boolean }): MultiTaskDataset {
  const rng = new Random(opts.seed);
  const w = rng.normals(opts.d);
  const tasks: TaskData[] = [];
  let row = 0;
  for (let t = 0; t < opts.T; t++) {
    const wt = opts.unrelated && t === opts.T - 1 ? w.map((v) => -v) : w;
    const X = Matrix.zeros(opts.n, opts.d);
    const y = new Float64Array(opts.n);
    for (let i = 0; i < opts.n; i++) {
      let s = 0;
      for (let j = 0; j < opts.d; j++) {
        const v = rng.normal();
        X.data[i * opts.d + j] = v;
        s += v * wt[j]!;
      }
      y[i] = s + opts.noise * rng.normal();
    }
    tasks.push({ name: `task${t}`, X, y, rows: Int32Array.from({ length: opts.n }, () => row++) });
  }
  return { layout: 'per-task', kind: 'regression', featureNames: Array.from({ length: opts.d }, (_, j) => `x${j + 1}`), tasks, source: 'synthetic' };
}
