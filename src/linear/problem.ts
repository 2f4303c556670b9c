// From a MultiTaskDataset to the Problem a solver sees (src/linear/types.ts), with the input
// checks every model relies on. The objective is stated once in docs/objective.md:
//   Σ_t c_t Σ_i s_ti ℓ(y_ti, x_tiᵀ w_t + b_t) + Ω(W),   c_t = 1 ('sum') or 1/n_t ('mean').
//
// Exported API (stable; H5's structured models build on it):
//   buildProblem(ds, opts?: BuildOptions): Problem
//       validates and packages the data; never copies X (the Problem shares the dataset's arrays
//       and must be treated as read-only).
//   taskScale(problem, t): number          c_t for task t.
//   sampleWeight(task, i): number          s_ti (1 when the task has no weights).
//   defaultLoss(ds): LossName              'logistic' for binary data, 'squared' otherwise.
//   problemFromTasks(tasks, opts)          the same checks for hand-built tasks (tests, synthetic data).
import { DataError, OptionError } from '../errors.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { LossName, Problem, Scaling, TaskProblem } from './types.ts';

export interface BuildOptions {
  /** Default: 'logistic' for binary data, 'squared' for regression data. */
  loss?: LossName;
  /** Default 'mean' (c_t = 1/n_t), as RMTL and MALSAR's logistic solvers. */
  scale?: Scaling;
  /** Default true: per-task unpenalised intercepts b_t. */
  intercept?: boolean;
}

export function defaultLoss(ds: Pick<MultiTaskDataset, 'kind'>): LossName {
  return ds.kind === 'binary' ? 'logistic' : 'squared';
}

/** Validates the dataset against the chosen loss and returns the solver's view of it. */
export function buildProblem(ds: MultiTaskDataset, opts: BuildOptions = {}): Problem {
  const loss = opts.loss ?? defaultLoss(ds);
  const src = ds.source ?? 'dataset';
  if (loss === 'logistic' && ds.kind !== 'binary') {
    throw new OptionError('loss', `"logistic" needs binary labels, but ${src} is a regression data set (use --loss squared)`);
  }
  if (loss === 'squared' && ds.kind !== 'regression') {
    throw new OptionError('loss', `"squared" needs regression targets, but ${src} has binary labels (use --loss logistic)`);
  }
  if (ds.featureNames.length === 0) throw new DataError(`${src}: no feature columns`);
  const p = problemFromTasks(ds.tasks, { ...opts, loss, source: src });
  if (ds.featureNames.length !== p.d) throw new DataError(`${src}: ${ds.featureNames.length} feature names for ${p.d} feature columns`);
  return { ...p, featureNames: ds.featureNames };
}

/** The same checks for tasks built by hand (tests, synthetic generators). */
export function problemFromTasks(
  tasks: readonly TaskProblem[],
  opts: BuildOptions & { loss: LossName; source?: string },
): Problem {
  const src = opts.source ?? 'data';
  const scale = opts.scale ?? 'mean';
  const intercept = opts.intercept ?? true;
  if (scale !== 'sum' && scale !== 'mean') throw new OptionError('scale', `must be "sum" or "mean", got "${String(scale)}"`);
  if (opts.loss !== 'squared' && opts.loss !== 'logistic') throw new OptionError('loss', `must be "squared" or "logistic", got "${String(opts.loss)}"`);
  if (tasks.length === 0) throw new DataError(`${src}: no tasks`);
  const d = tasks[0]!.X.cols;
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.name)) throw new DataError(`${src}: task "${t.name}" appears twice`);
    seen.add(t.name);
    checkTask(t, d, opts.loss, src);
  }
  return { tasks, d, loss: opts.loss, scale, intercept };
}

function checkTask(t: TaskProblem, d: number, loss: LossName, src: string): void {
  const n = t.y.length;
  if (t.X.cols !== d) throw new DataError(`${src}: task "${t.name}" has ${t.X.cols} features, task 0 has ${d}`);
  if (t.X.rows !== n) throw new DataError(`${src}: task "${t.name}" has ${t.X.rows} rows of X but ${n} targets`);
  if (n === 0) throw new DataError(`${src}: task "${t.name}" has no samples`);
  const X = t.X.data;
  for (let k = 0; k < X.length; k++) {
    if (!Number.isFinite(X[k]!)) {
      throw new DataError(`${src}: task "${t.name}", sample ${Math.floor(k / d)}, feature ${k % d}: value ${X[k]} is not finite`);
    }
  }
  for (let i = 0; i < n; i++) {
    const y = t.y[i]!;
    if (!Number.isFinite(y)) throw new DataError(`${src}: task "${t.name}", sample ${i}: target ${y} is not finite`);
    if (loss === 'logistic' && y !== 1 && y !== -1) {
      throw new DataError(`${src}: task "${t.name}", sample ${i}: logistic loss needs labels −1/+1, got ${y}`);
    }
  }
  if (t.weights) {
    if (t.weights.length !== n) throw new DataError(`${src}: task "${t.name}" has ${t.weights.length} weights for ${n} samples`);
    for (let i = 0; i < n; i++) {
      const s = t.weights[i]!;
      if (!(s > 0) || !Number.isFinite(s)) throw new DataError(`${src}: task "${t.name}", sample ${i}: weight ${s} must be positive and finite`);
    }
  }
}

/** c_t: 1 for 'sum', 1/n_t for 'mean' (n_t = number of labelled samples of task t). */
export function taskScale(problem: Pick<Problem, 'scale' | 'tasks'>, t: number): number {
  return problem.scale === 'sum' ? 1 : 1 / problem.tasks[t]!.y.length;
}

export function sampleWeight(task: TaskProblem, i: number): number {
  return task.weights ? task.weights[i]! : 1;
}
