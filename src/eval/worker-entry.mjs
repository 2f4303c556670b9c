// Entry of evaluation worker threads. Node 20 does not run a worker's .ts entry file through the
// tsx loader given by `--import tsx`, so the worker starts here (plain JS), registers tsx when it
// runs from TypeScript sources, and then imports the real module named in workerData.module.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
