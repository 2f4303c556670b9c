// Pairwise inter-task affinity measured by transfer, for any registered model (Standley et al.
// 2020, §3: train every pair, compare each task's performance with the task trained alone).
//
// For each fold f of a k-fold split of every task's rows, and each task i:
//   e_i       = held-out error of the model fitted on task i alone,
//   e_i(j)    = held-out error of task i from the model fitted on the pair {i, j};
//   gain[i][j] = mean over folds of g(e_i, e_i(j))   (> 0: j helps i),
// with g the gain of gain.ts (relative %, log-ratio or pooled; `gain` option).
// The hyper-parameters are held fixed (the user's or the model's defaults): affinity compares
// training sets, not tuning. The matrix is asymmetric — j may help i and not the reverse.
// Cost: T + T(T − 1)/2 fits per fold; every fit is cached by (fold, task set), so callers that
// ask for group fits on the same folds reuse them.
//
// The work is a list of independent fits (fold, task set) → held-out errors (affinityJobs); it
// runs in the calling thread (pairwiseAffinity) or on worker threads (affinity-pool.ts), and the
// matrix is then assembled from the filled cache in one fixed order — so the result does not
// depend on the number of workers or the order in which fits finish.
import type { MultiTaskDataset } from '../data/dataset.ts';
import { kFold, subsetDataset, type Split } from '../data/split.ts';
import type { Options } from '../estimator/contract.ts';
import { getModel } from '../estimator/registry.ts';
import { heldOutErrors } from '../eval/cv.ts';
import { OptionError, PolytaskError } from '../errors.ts';
import { checkGainKind, DEFAULT_GAIN, describeGain, gainOf, pooledScale, type GainKind } from './gain.ts';
import type { GainMatrix } from './hoa.ts';
import { shareTaskPreparation } from '../linear/task-cache.ts';
import { Matrix } from '../linalg/matrix.ts';
import { selectTasks } from './tasks.ts';

export interface AffinityOptions {
  /** A registered model name (linear or neural). */
  readonly model: string;
  readonly options?: Options;
  /** Folds of the rows of every task (default 3). */
  readonly folds?: number;
  readonly seed?: number;
  /** How two errors become a gain (gain.ts; default DEFAULT_GAIN). */
  readonly gain?: GainKind;
  /** Called after every fit: done and total fits. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Leave-one-out: start each fit from the fold's all-task fit (default true; false fits cold). */
  readonly warmStart?: boolean;
}

export type FitMeasure = 'pairs' | 'leave-one-out';

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
  /** The gain of a fit-based measure (gain.ts); absent for the neural measures. */
  readonly gainKind?: GainKind;
  readonly model: string;
  readonly folds: number;
  readonly fits: number;
  /** Fits that failed (their pairs are NaN in the folds they failed in), with messages. */
  readonly failures: readonly FitFailure[];
  readonly seconds: number;
  /** Worker threads that ran the fits (1: the calling thread). */
  readonly workers?: number;
}

export interface FitFailure {
  readonly tasks: readonly string[];
  readonly fold: number;
  readonly message: string;
}

/** One unit of affinity work: fit the model on `tasks` (indices, ascending) of fold `fold`'s
 * training part, score them on its test part. */
export interface FitJob {
  readonly fold: number;
  readonly tasks: readonly number[];
  /** Start the solver from the fold's all-task fit restricted to these tasks (leave-one-out). */
  readonly warm?: boolean;
}

/** The outcome of one fit: held-out errors of its tasks (in job order), or NaNs and a message. */
export interface FitOutcome {
  readonly errors: Float64Array;
  readonly failure?: string;
}

/** Fits `model` on the tasks of one job and scores them: the same code in the calling thread and
 * in a worker (fit-worker.ts). A user-level failure of the fit (PolytaskError, RangeError) gives
 * NaN errors and its message; anything else is a bug and propagates. */
