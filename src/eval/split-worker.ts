// A worker thread of compareAsync's pool (parallel.ts): holds the dataset and the splits it was
// started with (workerData), rebuilds the model plans by registry name (any engine of src/engines.ts), and runs (split, model)
// units on request with exactly the code of the sequential path (compare.ts runSplit, same seeds).
// Errors are sent back as data (parallel.ts errorToData) so the caller can rethrow the same class.
// Started directly from dist/ (compiled to split-worker.js); from src/ through worker-entry.mjs.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cvSeedOf, runSplit, type ModelPlan } from './compare.ts';
import { datasetFromTransfer, errorToData, type UnitRequest, type WorkerInit, type WorkerMessage } from './parallel.ts';
import { registryPlan } from './plans.ts';
import { unitDescriber, withProgressListener, type ProgressListener } from '../estimator/progress-scope.ts';
import '../engines.ts'; // every shipped engine, so that any registry plan can be rebuilt here

if (isMainThread || !parentPort) throw new Error('src/eval/split-worker.ts is the entry of a compare worker thread; it is not meant to be imported');

const port = parentPort;
const init = workerData as WorkerInit;
const ds = datasetFromTransfer(init.dataset);
// A plan that is not a registry plan (a grouping's) is rebuilt by the export its maker named.
const plans: ModelPlan[] = await Promise.all(
  init.models.map(async (name, m) => {
    const how = init.rebuild?.[m];
    if (!how) return registryPlan(name, { perTaskLambda: init.perTask[m] ?? false });
    const mod = (await import(how.module)) as Record<string, (...args: unknown[]) => ModelPlan>;
    const make = mod[how.export];
    if (typeof make !== 'function') throw new Error(`compare worker: ${how.module} has no export "${how.export}" to rebuild the plan of "${name}"`);
    return make(...how.args);
  }),
);
const send = (m: WorkerMessage): void => port.postMessage(m);

/** Progress of the running unit, at most one message per PROGRESS_EVERY_MS (the main thread prints
 * a line every few seconds; more messages would only cost copies). */
const PROGRESS_EVERY_MS = 1000;

function unitListener(u: UnitRequest): ProgressListener | undefined {
  if (!init.progress) return undefined;
  let last = 0;
  const describe = unitDescriber();
  return (e) => {
    const detail = describe(e); // every event: the describer remembers the current fit
    const t = Date.now();
    if (t - last < PROGRESS_EVERY_MS) return;
    last = t;
    send({ type: 'progress', split: u.split, model: u.model, detail });
  };
}

port.on('message', (u: UnitRequest) => {
  try {
    const outcome = withProgressListener(unitListener(u), () => runSplit(plans[u.model]!, ds, init.splits[u.split]!, init.run, cvSeedOf(init.seed, u.split), u.split === 0));
    send({ type: 'done', split: u.split, model: u.model, outcome });
  } catch (e) {
    send({ type: 'error', split: u.split, model: u.model, error: errorToData(e) });
  }
});
send({ type: 'ready' });
