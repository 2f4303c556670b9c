// compare() on worker threads (issue 5). Every (split, model) unit of a comparison — CV inside the
// split's training part, refit, test scoring: compare.ts runSplit — depends only on the dataset,
// the split, the model's options and the split's CV seed, so the units can run in any order on any
// thread and the aggregated result is bit-identical to the sequential one (the same code runs on
// the same float64 data with the same seeds; results come back by structured clone, which copies
// doubles exactly). test/eval/compare-parallel.test.ts checks the deep equality.
//
// Design (measured in docs/evaluation.md, "Parallel folds and splits"):
//  - one pool of worker threads lives for the whole comparison: start-up and the dataset transfer
//    are paid once per pool (the dataset and all splits go in workerData, as typed arrays copied by
//    structured clone), and each unit is then a message of two indices;
//  - units are (split, model), handed out to whichever worker is idle, those with the most fits
//    (2-D grids) first, so that 2 workers stay busy until the end even when the splits do not
//    divide evenly;
//  - workers rebuild the model plans by registry name (plans.ts registryPlan), because plans are
//    functions and cannot cross a thread boundary. With other plans (tests, library users with
//    their own estimators) compareAsync runs sequentially and says why in protocol.note when
//    workers were asked for explicitly;
//  - an exception in a unit comes back as data and is rebuilt as the same class (PolytaskError
//    subclasses keep code, message and fields); the pool is terminated in `finally`, and its
//    workers are unref'd, so nothing can keep the process alive.
//
// The worker entry: from dist/ the compiled split-worker.js is plain JavaScript and is started
// directly. From src/ (tests, `node --import tsx`) Node 20 does not run a worker's .ts entry
// through tsx, so the worker starts in worker-entry.mjs, which registers tsx and then imports
// split-worker.ts. tsx is therefore needed only when running from sources.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import * as coreErrors from '../errors.ts';
import * as dataErrors from '../data/errors.ts';
import { OptionError } from '../errors.ts';
import type { MultiTaskDataset, TaskData } from '../data/dataset.ts';
import { subsetDataset, type Split } from '../data/split.ts';
import { Matrix } from '../linalg/matrix.ts';
import { aggregateComparison, compare, prepareComparison, type CompareOptions, type ModelPlan, type PlanRebuild, type PreparedComparison, type SplitOutcome, type SplitRunOptions } from './compare.ts';
import { SHIPPED_ENGINES } from '../engine-list.ts';
import type { ComparisonResult } from './types.ts';

/** Worker threads for compareAsync: a count (1 = the calling thread), or 'auto'. */
export type WorkersOption = number | 'auto';

export interface AsyncCompareOptions extends CompareOptions {
  /** Default 'auto': parallel when there are ≥ 2 splits and the estimated work pays for the
   * workers' start-up (see chooseWorkers); a number n ≥ 2 always uses min(n, units) workers when
   * the plans allow it. */
  workers?: WorkersOption;
}

// ---------------------------------------------------------------------------------------------
// Deciding how many workers.

/** The pool size of 'auto': the cores of the machine, at most 2 (measured there). */
export const AUTO_MAX_WORKERS = 2;

/**
 * Fallback cost of one fit for plans without ModelDecl.estimateSeconds (custom plans): SECONDS_PER_FIT
 * plus SECONDS_PER_FIT_ROW_FEATURE per training row × feature (the linear engine's models measure
 * their own: src/linear/fit-cost.ts, from bench/fit-cost.bench.ts).
 */
export const SECONDS_PER_FIT = 0.005;
export const SECONDS_PER_FIT_ROW_FEATURE = 1.2e-7;

/**
 * 'auto' uses workers from this much estimated sequential work. Measured start-up of a pool of 2
 * (compareAsync with 2 workers minus 1 worker on a tiny problem): 0.3–0.45 s from dist/ and
 * 0.45–0.8 s from src/ under tsx (quiet – loaded machine); 2 workers then save 10–30 % of the
 * sequential time (×1.1–1.4), so they pay from ≈ 2–3 s of work.
 */
export const AUTO_MIN_SECONDS = 3;

/** Fits per (split, model) unit: CV folds × the product grid, plus the refit (grid extensions at an
 * edge are not counted). */
