// Many tasks (issue 15): the per-task products of one solver iteration of the squared loss over
// T tasks × 20 rows, d = 50, done (1) as a JavaScript loop of T kernel calls through ops.ts, (2) as
// batched kernel calls over all tasks (src/linalg/batched.ts), and (3) as one whole FISTA iteration
// of l21 (the solver the library runs), so that the kernel's speed and the iteration's are both seen.
// fistaRows rows: "d × T" (W as the other solvers hold it), "T × d" (task-major, three kernel calls per attempt) and
// "T × d fused" (task-major, one pass over the tasks per attempt: the default where it exists), side by side.
//
// FLOP counts per iteration (printed with every row, so nobody is misled):
//   actual    — the data form's work: r_t = X_t w_t − y_t and g_t = X_tᵀ r_t, 4·n_t·d flops per task;
//               the Gram rows' work: g_t = H_t w_t, 2·d² flops per task.
//   effective — the Gram form's count 2·d²·T for every row: the product the data form replaces
//               (5 000 flops per task at d = 50, against 4 000 actual). Issue 15's goal
//               (≥ 5 GFLOP/s at T = 10 000) is in these units: ≤ 10 ms per iteration at T = 10 000.
// Each row prints the median CPU time of this process (user + system: the work done, robust to the
// shared machine's load) and the median wall time (what a user waits for; the only one in which a
// second thread can show), both per iteration, with effective GFLOP/s from each; then the growth of
// the time per task from T = 1 000 to T = 10 000 (time(10 000)/10 ÷ time(1 000)/1; goal ≤ 1.1×), by
// CPU and by wall, measured in this one run. POLYTASK_BENCH_TASKS overrides the list of T;
// POLYTASK_BENCH_BACKENDS narrows the backends (native,wasm,ts).
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { gemv, xtv } from '../src/linalg/ops.ts';
import { availableBackends, backendName, kernels, setBackend } from '../src/linalg/backend.ts';
import type { BackendName } from '../src/linalg/kernels/types.ts';
import { dsqGradBatched, hasSqGradBatched, residentBlocks } from '../src/linalg/batched.ts';
import { nativeLoad } from '../src/linalg/kernels/native.ts';
import { linearObjective } from '../src/linear/solver/composite.ts';
import { fista } from '../src/linear/solver/fista.ts';
import { fistaRows } from '../src/linear/solver/fista-rows.ts';
import { l21Penalty } from '../src/linear/penalty/l21.ts';
import { createLoss } from '../src/linear/loss/index.ts';
import { median } from './common.ts';
import { buildProblem } from '../src/linear/problem.ts';
import { SquaredLoss } from '../src/linear/loss/squared.ts';

const TS = (process.env.POLYTASK_BENCH_TASKS ?? '100,1000,10000').split(',').map(Number);
const N = 20;
const D = 50;

interface Timing { cpu: number; wall: number }

/**
 * Median CPU seconds (user + system of this process) and median wall seconds per call. Calls per
 * sample: enough for ≥ 5 ms of CPU, so that small T is not lost in the clock's resolution.
 */
