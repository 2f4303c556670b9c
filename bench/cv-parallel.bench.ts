// Does running CV folds on 2 worker threads beat running them in the main thread, on this machine?
// Workload: the School data (split 1's training part, 139 tasks, 11 472 rows, d = 28), 5-fold CV of
// a model over a 10-point λ path with warm starts (src/eval/cv.ts foldPathErrors), i.e. the unit a
// `workers` option would distribute. Measured side by side in one run, medians of repeats after a
// warm-up:
//   serial        all folds in the main thread;
//   fresh 2       2 new workers per CV (startup with the tsx loader included: what one CV call pays);
//   pool 2        2 workers started once and reused (what a long compare run would pay per CV).
// Run: node --import tsx bench/cv-parallel.bench.ts [model] [repeats]
// This file is also the worker's entry (isMainThread false).
//
// Second mode, what `compare --workers` does (src/eval/parallel.ts: a pool for the whole run,
// (split, model) units): node --import tsx bench/cv-parallel.bench.ts compare [repeats] [school splits]
// (school splits 0 = skip School)
// measures side by side, medians of `repeats` (default 3) after a warm-up run:
//   start-up      compareAsync with 2 workers minus 1 worker on a tiny problem, from src/ (tsx)
//                 and from dist/ (when built): the fixed price of the pool;
//   demo          the demo problem with the demo's settings (src/cli/demo.ts), 1 vs 2 workers;
//   School        the given splits 1..S (default 3) with stl, pooled, mean, l21 and the School
//                 bench's options (skipped without ../shared/data/school), 1 vs 2 workers;
// and checks that every parallel result equals the sequential one (timing fields aside).
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { MultiTaskDataset } from '../src/data/dataset.ts';
import { loadCsvSync } from '../src/data/csv.ts';
import { givenSplits, kFold, subsetDataset, type Split } from '../src/data/split.ts';
import '../src/engines.ts';
import { cvAxes, foldPathErrors, tunedDecls } from '../src/eval/cv.ts';
import { defaultLambdaTop } from '../src/eval/grid.ts';
import { MTLEstimator } from '../src/linear/estimator.ts';
import { makeDemoProblem } from '../src/data/synthetic/demo.ts';
import { compareAsync, type AsyncCompareOptions } from '../src/eval/parallel.ts';
import { registryPlan } from '../src/eval/plans.ts';
import type { ComparisonResult } from '../src/eval/types.ts';
import { DEMO_MODELS } from '../src/cli/demo.ts';

interface Job {
  model: string;
  folds: number[];
}

const DATA = fileURLToPath(new URL('../../shared/data/school/', import.meta.url));

function load(): { train: MultiTaskDataset; folds: Split[] } {
  const { dataset } = loadCsvSync(DATA + 'school.csv', { taskCol: 'task', target: 'y' });
  const split = givenSplits(dataset, DATA + 'school_splits.csv')[0]!;
  const train = subsetDataset(dataset, split.train);
  return { train, folds: kFold(train, 5, { seed: 1 }) };
}

function runFolds(model: string, train: MultiTaskDataset, folds: Split[], which: number[]): number {
  const est = new MTLEstimator(model, { tol: 1e-6, maxIter: 2000 });
  const axes = cvAxes(tunedDecls(est, { params: ['lambda'] }), { points: 10, decades: 3, defaultTop: defaultLambdaTop(train) });
  let checksum = 0;
  for (const f of which) {
    const r = foldPathErrors(est, train, folds[f]!, f + 1, axes, axes[0]!.values.map((v) => [v]));
    for (const e of r.errors.values()) checksum += e.reduce((a, b) => a + b, 0);
  }
  return checksum;
}


function spawn(): Promise<Worker> {
  // src/eval/worker-entry.mjs registers tsx inside the worker (Node 20 does not apply `--import tsx`
  // to a worker's .ts entry) and then imports this file.
  const w = new Worker(new URL('../src/eval/worker-entry.mjs', import.meta.url), { execArgv: [], workerData: { module: import.meta.url } });
  return new Promise((resolve, reject) => {
    w.once('message', () => resolve(w));
    w.once('error', reject);
  });
}

function ask(w: Worker, job: Job): Promise<number> {
  return new Promise((resolve) => w.once('message', resolve));
}

async function onPool(pool: Worker[], model: string): Promise<number> {
  const jobs: Job[] = [
    { model, folds: [0, 2, 4] },
    { model, folds: [1, 3] },
  ];
  const res = await Promise.all(pool.map((w, k) => {
    const p = ask(w, jobs[k]!);
    w.postMessage(jobs[k]!);
    return p;
  }));
  return res.reduce((a, b) => a + b, 0);
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

async function main(): Promise<void> {
  if (!existsSync(DATA + 'school.csv')) {
    console.log('cv-parallel: needs ../shared/data/school; skipped');
    return;
  }
  const model = process.argv[2] ?? 'stl';
  const repeats = Number(process.argv[3] ?? 5);
  const { train, folds } = load();
  const all = [0, 1, 2, 3, 4];
  runFolds(model, train, folds, all); // warm-up (JIT)
  const pool = [await spawn(), await spawn()];
  await onPool(pool, model); // warm-up of the pool
  const serial: number[] = [];
  const fresh: number[] = [];
  const pooled: number[] = [];
  let check = 0;
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    check = runFolds(model, train, folds, all);
    serial.push(performance.now() - t);
    t = performance.now();
    const p = await onPool(pool, model);
    pooled.push(performance.now() - t);
    if (Math.abs(p - check) > 1e-6 * Math.abs(check)) throw new Error(`parallel result differs: ${p} vs ${check}`);
    t = performance.now();
    const ws = await Promise.all([spawn(), spawn()]);
    await onPool(ws, model);
    fresh.push(performance.now() - t);
    await Promise.all(ws.map((w) => w.terminate()));
  }
  await Promise.all(pool.map((w) => w.terminate()));
  const s = median(serial);
  console.log(`cv-parallel: School split 1 train (${train.tasks.length} tasks), model ${model}, 5 folds × 10 λ, ${repeats} repeats, medians`);
  console.log(`  serial (main thread) ${s.toFixed(0)} ms`);
  console.log(`  pool of 2 workers    ${median(pooled).toFixed(0)} ms   speed-up ×${(s / median(pooled)).toFixed(2)}`);
  console.log(`  2 fresh workers      ${median(fresh).toFixed(0)} ms   speed-up ×${(s / median(fresh)).toFixed(2)} (includes worker startup + data load)`);
}

