// Many tasks (issue 15): the per-task products of one solver iteration of the squared loss over
// T tasks × 20 rows, d = 50, done (1) as today, a JavaScript loop of T kernel calls through
// ops.ts, and (2) as one batched kernel call over all tasks (src/linalg/batched.ts) with the task
// data resident in the backend's memory. Two forms of the product:
//   data path (n_t ≤ d, what SquaredLoss uses here): r_t = X_t w_t − y_t, g_t = X_tᵀ r_t, 4·n_t·d flops/task
//     (batched: two dgemvBatched calls; fused: one dresidualGradBatched, each block read once);
//   Gram path (H_t = X_tᵀX_t, d × d blocks):          g_t = H_t w_t,                    2·d² flops/task.
// Prints the median time per iteration, the effective GFLOP/s and the growth of the time per task
// from T = 1 000 to T = 10 000 (goal: ≥ 5 GFLOP/s at T = 10 000, growth ≤ 1.1×). POLYTASK_BENCH_TASKS
// overrides the list of T.
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { gemv, xtv } from '../src/linalg/ops.ts';
import { availableBackends, backendName, setBackend } from '../src/linalg/backend.ts';
import type { BackendName } from '../src/linalg/kernels/types.ts';
import { residentBlocks } from '../src/linalg/batched.ts';
import { median } from './common.ts';
import { buildProblem } from '../src/linear/problem.ts';
import { SquaredLoss } from '../src/linear/loss/squared.ts';

const TS = (process.env.POLYTASK_BENCH_TASKS ?? '100,1000,10000').split(',').map(Number);
const N = 20;
const D = 50;

/**
 * Median CPU seconds (user + system of this process) per call: the machine is shared with other
 * jobs, so CPU time is the work this process did, where wall time would mostly count waiting.
 */
function timeIt(f: () => void, minSeconds = 0.3): number {
  f(); // warm-up
  // Calls per sample: enough for ≥ 5 ms of CPU, so that small T is not lost in the clock's resolution.
  let reps = 1;
  for (;;) {
    const c = process.cpuUsage();
    for (let k = 0; k < reps; k++) f();
    const u = process.cpuUsage(c);
    if (u.user + u.system >= 5000 || reps >= 1 << 16) break;
    reps *= 4;
  }
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 7 || (performance.now() - t0 < minSeconds * 1000 && times.length < 200)) {
    const c = process.cpuUsage();
    for (let k = 0; k < reps; k++) f();
    const u = process.cpuUsage(c);
    times.push((u.user + u.system) / 1e6 / reps);
  }
  return median(times);
}