function timeIt(f: () => void, minSeconds = 0.3): Timing {
  f(); // warm-up
  let reps = 1;
  for (;;) {
    const c = process.cpuUsage();
    for (let k = 0; k < reps; k++) f();
    const u = process.cpuUsage(c);
    if (u.user + u.system >= 5000 || reps >= 1 << 16) break;
    reps *= 4;
  }
  const cpu: number[] = [];
  const wall: number[] = [];
  const t0 = performance.now();
  while (cpu.length < 7 || (performance.now() - t0 < minSeconds * 1000 && cpu.length < 200)) {
    const c = process.cpuUsage();
    const w = performance.now();
    for (let k = 0; k < reps; k++) f();
    wall.push((performance.now() - w) / 1e3 / reps);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1e6 / reps);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

const defaultBackend = backendName();
// Every available backend side by side, fastest first (POLYTASK_BENCH_BACKENDS narrows the list).
const BACKENDS = (['native', 'wasm', 'ts'] as BackendName[]).filter((b) => availableBackends().includes(b) && (process.env.POLYTASK_BENCH_BACKENDS ?? 'native,wasm,ts').split(',').includes(b));
const nativeThreads = nativeLoad.threads();
console.log(`backends: ${BACKENDS.join(', ')} (default ${defaultBackend}; native pool ${nativeThreads} threads); tasks × ${N} rows, d = ${D}`);
console.log('per iteration: median CPU ms (process user + system) and median wall ms; eff = effective GFLOP/s (Gram-form count 2·d²·T ÷ time), act = actual GFLOP/s (the row\'s own flops ÷ CPU time)');
const perTask: Record<string, Record<number, Timing>> = {};
const record = (k: string, T: number, t: Timing): void => {
  (perTask[k] ??= {})[T] = { cpu: t.cpu / T, wall: t.wall / T };
};
const show = (t: Timing, fEff: number, fAct: number): string =>
  `cpu ${(t.cpu * 1e3).toFixed(3).padStart(8)} ms  wall ${(t.wall * 1e3).toFixed(3).padStart(8)} ms  eff ${(fEff / t.cpu / 1e9).toFixed(2).padStart(5)} (cpu) ${(fEff / t.wall / 1e9).toFixed(2).padStart(5)} (wall)  act ${(fAct / t.cpu / 1e9).toFixed(2).padStart(5)}`;
const line = (label: string, t: Timing, fEff: number, fAct: number): void => console.log(`  ${label.padEnd(44)} ${show(t, fEff, fAct)}`);

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
  // The solvers' layout: W and G are d × T (task t in column t).
  const Wdt = new Float64Array(D * T);
  for (let t = 0; t < T; t++) for (let j = 0; j < D; j++) Wdt[j * T + t] = w[t * D + j]!;
  const Gdt = new Float64Array(D * T);
  const cols = Int32Array.from({ length: T }, (_, t) => t);
  const ones = new Float64Array(T).fill(1);
  const fv = new Float64Array(T);

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
  const same = (got: Float64Array, want: Float64Array, what: string): void => {
    for (let i = 0; i < got.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= 1e-9 * (1 + Math.abs(want[i]!)))) throw new Error(`bench: ${what} differs from the loop`);
  };
  console.log(`\nT = ${T}   (actual flops per iteration: data form ${(fData / 1e6).toFixed(1)} M, Gram form ${(fGram / 1e6).toFixed(1)} M = the effective count)`);
  const rowsOut: [string, Timing, number][] = [];
  rowsOut.push([`data loop of T calls (${defaultBackend})`, timeIt(loopData), fData]);
  rowsOut.push([`gram loop of T calls (${defaultBackend})`, timeIt(loopGram), fGram]);
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
    const sqGrad = (): void => dsqGradBatched(T, offsets, D, X, cols, Wdt, T, y, ones, Gdt, fv);
    // Same answers as the loop before timing anything.
    for (const [f, what] of [[batchedData, 'batched data'], [batchedDataFused, 'fused data']] as const) {
      g.fill(NaN);
      f();
      same(g, gLoop, `${b} ${what}`);
    }
    g.fill(NaN);
    batchedGram();
    same(g, hLoop, `${b} batched Gram`);
    rowsOut.push([`data batched, 2 calls (${b})`, timeIt(batchedData), fData]);
    rowsOut.push([`data fused residualGrad, 1 call (${b})`, timeIt(batchedDataFused), fData]);
    rowsOut.push([`gram batched symv (${b})`, timeIt(batchedGram), fGram]);
    if (hasSqGradBatched()) {
      const threadCounts = b === 'native' ? [...new Set([1, nativeThreads])] : [0];
      for (const th of threadCounts) {
        if (b === 'native') nativeLoad.setThreads(th);
        Gdt.fill(NaN);
        sqGrad();
        const gt = new Float64Array(T * D);
        for (let t = 0; t < T; t++) for (let j = 0; j < D; j++) gt[t * D + j] = Gdt[j * T + t]!;
        same(gt, gLoop, `${b} dsqGradBatched`);
        rowsOut.push([`data sqGrad on d×T, 1 call (${b}${b === 'native' ? `, ${th} thr` : ''})`, timeIt(sqGrad), fData]);
      }
      if (b === 'native') nativeLoad.setThreads(0);
    }
    Xres.free();
    Hres.free();
  }
  setBackend(defaultBackend);

  // The real thing: SquaredLoss.evaluate (value + gradient) and one whole FISTA iteration of l21
  // (λ = 0.1 λ_max-ish fixed; tol 0, so every run does exactly `iters` iterations), data form
  // (n_t = 20 ≤ d), with intercepts (centred rows, as the solvers fit them).
  const problem = buildProblem(
    { layout: 'per-task', kind: 'regression', featureNames: Array.from({ length: D }, (_, j) => `x${j}`), tasks: tasks.map((X_t, t) => ({ name: String(t), X: X_t, y: y.subarray(t * N, (t + 1) * N), rows: Int32Array.from({ length: N }, (_, i) => i) })) },
    { loss: 'squared', intercept: true, scale: 'mean' },
  );
  const W = new Matrix(D, T, Wdt);
  // "per-path" = the evaluation before dsqGradBatched (LossOptions.fused = false: Wᵀ gathered, one
  // residual-gradient call, values and c_t in JavaScript, G transposed back), on the same backend.
  for (const b of BACKENDS) {
    setBackend(b);
    for (const fused of hasSqGradBatched() ? [false, true] : [false]) {
      const tag = `${b}${hasSqGradBatched() ? (fused ? ', fused' : ', per-path') : ''}`;
      const loss = new SquaredLoss(problem, { fused });
      rowsOut.push([`SquaredLoss.evaluate (${tag})`, timeIt(() => void loss.evaluate(W)), fData]);
      // gradNormAtZero given: only the stopping rule uses it (tol 0 here), so each run is the start's
      // one evaluation plus `iters` iterations.
      const obj = { ...linearObjective(createLoss(problem, { fused }), [], l21Penalty(0.02)), gradNormAtZero: 1 };
      const iters = 10;
      const x0 = [Matrix.zeros(D, T)];
      const tf = timeIt(() => void fista(obj, { x0, tol: 0, maxIter: iters, trace: false }), 0.5);
      rowsOut.push([`FISTA iteration, l21 (${tag})`, { cpu: tf.cpu / iters, wall: tf.wall / iters }, fData]);
      if (fused || !hasSqGradBatched()) {
        // The same iterations by the buffer-owning FISTA (solver/fista-rows.ts: three passes per
        // iteration), on an equal loss: old (row above) vs new in this one run.
        // sqData: the loss's data blocks, so fistaRows works task-major (T × d) where the backend has
        // dsqGradTasks (native, ts); `taskMajor: false` rows below are the d × T layout on the same problem.
        const sqData = loss.rowsData();
        const prob = { d: D, T, smoothInto: (w: Float64Array, g: Float64Array) => loss.evaluateInto(w, g), penalty: { kind: 'rows' as const, lambda: 0.02 }, lipschitz: obj.lipschitz!, gradNormAtZero: 1, ...(sqData ? { sqData } : {}) };
        const z0 = new Float64Array(D * T);
        const check = fista(obj, { x0, tol: 0, maxIter: iters, trace: true }).info.objectiveTrace;
        // Loss evaluations as the solver counts them (its message; the task-major path never calls smoothInto).
        const evalsOf = (m: string | undefined): number => Number(/(\d+) loss evaluations/.exec(m ?? '')?.[1] ?? NaN);
        const mineRun = fistaRows(prob, { x0: z0, tol: 0, maxIter: iters, trace: true });
        const mine = mineRun.info.objectiveTrace;
        // Backtracking retries make an iteration more than one evaluation (the generic solver the same).
        console.log(`  (T = ${T}, ${b}: ${(evalsOf(mineRun.info.message) / iters).toFixed(2)} loss evaluations per FISTA iteration over these ${iters} iterations)`);
        for (let i = 0; i < check.length; i++) if (!(Math.abs(mine[i]! - check[i]!) <= 1e-12 * Math.abs(check[i]!))) throw new Error(`bench: fistaRows differs from fista at iteration ${i}`);
        const minePasses = fistaRows(prob, { x0: z0, tol: 0, maxIter: iters, trace: true, taskMajor: false }).info.objectiveTrace;
        for (let i = 0; i < check.length; i++) if (!(Math.abs(minePasses[i]! - check[i]!) <= 1e-12 * Math.abs(check[i]!))) throw new Error(`bench: fistaRows (d × T) differs from fista at iteration ${i}`);
        const tr = timeIt(() => void fistaRows(prob, { x0: z0, tol: 0, maxIter: iters, trace: false }), 0.5);
        rowsOut.push([`FISTA iteration, l21 (${b}, fistaRows)`, { cpu: tr.cpu / iters, wall: tr.wall / iters }, fData]);
        if (b === 'native') {
          const tt = timeIt(() => void fistaRows(prob, { x0: z0, tol: 0, maxIter: iters, trace: false, nativePasses: false }), 0.5);
          rowsOut.push([`FISTA iteration, l21 (${b}, fistaRows, TS passes)`, { cpu: tt.cpu / iters, wall: tt.wall / iters }, fData]);
        }
        // The constant step 1/L (L = the loss's max_t c_t λ_max estimate, fistaRows' constantStep): one
        // evaluation per iteration unless the safeguard fires (counted), on 1 thread and on the pool
        // (native: the loss kernel and passes A/C split when d × T ≥ 2^18, i.e. only at T = 10 000 here).
        const layouts: [string, { taskMajor?: boolean; fused?: boolean }][] = [['d × T', { taskMajor: false }]];
        if (sqData && kernels().dsqGradTasks) layouts.push(['T × d', { fused: false }]);
        if (sqData && kernels().fistaFusedTasks) layouts.push(['T × d fused', {}]);
        const cRun = fistaRows(prob, { x0: z0, tol: 0, maxIter: iters, trace: false, constantStep: true });
        console.log(`  (T = ${T}, ${b}: constant step ${(evalsOf(cRun.info.message) / iters).toFixed(2)} loss evaluations per iteration)`);
        for (const th of b === 'native' ? [...new Set([1, nativeThreads])] : [0]) {
          if (b === 'native') nativeLoad.setThreads(th);
          const thr = b === 'native' ? `, ${th} thr` : '';
          // The layouts side by side, each step rule in turn: d × T (three passes), T × d (three task-major calls per
          // attempt: the path before the fused kernel) and T × d fused (one pass per attempt: fistaFusedTasks).
          for (const constantStep of [false, true]) {
            for (const [name, o] of layouts) {
              const tt = timeIt(() => void fistaRows(prob, { x0: z0, tol: 0, maxIter: iters, trace: false, constantStep, ...o }), 0.5);
              rowsOut.push([`FISTA iter l21 (${b}, ${constantStep ? 'constant' : 'adaptive'}, ${name}${thr})`, { cpu: tt.cpu / iters, wall: tt.wall / iters }, fData]);
            }
          }
        }
        if (b === 'native') nativeLoad.setThreads(0);
        if (b === 'native' && layouts.length === 3 && T >= 1000) {
          // The present path (three task-major calls per attempt) against the fused one, alternating in one loop
          // (A, B, A, B, …: a load that drifts hits both alike), per iteration of a long fit: each round times
          // 10 and 30 iterations of each and takes (t30 − t10) / 20, so the per-fit set-up (buffers, transposes, the
          // start's evaluation) drops out. Medians over the rounds, and the median of the rounds' old ÷ new ratios.
          for (const th of [...new Set([1, nativeThreads])]) {
            nativeLoad.setThreads(th);
            for (const constantStep of [false, true]) {
              const one = (fused: boolean, n: number): Timing => {
                const c0 = process.cpuUsage();
                const w0 = performance.now();
                fistaRows(prob, { x0: z0, tol: 0, maxIter: n, trace: false, constantStep, fused });
                const u = process.cpuUsage(c0);
                return { cpu: (u.user + u.system) / 1e6, wall: (performance.now() - w0) / 1e3 };
              };
              const per: Record<'old' | 'new', Timing[]> = { old: [], new: [] };
              one(false, 2);
              one(true, 2);
              for (let round = 0; round < 7; round++) {
                for (const fused of [false, true]) {
                  const a = one(fused, iters);
                  const c = one(fused, 3 * iters);
                  per[fused ? 'new' : 'old'].push({ cpu: (c.cpu - a.cpu) / (2 * iters), wall: (c.wall - a.wall) / (2 * iters) });
                }
              }
              const tag = `${constantStep ? 'constant' : 'adaptive'}, ${th} thr`;
              const m = (k: 'old' | 'new'): Timing => ({ cpu: median(per[k].map((q) => q.cpu)), wall: median(per[k].map((q) => q.wall)) });
              rowsOut.push([`per iteration A/B (${tag}): T × d`, m('old'), fData]);
              rowsOut.push([`per iteration A/B (${tag}): fused`, m('new'), fData]);
              const ratio = (k: 'cpu' | 'wall'): string => median(per.old.map((q, i) => q[k] / per.new[i]![k])).toFixed(2);
              console.log(`  (T = ${T}, A/B ${tag}: T × d ÷ fused per iteration, median of 7 rounds: cpu ${ratio('cpu')}×, wall ${ratio('wall')}×)`);
            }
          }
          nativeLoad.setThreads(0);
        }
        // A whole fit to tol 1e-8 both ways (λ = 0.1 λ_max of this problem, from W = 0; one run each, so
        // the CPU and wall seconds are indicative; iterations, evaluations and objectives are exact):
        // the constant step saves the retries but takes more iterations than the adaptive L, which
        // settles below the global bound.
        const g0 = new Float64Array(D * T);
        loss.evaluateInto(new Float64Array(D * T), g0);
        let lmax = 0;
        for (let j = 0; j < D; j++) {
          let q = 0;
          for (let t = 0; t < T; t++) q += g0[j * T + t]! ** 2;
          lmax = Math.max(lmax, Math.sqrt(q));
        }
        const fitRes: string[] = [];
        let objs: number[] = [];
        for (const constantStep of [false, true]) {
          for (const [name, o] of layouts) {
            const pf = { ...prob, penalty: { kind: 'rows' as const, lambda: 0.1 * lmax }, gradNormAtZero: undefined };
            const c0 = process.cpuUsage();
            const w0 = performance.now();
            const res = fistaRows(pf, { x0: z0, tol: 1e-8, maxIter: 5000, trace: false, constantStep, ...o });
            const u = process.cpuUsage(c0);
            objs = [...objs, res.info.objective];
            const extra = /(\d+) row-norm passes/.exec(res.info.message ?? '');
            fitRes.push(`${constantStep ? 'constant' : 'adaptive'} ${name}: ${res.info.iterations} iterations, ${evalsOf(res.info.message)} evaluations${extra ? ` (${extra[1]} row-norm passes)` : ''}, cpu ${((u.user + u.system) / 1e6).toFixed(3)} s, wall ${((performance.now() - w0) / 1e3).toFixed(3)} s${res.info.converged ? '' : ' NOT CONVERGED'}`);
          }
        }
        console.log(`  (T = ${T}, ${b}: fit to tol 1e-8, λ = 0.1 λ_max — \n    ${fitRes.join(';\n    ')}; objectives differ by at most ${(Math.max(...objs.map((o) => Math.abs(o - objs[0]!))) / Math.abs(objs[0]!)).toExponential(1)} relative)`);
      }
    }
  }
  setBackend(defaultBackend);
  for (const [k, t, fAct] of rowsOut) {
    line(k, t, fGram, fAct);
    record(k, T, t);
  }
}
if (TS.includes(1000) && TS.includes(10000)) {
  console.log('\ngrowth of the time per task from T = 1 000 to T = 10 000, time(10 000)/10 ÷ time(1 000) (1.00 = linear in T; goal ≤ 1.1):');
  for (const [k, v] of Object.entries(perTask)) console.log(`  ${k.padEnd(44)} cpu ${(v[10000]!.cpu / v[1000]!.cpu).toFixed(2)}×   wall ${(v[10000]!.wall / v[1000]!.wall).toFixed(2)}×`);
}
