// Train/test splits of a multi-task dataset, made per task (each task is split on its own samples,
// as in the usual MTL protocol, e.g. the 75%/25% per-task School splits of Argyriou, Evgeniou &
// Pontil 2008). A split is a pair of per-task index arrays into each task's samples (0-based
// positions in TaskData.y, not source rows); subsetDataset turns one side into a dataset.
//
// Binary tasks are stratified by default: each class is split in the same proportion, and every
// class keeps at least one training row (or the split fails with EmptyTrainingClassError).
// Every random draw comes from Random(seed).
import { parse as parseSync } from 'csv-parse/sync';
import { OptionError } from '../errors.ts';
import { Random } from '../linalg/random.ts';
import type { MultiTaskDataset, TaskData } from './dataset.ts';
import { EmptyTrainingClassError, SplitFileError, TooFewRowsError, readTextFile } from './errors.ts';

export interface Split {
  readonly train: Int32Array[];
  readonly test: Int32Array[];
  /** A name for reports ("seed 3 #2", "fold 4", "split1"). */
  readonly name?: string;
}

export interface RatioOptions {
  /** Fraction of each task's rows that goes to the test side (0 < testRatio < 1). Default 0.25. */
  readonly testRatio?: number;
  readonly seed?: number;
  /** Stratify binary tasks by class (default true for binary data). */
  readonly stratify?: boolean;
}

function checkRatio(r: number): void {
  if (!(r > 0 && r < 1)) throw new OptionError('testRatio', `must be strictly between 0 and 1, got ${r}`);
}

function labelOf(ds: MultiTaskDataset): string[] {
  return ds.labelMap ? [ds.labelMap.negative, ds.labelMap.positive] : ['−1', '+1'];
}

/** Sample indices of each class (−1 first, then +1) of a binary task. */
function classIndices(t: TaskData): [Int32Array, Int32Array] {
  const neg: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i < t.y.length; i++) (t.y[i]! > 0 ? pos : neg).push(i);
  return [Int32Array.from(neg), Int32Array.from(pos)];
}

function sorted(a: number[]): Int32Array {
  return Int32Array.from(a).sort();
}

/** How many of `n` go to test: round(ratio·n), kept within [1, n − 1]. */
function testCount(n: number, ratio: number): number {
  return Math.min(n - 1, Math.max(1, Math.round(ratio * n)));
}

/** One random per-task train/test split. */
export function trainTestSplit(ds: MultiTaskDataset, opts: RatioOptions = {}): Split {
  const ratio = opts.testRatio ?? 0.25;
  checkRatio(ratio);
  const rng = new Random(opts.seed ?? 0);
  return splitWith(ds, ratio, rng, opts.stratify ?? ds.kind === 'binary', `seed ${opts.seed ?? 0}`);
}

function splitWith(ds: MultiTaskDataset, ratio: number, rng: Random, stratify: boolean, name: string): Split {
  if (stratify && ds.kind !== 'binary') throw new OptionError('stratify', 'only binary data can be stratified');
  const train: Int32Array[] = [];
  const test: Int32Array[] = [];
  const labels = labelOf(ds);
  for (const t of ds.tasks) {
    const n = t.y.length;
    if (n < 2) throw new TooFewRowsError(t.name, n, 2, 'a train/test split');
    const nTest = testCount(n, ratio);
    if (!stratify) {
      const p = rng.permutation(n);
      test.push(p.slice(0, nTest).sort());
      train.push(p.slice(nTest).sort());
      continue;
    }
    const classes = classIndices(t);
    classes.forEach((c, k) => {
      if (c.length === 0) throw new EmptyTrainingClassError(t.name, labels[k]!, 0, 'a stratified split');
    });
    // Proportional allocation of nTest over classes by largest remainder, each class keeping ≥ 1 training row.
    const quota = classes.map((c) => (nTest * c.length) / n);
    const take = quota.map((q, k) => Math.min(Math.floor(q), classes[k]!.length - 1));
    let left = nTest - take[0]! - take[1]!;
    const order = [0, 1].sort((a, b) => quota[b]! - Math.floor(quota[b]!) - (quota[a]! - Math.floor(quota[a]!)));
    for (const k of order) {
      if (left > 0 && take[k]! < classes[k]!.length - 1) {
        take[k]!++;
        left--;
      }
    }
    const te: number[] = [];
    const tr: number[] = [];
    classes.forEach((c, k) => {
      const p = rng.shuffle(c.slice());
      for (let i = 0; i < p.length; i++) (i < take[k]! ? te : tr).push(p[i]!);
    });
    test.push(sorted(te));
    train.push(sorted(tr));
  }
  return { train, test, name };
}