const defaultBackend = backendName();
// Every available backend side by side, fastest first (POLYTASK_BENCH_BACKENDS narrows the list).
const BACKENDS = (['native', 'wasm', 'ts'] as BackendName[]).filter((b) => availableBackends().includes(b) && (process.env.POLYTASK_BENCH_BACKENDS ?? 'native,wasm,ts').split(',').includes(b));
console.log(`backends: ${BACKENDS.join(', ')} (default ${defaultBackend}); tasks × ${N} rows, d = ${D}; median CPU seconds per iteration (process user + system)`);
const perTask: Record<string, Record<number, number>> = {};
const record = (k: string, T: number, s: number): void => {
  (perTask[k] ??= {})[T] = s / T;
};
for (const T of TS) {
  const rng = new Random(7);
  const rows = T * N;
  const X = Float64Array.from({ length: rows * D }, () => rng.normal());
  const y = Float64Array.from({ length: rows }, () => rng.normal());
  const w = Float64Array.from({ length: T * D }, () => rng.normal());
  const offsets = Int32Array.from({ length: T + 1 }, (_, t) => t * N);
  const tasks = Array.from({ length: T }, (_, t) => new Matrix(N, D, X.subarray(t * N * D, (t + 1) * N * D)));
  // Gram blocks H_t = X_tᵀX_t, contiguous.
  const H = new Float64Array(T * D * D);
  const Hm = Array.from({ length: T }, (_, t) => new Matrix(D, D, H.subarray(t * D * D, (t + 1) * D * D)));
  for (let t = 0; t < T; t++) {
    const Xt = tasks[t]!.data;
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
      let s = 0;
      for (let r = 0; r < N; r++) s += Xt[r * D + i]! * Xt[r * D + j]!;
      H[t * D * D + i * D + j] = s;
    }
  }
  const g = new Float64Array(T * D);
  const r = new Float64Array(rows);

  const loopData = (): void => {
    for (let t = 0; t < T; t++) {
      const wt = w.subarray(t * D, (t + 1) * D);
      const rt = gemv(tasks[t]!, wt);
      for (let i = 0; i < N; i++) rt[i]! -= y[t * N + i]!;
      xtv(tasks[t]!, rt, g.subarray(t * D, (t + 1) * D));
    }
  };
  const loopGram = (): void => {
    for (let t = 0; t < T; t++) gemv(Hm[t]!, w.subarray(t * D, (t + 1) * D), { out: g.subarray(t * D, (t + 1) * D) });
  };
  loopData();
  const gLoop = Float64Array.from(g);
  loopGram();
  const hLoop = Float64Array.from(g);
  const fData = 4 * N * D * T;
  const fGram = 2 * D * D * T;
  console.log(`\nT = ${T}   (per iteration: median CPU time, GFLOP/s; backends side by side in this run)`);
  const show = (s: number, f: number): string => `${(s * 1e3).toFixed(3).padStart(8)} ms ${(f / s / 1e9).toFixed(2).padStart(6)} GFLOP/s`;
  const loopD = timeIt(loopData), loopG = timeIt(loopGram);
  console.log(`  ${'data loop of T calls'.padEnd(24)} ${show(loopD, fData)}   (${defaultBackend})`);
  console.log(`  ${'gram loop of T calls'.padEnd(24)} ${show(loopG, fGram)}   (${defaultBackend})`);
  record(`data loop of T calls (${defaultBackend})`, T, loopD);
  record(`gram loop of T calls (${defaultBackend})`, T, loopG);
  const cols: Record<string, Record<string, string>> = {};
  for (const b of BACKENDS) {
    setBackend(b);
    const Xres = residentBlocks(X);
    const Hres = residentBlocks(H);
    const batchedData = (): void => {
      r.set(y);
      Xres.gemvBatched(false, T, offsets, D, 1, w, -1, r);
      Xres.gemvBatched(true, T, offsets, D, 1, r, 0, g);
    };
    const batchedDataFused = (): void => Xres.residualGradBatched(T, offsets, D, w, y, r, g);
    const batchedGram = (): void => Hres.symvBatched(T, D, 1, w, 0, g);
    // Same answers as the loop before timing anything.
    for (const f of [batchedData, batchedDataFused]) {
      g.fill(NaN);
      f();
      for (let i = 0; i < g.length; i++) if (!(Math.abs(g[i]! - gLoop[i]!) <= 1e-9 * (1 + Math.abs(gLoop[i]!)))) throw new Error(`bench: ${b} batched data path differs`);
    }
    g.fill(NaN);
    batchedGram();
    for (let i = 0; i < g.length; i++) if (!(Math.abs(g[i]! - hLoop[i]!) <= 1e-9 * (1 + Math.abs(hLoop[i]!)))) throw new Error(`bench: ${b} batched Gram path differs`);
    const rowsB: [string, number, number][] = [
      ['data batched (2 calls)', timeIt(batchedData), fData],
      ['data fused (1 call)', timeIt(batchedDataFused), fData],
      ['gram batched symv', timeIt(batchedGram), fGram],
    ];
    for (const [k, s, f] of rowsB) {
      (cols[k] ??= {})[b] = show(s, f);
      record(`${k} (${b})`, T, s);
    }
    Xres.free();
    Hres.free();
  }
  for (const [k, byB] of Object.entries(cols)) console.log(`  ${k.padEnd(24)} ${BACKENDS.map((b) => `${b.padEnd(6)} ${byB[b]}`).join(' | ')}`);
  setBackend(defaultBackend);

  // The real thing: SquaredLoss.evaluate (value + gradient, batched since issue 15) on these tasks,
  // without intercept (so X̂_t = X_t), data path (n_t = 20 ≤ d).
  const problem = buildProblem(
    { layout: 'per-task', kind: 'regression', featureNames: Array.from({ length: D }, (_, j) => `x${j}`), tasks: tasks.map((X_t, t) => ({ name: String(t), X: X_t, y: y.subarray(t * N, (t + 1) * N), rows: Int32Array.from({ length: N }, (_, i) => i) })) },
    { loss: 'squared', intercept: false, scale: 'sum' },
  );
  const W = Matrix.zeros(D, T);
  for (let t = 0; t < T; t++) for (let j = 0; j < D; j++) W.data[j * T + t] = w[t * D + j]!;
  const slCols: string[] = [];
  for (const b of BACKENDS) {
    setBackend(b);
    const loss = new SquaredLoss(problem);
    const sl = timeIt(() => void loss.evaluate(W));
    slCols.push(`${b.padEnd(6)} ${show(sl, fData)}`);
    record(`SquaredLoss.evaluate (${b})`, T, sl);
  }
  setBackend(defaultBackend);
  console.log(`  ${'SquaredLoss.evaluate'.padEnd(24)} ${slCols.join(' | ')}   (batched inside, plus O(T·d) in JS)`);
}
if (TS.includes(1000) && TS.includes(10000)) {
  console.log('\ngrowth of the time per task from T = 1 000 to T = 10 000 (1.0 = linear in T):');
  for (const [k, v] of Object.entries(perTask)) console.log(`  ${k.padEnd(24)} ${(v[10000]! / v[1000]!).toFixed(2)}×`);
}
