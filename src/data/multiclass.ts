// Multiclass tasks: a task whose target is one of K classes. Users declare them with `--classes K`
// (loaders read the target column as numbers) and give integer class labels 0..K−1 — the form of
// Fashion-MNIST, MultiFashion and most image and text benchmarks. Labels are checked here, once,
// against the declared K: a non-integer, negative or ≥ K label is an error naming the file, task,
// data row and target, never a silent cast; a task whose labels use fewer than two classes cannot
// be learned and is refused (a label ≥ K — more classes in the file than declared — is the class-count
// mismatch, named as such). Missing labels (NaN, multi-output data) stay missing.
import { DataError, OptionError } from '../errors.ts';
import type { MultiTaskDataset, TaskData } from './dataset.ts';

/** The class labels of a K-class task with integer labels: '0'..'K−1'. */
export function integerClasses(K: number): string[] {
  return Array.from({ length: K }, (_, c) => String(c));
}

/** K must be a whole number ≥ 2. */
export function checkClassCount(K: number): void {
  if (!Number.isInteger(K) || K < 2) throw new OptionError('--classes', `the number of classes must be a whole number ≥ 2, got ${K}`);
}

/** A label that is not one of the classes 0..K−1 (`row`: the task's 0-based source row). */
export function notAClassError(file: string, task: string, row: number, what: string, v: number, K: number): DataError {
  const more = Number.isInteger(v) && v >= K ? ` — the data have more classes than --classes ${K} declares` : '';
  return new DataError(`${file}: task "${task}", data row ${row + 1}: ${what} ${v} is not a class label: with --classes ${K} the labels are the whole numbers 0..${K - 1}${more}`);
}

/** A task whose labels use fewer than two classes (`first`: the one class, when used = 1). */
export function tooFewClassesError(file: string, task: string, used: number, first?: number): DataError {
  return new DataError(`${file}: task "${task}" has ${used === 0 ? 'no labels' : `only class ${first}`}; a multiclass task needs at least two classes in the data`);
}

/**
 * The data set with every task multiclass over K classes (labels 0..K−1). `what` names the target
 * in messages (the --target / --targets columns as the user gave them).
 */
export function toMulticlass(ds: MultiTaskDataset, K: number, what = 'the target'): MultiTaskDataset {
  checkClassCount(K);
  const file = ds.source ?? 'the data';
  if (ds.kind === 'binary') throw new DataError(`${file}: ${what} was read as binary labels; multiclass labels must be read as numbers 0..${K - 1}`);
  const classes = integerClasses(K);
  const tasks: TaskData[] = ds.tasks.map((t) => {
    const used = new Set<number>();
    t.y.forEach((v, i) => {
      if (Number.isNaN(v)) return; // a missing label (multi-output data)
      if (!Number.isInteger(v) || v < 0 || v >= K) throw notAClassError(file, t.name, t.rows[i]!, what, v, K);
      used.add(v);
    });
    if (used.size < 2) throw tooFewClassesError(file, t.name, used.size, [...used][0]);
    return { ...t, kind: 'multiclass', classes };
  });
  // Multi-output data keep the shared targets: the labels are already class indices there.
  return { ...ds, kind: 'multiclass', tasks };
}