export function runFitJob(ds: MultiTaskDataset, splits: readonly Split[], model: string, options: Options, job: FitJob): FitOutcome {
  const split = splits[job.fold]!;
  const train = selectTasks(foldTrain(ds, splits, job.fold), job.tasks);
  const test = job.tasks.map((t) => split.test[t]!);
  const testDs = selectTasks(ds, job.tasks);
  try {
    const warm = job.warm ? restrictWarm(allTaskWarm(ds, splits, model, options, job.fold), job.tasks) : undefined;
    const est = getModel(model).make(options).fit(train, warm !== undefined ? { warm } : {});
    if (job.tasks.length === ds.tasks.length) rememberAllTaskWarm(splits, job.fold, est.warmStart);
    return { errors: heldOutErrors(est, testDs, test) };
  } catch (e) {
    if (!(e instanceof PolytaskError) && !(e instanceof RangeError)) throw e;
    return { errors: new Float64Array(job.tasks.length).fill(Number.NaN), failure: e.message };
  }
}

/** The training part of fold f, made once per (data set, folds): every fit of the fold then holds
 * the same task objects, declared shared (src/linear/task-cache.ts) so that what a fit derives from
 * one task alone (centred rows, Gram block, factor) is reused by the fold's other fits. */
const trainParts = new WeakMap<readonly Split[], { ds: MultiTaskDataset; parts: (MultiTaskDataset | undefined)[] }>();
export function foldTrain(ds: MultiTaskDataset, splits: readonly Split[], f: number): MultiTaskDataset {
  let memo = trainParts.get(splits);
  if (!memo || memo.ds !== ds) trainParts.set(splits, (memo = { ds, parts: [] }));
  let part = memo.parts[f];
  if (!part) {
    part = subsetDataset(ds, splits[f]!.train);
    shareTaskPreparation(part.tasks);
    memo.parts[f] = part;
  }
  return part;
}

/** The warm start of fold f's all-task fit: remembered when that fit runs in this thread, else
 * made here once (a worker that did not run it). Deterministic, so the matrix does not depend on
 * which thread ran which fit. */
const allWarm = new WeakMap<readonly Split[], Map<number, unknown>>();
function rememberAllTaskWarm(splits: readonly Split[], f: number, warm: unknown): void {
  let m = allWarm.get(splits);
  if (!m) allWarm.set(splits, (m = new Map()));
  m.set(f, warm);
}
function allTaskWarm(ds: MultiTaskDataset, splits: readonly Split[], model: string, options: Options, f: number): unknown {
  const m = allWarm.get(splits);
  if (m?.has(f)) return m.get(f);
  const warm = getModel(model).make(options).fit(foldTrain(ds, splits, f)).warmStart;
  rememberAllTaskWarm(splits, f, warm);
  return warm;
}

/** A linear fit's warm start (W: d × T, intercepts) restricted to the columns of `tasks`; undefined
 * for any other engine's state (those fit cold). The λ-path parts (the built problem, the strong
 * rule's previous λ) belong to the all-task data set and are dropped. */
export function restrictWarm(warm: unknown, tasks: readonly number[]): unknown {
  if (!warm || typeof warm !== 'object') return undefined;
  const { W, intercepts } = warm as { W?: unknown; intercepts?: unknown };
  if (!(W instanceof Matrix)) return undefined;
  const d = W.rows;
  const sub = Matrix.zeros(d, tasks.length);
  for (let j = 0; j < d; j++) tasks.forEach((t, k) => (sub.data[j * tasks.length + k] = W.data[j * W.cols + t]!));
  return {
    W: sub,
    ...(intercepts instanceof Float64Array && intercepts.length === W.cols ? { intercepts: Float64Array.from(tasks, (t) => intercepts[t]!) } : {}),
  };
}

/** Fits the model on a subset of tasks of a fold's training part and returns the held-out errors
 * of those tasks on the fold's test part (NaN for every task when the fit fails). */
export class GroupFitCache {
  private readonly cache = new Map<string, Float64Array>();
  readonly failures: FitFailure[] = [];
  fits = 0;
  constructor(
    readonly ds: MultiTaskDataset,
    readonly splits: readonly Split[],
    readonly model: string,
    readonly options: Options,
  ) {}

  private static key(f: number, sorted: readonly number[]): string {
    return `${f}:${sorted.join(',')}`;
  }

  has(f: number, tasks: readonly number[]): boolean {
    return this.cache.has(GroupFitCache.key(f, [...tasks].sort((a, b) => a - b)));
  }

