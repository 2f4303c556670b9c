// The multi-task dataset: T named tasks over d named features. Both shapes of data users have are
// first-class:
//  - 'per-task': each task has its own samples (School, Landmine);
//  - 'multi-output': one shared X with a target column per task, where a missing label (NaN in
//    the file's target column) simply leaves that row out of that task.
// Either way every task is stored materialised as its own X_t (n_t × d) so that solvers see one
// layout; `rows` maps each sample back to its row in the source (file row, or shared-X row), which
// is what splits, predictions and error messages refer to. For multi-output data this copies the
// shared rows once per task that labels them (memory T·n·d at worst); `shared` keeps the original.
//
// Labels: regression targets are stored as given. Binary labels are stored as −1/+1, and
// `labelMap` records which original value became which (0/1, ±1 or two strings), so that it can
// be reported and inverted for predictions. Multiclass labels (src/data/multiclass.ts) are stored as
// the class index 0..K−1, and the task's `classes` names the K classes in that order.
import { DataError } from '../errors.ts';
import type { Matrix } from '../linalg/matrix.ts';

/** Kind of a task's target (estimator/contract.ts): regression values, ±1 labels, counts, or one of K classes. */
export type TaskKind = 'regression' | 'binary' | 'count' | 'multiclass';

export interface LabelMap {
  /** The original label mapped to −1. */
  readonly negative: string;
  /** The original label mapped to +1. */
  readonly positive: string;
}

export interface TaskData {
  readonly name: string;
  /** n_t × d features. */
  readonly X: Matrix;
  /** n_t targets (binary: −1/+1). */
  readonly y: Float64Array;
  /** Optional per-sample weights s_ti (positive, finite). */
  readonly weights?: Float64Array;
  /** For each sample, its 0-based row in the source (data row of the file, or row of shared X). */
  readonly rows: Int32Array;
  /** This task's kind when it differs from the data set's (a data set may mix kinds). */
  readonly kind?: TaskKind;
  /** Multiclass tasks: the K class labels; y holds the index of the class (0..K−1). */
  readonly classes?: readonly string[];
}

export interface MultiTaskDataset {
  readonly layout: 'per-task' | 'multi-output';
  /** The kind of its tasks (each task may override it: TaskData.kind). */
  readonly kind: TaskKind;
  readonly featureNames: readonly string[];
  readonly tasks: readonly TaskData[];
  readonly labelMap?: LabelMap;
  /** Multi-output only: the shared X (n × d) and targets (n × T, NaN = missing). */
  readonly shared?: { readonly X: Matrix; readonly Y: Matrix };
  /** Where the data came from (file name or generator description), for messages and reports. */
  readonly source?: string;
}

export function taskNames(ds: MultiTaskDataset): string[] {
  return ds.tasks.map((t) => t.name);
}

export function taskIndex(ds: MultiTaskDataset, name: string): number {
  const i = ds.tasks.findIndex((t) => t.name === name);
  if (i < 0) throw new DataError(`unknown task "${name}" in ${ds.source ?? 'dataset'}`);
  return i;
}

export function totalSamples(ds: MultiTaskDataset): number {
  return ds.tasks.reduce((s, t) => s + t.y.length, 0);
}

/** The kind of task t (its own, or the data set's). */
export function taskKind(ds: Pick<MultiTaskDataset, 'kind' | 'tasks'>, t: number): TaskKind {
  return ds.tasks[t]!.kind ?? ds.kind;
}

/** The kinds of all tasks, in order. */
export function taskKinds(ds: Pick<MultiTaskDataset, 'kind' | 'tasks'>): TaskKind[] {
  return ds.tasks.map((_, t) => taskKind(ds, t));
}

/** The number of classes K of a multiclass task (0 for other kinds). */
export function classCount(ds: Pick<MultiTaskDataset, 'kind' | 'tasks'>, t: number): number {
  return taskKind(ds, t) === 'multiclass' ? ds.tasks[t]!.classes?.length ?? 0 : 0;
}