/** `repeats` independent random splits, reproducible from `seed` (split r uses the r-th fork of Random(seed)). */
export function repeatedSplits(ds: MultiTaskDataset, repeats: number, opts: RatioOptions = {}): Split[] {
  if (!Number.isInteger(repeats) || repeats < 1) throw new OptionError('repeats', `must be a positive integer, got ${repeats}`);
  const ratio = opts.testRatio ?? 0.25;
  checkRatio(ratio);
  const root = new Random(opts.seed ?? 0);
  const stratify = opts.stratify ?? ds.kind === 'binary';
  return Array.from({ length: repeats }, (_, r) => splitWith(ds, ratio, root.fork(), stratify, `seed ${opts.seed ?? 0} #${r + 1}`));
}

/**
 * k-fold cross-validation per task: each task's samples are dealt into k folds (stratified: each
 * class is shuffled and dealt round-robin, continuing the deal across classes so fold sizes differ by
 * at most one). Split f has fold f as test, the other folds as train.
 */
export function kFold(ds: MultiTaskDataset, k: number, opts: { seed?: number; stratify?: boolean } = {}): Split[] {
  if (!Number.isInteger(k) || k < 2) throw new OptionError('k', `must be an integer ≥ 2, got ${k}`);
  const stratify = opts.stratify ?? ds.kind === 'binary';
  if (stratify && ds.kind !== 'binary') throw new OptionError('stratify', 'only binary data can be stratified');
  const rng = new Random(opts.seed ?? 0);
  const labels = labelOf(ds);
  const foldOf = ds.tasks.map((t) => {
    const n = t.y.length;
    if (n < k) throw new TooFewRowsError(t.name, n, k, `${k}-fold cross-validation`);
    const fold = new Int32Array(n);
    const groups = stratify ? classIndices(t) : [Int32Array.from({ length: n }, (_, i) => i)];
    let deal = rng.int(k);
    groups.forEach((g, c) => {
      if (stratify && g.length < 2) throw new EmptyTrainingClassError(t.name, labels[c]!, g.length, `stratified ${k}-fold cross-validation`);
      const p = rng.shuffle(g.slice());
      for (let i = 0; i < p.length; i++) fold[p[i]!] = deal++ % k;
    });
    return fold;
  });
  return Array.from({ length: k }, (_, f) => {
    const train: Int32Array[] = [];
    const test: Int32Array[] = [];
    for (const fold of foldOf) {
      const te: number[] = [];
      const tr: number[] = [];
      for (let i = 0; i < fold.length; i++) (fold[i] === f ? te : tr).push(i);
      test.push(Int32Array.from(te));
      train.push(Int32Array.from(tr));
    }
    return { train, test, name: `fold ${f + 1}` };
  });
}

/**
 * Splits given by the user as 0/1 columns (1 = train, 0 = test), one column per split, and a column
 * `rowCol` with the source row each line refers to (e.g. school_splits.csv: row,split1..split10).
 * Samples are matched through the dataset's `rows`. Every sample must be covered.
 */
