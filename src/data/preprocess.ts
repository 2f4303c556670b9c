// Preprocessing: standardisation fitted on training rows only, and one-hot category encoding.
//
// Intercept convention (also in docs/data.md): the data never carry an implicit bias column. Models
// fit an unpenalised per-task intercept b_t when `intercept: true` (the default; see the objective
// in src/linear/types.ts). A constant column in the data (like School's x28) is an ordinary
// feature: it is penalised like any other, and standardisation only centres it (scale 1).
//
// Standardisation: x' = (x − μ) / σ with μ the mean and σ the population standard deviation
// (divide by n, as scikit-learn's StandardScaler) over the rows it is fitted on. 'global' fits one
// (μ, σ) over the training rows of all tasks; 'task' fits one per task. A feature whose σ is 0 (up
// to round-off) gets σ = 1: it is centred only, never divided by 0.
import { DataError, ShapeError } from '../errors.ts';
import { Matrix } from '../linalg/matrix.ts';
import type { StandardizerJSON } from '../linear/types.ts';
import type { MultiTaskDataset, TaskData } from './dataset.ts';
import { UnseenCategoryError } from './errors.ts';

export type StandardizeMode = 'global' | 'task';

export interface Standardizer {
  readonly mode: StandardizeMode;
  /** One row (global) or one row per task (task mode), each of length d. */
  readonly mean: readonly Float64Array[];
  readonly scale: readonly Float64Array[];
}

/** σ below this multiple of max(1, |μ|) counts as a constant feature (round-off of an exact constant). */
const CONSTANT_TOL = 1e-12;

/** Mean and population scale of the selected rows of X (two passes for accuracy). */
function moments(blocks: readonly { X: Matrix; idx?: ArrayLike<number> }[], d: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(d);
  let n = 0;
  for (const { X, idx } of blocks) {
    const m = idx ? idx.length : X.rows;
    for (let k = 0; k < m; k++) {
      const r = X.row(idx ? idx[k]! : k);
      for (let j = 0; j < d; j++) mean[j]! += r[j]!;
    }
    n += m;
  }
  if (n === 0) throw new DataError('standardizer: no training rows to fit on');
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const ss = new Float64Array(d);
  for (const { X, idx } of blocks) {
    const m = idx ? idx.length : X.rows;
    for (let k = 0; k < m; k++) {
      const r = X.row(idx ? idx[k]! : k);
      for (let j = 0; j < d; j++) {
        const z = r[j]! - mean[j]!;
        ss[j]! += z * z;
      }
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(ss[j]! / n);
    scale[j] = s <= CONSTANT_TOL * Math.max(1, Math.abs(mean[j]!)) ? 1 : s;
  }
  return { mean, scale };
}

/**
 * Fits a standardiser on the training rows: all rows of `ds`, or only `train[t]` (0-based sample
 * indices of task t, as produced by the split functions) when given. Rows outside `train` are never read.
 */
export function fitStandardizer(ds: MultiTaskDataset, mode: StandardizeMode, train?: readonly ArrayLike<number>[]): Standardizer {
  if (mode !== 'global' && mode !== 'task') throw new DataError(`standardizer: mode must be 'global' or 'task', got ${JSON.stringify(mode)}`);
  if (train !== undefined && train.length !== ds.tasks.length) {
    throw new ShapeError(`fitStandardizer: ${train.length} training index sets for ${ds.tasks.length} tasks`);
  }
  const d = ds.featureNames.length;
  const block = (t: TaskData, i: number): { X: Matrix; idx?: ArrayLike<number> } => (train ? { X: t.X, idx: train[i]! } : { X: t.X });
  if (mode === 'global') {
    const { mean, scale } = moments(ds.tasks.map(block), d);
    return { mode, mean: [mean], scale: [scale] };
  }
  const fits = ds.tasks.map((t, i) => {
    const b = block(t, i);
    if ((b.idx ? b.idx.length : t.X.rows) === 0) throw new DataError(`standardizer (mode 'task'): task "${t.name}" has no training rows`);
    return moments([b], d);
  });
  return { mode, mean: fits.map((f) => f.mean), scale: fits.map((f) => f.scale) };
}

/** (X − μ) / σ with the parameters of task `taskIndex` (ignored in global mode); returns a new matrix. */
export function applyStandardizer(s: Standardizer, X: Matrix, taskIndex: number): Matrix {
  const row = s.mode === 'global' ? 0 : taskIndex;
  const mean = s.mean[row];
  const scale = s.scale[row];
  if (mean === undefined || scale === undefined) throw new ShapeError(`applyStandardizer: task index ${taskIndex} out of range for ${s.mean.length} fitted tasks`);
  if (X.cols !== mean.length) throw new ShapeError(`applyStandardizer: X has ${X.cols} columns, the standardizer was fitted on ${mean.length}`);
  const out = new Float64Array(X.data.length);
  const d = X.cols;
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = (X.data[i * d + j]! - mean[j]!) / scale[j]!;
  }
  return new Matrix(X.rows, d, out);
}

