// A worker thread of the affinity's pool (affinity-pool.ts over src/eval/job-pool.ts): holds the
// dataset, the folds, the model and its options (workerData), and runs fit jobs (fold, task set)
// on request with exactly the code of the calling-thread path (affinity.ts runFitJob).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { JobRequest, JobWorkerMessage } from '../eval/job-pool.ts';
import { datasetFromTransfer, errorToData } from '../eval/parallel.ts';
import { runFitJob, type FitJob, type FitOutcome } from './affinity.ts';
import type { FitWorkerInit } from './affinity-pool.ts';
import { registerShippedEngines } from '../engine-descriptors.ts';
import { loadModels } from '../estimator/registry.ts';

if (isMainThread || !parentPort) throw new Error('src/select/fit-worker.ts is the entry of an affinity worker thread; it is not meant to be imported');

const port = parentPort;
const init = workerData as FitWorkerInit;
// Only the engine of the model is loaded (as the CLI does): importing every engine (the neural one
// with its architectures, balancing, …) was most of a worker's start-up from sources (issue 13:
// 2 workers slower than 1 below T ≈ 100; bench/select.bench.ts measures the start-up).
await registerShippedEngines();
await loadModels([init.model]);
const ds = datasetFromTransfer(init.dataset);
const send = (m: JobWorkerMessage<FitOutcome[]>): void => port.postMessage(m);

// A request is a batch of fits (affinity-pool.ts batches small fits: one message per fit cost
// about as much as a fit of a few tasks).
port.on('message', (req: JobRequest<readonly FitJob[]>) => {
  try {
    send({ type: 'done', id: req.id, result: req.job.map((job) => runFitJob(ds, init.splits, init.model, init.options, job)) });
  } catch (e) {
    send({ type: 'error', id: req.id, error: errorToData(e) });
  }
});
send({ type: 'ready' });
