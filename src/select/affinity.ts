// Pairwise inter-task affinity measured by transfer, for any registered model (Standley et al.
// 2020, §3: train every pair, compare each task's performance with the task trained alone).
//
// For each fold f of a k-fold split of every task's rows, and each task i:
//   e_i       = held-out error of the model fitted on task i alone,
//   e_i(j)    = held-out error of task i from the model fitted on the pair {i, j};
//   gain[i][j] = mean over folds of 100 · (e_i − e_i(j)) / e_i   (%; > 0: j helps i).
// The hyper-parameters are held fixed (the user's or the model's defaults): affinity compares
// training sets, not tuning. The matrix is asymmetric — j may help i and not the reverse.
// Cost: T + T(T − 1)/2 fits per fold; every fit is cached by (fold, task set), so callers that
// ask for group fits on the same folds reuse them.
import type { MultiTaskDataset } from '../data/dataset.ts';
import { kFold, subsetDataset, type Split } from '../data/split.ts';
import type { Options } from '../estimator/contract.ts';
import { getModel } from '../estimator/registry.ts';
import { heldOutErrors } from '../eval/cv.ts';
import { OptionError, PolytaskError } from '../errors.ts';
import type { GainMatrix } from './hoa.ts';
import { selectTasks } from './tasks.ts';

export interface AffinityOptions {
  /** A registered model name (linear or neural). */
  readonly model: string;
  readonly options?: Options;
  /** Folds of the rows of every task (default 3). */
  readonly folds?: number;
  readonly seed?: number;
  /** Called after every fit: done and total fits. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface Affinity extends GainMatrix {
  readonly tasks: readonly string[];
  /** Standard error over folds of each gain (NaN where fewer than two folds gave a value). */
  readonly se: Float64Array;
  /** Held-out error of each task alone, mean over folds. */
  readonly aloneError: Float64Array;
  /** How the matrix was made, for the report and JSON. */
  readonly measure: string;
  /** Unit of the entries: % change of the row task's error or loss (default), or a cosine. */
  readonly unit?: '%' | 'cosine';
  readonly model: string;
  readonly folds: number;
  readonly fits: number;
  /** Fits that failed (their pairs are NaN in the folds they failed in), with messages. */
  readonly failures: readonly { readonly tasks: readonly string[]; readonly fold: number; readonly message: string }[];
  readonly seconds: number;
}

/** Fits the model on a subset of tasks of a fold's training part and returns the held-out errors
 * of those tasks on the fold's test part (NaN for every task when the fit fails). */
export class GroupFitCache {
  private readonly cache = new Map<string, Float64Array>();
  readonly failures: { tasks: string[]; fold: number; message: string }[] = [];
  fits = 0;
  constructor(
    private readonly ds: MultiTaskDataset,
    private readonly splits: readonly Split[],
    private readonly model: string,
    private readonly options: Options,
  ) {}

  /** Held-out errors of `tasks` (indices into ds) when learned together, on fold f. */
  errors(f: number, tasks: readonly number[]): Float64Array {
    const key = `${f}:${[...tasks].sort((a, b) => a - b).join(',')}`;
    const hit = this.cache.get(key);
    if (hit) return reorder(hit, [...tasks].sort((a, b) => a - b), tasks);
    const sorted = [...tasks].sort((a, b) => a - b);
    const split = this.splits[f]!;
    const train = selectTasks(subsetDataset(this.ds, split.train), sorted);
    const test = sorted.map((t) => split.test[t]!);
    const testDs = selectTasks(this.ds, sorted);
    let errs: Float64Array;
    try {
      const est = getModel(this.model).make(this.options).fit(train);
      errs = heldOutErrors(est, testDs, test);
    } catch (e) {
      if (!(e instanceof PolytaskError) && !(e instanceof RangeError)) throw e;
      errs = new Float64Array(sorted.length).fill(Number.NaN);
      this.failures.push({ tasks: sorted.map((t) => this.ds.tasks[t]!.name), fold: f, message: e.message });
    }
    this.fits++;
    this.cache.set(key, errs);
    return reorder(errs, sorted, tasks);
  }
}

function reorder(errs: Float64Array, sorted: readonly number[], wanted: readonly number[]): Float64Array {
  return Float64Array.from(wanted, (t) => errs[sorted.indexOf(t)]!);
}

export function foldsFor(ds: MultiTaskDataset, folds: number, seed: number): Split[] {
  if (!Number.isInteger(folds) || folds < 2) throw new OptionError('folds', `must be an integer ≥ 2 (got ${folds})`);
  for (const t of ds.tasks) {
    if (t.y.length < folds) throw new OptionError('folds', `task "${t.name}" has ${t.y.length} samples, fewer than ${folds} folds`);
  }
  return kFold(ds, folds, { seed });
}

