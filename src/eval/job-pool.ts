// A pool of worker threads for independent jobs of any kind (issue 13: the affinity's fits), the
// generic sibling of compare's (split, model) pool in parallel.ts, with the same rules:
//  - everything common to all jobs (the dataset, the splits, the model) goes once in workerData;
//    each job is then one small message, handed to whichever worker is idle;
//  - from src/ the worker starts in worker-entry.mjs (which registers tsx), from dist/ the
//    compiled .js module is started directly; POLYTASK_THREADS=1 inside workers (the cores are
//    taken by the workers themselves);
//  - results are returned in job order whatever the completion order, so a caller that reads them
//    in order gets the same answer with 1 or n workers; an exception in a job comes back as data
//    and is rethrown as the same class (parallel.ts errorFromData); workers are terminated in
//    `finally` and unref'd, so a failure never leaves a thread behind.
// The worker module must answer 'ready' once loaded, then one message per job:
//   { type: 'done', id, result } or { type: 'error', id, error: ErrorData }.
import { Worker } from 'node:worker_threads';
import { PolytaskError } from '../errors.ts';
import { errorFromData, type ErrorData } from './parallel.ts';

export type JobWorkerMessage<R> =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly result: R }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorData };

/** Main → worker: job `id` (its index in the job list) with its payload. */
export interface JobRequest<J> {
  readonly id: number;
  readonly job: J;
}

let live = 0;

/** Job-pool workers started and not yet exited (tests check that a run leaves 0). */
export function liveJobWorkers(): number {
  return live;
}

export interface JobPoolOptions<J, R> {
  /** The worker module from sources (a .ts URL); its compiled sibling (.js) is used from dist/. */
  readonly module: URL;
  /** workerData of every worker (structured-cloneable). */
  readonly init: Record<string, unknown>;
  readonly jobs: readonly J[];
  /** Worker threads (≥ 1; capped at the number of jobs). */
  readonly size: number;
  /** Fires in the calling thread as each job finishes (completion order). */
  readonly onDone?: (id: number, result: R, done: number) => void;
  readonly signal?: AbortSignal;
  /** The same job run in the calling thread: when given, the calling thread runs jobs while the
   * workers start (a worker from sources takes ~0.5 s of CPU to load), so that a small job list is
   * never slower on the pool than without it; it stops as soon as one worker is ready. It must
   * give exactly the worker's result (the same code), so the results do not depend on who ran them. */
  readonly local?: (job: J) => R;
}

/** Starts a worker: the thread at once, and a promise of it once it has answered 'ready'. */
function spawnJobWorker(module: URL, init: Record<string, unknown>): { worker: Worker; ready: Promise<Worker> } {
  const env = { ...process.env, POLYTASK_THREADS: '1' };
  const fromSource = module.href.endsWith('.ts');
  const w = fromSource
    ? new Worker(new URL('./worker-entry.mjs', import.meta.url), { execArgv: [], env, workerData: { ...init, module: module.href } })
    : new Worker(module, { env, workerData: init });
  live++;
  w.once('exit', () => live--);
  w.unref();
  const ready = new Promise<Worker>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    const onExit = (code: number): void => reject(new Error(`job worker exited with code ${code} while starting`));
    w.once('error', onError);
    w.once('exit', onExit);
    w.once('message', (m: JobWorkerMessage<unknown>) => {
      w.off('error', onError);
      w.off('exit', onExit);
      if (m.type === 'ready') resolve(w);
      else reject(new Error(`job worker sent "${m.type}" before "ready"`));
    });
  });
  ready.catch(() => undefined); // observed below; never an unhandled rejection when terminated early
  return { worker: w, ready };
}

/** The worker module to start: the .ts source when running from sources, else its .js sibling. */
export function workerModule(tsUrl: URL, callerUrl: string): URL {
  return callerUrl.endsWith('.ts') ? tsUrl : new URL(tsUrl.href.replace(/\.ts$/, '.js'));
}

/** Runs every job on `size` workers; returns the results in job order. */
export async function runJobsOnPool<J, R>(o: JobPoolOptions<J, R>): Promise<R[]> {
  const n = o.jobs.length;
  const results = new Array<R>(n);
  if (n === 0) return results;
  if (!(Number.isInteger(o.size) && o.size >= 1)) throw new Error(`runJobsOnPool: size must be a positive integer (got ${o.size})`);
  let next = 0;
  let done = 0;
  const aborted = (): PolytaskError => new PolytaskError('ABORTED', 'stopped by the caller (abort signal)');
  const spawned = Array.from({ length: Math.min(o.size, n) }, () => spawnJobWorker(o.module, o.init));
  const starting = spawned.map((p) => p.ready);
  const terminateAll = (): Promise<unknown> => Promise.all(spawned.map((p) => p.worker.terminate()));
  // Until a worker is ready, the calling thread takes jobs itself (one at a time, yielding in
  // between so that the 'ready' messages are seen).
  if (o.local) {
    let ready = false;
    void Promise.any(starting).then(
      () => void (ready = true),
      () => void (ready = true),
    );
    while (!ready && next < n) {
      if (o.signal?.aborted) {
        await terminateAll();
        throw aborted();
      }
      const id = next++;
      try {
        results[id] = o.local(o.jobs[id]!);
        done++;
        o.onDone?.(id, results[id]!, done);
      } catch (e) {
        await terminateAll();
        throw e;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    if (done === n) {
      // Everything ran here before any worker was ready: stop them without waiting.
      await terminateAll();
      return results;
    }
  }
  const started = await Promise.allSettled(starting);
  const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failedStart = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failedStart) throw failedStart.reason;
    if (done === n) return results;
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: unknown): void => {
        if (!failed) {
          failed = true;
          reject(e);
        }
      };
      const give = (w: Worker): void => {
        if (o.signal?.aborted) return fail(aborted());
        if (next < n) w.postMessage({ id: next, job: o.jobs[next++]! } satisfies JobRequest<J>);
      };
      for (const w of workers) {
        w.on('message', (msg: JobWorkerMessage<R>) => {
          if (failed) return;
          if (msg.type === 'done') {
            results[msg.id] = msg.result;
            done++;
            try {
              o.onDone?.(msg.id, msg.result, done);
            } catch (e) {
              fail(e);
              return;
            }
            if (done === n) resolve();
            else give(w);
          } else if (msg.type === 'error') fail(errorFromData(msg.error));
        });
        w.on('error', fail);
        w.on('exit', (code) => fail(new Error(`job worker exited unexpectedly (code ${code})`)));
        give(w);
      }
    });
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