  /** Stores the outcome of a fit run elsewhere (a worker) as if it had been run here. */
  put(job: FitJob, outcome: FitOutcome): void {
    const sorted = [...job.tasks].sort((a, b) => a - b);
    const errs = reorder(outcome.errors, job.tasks, sorted);
    if (outcome.failure !== undefined) this.failures.push({ tasks: sorted.map((t) => this.ds.tasks[t]!.name), fold: job.fold, message: outcome.failure });
    this.fits++;
    this.cache.set(GroupFitCache.key(job.fold, sorted), errs);
  }

  /** Held-out errors of `tasks` (indices into ds) when learned together, on fold f (a fit not in
   * the cache starts from the fold's all-task fit when `warm`, FitJob.warm). */
  errors(f: number, tasks: readonly number[], warm = false): Float64Array {
    const sorted = [...tasks].sort((a, b) => a - b);
    const hit = this.cache.get(GroupFitCache.key(f, sorted));
    if (hit) return reorder(hit, sorted, tasks);
    const job = { fold: f, tasks: sorted, ...(warm ? { warm } : {}) };
    this.put(job, runFitJob(this.ds, this.splits, this.model, this.options, job));
    return reorder(this.cache.get(GroupFitCache.key(f, sorted))!, sorted, tasks);
  }
}

function reorder(errs: Float64Array, from: readonly number[], wanted: readonly number[]): Float64Array {
  return Float64Array.from(wanted, (t) => errs[from.indexOf(t)]!);
}

export function foldsFor(ds: MultiTaskDataset, folds: number, seed: number): Split[] {
  if (!Number.isInteger(folds) || folds < 2) throw new OptionError('folds', `must be an integer ≥ 2 (got ${folds})`);
  for (const t of ds.tasks) {
    if (t.y.length < folds) throw new OptionError('folds', `task "${t.name}" has ${t.y.length} samples, fewer than ${folds} folds`);
  }
  return kFold(ds, folds, { seed });
}

/** Every fit a measure needs, fold by fold, in the order the sequential path runs them. */
export function affinityJobs(T: number, folds: number, measure: FitMeasure, warm = true): FitJob[] {
  const jobs: FitJob[] = [];
  const all = [...Array(T).keys()];
  for (let f = 0; f < folds; f++) {
    if (measure === 'pairs') {
      for (let i = 0; i < T; i++) jobs.push({ fold: f, tasks: [i] });
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) jobs.push({ fold: f, tasks: [i, j] });
    } else {
      jobs.push({ fold: f, tasks: all });
      // Each set without one task starts from the all-task fit (its own columns): one task's fewer
      // rows move the optimum little, so iterative solvers need a fraction of a cold start's passes.
      for (let j = 0; j < T; j++) jobs.push({ fold: f, tasks: all.filter((k) => k !== j), ...(warm ? { warm } : {}) });
    }
  }
  return jobs;
}

/** Checks shared by both measures; returns the folds, the splits, the cache and the gain. */
export function prepareAffinity(ds: MultiTaskDataset, opts: AffinityOptions, measure: FitMeasure, cache?: GroupFitCache): { folds: number; fits: GroupFitCache; gain: GainKind } {
  const T = ds.tasks.length;
  if (measure === 'pairs' && T < 2) throw new OptionError('data', `affinity needs at least two tasks (got ${T})`);
  if (measure === 'leave-one-out' && T < 3) throw new OptionError('data', `leave-one-out affinity needs at least three tasks (got ${T}); use the pairwise measure`);
  getModel(opts.model); // unknown names fail before any work
  const gain = checkGainKind(opts.gain ?? DEFAULT_GAIN);
  const folds = opts.folds ?? 3;
  const fits = cache ?? new GroupFitCache(ds, foldsFor(ds, folds, opts.seed ?? 0), opts.model, opts.options ?? {});
  if (fits.splits.length !== folds) throw new OptionError('folds', `the fit cache holds ${fits.splits.length} folds, not ${folds}`);
  return { folds, fits, gain };
}

