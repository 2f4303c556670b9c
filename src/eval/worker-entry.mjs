// Entry of evaluation worker threads started from TypeScript sources (compare's pool,
// src/eval/parallel.ts; bench/cv-parallel.bench.ts). Node 20 does not run a worker's .ts entry
// through the tsx loader given by `--import tsx`, so the worker starts here (plain JS), registers
// tsx (tsx ≥ 4: `register` from 'tsx/esm/api') when the module to run is TypeScript, and then
// imports the module named in workerData.module. From dist/ the compiled .js worker is started
// directly and this file (and tsx, a devDependency) is not needed.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
