// What `polytask inspect` reports about a data set — tasks and their sizes, label balance or target
// spread, missing labels, per-feature statistics — computed either from a loaded dataset
// (`summariseDataset`) or while a loader streams the rows past (`FeatureMoments`, `TaskMoments`: the
// CSV loader's summary mode, csv.ts `summariseCsv`, and columnar.ts `summariseColumnar`), so that a
// file is summarised in one pass with memory O(tasks + columns), never O(rows) (issue 15).
//
// The two paths report the same numbers: counts, minima, maxima and the "constant" flag exactly; the
// means as the same left-to-right sums divided by n (bit for bit whenever the rows reach the sum in
// the same order: always per task, and for features when each task's rows are contiguous in the
// file or the layout is wide); the standard deviations to rounding (a one-pass method cannot
// replay the two-pass sum Σ(v − mean)² of the loaded path; see `FeatureMoments`).
import type { MultiTaskDataset } from './dataset.ts';

export interface TaskStats {
  readonly task: string;
  readonly n: number;
  readonly positives?: number;
  readonly negatives?: number;
  readonly mean?: number;
  readonly sd?: number;
  /** Multi-output only: rows of the shared X without a label for this task. */
  readonly missing?: number;
}

export interface FeatureStats {
  readonly feature: string;
  readonly mean: number;
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  /** True when the feature takes one value over all samples. */
  readonly constant: boolean;
}

export interface Inspection {
  readonly source: string;
  readonly layout: MultiTaskDataset['layout'];
  readonly kind: MultiTaskDataset['kind'];
  readonly labelMap?: MultiTaskDataset['labelMap'];
  readonly tasks: readonly TaskStats[];
  readonly features: readonly FeatureStats[];
  readonly samples: number;
}

function meanSd(v: ArrayLike<number>): { mean: number; sd: number } {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i]!;
  const mean = n > 0 ? s / n : NaN;
  let q = 0;
  for (let i = 0; i < n; i++) q += (v[i]! - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(q / (n - 1)) : 0 };
}

/** Pure summary of a loaded dataset (features over all tasks' samples; shared X once for multi-output). */
export function summariseDataset(ds: MultiTaskDataset): Inspection {
  const d = ds.featureNames.length;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  let rows = 0;
  const blocks = ds.shared ? [ds.shared.X] : ds.tasks.map((t) => t.X);
  // Two passes: the mean first, then the squared deviations from it (no cancellation).
  for (const X of blocks) {
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < d; j++) {
        const v = X.data[i * d + j]!;
        sum[j]! += v;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
      rows++;
    }
  }
  const mean = Array.from(sum, (s) => s / Math.max(1, rows));
  for (const X of blocks) for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) sq[j]! += (X.data[i * d + j]! - mean[j]!) ** 2;
  const features = ds.featureNames.map((feature, j) => ({
    feature,
    mean: mean[j]!,
    sd: rows > 1 ? Math.sqrt(sq[j]! / (rows - 1)) : 0,
    min: lo[j]!,
    max: hi[j]!,
    constant: lo[j] === hi[j],
  }));
  const nShared = ds.shared?.X.rows;
  const tasks = ds.tasks.map((t): TaskStats => {
    const base = { task: t.name, n: t.y.length, ...(nShared !== undefined ? { missing: nShared - t.y.length } : {}) };
    if (ds.kind === 'binary') {
      const positives = t.y.filter((v) => v > 0).length;
      return { ...base, positives, negatives: t.y.length - positives };
    }
    return { ...base, ...meanSd(t.y) };
  });
  return inspection(ds.source ?? 'dataset', ds.layout, ds.kind, ds.labelMap, tasks, features);
}

export function inspection(
  source: string,
  layout: Inspection['layout'],
  kind: Inspection['kind'],
  labelMap: Inspection['labelMap'],
  tasks: readonly TaskStats[],
  features: readonly FeatureStats[],
): Inspection {
  return { source, layout, kind, ...(labelMap ? { labelMap } : {}), tasks, features, samples: tasks.reduce((s, t) => s + t.n, 0) };
}

/**
 * Per-column count, sum, minimum, maximum and sum of squared deviations of a stream of rows, in
 * memory O(columns): rows are buffered in a block of about 64 Ki values, each full block is reduced
 * by the two-pass formula (its own mean, then Σ(v − block mean)²) and merged into the running total
 * by Chan, Golub & LeVeque's update (1979/1983: M2 += M2_b + δ² · n · n_b / (n + n_b), δ = the
 * difference of the means) — as accurate as the two-pass method over the whole column, unlike the
 * textbook one-pass Σv² − n·mean², which cancels. The reported mean is the plain left-to-right Σv / n
 * (what `summariseDataset` computes), kept beside the block means.
 */