export function fitsPerUnit(plan: ModelPlan, opts: CompareOptions): number {
  const params = plan.params ?? [];
  if (params.length === 0) return 1;
  const folds = opts.cvFolds ?? 5;
  let points = 1;
  params.forEach((p, k) => {
    const name = typeof p === 'string' ? p : p.name;
    const rule = typeof p === 'string' ? undefined : p.tune?.grid;
    const explicit = opts.cv?.grids?.[name] ?? (k === 0 ? opts.cv?.grid : k === 1 ? opts.cv?.grid2 : undefined);
    const declared = rule ? (rule.kind === 'fixed' ? rule.values.length : rule.points) : params.length === 1 ? 10 : k === 0 ? 6 : 5;
    const n = explicit?.length ?? (params.length === 1 ? (opts.cv?.points ?? declared) : (opts.cv?.points2D?.[k] ?? declared));
    points *= n;
  });
  return folds * points + 1;
}

/** Estimated sequential seconds of a comparison: fits per unit × the model's own seconds per fit
 * (ModelDecl.estimateSeconds, measured per model) on each split's training part. */
export function estimateSeconds(ds: MultiTaskDataset, prep: PreparedComparison, opts: CompareOptions): number {
  const d = ds.featureNames.length;
  let total = 0;
  for (const sp of prep.splits) {
    const n = sp.train.reduce((a, t) => a + t.length, 0);
    const train = prep.plans.some((p) => p.estimateSeconds) ? subsetDataset(ds, sp.train) : ds;
    for (const plan of prep.plans) {
      const options = { ...opts.modelOptions, ...opts.perModelOptions?.[plan.name] };
      const perFit = plan.estimateSeconds ? plan.estimateSeconds(train, options) : SECONDS_PER_FIT + SECONDS_PER_FIT_ROW_FEATURE * n * d;
      total += fitsPerUnit(plan, opts) * perFit;
    }
  }
  return total;
}

/** How many workers to use for `units` (split, model) units (1 = the calling thread), given the
 * estimated sequential seconds. */
export function chooseWorkers(workers: WorkersOption, splits: number, units: number, seconds: number): number {
  if (workers === 'auto') {
    const cores = Math.min(AUTO_MAX_WORKERS, availableParallelism());
    if (splits < 2 || cores < 2) return 1;
    return seconds >= AUTO_MIN_SECONDS ? cores : 1;
  }
  if (!(Number.isInteger(workers) && workers >= 1)) throw new OptionError('workers', `must be a positive integer or "auto", got ${String(workers)}`);
  return Math.min(workers, units);
}

// ---------------------------------------------------------------------------------------------
// What crosses the thread boundary.

/** A dataset as structured-cloneable data (Matrix objects as rows, cols and their typed array). */
export interface DatasetTransfer {
  readonly layout: MultiTaskDataset['layout'];
  readonly kind: MultiTaskDataset['kind'];
  readonly featureNames: readonly string[];
  readonly labelMap?: MultiTaskDataset['labelMap'];
  readonly source?: string;
  readonly tasks: readonly { name: string; n: number; d: number; X: Float64Array; y: Float64Array; weights?: Float64Array; rows: Int32Array; kind?: TaskData['kind']; classes?: string[] }[];
  readonly shared?: { n: number; d: number; T: number; X: Float64Array; Y: Float64Array };
}

export function datasetToTransfer(ds: MultiTaskDataset): DatasetTransfer {
  return {
    layout: ds.layout,
    kind: ds.kind,
    featureNames: [...ds.featureNames],
    ...(ds.labelMap ? { labelMap: { negative: ds.labelMap.negative, positive: ds.labelMap.positive } } : {}),
    ...(ds.source !== undefined ? { source: ds.source } : {}),
    tasks: ds.tasks.map((t) => ({ name: t.name, n: t.X.rows, d: t.X.cols, X: t.X.data, y: t.y, ...(t.weights ? { weights: t.weights } : {}), rows: t.rows, ...(t.kind ? { kind: t.kind } : {}), ...(t.classes ? { classes: [...t.classes] } : {}) })),
    ...(ds.shared ? { shared: { n: ds.shared.X.rows, d: ds.shared.X.cols, T: ds.shared.Y.cols, X: ds.shared.X.data, Y: ds.shared.Y.data } } : {}),
  };
}