/**
 * A new dataset with every task's X standardised. In global mode the shared X of a multi-output
 * dataset is standardised too; in task mode it is left out (each task now has its own transform).
 */
export function standardizeDataset(ds: MultiTaskDataset, s: Standardizer): MultiTaskDataset {
  if (s.mode === 'task' && s.mean.length !== ds.tasks.length) {
    throw new ShapeError(`standardizeDataset: standardizer has ${s.mean.length} tasks, dataset ${ds.tasks.length}`);
  }
  const tasks = ds.tasks.map((t, i) => ({ ...t, X: applyStandardizer(s, t.X, i) }));
  const { shared, ...rest } = ds;
  if (shared !== undefined && s.mode === 'global') return { ...rest, tasks, shared: { X: applyStandardizer(s, shared.X, 0), Y: shared.Y } };
  return { ...rest, tasks };
}

export function standardizerToJSON(s: Standardizer): StandardizerJSON {
  return { mode: s.mode, mean: s.mean.map((r) => Array.from(r)), scale: s.scale.map((r) => Array.from(r)) };
}

/** Validates and reads a StandardizerJSON (e.g. from a model file). */
export function standardizerFromJSON(j: StandardizerJSON): Standardizer {
  const bad = (msg: string): never => {
    throw new DataError(`standardizer JSON: ${msg}`);
  };
  if (j === null || typeof j !== 'object') bad('not an object');
  if (j.mode !== 'global' && j.mode !== 'task') bad(`mode must be 'global' or 'task', got ${JSON.stringify(j.mode)}`);
  if (!Array.isArray(j.mean) || !Array.isArray(j.scale) || j.mean.length !== j.scale.length || j.mean.length === 0) bad('mean and scale must be non-empty arrays of equal length');
  if (j.mode === 'global' && j.mean.length !== 1) bad(`global mode has one row, found ${j.mean.length}`);
  const d = Array.isArray(j.mean[0]) ? j.mean[0].length : -1;
  const rows = (a: readonly (readonly number[])[], name: string, positive: boolean): Float64Array[] =>
    a.map((r, i) => {
      if (!Array.isArray(r) || r.length !== d) bad(`${name}[${i}] must be an array of ${d} numbers`);
      return Float64Array.from(r, (v, k) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || (positive && !(v > 0))) bad(`${name}[${i}][${k}] = ${String(v)} must be a finite${positive ? ' positive' : ''} number`);
        return v;
      });
    });
  return { mode: j.mode, mean: rows(j.mean, 'mean', false), scale: rows(j.scale, 'scale', true) };
}

// ---------------------------------------------------------------------------------------------
// One-hot encoding of categorical columns

/** Sorted category list of some values (string order by UTF-16 code units). */
export function fitCategories(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Index of `value` among the fitted `categories` of `column`; an unseen value is an error. */
export function encodeCategory(categories: readonly string[], column: string, value: string, where = ''): number {
  const i = categories.indexOf(value);
  if (i < 0) throw new UnseenCategoryError(column, value, categories, where);
  return i;
}

/** One-hot rows (n × k) for values of one column under fitted categories. */
export function oneHot(categories: readonly string[], column: string, values: readonly string[]): Matrix {
  const k = categories.length;
  const out = Matrix.zeros(values.length, k);
  values.forEach((v, i) => {
    out.data[i * k + encodeCategory(categories, column, v, `row ${i}: `)] = 1;
  });
  return out;
}
