// The fit-based affinities (affinity.ts) with their fits on worker threads (issue 13). The fits
// (fold, task set) are independent: they go to a pool of workers (src/eval/job-pool.ts) that each
// hold the dataset and the folds, the outcomes come back in job order into the same cache, and the
// matrix is assembled from the cache by the same code as in the calling thread — so the matrix is
// bit-identical whatever the number of workers (test/select/affinity-pool.test.ts).
// 'auto' follows compare's rule (src/eval/parallel.ts chooseWorkers): the cores, at most 2, once
// the estimated sequential work pays for the workers' start-up (≈ 0.5 s).
import { availableParallelism } from 'node:os';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { subsetDataset, type Split } from '../data/split.ts';
import type { Options } from '../estimator/contract.ts';
import { getModel } from '../estimator/registry.ts';
import { SHIPPED_ENGINES } from '../engine-list.ts';
import { OptionError, PolytaskError } from '../errors.ts';
import { runJobsOnPool, workerModule } from '../eval/job-pool.ts';
import { AUTO_MAX_WORKERS, AUTO_MIN_SECONDS, datasetToTransfer, SECONDS_PER_FIT, SECONDS_PER_FIT_ROW_FEATURE, type DatasetTransfer, type WorkersOption } from '../eval/parallel.ts';
import { affinityJobs, assembleAffinity, prepareAffinity, runFitJob, type Affinity, type AffinityOptions, type FitJob, type FitMeasure, type FitOutcome, type GroupFitCache } from './affinity.ts';
import { selectTasks } from './tasks.ts';

export interface FitWorkerInit {
  readonly dataset: DatasetTransfer;
  readonly splits: readonly Split[];
  readonly model: string;
  readonly options: Options;
  [key: string]: unknown;
}

export interface PoolAffinityOptions extends AffinityOptions {
  /** Worker threads: a count (1 = the calling thread) or 'auto' (default). */
  readonly workers?: WorkersOption;
}

/** Estimated sequential seconds of the jobs (the model's own fit-cost estimate on a representative
 * job's training part, else compare's fallback per row × feature). */
export function estimateAffinitySeconds(ds: MultiTaskDataset, splits: readonly Split[], model: string, options: Options, jobs: readonly FitJob[]): number {
  if (jobs.length === 0) return 0;
  const decl = getModel(model);
  const sample = jobs[jobs.length - 1]!; // a pair (pairs) or all tasks but one (leave-one-out)
  const train = selectTasks(subsetDataset(ds, splits[sample.fold]!.train), sample.tasks);
  const rows = train.tasks.reduce((a, t) => a + t.y.length, 0);
  const perFit = decl.estimateSeconds ? decl.estimateSeconds(train, options) : SECONDS_PER_FIT + SECONDS_PER_FIT_ROW_FEATURE * rows * ds.featureNames.length;
  return jobs.length * perFit;
}

/** Why the fits cannot run on workers (null when they can). */
function whyNotParallel(model: string, options: Options): string | null {
  const engine = getModel(model).engine ?? '';
  if (!SHIPPED_ENGINES.includes(engine)) return `engine "${engine}" of "${model}" is not one of the engines worker threads load`;
  try {
    structuredClone(options);
  } catch {
    return 'the model options cannot be copied to worker threads';
  }
  return null;
}

/** Runs the jobs not yet in `fits` (on workers when asked or when that pays) and stores their
 * outcomes in job order; returns the number of threads used. */
export async function runFitJobs(
  fits: GroupFitCache,
  all: readonly FitJob[],
  opts: { readonly workers?: WorkersOption; readonly onProgress?: (done: number, total: number) => void; readonly signal?: AbortSignal },
): Promise<number> {
  const requested = opts.workers ?? 'auto';
  if (requested !== 'auto' && !(Number.isInteger(requested) && requested >= 1)) throw new OptionError('--workers', `must be a positive integer or "auto", got ${String(requested)}`);
  const jobs = all.filter((j) => !fits.has(j.fold, j.tasks));
  let size = 1;
  if (requested === 'auto') {
    const cores = Math.min(AUTO_MAX_WORKERS, availableParallelism());
    if (cores >= 2 && jobs.length >= 2 && estimateAffinitySeconds(fits.ds, fits.splits, fits.model, fits.options, jobs) >= AUTO_MIN_SECONDS) size = cores;
  } else size = Math.min(requested, Math.max(1, jobs.length));
  if (size >= 2 && whyNotParallel(fits.model, fits.options) === null) {
    const init: FitWorkerInit = { dataset: datasetToTransfer(fits.ds), splits: fits.splits, model: fits.model, options: fits.options };
    // Batches of consecutive fits, one message each: about 8 batches per worker (so that the load
    // stays balanced to the end), at most 64 fits per batch.
    const per = Math.min(64, Math.max(1, Math.ceil(jobs.length / (8 * size))));
    const batches: FitJob[][] = [];
    for (let k = 0; k < jobs.length; k += per) batches.push(jobs.slice(k, k + per));
    let finished = 0;
    const results = await runJobsOnPool<FitJob[], FitOutcome[]>({
      module: workerModule(new URL('./fit-worker.ts', import.meta.url), import.meta.url),
      init,
      jobs: batches,
      size,
      onDone: (_id, r) => opts.onProgress?.((finished += r.length), jobs.length),
      // While the workers start, the calling thread fits batches itself (same code: runFitJob).
      local: (batch) => batch.map((job) => runFitJob(fits.ds, fits.splits, fits.model, fits.options, job)),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const outcomes = results.flat();
    // Into the cache in job order (failures listed in that order too), whatever the completion order.
    jobs.forEach((job, k) => fits.put(job, outcomes[k]!));
    return size;
  }
  let done = 0;
  for (const job of jobs) {
    if (opts.signal?.aborted) throw new PolytaskError('ABORTED', 'affinity: stopped by the caller (abort signal)');
    fits.errors(job.fold, job.tasks, job.warm);
    opts.onProgress?.(++done, jobs.length);
  }
  return 1;
}

/** The pairwise or leave-one-out affinity, its fits on `workers` threads. */
export async function fitAffinity(ds: MultiTaskDataset, measure: FitMeasure, opts: PoolAffinityOptions, cache?: GroupFitCache): Promise<Affinity> {
  const t0 = performance.now();
  const { folds, fits, gain } = prepareAffinity(ds, opts, measure, cache);
  const size = await runFitJobs(fits, affinityJobs(ds.tasks.length, folds, measure, opts.warmStart ?? true), opts);
  return assembleAffinity(ds, fits, measure, folds, gain, opts.model, (performance.now() - t0) / 1000, size);
}