// ---------------------------------------------------------------------------------------------
// compare mode.

/** The result without its timing fields (the only ones that may differ between 1 and 2 workers). */
function untimed(r: ComparisonResult): string {
  return JSON.stringify(r, (k, v) => (k === 'seconds' ? undefined : Number.isNaN(v) ? 'NaN' : v));
}

/** Sequential and 2 workers alternately, `repeats` times (after one warm-up of each unless the
 * JIT is already warm); medians. */
async function sideBySide(label: string, ds: MultiTaskDataset, opts: AsyncCompareOptions, repeats: number, compareFn = compareAsync, warmUp = true): Promise<void> {
  const seq: number[] = [];
  const par: number[] = [];
  let ref = '';
  for (let r = warmUp ? -1 : 0; r < repeats; r++) {
    let t = performance.now();
    const a = await compareFn(ds, { ...opts, workers: 1 });
    const ts = performance.now() - t;
    t = performance.now();
    const b = await compareFn(ds, { ...opts, workers: 2 });
    const tp = performance.now() - t;
    ref ||= untimed(a);
    if (untimed(a) !== ref || untimed(b) !== ref) throw new Error(`${label}: the 2-worker result differs from the sequential one`);
    if (r >= 0) {
      seq.push(ts);
      par.push(tp);
    }
  }
  const s = median(seq);
  const p = median(par);
  console.log(`  ${label.padEnd(58)} sequential ${s.toFixed(0).padStart(6)} ms   2 workers ${p.toFixed(0).padStart(6)} ms   ×${(s / p).toFixed(2)}   (runs: ${seq.map((x) => x.toFixed(0)).join(', ')} | ${par.map((x) => x.toFixed(0)).join(', ')}; results identical)`);
}

async function compareMode(repeats: number, schoolSplits: number): Promise<void> {
  console.log(`cv-parallel compare: sequential vs a pool of 2 worker threads, medians of ${repeats} after a warm-up (load ${loadavg()[0]!.toFixed(1)})`);
  // Start-up: a tiny problem where the fitting itself takes a few ms.
  const tiny = makeDemoProblem(3).dataset;
  const tinyOpts: AsyncCompareOptions = { plans: registryPlan, models: ['pooled'], repeats: 2, seed: 1, cvFolds: 2, cv: { points: 2, decades: 1 } };
  await sideBySide('start-up, from src/ (tsx): tiny problem, 2 splits, stl+pooled', tiny, tinyOpts, repeats);
  const dist = fileURLToPath(new URL('../dist/eval/parallel.js', import.meta.url));
  if (existsSync(dist)) {
    const built = (await import(dist)) as typeof import('../src/eval/parallel.ts');
    const builtPlans = ((await import(fileURLToPath(new URL('../dist/eval/plans.js', import.meta.url)))) as typeof import('../src/eval/plans.ts')).registryPlan;
    await sideBySide('start-up, from dist/: the same', tiny, { ...tinyOpts, plans: builtPlans }, repeats, built.compareAsync);
  } else console.log('  start-up from dist/: skipped (run npm run build:ts)');
  // The demo, with the demo's settings.
  const demo = makeDemoProblem(1).dataset;
  await sideBySide(`demo (${DEMO_MODELS.length} models, 5 splits, 3-fold CV)`, demo, {
    plans: registryPlan, models: [...DEMO_MODELS], repeats: 5, testRatio: 0.3, seed: 1, cvFolds: 3, rule: 'min', cv: { points: 8, decades: 3, points2D: [5, 3] },
  }, repeats);
  if (schoolSplits < 1) return;
  if (!existsSync(DATA + 'school.csv')) {
    console.log('  School: needs ../shared/data/school; skipped');
    return;
  }
  const { dataset } = loadCsvSync(DATA + 'school.csv', { taskCol: 'task', target: 'y' });
  const splits = givenSplits(dataset, DATA + 'school_splits.csv').slice(0, schoolSplits);
  await sideBySide(`School, ${splits.length} given splits, stl,pooled,mean,l21, 5-fold CV`, dataset, {
    plans: registryPlan, models: ['pooled', 'mean', 'l21'], splits, cvFolds: 5, rule: 'min',
    modelOptions: { standardize: 'global', scale: 'mean', intercept: true }, cv: { points: 10, decades: 3 },
  }, repeats, compareAsync, false); // warm already (the demo ran the same code)
}

// Dispatch last, after every const above is initialised (top-level await).
if (!isMainThread) {
  // Worker: load the data once, then serve jobs.
  const { train, folds } = load();
  parentPort!.on('message', (job: Job) => parentPort!.postMessage(runFolds(job.model, train, folds, job.folds)));
  parentPort!.postMessage('ready');
} else if (process.argv[2] === 'compare') {
  await compareMode(Number(process.argv[3] ?? 3), Number(process.argv[4] ?? 3));
} else {
  await main();
}