export function datasetFromTransfer(x: DatasetTransfer): MultiTaskDataset {
  const tasks: TaskData[] = x.tasks.map((t) => ({ name: t.name, X: new Matrix(t.n, t.d, t.X), y: t.y, ...(t.weights ? { weights: t.weights } : {}), rows: t.rows, ...(t.kind ? { kind: t.kind } : {}), ...(t.classes ? { classes: t.classes } : {}) }));
  return {
    layout: x.layout,
    kind: x.kind,
    featureNames: x.featureNames,
    ...(x.labelMap ? { labelMap: x.labelMap } : {}),
    ...(x.source !== undefined ? { source: x.source } : {}),
    tasks,
    ...(x.shared ? { shared: { X: new Matrix(x.shared.n, x.shared.d, x.shared.X), Y: new Matrix(x.shared.n, x.shared.T, x.shared.Y) } } : {}),
  };
}

/** workerData of a pool worker: everything that is the same for all units, sent once. */
export interface WorkerInit {
  /** From src/: the split-worker.ts URL that worker-entry.mjs imports after registering tsx. */
  readonly module?: string;
  readonly dataset: DatasetTransfer;
  readonly splits: readonly Split[];
  readonly models: readonly string[];
  /** Per model: choose λ per task (registryPlan's perTaskLambda). */
  readonly perTask: readonly boolean[];
  /** Per model: how to rebuild a plan that is not a registry plan (ModelPlan.rebuild), else null. */
  readonly rebuild?: readonly (PlanRebuild | null)[];
  readonly seed: number;
  readonly run: SplitRunOptions;
  /** Send 'progress' messages about the running unit (CompareOptions.onUnitProgress). */
  readonly progress?: boolean;
}

/** Main → worker: run model `model` (index into WorkerInit.models) on split `split`. */
export interface UnitRequest {
  readonly split: number;
  readonly model: number;
}

/** An error as data: the class name, message, stack and own fields (code, option, position...). */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly fields: Record<string, unknown>;
}

/** Worker → main. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly split: number; readonly model: number; readonly outcome: SplitOutcome }
  | { readonly type: 'error'; readonly split: number; readonly model: number; readonly error: ErrorData }
  | { readonly type: 'progress'; readonly split: number; readonly model: number; readonly detail: string };

export function errorToData(e: unknown): ErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: `non-Error value thrown in a worker: ${String(e)}`, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    try {
      fields[k] = structuredClone(v);
    } catch {
      fields[k] = String(v);
    }
  }
  return { name: e.name, message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}), fields };
}

/** The error classes a worker's error can be rebuilt as (by name): polytask's own, then the
 * built-in ones. */
const ERROR_CLASSES: ReadonlyMap<string, { prototype: Error }> = new Map(
  ([...Object.values(coreErrors), ...Object.values(dataErrors), Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError] as unknown[])
    .filter((c): c is { prototype: Error; name: string } => c === Error || (typeof c === 'function' && c.prototype instanceof Error))
    .map((c) => [c.name, c] as const),
);

/** Rebuilds a worker's error as an instance of the same class (instanceof, code, message and
 * fields preserved) without calling its constructor (whose signature varies by class). */
export function errorFromData(d: ErrorData): Error {
  const cls = ERROR_CLASSES.get(d.name) ?? (typeof d.fields['code'] === 'string' ? coreErrors.PolytaskError : Error);
  const e = Object.create(cls.prototype) as Error;
  Object.defineProperty(e, 'message', { value: d.message, writable: true, configurable: true });
  Object.defineProperty(e, 'stack', { value: d.stack ?? `${d.name}: ${d.message}`, writable: true, configurable: true });
  Object.assign(e, d.fields);
  if (e.name !== d.name) Object.defineProperty(e, 'name', { value: d.name, writable: true, configurable: true });
  return e;
}

// ---------------------------------------------------------------------------------------------
// The pool.

let live = 0;