/** Runs the jobs not yet in the cache, in the calling thread, with progress and abort. */
function runJobs(fits: GroupFitCache, jobs: readonly FitJob[], opts: AffinityOptions): void {
  let done = 0;
  for (const job of jobs) {
    if (opts.signal?.aborted) throw new PolytaskError('ABORTED', 'affinity: stopped by the caller (abort signal)');
    fits.errors(job.fold, job.tasks, job.warm);
    opts.onProgress?.(++done, jobs.length);
  }
}

export function pairwiseAffinity(ds: MultiTaskDataset, opts: AffinityOptions, cache?: GroupFitCache): Affinity {
  const t0 = performance.now();
  const { folds, fits, gain } = prepareAffinity(ds, opts, 'pairs', cache);
  runJobs(fits, affinityJobs(ds.tasks.length, folds, 'pairs'), opts);
  return assembleAffinity(ds, fits, 'pairs', folds, gain, opts.model, (performance.now() - t0) / 1000);
}

/**
 * The affinity that scales: O(T) fits per fold instead of O(T²). With e_i(S) the held-out error of
 * task i from the model fitted on the task set S and A all tasks,
 *   gain[i][j] = mean over folds of g(e_i(A \ {j}), e_i(A))   (i ≠ j),
 * how much adding task j to all the others lowers task i's error: j's marginal contribution
 * to i inside the full group, where the pairwise measure asks about j alone with i. T + 1 fits per
 * fold (the full set, and each set with one task left out).
 */
export function leaveOneOutAffinity(ds: MultiTaskDataset, opts: AffinityOptions, cache?: GroupFitCache): Affinity {
  const t0 = performance.now();
  const { folds, fits, gain } = prepareAffinity(ds, opts, 'leave-one-out', cache);
  runJobs(fits, affinityJobs(ds.tasks.length, folds, 'leave-one-out', opts.warmStart ?? true), opts);
  return assembleAffinity(ds, fits, 'leave-one-out', folds, gain, opts.model, (performance.now() - t0) / 1000);
}

/** The matrix from a cache that holds every fit of the measure (read in a fixed order). */
export function assembleAffinity(ds: MultiTaskDataset, fits: GroupFitCache, measure: FitMeasure, folds: number, kind: GainKind, model: string, seconds: number, workers = 1): Affinity {
  const T = ds.tasks.length;
  const gains: Float64Array[] = Array.from({ length: T * T }, () => new Float64Array(folds).fill(Number.NaN));
  // The reference error of each task per fold: alone (pairs) or in the full group (leave-one-out).
  const base = Array.from({ length: T }, () => new Float64Array(folds));
  const all = [...Array(T).keys()];
  for (let f = 0; f < folds; f++) {
    if (measure === 'pairs') {
      for (let i = 0; i < T; i++) base[i]![f] = fits.errors(f, [i])[0]!;
      const scale = pooledScale(base.map((b) => b[f]!));
      for (let i = 0; i < T; i++) {
        for (let j = i + 1; j < T; j++) {
          const e = fits.errors(f, [i, j]);
          gains[i * T + j]![f] = gainOf(kind, base[i]![f]!, e[0]!, scale);
          gains[j * T + i]![f] = gainOf(kind, base[j]![f]!, e[1]!, scale);
        }
      }
    } else {
      const full = fits.errors(f, all);
      for (let i = 0; i < T; i++) base[i]![f] = full[i]!;
      const scale = pooledScale(full);
      for (let j = 0; j < T; j++) {
        const rest = all.filter((k) => k !== j);
        const e = fits.errors(f, rest);
        rest.forEach((i, k) => {
          gains[i * T + j]![f] = gainOf(kind, e[k]!, full[i]!, scale);
        });
      }
    }
  }
  const { gain, se } = foldStats(gains, T);
  const what = describeGain(kind);
  return {
    T,
    gain,
    se,
    aloneError: Float64Array.from(base, (a) => a.reduce((s, x) => s + x, 0) / folds),
    tasks: ds.tasks.map((t) => t.name),
    measure:
      measure === 'pairs'
        ? `pairwise transfer: ${what} (${folds}-fold) when fitted with one other task, against alone`
        : `leave-one-out transfer: ${what} (${folds}-fold) when one other task is added to all the rest`,
    gainKind: kind,
    model,
    folds,
    fits: fits.fits,
    failures: fits.failures,
    seconds,
    workers,
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