export function pairwiseAffinity(ds: MultiTaskDataset, opts: AffinityOptions, cache?: GroupFitCache): Affinity {
  const t0 = performance.now();
  const T = ds.tasks.length;
  if (T < 2) throw new OptionError('data', `affinity needs at least two tasks (got ${T})`);
  getModel(opts.model); // unknown names fail before any work
  const folds = opts.folds ?? 3;
  const splits = foldsFor(ds, folds, opts.seed ?? 0);
  const fits = cache ?? new GroupFitCache(ds, splits, opts.model, opts.options ?? {});
  const total = folds * (T + (T * (T - 1)) / 2);
  let done = 0;
  const tick = (): void => {
    done++;
    if (opts.signal?.aborted) throw new PolytaskError('ABORTED', 'affinity: stopped by the caller (abort signal)');
    opts.onProgress?.(done, total);
  };
  // per fold: alone errors, then pair errors
  const gains: Float64Array[] = Array.from({ length: T * T }, () => new Float64Array(folds).fill(Number.NaN));
  const alone = Array.from({ length: T }, () => new Float64Array(folds));
  for (let f = 0; f < folds; f++) {
    for (let i = 0; i < T; i++) {
      alone[i]![f] = fits.errors(f, [i])[0]!;
      tick();
    }
    for (let i = 0; i < T; i++) {
      for (let j = i + 1; j < T; j++) {
        const e = fits.errors(f, [i, j]);
        gains[i * T + j]![f] = relGain(alone[i]![f]!, e[0]!);
        gains[j * T + i]![f] = relGain(alone[j]![f]!, e[1]!);
        tick();
      }
    }
  }
  const { gain, se } = foldStats(gains, T);
  const aloneError = Float64Array.from(alone, (a) => a.reduce((s, x) => s + x, 0) / folds);
  return {
    T,
    gain,
    se,
    aloneError,
    tasks: ds.tasks.map((t) => t.name),
    measure: `pairwise transfer: % change of each task's held-out error (${folds}-fold) when fitted with one other task, against alone`,
    model: opts.model,
    folds,
    fits: fits.fits,
    failures: fits.failures,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * The affinity that scales: O(T) fits per fold instead of O(T²). With e_i(S) the held-out error of
 * task i from the model fitted on the task set S and A all tasks,
 *   gain[i][j] = mean over folds of 100 · (e_i(A \ {j}) − e_i(A)) / e_i(A \ {j})   (i ≠ j),
 * the % by which adding task j to all the others lowers task i's error: j's marginal contribution
 * to i inside the full group, where the pairwise measure asks about j alone with i. T + 1 fits per
 * fold (the full set, and each set with one task left out).
 */
export function leaveOneOutAffinity(ds: MultiTaskDataset, opts: AffinityOptions, cache?: GroupFitCache): Affinity {
  const t0 = performance.now();
  const T = ds.tasks.length;
  if (T < 3) throw new OptionError('data', `leave-one-out affinity needs at least three tasks (got ${T}); use the pairwise measure`);
  getModel(opts.model);
  const folds = opts.folds ?? 3;
  const splits = foldsFor(ds, folds, opts.seed ?? 0);
  const fits = cache ?? new GroupFitCache(ds, splits, opts.model, opts.options ?? {});
  const total = folds * (T + 1);
  let done = 0;
  const tick = (): void => {
    done++;
    if (opts.signal?.aborted) throw new PolytaskError('ABORTED', 'affinity: stopped by the caller (abort signal)');
    opts.onProgress?.(done, total);
  };
  const all = [...Array(T).keys()];
  const gains: Float64Array[] = Array.from({ length: T * T }, () => new Float64Array(folds).fill(Number.NaN));
  const fullErr = Array.from({ length: T }, () => new Float64Array(folds));
  for (let f = 0; f < folds; f++) {
    const full = fits.errors(f, all);
    for (let i = 0; i < T; i++) fullErr[i]![f] = full[i]!;
    tick();
    for (let j = 0; j < T; j++) {
      const rest = all.filter((k) => k !== j);
      const e = fits.errors(f, rest);
      rest.forEach((i, k) => {
        gains[i * T + j]![f] = relGain(e[k]!, full[i]!);
      });
      tick();
    }
  }
  const { gain, se } = foldStats(gains, T);
  return {
    T,
    gain,
    se,
    aloneError: Float64Array.from(fullErr, (a) => a.reduce((s, x) => s + x, 0) / folds),
    tasks: ds.tasks.map((t) => t.name),
    measure: `leave-one-out transfer: % change of each task's held-out error (${folds}-fold) when one other task is added to all the rest`,
    model: opts.model,
    folds,
    fits: fits.fits,
    failures: fits.failures,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Mean and standard error over folds of each entry (finite values only). */
function foldStats(gains: readonly Float64Array[], T: number): { gain: Float64Array; se: Float64Array } {
  const gain = new Float64Array(T * T);
  const se = new Float64Array(T * T).fill(Number.NaN);
  for (let k = 0; k < T * T; k++) {
    if (Math.floor(k / T) === k % T) continue;
    const v = [...gains[k]!].filter(Number.isFinite);
    gain[k] = v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
    if (v.length >= 2) {
      const m = gain[k]!;
      se[k] = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
    }
  }
  return { gain, se };
}

function relGain(alone: number, together: number): number {
  if (!Number.isFinite(alone) || !Number.isFinite(together) || alone <= 0) return Number.NaN;
  return (100 * (alone - together)) / alone;
}