/** Pool workers started and not yet exited (tests check that a finished or failed run leaves 0). */
export function liveWorkers(): number {
  return live;
}

/** Starts one worker; resolves when it has loaded its modules and the data (async: a synchronous
 * failure of `new Worker`, e.g. a DataCloneError, becomes a rejection like any other). */
async function startWorker(init: WorkerInit): Promise<Worker> {
  const fromSource = import.meta.url.endsWith('.ts');
  const env = { ...process.env, POLYTASK_THREADS: '1' }; // no GEMM helper thread per worker: the cores are taken
  const w = fromSource
    ? new Worker(new URL('./worker-entry.mjs', import.meta.url), { execArgv: [], env, workerData: { ...init, module: new URL('./split-worker.ts', import.meta.url).href } })
    : new Worker(new URL('./split-worker.js', import.meta.url), { env, workerData: init });
  live++;
  w.once('exit', () => live--);
  w.unref(); // a pool that is somehow left behind never keeps the process alive
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    const onExit = (code: number): void => reject(new Error(`compare worker exited with code ${code} while starting`));
    w.once('error', onError);
    w.once('exit', onExit);
    w.once('message', (m: WorkerMessage) => {
      w.off('error', onError);
      w.off('exit', onExit);
      if (m.type === 'ready') resolve(w);
      else reject(new Error(`compare worker sent "${m.type}" before "ready"`));
    });
  });
}

/**
 * Runs every (split, model) unit on `size` workers; returns bySplit[s][m]. `onUnitDone` fires in
 * the calling thread for every finished unit (in completion order). `order`: the order in which
 * units are handed out (default split by split); it cannot change any result, only the balance.
 */
export async function runUnitsOnPool(
  init: WorkerInit,
  size: number,
  onUnitDone?: (split: number, model: number) => void,
  order?: readonly UnitRequest[],
  onUnitProgress?: (split: number, model: number, detail: string) => void,
): Promise<SplitOutcome[][]> {
  const S = init.splits.length;
  const M = init.models.length;
  const queue: UnitRequest[] = [];
  if (order) queue.push(...order);
  else for (let s = 0; s < S; s++) for (let m = 0; m < M; m++) queue.push({ split: s, model: m });
  if (queue.length !== S * M || new Set(queue.map((u) => u.split * M + u.model)).size !== S * M) throw new Error('runUnitsOnPool: `order` must list every (split, model) unit once');
  const results: SplitOutcome[][] = Array.from({ length: S }, () => new Array<SplitOutcome>(M));
  const started = await Promise.allSettled(Array.from({ length: Math.min(size, queue.length) }, () => startWorker(init)));
  const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failedStart = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failedStart) throw failedStart.reason;
    await new Promise<void>((resolve, reject) => {
      let remaining = queue.length;
      let next = 0;
      let failed = false;
      const give = (w: Worker): void => {
        if (next < queue.length) w.postMessage(queue[next++]!);
      };
      const fail = (e: unknown): void => {
        if (!failed) {
          failed = true;
          reject(e);
        }
      };
      for (const w of workers) {
        w.on('message', (msg: WorkerMessage) => {
          if (failed) return;
          if (msg.type === 'done') {
            results[msg.split]![msg.model] = msg.outcome;
            remaining--;
            try {
              onUnitDone?.(msg.split, msg.model);
            } catch (e) {
              fail(e); // a throwing progress callback ends the run like a failing unit
              return;
            }
            if (remaining === 0) resolve();
            else give(w);
          } else if (msg.type === 'progress') onUnitProgress?.(msg.split, msg.model, msg.detail);
          else if (msg.type === 'error') fail(errorFromData(msg.error));
        });
        w.on('error', fail); // an exception outside a unit (e.g. out of memory)
        w.on('exit', (code) => fail(new Error(`compare worker exited unexpectedly (code ${code})`)));
        give(w);
      }
    });
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Why the plans cannot be rebuilt in a worker, or null when they can: workers rebuild registry
 * plans by name, with the engines of src/engines.ts (SHIPPED_ENGINES) registered. */
