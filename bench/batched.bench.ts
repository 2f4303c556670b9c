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
import { backendName } from '../src/linalg/backend.ts';
import { dgemvBatched, dsymvBatched, residentBlocks } from '../src/linalg/batched.ts';
import { median, fmt } from './common.ts';
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
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 7 || (performance.now() - t0 < minSeconds * 1000 && times.length < 200)) {
    const c = process.cpuUsage();
    f();
    const u = process.cpuUsage(c);
    times.push((u.user + u.system) / 1e6);
  }
  return median(times);
}

console.log(`backend: ${backendName()}; tasks × ${N} rows, d = ${D}; median CPU seconds per iteration`);
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
  const Xres = residentBlocks(X);
  const batchedData = (): void => {
    r.set(y);
    Xres.gemvBatched(false, T, offsets, D, 1, w, -1, r);
    Xres.gemvBatched(true, T, offsets, D, 1, r, 0, g);
  };
  const batchedDataFused = (): void => Xres.residualGradBatched(T, offsets, D, w, y, r, g);
  const batchedDataCopied = (): void => {
    r.set(y);
    dgemvBatched(false, T, offsets, D, 1, X, w, -1, r);
    dgemvBatched(true, T, offsets, D, 1, X, r, 0, g);
  };
  const loopGram = (): void => {
    for (let t = 0; t < T; t++) gemv(Hm[t]!, w.subarray(t * D, (t + 1) * D), { out: g.subarray(t * D, (t + 1) * D) });
  };
  const Hres = residentBlocks(H);
  const batchedGram = (): void => Hres.symvBatched(T, D, 1, w, 0, g);
  const batchedGramCopied = (): void => dsymvBatched(T, D, 1, H, w, 0, g);

  // Same answers before timing anything.
  loopData();
  const gLoop = Float64Array.from(g);
  for (const f of [batchedData, batchedDataFused, batchedDataCopied]) {
    g.fill(NaN);
    f();
    for (let i = 0; i < g.length; i++) if (!(Math.abs(g[i]! - gLoop[i]!) <= 1e-9 * (1 + Math.abs(gLoop[i]!)))) throw new Error('bench: batched data path differs');
  }
  loopGram();
  const hLoop = Float64Array.from(g);
  batchedGram();
  for (let i = 0; i < g.length; i++) if (Math.abs(g[i]! - hLoop[i]!) > 1e-9 * (1 + Math.abs(hLoop[i]!))) throw new Error('bench: batched Gram path differs');

  const fData = 4 * N * D * T;
  const fGram = 2 * D * D * T;
  const rowsOut: [string, string, number, number][] = [
    ['data', 'loop of T calls', timeIt(loopData), fData],
    ['data', 'batched, resident', timeIt(batchedData), fData],
    ['data', 'fused, resident', timeIt(batchedDataFused), fData],
    ['gram', 'loop of T calls', timeIt(loopGram), fGram],
    ['gram', 'batched, resident', timeIt(batchedGram), fGram],
    ['data', 'batched, copied', timeIt(batchedDataCopied), fData],
    ['gram', 'batched, copied', timeIt(batchedGramCopied), fGram],
  ];
  console.log(`\nT = ${T}`);
  for (const [path, how, s, f] of rowsOut) {
    console.log(`  ${path.padEnd(5)} ${how.padEnd(18)} ${fmt(s).padStart(9)} / iteration   ${(f / s / 1e9).toFixed(2).padStart(6)} GFLOP/s`);
    record(`${path} ${how}`, T, s);
  }
  const sp = (a: number, b: number): string => `${(rowsOut[a]![2] / rowsOut[b]![2]).toFixed(1)}×`;
  console.log(`  speed-up over the loop (same run): data batched ${sp(0, 1)}, data fused ${sp(0, 2)}, gram batched ${sp(3, 4)}`);
  Xres.free();
  Hres.free();

  // The real thing: SquaredLoss.evaluate (value + gradient, batched since issue 15) on these tasks,
  // without intercept (so X̂_t = X_t), data path (n_t = 20 ≤ d).
  const problem = buildProblem(
    { layout: 'per-task', kind: 'regression', featureNames: Array.from({ length: D }, (_, j) => `x${j}`), tasks: tasks.map((X_t, t) => ({ name: String(t), X: X_t, y: y.subarray(t * N, (t + 1) * N), rows: Int32Array.from({ length: N }, (_, i) => i) })) },
    { loss: 'squared', intercept: false, scale: 'sum' },
  );
  const loss = new SquaredLoss(problem);
  const W = Matrix.zeros(D, T);
  for (let t = 0; t < T; t++) for (let j = 0; j < D; j++) W.data[j * T + t] = w[t * D + j]!;
  const sl = timeIt(() => void loss.evaluate(W));
  console.log(`  SquaredLoss.evaluate   ${fmt(sl).padStart(9)} / iteration   ${(fData / sl / 1e9).toFixed(2).padStart(6)} GFLOP/s (batched inside, plus O(T·d) in JS)`);
  record('SquaredLoss.evaluate', T, sl);
}
if (TS.includes(1000) && TS.includes(10000)) {
  console.log('\ngrowth of the time per task from T = 1 000 to T = 10 000 (1.0 = linear in T):');
  for (const [k, v] of Object.entries(perTask)) console.log(`  ${k.padEnd(24)} ${(v[10000]! / v[1000]!).toFixed(2)}×`);
}