export function givenSplitsFromText(ds: MultiTaskDataset, text: string, file = '<text>', rowCol = 'row'): Split[] {
  const records = parseSync(text, { skip_empty_lines: true, relax_column_count: true, bom: true, info: true }) as { record: string[]; info: { lines: number } }[];
  if (records.length < 2) throw new SplitFileError({ file, line: 1 }, 'needs a header and at least one row');
  const header = records[0]!.record.map((s) => s.trim());
  const rc = header.indexOf(rowCol);
  if (rc < 0) throw new SplitFileError({ file, line: 1 }, `no column "${rowCol}" in the header`);
  const splitCols = header.map((_, j) => j).filter((j) => j !== rc);
  if (splitCols.length === 0) throw new SplitFileError({ file, line: 1 }, 'no split columns');
  header.forEach((h, j) => {
    const first = header.indexOf(h);
    if (first !== j) throw new SplitFileError({ file, line: 1, column: j + 1, columnName: h }, `column "${h}" appears twice (columns ${first + 1} and ${j + 1})`);
  });
  let maxRow = -1;
  for (const t of ds.tasks) for (const r of t.rows) maxRow = Math.max(maxRow, r);
  // flag[s][row]: 1 train, 0 test, −1 not in the file.
  const flags = splitCols.map(() => new Int8Array(maxRow + 1).fill(-1));
  // The line each data row was given on, to name both lines of a duplicate.
  const lineOf = new Int32Array(maxRow + 1).fill(-1);
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i]!;
    const at = (j: number) => ({ file, line: info.lines, column: j + 1, columnName: header[j] ?? String(j + 1) });
    if (record.length !== header.length) throw new SplitFileError(at(Math.min(record.length, header.length)), `row has ${record.length} fields, expected ${header.length}`);
    const row = Number(record[rc]);
    if (!Number.isInteger(row) || row < 0 || record[rc]!.trim() === '') throw new SplitFileError(at(rc), `row index must be an integer ≥ 0, found ${JSON.stringify(record[rc])}`);
    // A row beyond the data means the file was made for other data (issue 10: a 199-row data set
    // with School's 15 362-row splits must not pass silently).
    if (row > maxRow) throw new SplitFileError(at(rc), `row ${row} does not exist in the data (its rows are 0–${maxRow}); is this split file made for another data set?`);
    if (lineOf[row]! >= 0) throw new SplitFileError(at(rc), `row ${row} appears twice (lines ${lineOf[row]} and ${info.lines})`);
    lineOf[row] = info.lines;
    splitCols.forEach((j, s) => {
      const v = record[j]!.trim();
      if (v !== '0' && v !== '1') throw new SplitFileError(at(j), `expected 0 (test) or 1 (train), found ${JSON.stringify(record[j])}`);
      flags[s]![row] = v === '1' ? 1 : 0;
    });
  }
  // Every row of the data must be in the file (the file must match the data exactly).
  const missing: number[] = [];
  for (const t of ds.tasks) for (const r of t.rows) if (lineOf[r]! < 0) missing.push(r);
  if (missing.length > 0) {
    missing.sort((a, b) => a - b);
    const shown = missing.length <= 8 ? missing.join(', ') : `${missing.slice(0, 8).join(', ')}, … (${missing.length} rows in all)`;
    throw new SplitFileError({ file, line: records.length }, `the data's rows ${shown} are not in the split file; it must list every row of the data once`);
  }
  return splitCols.map((j, s) => {
    const f = flags[s]!;
    const train: Int32Array[] = [];
    const test: Int32Array[] = [];
    for (const t of ds.tasks) {
      const tr: number[] = [];
      const te: number[] = [];
      t.rows.forEach((r, i) => {
        const v = f[r];
        if (v === undefined || v < 0) throw new SplitFileError({ file, column: j + 1, columnName: header[j]! }, `task "${t.name}": source row ${r} is not in the split file`);
        (v === 1 ? tr : te).push(i);
      });
      if (te.length === 0 || tr.length === 0) {
        throw new SplitFileError({ file, line: 1, column: j + 1, columnName: header[j]! }, `task "${t.name}" has no ${te.length === 0 ? 'test (0)' : 'training (1)'} rows in this split (${t.rows.length} rows, all ${te.length === 0 ? '1' : '0'})`);
      }
      train.push(Int32Array.from(tr));
      test.push(Int32Array.from(te));
    }
    return { train, test, name: header[j]! };
  });
}

export function givenSplits(ds: MultiTaskDataset, file: string, rowCol = 'row'): Split[] {
  const text = readTextFile(file);
  return givenSplitsFromText(ds, text, file, rowCol);
}

/**
 * The dataset restricted to samples idx[t] of each task t (0-based positions, in the given order).
 * `rows` keep pointing at the source. The shared X of a multi-output dataset is not carried over:
 * per-task subsets need not select the same shared rows.
 */
export function subsetDataset(ds: MultiTaskDataset, idx: readonly ArrayLike<number>[]): MultiTaskDataset {
  if (idx.length !== ds.tasks.length) throw new OptionError('idx', `${idx.length} index sets for ${ds.tasks.length} tasks`);
  const tasks: TaskData[] = ds.tasks.map((t, i) => {
    const id = idx[i]!;
    const n = t.y.length;
    const pick = <A extends Float64Array | Int32Array>(a: A, make: (m: number) => A): A => {
      const out = make(id.length);
      for (let k = 0; k < id.length; k++) {
        const j = id[k]!;
        if (!Number.isInteger(j) || j < 0 || j >= n) throw new OptionError('idx', `task "${t.name}": index ${j} out of range for ${n} samples`);
        out[k] = a[j]!;
      }
      return out;
    };
    // the task's own kind and classes travel with its rows (a multiclass task keeps its K classes
    // even when a part holds fewer of them)
    const base = { name: t.name, X: t.X.selectRows(id), y: pick(t.y, (m) => new Float64Array(m)), rows: pick(t.rows, (m) => new Int32Array(m)), ...(t.kind ? { kind: t.kind } : {}), ...(t.classes ? { classes: t.classes } : {}) };
    return t.weights ? { ...base, weights: pick(t.weights, (m) => new Float64Array(m)) } : base;
  });
  const { shared: _shared, ...rest } = ds;
  return { ...rest, tasks };
}

/** Checks that a split is disjoint and covers every sample of every task; returns an error message or null. */
export function checkSplit(ds: MultiTaskDataset, s: Split): string | null {
  for (let t = 0; t < ds.tasks.length; t++) {
    const n = ds.tasks[t]!.y.length;
    const seen = new Uint8Array(n);
    for (const side of [s.train[t]!, s.test[t]!]) {
      for (const i of side) {
        if (i < 0 || i >= n) return `task ${t}: index ${i} out of range`;
        if (seen[i]) return `task ${t}: index ${i} appears twice`;
        seen[i] = 1;
      }
    }
    if (seen.some((v) => v === 0)) return `task ${t}: some samples are in neither side`;
  }
  return null;
}
