// A worker thread of compareAsync's pool (parallel.ts): holds the dataset and the splits it was
// started with (workerData), rebuilds the model plans by registry name (any engine of src/engines.ts), and runs (split, model)
// units on request with exactly the code of the sequential path (compare.ts runSplit, same seeds).
// Errors are sent back as data (parallel.ts errorToData) so the caller can rethrow the same class.
// Started directly from dist/ (compiled to split-worker.js); from src/ through worker-entry.mjs.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cvSeedOf, runSplit, type ModelPlan } from './compare.ts';
import { datasetFromTransfer, errorToData, type UnitRequest, type WorkerInit, type WorkerMessage } from './parallel.ts';
import { registryPlan } from './plans.ts';
import '../engines.ts'; // every shipped engine, so that any registry plan can be rebuilt here

if (isMainThread || !parentPort) throw new Error('src/eval/split-worker.ts is the entry of a compare worker thread; it is not meant to be imported');

const port = parentPort;
const init = workerData as WorkerInit;
const ds = datasetFromTransfer(init.dataset);
const plans: ModelPlan[] = init.models.map((name, m) => registryPlan(name, { perTaskLambda: init.perTask[m] ?? false }));
const send = (m: WorkerMessage): void => port.postMessage(m);

port.on('message', (u: UnitRequest) => {
  try {
    const outcome = runSplit(plans[u.model]!, ds, init.splits[u.split]!, init.run, cvSeedOf(init.seed, u.split), u.split === 0);
    send({ type: 'done', split: u.split, model: u.model, outcome });
  } catch (e) {
    send({ type: 'error', split: u.split, model: u.model, error: errorToData(e) });
  }
});
send({ type: 'ready' });