function whyNotParallel(plans: readonly ModelPlan[], opts: CompareOptions): string | null {
  const custom = plans.find((p) => !p.registry && !p.rebuild);
  if (custom) return `the plan of "${custom.name}" is not a registry plan and cannot be rebuilt in worker threads`;
  try {
    structuredClone(plans.map((p) => p.rebuild ?? null));
  } catch {
    return 'a plan\'s rebuild arguments cannot be copied to worker threads';
  }
  const foreign = plans.find((p) => !SHIPPED_ENGINES.includes(p.engine ?? ''));
  if (foreign) return `engine "${foreign.engine}" of "${foreign.name}" is not one of the engines worker threads load (${SHIPPED_ENGINES.join(', ')}; src/engines.ts)`;
  try {
    structuredClone({ modelOptions: opts.modelOptions, perModelOptions: opts.perModelOptions, cv: opts.cv });
  } catch {
    return 'the model options cannot be copied to worker threads';
  }
  return null;
}

/**
 * compare() with the units on worker threads when that is possible and worth it (see
 * AsyncCompareOptions.workers); the result is bit-identical to compare(ds, opts) apart from timing
 * fields (seconds). Parallel only when every plan is a registry plan or says how to rebuild it (ModelPlan.rebuild); otherwise sequential, with a
 * protocol note when workers ≥ 2 were asked for explicitly.
 */
export async function compareAsync(ds: MultiTaskDataset, opts: AsyncCompareOptions): Promise<ComparisonResult> {
  const t0 = performance.now();
  const requested = opts.workers ?? 'auto';
  if (requested !== 'auto' && !(Number.isInteger(requested) && requested >= 1)) throw new OptionError('workers', `must be a positive integer or "auto", got ${String(requested)}`);
  const prep = prepareComparison(ds, opts);
  const { plans, splits } = prep;
  const units = plans.length * splits.length;
  const size = chooseWorkers(requested, splits.length, units, estimateSeconds(ds, prep, opts));
  if (size < 2) return compare(ds, opts);
  const blocked = whyNotParallel(plans, opts);
  if (blocked) {
    const r = compare(ds, opts);
    if (requested === 'auto') return r;
    const note = `ran sequentially although ${requested} workers were asked for: ${blocked}`;
    return { ...r, protocol: { ...r.protocol, note: r.protocol.note ? `${r.protocol.note}; ${note}` : note } };
  }
  const init: WorkerInit = {
    dataset: datasetToTransfer(ds),
    splits,
    models: plans.map((p) => p.name),
    perTask: plans.map((p) => p.perTask ?? false),
    ...(plans.some((p) => p.rebuild) ? { rebuild: plans.map((p) => p.rebuild ?? null) } : {}),
    seed: prep.seed,
    run: {
      ...(opts.modelOptions ? { modelOptions: opts.modelOptions } : {}),
      ...(opts.perModelOptions ? { perModelOptions: opts.perModelOptions } : {}),
      ...(opts.cv ? { cv: opts.cv } : {}),
      ...(opts.cvFolds !== undefined ? { cvFolds: opts.cvFolds } : {}),
      ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    },
    ...(opts.onUnitProgress ? { progress: true } : {}),
  };
  // Longest first (by fits per unit: the 2-D grids of cmtl/mtrl before the 1-D ones), so that the
  // run does not end with one worker alone on a heavy unit; ties in split order.
  const order: UnitRequest[] = [];
  for (let s = 0; s < splits.length; s++) for (let m = 0; m < plans.length; m++) order.push({ split: s, model: m });
  const cost = plans.map((p) => fitsPerUnit(p, opts));
  order.sort((a, b) => cost[b.model]! - cost[a.model]! || a.split - b.split || a.model - b.model);
  let done = 0;
  const bySplit = await runUnitsOnPool(
    init,
    size,
    (s, m) => {
      done++;
      opts.onProgress?.({ split: s + 1, splits: splits.length, model: plans[m]!.name, done, total: units });
    },
    order,
    opts.onUnitProgress && ((s, m, detail) => opts.onUnitProgress!({ split: s + 1, splits: splits.length, model: plans[m]!.name, total: units, detail })),
  );
  return { ...aggregateComparison(ds, opts, prep, bySplit), wallSeconds: (performance.now() - t0) / 1000, workers: size };
}