export class FeatureMoments {
  readonly d: number;
  rows = 0;
  private readonly block: Float64Array;
  private readonly cap: number;
  private nb = 0;
  private readonly sum: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly bsum: Float64Array;
  private readonly bm2: Float64Array;
  private readonly shift: Float64Array;
  /** Rows folded into `mean` / `m2` so far. */
  private merged = 0;

  constructor(d: number) {
    this.d = d;
    this.cap = Math.max(8, Math.floor(65536 / Math.max(1, d)));
    this.block = new Float64Array(this.cap * d);
    this.sum = new Float64Array(d);
    this.lo = new Float64Array(d).fill(Infinity);
    this.hi = new Float64Array(d).fill(-Infinity);
    this.mean = new Float64Array(d);
    this.m2 = new Float64Array(d);
    this.bsum = new Float64Array(d);
    this.bm2 = new Float64Array(d);
    this.shift = new Float64Array(d);
  }

  /** Appends row values src[off .. off + d). */
  add(src: ArrayLike<number>, off = 0): void {
    const d = this.d;
    const o = this.nb * d;
    const b = this.block;
    for (let j = 0; j < d; j++) b[o + j] = src[off + j]!;
    this.rows++;
    if (++this.nb === this.cap) this.fold();
  }

  /** Reduces the buffered block and merges it into the totals. */
  private fold(): void {
    const nb = this.nb;
    if (nb === 0) return;
    const { d, block, sum, lo, hi, bsum, bm2 } = this;
    bsum.fill(0);
    bm2.fill(0);
    // Everything but the plain sum is kept relative to each column's first value (`shift`), so that a
    // large common offset (values near 1e9) costs no digits in the block sums or the running mean.
    const shift = this.shift;
    if (this.merged === 0) for (let j = 0; j < d; j++) shift[j] = block[j]!;
    for (let r = 0; r < nb; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) {
        const v = block[o + j]!;
        sum[j]! += v;
        bsum[j]! += v - shift[j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    for (let j = 0; j < d; j++) bsum[j]! /= nb; // now the block means (shifted)
    for (let r = 0; r < nb; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) {
        const e = block[o + j]! - shift[j]! - bsum[j]!;
        bm2[j]! += e * e;
      }
    }
    this.mergeBlock(nb, bsum, bm2);
    this.nb = 0;
  }

  private mergeBlock(nb: number, bmean: ArrayLike<number>, bm2: ArrayLike<number>): void {
    const n = this.merged;
    const tot = n + nb;
    const { mean, m2 } = this;
    for (let j = 0; j < this.d; j++) {
      const delta = bmean[j]! - mean[j]!;
      mean[j] = mean[j]! + (delta * nb) / tot;
      m2[j] = m2[j]! + bm2[j]! + (delta * delta * n * nb) / tot;
    }
    this.merged = tot;
  }

  /**
   * Column-wise input (a columnar reader's piece): the values of column j for rows rowStart ..
   * rowStart + values.length − 1, where pieces of one column arrive in row order. Kept apart from
   * `add`: each column is reduced on its own (no block), `rows` is set by the caller.
   */
  addColumnPiece(j: number, values: ArrayLike<number>, m: number): void {
    if (m === 0) return;
    let s = this.sum[j]!;
    let bs = 0;
    let lo = this.lo[j]!;
    let hi = this.hi[j]!;
    if (this.colRows[j] === 0) this.shift[j] = values[0]!;
    const v0 = this.shift[j]!;
    for (let i = 0; i < m; i++) {
      const v = values[i]!;
      s += v;
      bs += v - v0; // shifted, as in `fold`
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const bmean = bs / m;
    let bm2 = 0;
    for (let i = 0; i < m; i++) {
      const e = values[i]! - v0 - bmean;
      bm2 += e * e;
    }
    this.sum[j] = s;
    this.lo[j] = lo;
    this.hi[j] = hi;
    const n = this.colRows[j]!;
    const tot = n + m;
    const delta = bmean - this.mean[j]!;
    this.mean[j] = this.mean[j]! + (delta * m) / tot;
    this.m2[j] = this.m2[j]! + bm2 + (delta * delta * n * m) / tot;
    this.colRows[j] = tot;
  }

  private colRows: Float64Array = new Float64Array(0);

  /** Switches to column-wise input (`addColumnPiece`) for a stream of `rows` rows in all. */
  columnWise(rows: number): void {
    this.colRows = new Float64Array(this.d);
    this.rows = rows;
  }

  /** The statistics of column j (after `finish`). */
  stats(j: number, feature: string): FeatureStats {
    const rows = this.rows;
    const lo = this.lo[j]!;
    const hi = this.hi[j]!;
    return { feature, mean: this.sum[j]! / Math.max(1, rows), sd: rows > 1 ? Math.sqrt(Math.max(0, this.m2[j]!) / (rows - 1)) : 0, min: lo, max: hi, constant: lo === hi };
  }

  /** Folds the last partial block. */
  finish(): void {
    this.fold();
  }

  /** Values held for the block being filled (the test of bounded memory reads it). */
  get heldRows(): number {
    return this.nb;
  }

  /** The block's capacity in rows. */
  get blockRows(): number {
    return this.cap;
  }
}

/**
 * Per-task counts and target statistics of a stream of labelled rows, in memory O(tasks): the count,
 * the left-to-right sum (so the mean is Σy / n exactly as `summariseDataset` computes it, rows of a
 * task being in file order in both), Welford's running M2 for the sd (Welford 1962; one pass), the
 * counts of the first two label codes (binary tasks), and for `--classes K` the first label that is
 * not a class and whether two classes occur. Tasks are added by index as they appear.
 */
export class TaskMoments {
  size = 0;
  private n = new Float64Array(16);
  private sum = new Float64Array(16);
  private mean = new Float64Array(16);
  private m2 = new Float64Array(16);
  /** Rows with label code 0 and 1. */
  private c0 = new Float64Array(16);
  private c1 = new Float64Array(16);
  /** --classes: the first class seen (NaN: none yet), whether a second one occurred, the first bad label. */
  private firstClass = new Float64Array(16).fill(NaN);
  private twoClasses = new Uint8Array(16);
  private badRow = new Float64Array(16).fill(-1);
  private badValue = new Float64Array(16);
  /** --classes K (0: no class checks). */
  private readonly K: number;

  constructor(K = 0) {
    this.K = K;
  }

  private grow(T: number): void {
    let cap = this.n.length;
    if (T <= cap) return;
    while (cap < T) cap *= 2;
    const g = (a: Float64Array, fill = 0): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap).fill(fill);
      b.set(a);
      return b;
    };
    this.n = g(this.n);
    this.sum = g(this.sum);
    this.mean = g(this.mean);
    this.m2 = g(this.m2);
    this.c0 = g(this.c0);
    this.c1 = g(this.c1);
    this.firstClass = g(this.firstClass, NaN);
    this.badRow = g(this.badRow, -1);
    this.badValue = g(this.badValue);
    const tc = new Uint8Array(cap);
    tc.set(this.twoClasses);
    this.twoClasses = tc;
  }

