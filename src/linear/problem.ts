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
//   defaultLoss(ds): LossName              the registered loss of the tasks' kind.
//   problemFromTasks(tasks, opts)          the same checks for hand-built tasks (tests, synthetic data).
import { DataError, OptionError, UnsupportedError } from '../errors.ts';
import { taskKinds, type MultiTaskDataset, type TaskKind } from '../data/dataset.ts';
import { getLoss, lossForKind, type LossSpec } from './loss/registry.ts';
import type { LossName, Problem, Scaling, TaskProblem } from './types.ts';

export interface BuildOptions {
  /** Default: the registered loss of the tasks' kind (squared, logistic, poisson). */
  loss?: LossName;
  /** Default 'mean' (c_t = 1/n_t), as RMTL and MALSAR's logistic solvers. */
  scale?: Scaling;
  /** Default true: per-task unpenalised intercepts b_t. */
  intercept?: boolean;
}

/** The loss of a data set's tasks: the default loss of their kind. The linear engine fits one loss
 * for all tasks of a problem, so a data set mixing kinds needs an explicit choice it cannot make. */
export function defaultLoss(ds: Pick<MultiTaskDataset, 'kind' | 'tasks' | 'source'>): LossName {
  refuseMulticlass(ds);
  const kinds = [...new Set(taskKinds(ds))];
  if (kinds.length > 1) {
    throw new UnsupportedError(`${ds.source ?? 'dataset'} mixes ${kinds.join(' and ')} tasks; the linear engine fits one loss for all tasks of a model (fit the kinds separately)`);
  }
  return lossForKind(kinds[0] ?? ds.kind).name;
}

/** Regression and count targets are both numbers (a count loss checks each label); binary labels fit only binary losses. */
function compatible(kind: TaskKind, spec: LossSpec): boolean {
  return kind === 'binary' ? spec.labelKind === 'binary' : spec.labelKind !== 'binary';
}

/** The linear engine fits one weight vector per task: a K-class target has no linear loss here. */
function refuseMulticlass(ds: Pick<MultiTaskDataset, 'kind' | 'tasks' | 'source'>): void {
  const t = taskKinds(ds).indexOf('multiclass');
  if (t >= 0) {
    throw new UnsupportedError(`task "${ds.tasks[t]!.name}" of ${ds.source ?? 'dataset'} is multiclass (${ds.tasks[t]!.classes?.length ?? '?'} classes): the linear engine does not fit multiclass tasks; use a neural model (stl-mlp, hps, mmoe, …) or one binary task per class (--one-vs-rest)`);
  }
}

/** Validates the dataset against the chosen loss and returns the solver's view of it. */
export function buildProblem(ds: MultiTaskDataset, opts: BuildOptions = {}): Problem {
  refuseMulticlass(ds);
  const loss = opts.loss ?? defaultLoss(ds);
  const spec = getLoss(loss);
  const src = ds.source ?? 'dataset';
  taskKinds(ds).forEach((kind, t) => {
    if (!compatible(kind, spec)) {
      throw new OptionError('loss', `"${loss}" fits ${spec.labelKind} targets, but task "${ds.tasks[t]!.name}" of ${src} is ${kind} (use --loss ${lossForKind(kind).name})`);
    }
  });
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
  const spec = getLoss(opts.loss);
  if (tasks.length === 0) throw new DataError(`${src}: no tasks`);
  const d = tasks[0]!.X.cols;
  const seen = new Set<string>();
  // A shared design (every task the same X object, multi-output data) is checked for finite values once.
  const checkedX = new Set<Float64Array | Float32Array>();
  for (const t of tasks) {
    if (seen.has(t.name)) throw new DataError(`${src}: task "${t.name}" appears twice`);
    seen.add(t.name);
    checkTask(t, d, spec, src, checkedX);
  }
  return { tasks, d, loss: opts.loss, scale, intercept };
}

/** True when every value is finite: x·0 is 0 for finite x and NaN otherwise, so one sum decides
 * (a tight loop V8 optimises at once; the per-value Number.isFinite loop only runs to find the culprit). */
function allFinite(x: Float64Array | Float32Array): boolean {
  // Four sums: one chain of dependent additions is bound by the adder's latency.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const m = x.length - (x.length % 4);
  for (let k = 0; k < m; k += 4) {
    s0 += x[k]! * 0;
    s1 += x[k + 1]! * 0;
    s2 += x[k + 2]! * 0;
    s3 += x[k + 3]! * 0;
  }
  for (let k = m; k < x.length; k++) s0 += x[k]! * 0;
  return s0 + s1 + s2 + s3 === 0;
}

function checkTask(t: TaskProblem, d: number, spec: LossSpec, src: string, checkedX: Set<Float64Array | Float32Array>): void {
  const n = t.y.length;
  if (t.X.cols !== d) throw new DataError(`${src}: task "${t.name}" has ${t.X.cols} features, task 0 has ${d}`);
  if (t.X.rows !== n) throw new DataError(`${src}: task "${t.name}" has ${t.X.rows} rows of X but ${n} targets`);
  if (n === 0) throw new DataError(`${src}: task "${t.name}" has no samples`);
  const X = t.X.data;
  const scan = !checkedX.has(X) && !allFinite(X);
  checkedX.add(X);
  for (let k = 0; scan && k < X.length; k++) {
    if (!Number.isFinite(X[k]!)) {
      throw new DataError(`${src}: task "${t.name}", sample ${Math.floor(k / d)}, feature ${k % d}: value ${X[k]} is not finite`);
    }
  }
  for (let i = 0; i < n; i++) {
    const y = t.y[i]!;
    if (!Number.isFinite(y)) throw new DataError(`${src}: task "${t.name}", sample ${i}: target ${y} is not finite`);
    const why = spec.checkLabel(y);
    if (why !== null) throw new DataError(`${src}: task "${t.name}", sample ${i}: ${why}`);
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
