// The dataset's own JSON form, for exact round trips (save → load gives bit-identical arrays).
//
//   { "format": "polytask-dataset", "version": 1, "layout", "kind", "featureNames", "labelMap"?,
//     "source"?, "tasks": [{ "name", "n", "X": [row-major numbers], "y", "rows", "weights"? }],
//     "shared"?: { "n", "X": [row-major], "Y": [row-major, null = missing label] } }
//
// Numbers are written by JSON.stringify, which prints the shortest decimal that reads back as the
// same float64, so finite values round-trip exactly. The few values JSON cannot spell are written
// as strings: "-0", "NaN", "Infinity", "-Infinity" (a missing label in shared Y is null).
import { renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { Matrix } from '../linalg/matrix.ts';
import type { LabelMap, MultiTaskDataset, TaskData } from './dataset.ts';
import { DatasetFileError, FileReadError, readTextFile } from './errors.ts';

export const DATASET_FORMAT = 'polytask-dataset';
export const DATASET_VERSION = 1;

type Num = number | string | null;

function enc(v: number): Num {
  if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : v;
  return String(v); // 'NaN', 'Infinity', '-Infinity'
}

function encArray(a: ArrayLike<number>): Num[] {
  return Array.from(a, enc);
}

/** The JSON value (a plain object) of a dataset. */
export function datasetToJSON(ds: MultiTaskDataset): Record<string, unknown> {
  const out: Record<string, unknown> = {
    format: DATASET_FORMAT,
    version: DATASET_VERSION,
    layout: ds.layout,
    kind: ds.kind,
    featureNames: [...ds.featureNames],
  };
  if (ds.labelMap) out.labelMap = { negative: ds.labelMap.negative, positive: ds.labelMap.positive };
  if (ds.source !== undefined) out.source = ds.source;
  out.tasks = ds.tasks.map((t) => {
    const o: Record<string, unknown> = { name: t.name, n: t.y.length, X: encArray(t.X.data), y: encArray(t.y), rows: Array.from(t.rows) };
    if (t.weights) o.weights = encArray(t.weights);
    return o;
  });
  if (ds.shared) {
    out.shared = { n: ds.shared.X.rows, X: encArray(ds.shared.X.data), Y: Array.from(ds.shared.Y.data, (v) => (Number.isNaN(v) ? null : enc(v))) };
  }
  return out;
}

export function datasetToJSONText(ds: MultiTaskDataset): string {
  return JSON.stringify(datasetToJSON(ds));
}

/** Writes the JSON form atomically (temporary file, then rename): never a half-written file. */
export function saveDatasetJson(ds: MultiTaskDataset, file: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, datasetToJSONText(ds));
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw new FileReadError(file, `cannot write: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading with validation: every problem names the JSON path.

class V {
  constructor(readonly file: string) {}
  fail(path: string, msg: string): never {
    throw new DatasetFileError(this.file, path, msg);
  }
  obj(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    return v as Record<string, unknown>;
  }
  str(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `expected a string, found ${JSON.stringify(v)}`);
    return v;
  }
  int(v: unknown, path: string, min = 0): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(path, `expected an integer ≥ ${min}, found ${JSON.stringify(v)}`);
    return v;
  }
  arr(v: unknown, path: string, len?: number): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    if (len !== undefined && v.length !== len) this.fail(path, `expected ${len} entries, found ${v.length}`);
    return v;
  }
  num(v: unknown, path: string, allowNull = false): number {
    if (typeof v === 'number') return v;
    if (v === null && allowNull) return NaN;
    if (v === '-0') return -0;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return this.fail(path, `expected a number, found ${JSON.stringify(v)}`);
  }
  nums(v: unknown, path: string, len: number, opts: { finite?: boolean; allowNull?: boolean } = {}): Float64Array {
    const a = this.arr(v, path, len);
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const x = this.num(a[i], `${path}[${i}]`, opts.allowNull);
      if (opts.finite && !Number.isFinite(x)) this.fail(`${path}[${i}]`, `must be finite, found ${x}`);
      out[i] = x;
    }
    return out;
  }
}

/** Validates a parsed JSON value and builds the dataset. */
export function datasetFromJSON(value: unknown, file = '<json>'): MultiTaskDataset {
  const v = new V(file);
  const o = v.obj(value, '$');
  if (o.format !== DATASET_FORMAT) v.fail('$.format', `expected "${DATASET_FORMAT}", found ${JSON.stringify(o.format)}`);
  if (o.version !== DATASET_VERSION) v.fail('$.version', `this polytask reads version ${DATASET_VERSION}, the file is version ${JSON.stringify(o.version)}`);
  const layout = o.layout as MultiTaskDataset["layout"];
  if (layout !== 'per-task' && layout !== 'multi-output') v.fail('$.layout', `expected "per-task" or "multi-output", found ${JSON.stringify(layout)}`);
  const kind = o.kind as MultiTaskDataset["kind"];
  if (kind !== 'regression' && kind !== 'binary') v.fail('$.kind', `expected "regression" or "binary", found ${JSON.stringify(kind)}`);
  const featureNames = v.arr(o.featureNames, '$.featureNames').map((f, j) => v.str(f, `$.featureNames[${j}]`));
  const d = featureNames.length;
  let labelMap: LabelMap | undefined;
  if (o.labelMap !== undefined) {
    const lm = v.obj(o.labelMap, '$.labelMap');
    labelMap = { negative: v.str(lm.negative, '$.labelMap.negative'), positive: v.str(lm.positive, '$.labelMap.positive') };
  }
  const names = new Set<string>();
  const tasks: TaskData[] = v.arr(o.tasks, '$.tasks').map((tv, t) => {
    const p = `$.tasks[${t}]`;
    const to = v.obj(tv, p);
    const name = v.str(to.name, `${p}.name`);
    if (names.has(name)) v.fail(`${p}.name`, `duplicate task name ${JSON.stringify(name)}`);
    names.add(name);
    const n = v.int(to.n, `${p}.n`);
    const X = new Matrix(n, d, v.nums(to.X, `${p}.X`, n * d));
    const y = v.nums(to.y, `${p}.y`, n);
    if (kind === 'binary') y.forEach((yi, i) => (yi === 1 || yi === -1 ? 0 : v.fail(`${p}.y[${i}]`, `binary labels are stored as −1/+1, found ${yi}`)));
    const rows = Int32Array.from(v.arr(to.rows, `${p}.rows`, n), (r, i) => v.int(r, `${p}.rows[${i}]`));
    const base = { name, X, y, rows };
    if (to.weights === undefined) return base;
    const weights = v.nums(to.weights, `${p}.weights`, n, { finite: true });
    weights.forEach((w, i) => (w >= 0 ? 0 : v.fail(`${p}.weights[${i}]`, `weights must be ≥ 0, found ${w}`)));
    return { ...base, weights };
  });
  let shared: MultiTaskDataset['shared'];
  if (o.shared !== undefined) {
    const so = v.obj(o.shared, '$.shared');
    const n = v.int(so.n, '$.shared.n');
    shared = { X: new Matrix(n, d, v.nums(so.X, '$.shared.X', n * d)), Y: new Matrix(n, tasks.length, v.nums(so.Y, '$.shared.Y', n * tasks.length, { allowNull: true })) };
  }
  const out: MultiTaskDataset = { layout, kind, featureNames, tasks, ...(labelMap ? { labelMap } : {}), ...(shared ? { shared } : {}) };
  return typeof o.source === 'string' ? { ...out, source: o.source } : out;
}

export function loadDatasetJson(file: string): MultiTaskDataset {
  const text = readTextFile(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DatasetFileError(file, '$', `not valid JSON: ${(e as Error).message}`);
  }
  return datasetFromJSON(value, file);
}