  /** Makes room for tasks 0 .. T − 1. */
  ensure(T: number): void {
    if (T > this.size) {
      this.grow(T);
      this.size = T;
    }
  }

  /** One labelled row of task t: its target value y (NaN for a text label), label code and source row (for --classes errors). */
  add(t: number, y: number, code: number, row: number): void {
    if (t >= this.size) this.ensure(t + 1);
    const k = this.n[t]! + 1;
    this.n[t] = k;
    this.sum[t]! += y;
    const mOld = this.mean[t]!;
    const m = mOld + (y - mOld) / k;
    this.mean[t] = m;
    this.m2[t]! += (y - mOld) * (y - m);
    if (code === 0) this.c0[t]!++;
    else if (code === 1) this.c1[t]!++;
    if (this.K > 0 && this.badRow[t]! < 0) {
      if (!Number.isInteger(y) || y < 0 || y >= this.K) {
        this.badRow[t] = row;
        this.badValue[t] = y;
      } else if (this.twoClasses[t] === 0) {
        const f = this.firstClass[t]!;
        if (f !== f) this.firstClass[t] = y;
        else if (f !== y) this.twoClasses[t] = 1;
      }
    }
  }

  count(t: number): number {
    return this.n[t]!;
  }

  /** Rows of task t with label code c (0 or 1). */
  codeCount(t: number, c: number): number {
    return c === 0 ? this.c0[t]! : c === 1 ? this.c1[t]! : 0;
  }

  /** Σy / n and the sample sd, as `summariseDataset` reports them. */
  meanSd(t: number): { mean: number; sd: number } {
    const n = this.n[t]!;
    return { mean: n > 0 ? this.sum[t]! / n : NaN, sd: n > 1 ? Math.sqrt(Math.max(0, this.m2[t]!) / (n - 1)) : 0 };
  }

  /**
   * --classes: the first label of task t that is not a class (its source row and value), or null;
   * how many classes occur (0, 1, or 2 for two or more) and the first one.
   */
  classCheck(t: number): { bad: { row: number; value: number } | null; used: number; first: number } {
    const bad = this.badRow[t]! >= 0 ? { row: this.badRow[t]!, value: this.badValue[t]! } : null;
    const first = this.firstClass[t]!;
    return { bad, used: this.twoClasses[t] ? 2 : first === first ? 1 : 0, first };
  }
}
