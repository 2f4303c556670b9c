// Kernel throughput: the WebAssembly SIMD backend against the TypeScript reference, measured side
// by side in the same run. Every figure is the median of several timed runs after warm-up.
// FLOP conventions: GEMM 2·m·n·k; GEMV 2·m·n; XᵀX n·d·(d+1) (the useful FLOPs of one triangle
// plus the diagonal, i.e. what a symmetric rank-k update must do, not the 2·n·d² of a full GEMM).
// Run: node --import tsx bench/linalg.bench.ts   (or npm run bench linalg)
// Sections can be selected by argument: table, crossover, workers, threads (default: all).
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/linalg/random.ts';
import { referenceKernels as ref } from '../src/linalg/kernels/reference.ts';
import { pinMatrix, setThreads, wasmLoad, wasmUrl, THREAD_MIN_WORK } from '../src/linalg/kernels/wasm.ts';
import { availableParallelism, loadavg } from 'node:os';
import type { Kernels } from '../src/linalg/kernels/types.ts';
import type { FloatArray } from '../src/linalg/matrix.ts';

if (!wasmLoad.kernels || !wasmLoad.direct) {
  console.error(`linalg.bench: the wasm backend did not load: ${wasmLoad.reason}`);
  process.exit(1);
}
const wasm: Kernels = wasmLoad.kernels;
const direct: Kernels = wasmLoad.direct;
const sections = process.argv.slice(2);
const want = (s: string): boolean => sections.length === 0 || sections.includes(s);
const rng = new Random(2024);

function randomArray(f32: boolean, n: number): FloatArray {
  const a = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniformIn(-1, 1);
  return a;
}

/**
 * This machine is shared: other processes often keep the load average far above its 2 cores, and
 * then wall-clock time measures the scheduler, not the kernel. Single-threaded figures therefore use
 * the process's CPU time (user + system, process.cpuUsage), with the kernels held to one thread;
 * the two-thread experiments must use wall-clock time and say so.
 */
type Clock = 'cpu' | 'wall';
function now(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median time (ms) of `reps` runs of fn after `warm` untimed runs. */
function median(fn: () => void, reps: number, warm = 1, clock: Clock = 'cpu'): number {
  for (let i = 0; i < warm; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now(clock);
    fn();
    t.push(now(clock) - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

const gflops = (flops: number, ms: number): number => flops / ms / 1e6;
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
function line(label: string, flops: number, msFast: number, msRef: number): void {
  console.log(`${label}: ${fmt(gflops(flops, msFast))} GFLOP/s (${(msRef / msFast).toFixed(1)}x over reference)`);
}

type Gemm = (ta: boolean, tb: boolean, m: number, n: number, k: number, al: number, a: FloatArray, lda: number,
  b: FloatArray, ldb: number, be: number, c: FloatArray, ldc: number) => void;
type Gram = (n: number, d: number, al: number, x: FloatArray, ldx: number, be: number, c: FloatArray, ldc: number) => void;
type Gemv = (t: boolean, m: number, n: number, al: number, a: FloatArray, lda: number, x: FloatArray, be: number, y: FloatArray) => void;
const gemmOf = (k: Kernels, f32: boolean): Gemm => (f32 ? k.sgemm : k.dgemm) as unknown as Gemm;
const gramOf = (k: Kernels, f32: boolean): Gram => (f32 ? k.sgram : k.dgram) as unknown as Gram;
const gemvOf = (k: Kernels, f32: boolean): Gemv => (f32 ? k.sgemv : k.dgemv) as unknown as Gemv;

console.log(`# load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);

if (want('table')) {
  setThreads(1);
  console.log('# throughput, one thread, CPU time (wasm backend incl. copies in/out of wasm memory; reference = TS kernels, same run)');
  console.log('# reference at n = 1024: median of 3 runs without warm-up (seconds each); gemv: A copied into wasm memory on every call,');
  console.log('# "resident": A pinned in wasm memory once (pinMatrix), only x and y copied');
  for (const f32 of [false, true]) {
    const p = f32 ? 'f32' : 'f64';
    for (const n of [256, 512, 1024]) {
      const a = randomArray(f32, n * n), b = randomArray(f32, n * n), c = randomArray(f32, n * n);
      const run = (k: Kernels) => () => gemmOf(k, f32)(false, false, n, n, n, 1, a, n, b, n, 0, c, n);
      const fast = median(run(wasm), n === 1024 ? 7 : 15, 2);
      // The reference is slow at 1024: 3 timed runs, no warm-up (each run is seconds long).
      const slow = n === 1024 ? median(run(ref), 3, 0) : median(run(ref), 5, 1);
      line(`gemm ${p} ${n}`, 2 * n * n * n, fast, slow);
    }
    for (const [n, d] of [[100000, 64], [15362, 28]] as const) {
      const x = randomArray(f32, n * d), c = randomArray(f32, d * d);
      const run = (k: Kernels) => () => gramOf(k, f32)(n, d, 1, x, d, 0, c, d);
      line(`gram ${p} ${n}x${d}`, n * d * (d + 1), median(run(wasm), 9, 2), median(run(ref), 3, 1));
    }
    {
      const n = 4096;
      const a = randomArray(f32, n * n), x = randomArray(f32, n), y = randomArray(f32, n);
      for (const trans of [false, true]) {
        const run = (k: Kernels) => () => gemvOf(k, f32)(trans, n, n, 1, a, n, x, 0, y);
        const fast = median(run(wasm), 9, 2), slow = median(run(ref), 5, 1);
        line(`gemv${trans ? 'T' : ''} ${p} ${n}`, 2 * n * n, fast, slow);
      }
      {
        const r = pinMatrix(a, n, n);
        for (const trans of [false, true]) {
          const fast = median(() => r.gemv(trans, 1, x, 0, y), 15, 2);
          const slow = median(() => gemvOf(ref, f32)(trans, n, n, 1, a, n, x, 0, y), 5, 1);
          line(`gemv${trans ? 'T' : ''} ${p} ${n} resident`, 2 * n * n, fast, slow);
        }
        r.free();
      }
    }
  }
}

if (want('crossover')) {
  // Where does the SIMD path (with its copies) start beating the reference? Sets SMALL_GEMM_WORK
  // and SMALL_GEMV_WORK in src/linalg/kernels/wasm.ts. Times are per call, in microseconds.
  setThreads(1);
  // Wall-clock here: CPU time would also bill V8's GC helper threads, which dominate sub-µs calls.
  console.log('\n# crossover: per-call µs (wall-clock), reference vs wasm SIMD path (square sizes, f64 / f32)');
  for (const f32 of [false, true]) {
    for (const n of [2, 4, 5, 6, 8, 16, 32]) {
      const a = randomArray(f32, n * n), b = randomArray(f32, n * n), c = randomArray(f32, n * n);
      const reps = Math.max(200, Math.floor(2e6 / (n * n * n)));
      const per = (k: Kernels) => median(() => { for (let i = 0; i < reps; i++) gemmOf(k, f32)(false, false, n, n, n, 1, a, n, b, n, 0, c, n); }, 7, 2, 'wall') * 1000 / reps;
      const tr = per(ref), tw = per(direct);
      console.log(`crossover gemm ${f32 ? 'f32' : 'f64'} n=${n} (m·n·k=${n * n * n}): reference ${tr.toFixed(2)} µs, wasm ${tw.toFixed(2)} µs (${(tr / tw).toFixed(2)}x)`);
    }
    for (const n of [4, 8, 12, 16, 32, 128]) {
      const a = randomArray(f32, n * n), x = randomArray(f32, n), y = randomArray(f32, n);
      const reps = Math.max(200, Math.floor(4e6 / (n * n)));
      const per = (k: Kernels) => median(() => { for (let i = 0; i < reps; i++) gemvOf(k, f32)(false, n, n, 1, a, n, x, 0, y); }, 7, 2, 'wall') * 1000 / reps;
      const tr = per(ref), tw = per(direct);
      console.log(`crossover gemv ${f32 ? 'f32' : 'f64'} n=${n} (m·n=${n * n}): reference ${tr.toFixed(2)} µs, wasm ${tw.toFixed(2)} µs (${(tr / tw).toFixed(2)}x)`);
    }
  }
}

if (want('workers')) await workerExperiment();

if (want('threads')) {
  // The built-in two-thread GEMM (threads.ts) against one thread, interleaved run by run so that
  // load from other processes hits both alike. Wall-clock time (two threads).
  console.log(`\n# threads: wasm GEMM with 2 threads vs 1, wall-clock (load average ${loadavg()[0]!.toFixed(1)}; THREAD_MIN_WORK = ${THREAD_MIN_WORK})`);
  for (const f32 of [false, true]) {
    for (const n of [128, 160, 192, 256, 384, 512, 1024]) {
      const a = randomArray(f32, n * n), b = randomArray(f32, n * n), c = randomArray(f32, n * n);
      const call = (): void => gemmOf(direct, f32)(false, false, n, n, n, 1, a, n, b, n, 0, c, n);
      const reps = n >= 1024 ? 7 : n >= 512 ? 15 : 41;
      const t1: number[] = [], t2: number[] = [], c1: number[] = [], c2: number[] = [];
      setThreads(2, 0); call(); call(); setThreads(1); call();
      for (let r = 0; r < reps; r++) {
        setThreads(1); t1.push(median(call, 1, 0, 'wall')); c1.push(median(call, 1, 0, 'cpu'));
        setThreads(2, 0); t2.push(median(call, 1, 0, 'wall')); c2.push(median(call, 1, 0, 'cpu'));
      }
      const med = (x: number[]): number => x.sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
      const s1 = med(t1), s2 = med(t2);
      setThreads('auto');
      console.log(`threads gemm ${f32 ? 'f32' : 'f64'} ${n}: 1 thread ${fmt(gflops(2 * n ** 3, s1))} GFLOP/s, 2 threads ${fmt(gflops(2 * n ** 3, s2))} GFLOP/s (${(s1 / s2).toFixed(2)}x wall-clock); ` +
        `CPU time of both threads / one thread: ${(med(c2) / med(c1)).toFixed(2)} (the split's extra work)${n ** 3 < THREAD_MIN_WORK ? ' [below THREAD_MIN_WORK]' : ''}`);
    }
  }
}

/**
 * Does splitting a 1024 GEMM over two threads help on this machine? The main thread computes the
 * top half of C's rows and one persistent worker (its own wasm instance) the bottom half; operands
 * live in SharedArrayBuffers, the main thread blocks on Atomics.wait for the worker's half.
 * Timings include every copy both threads make; worker start-up is excluded (a pool would keep it).
 */
async function workerExperiment(): Promise<void> {
  console.log(`\n# worker threads: GEMM 1024 split by rows over main thread + 1 worker (SharedArrayBuffer), wall-clock (load average ${loadavg()[0]!.toFixed(1)})`);
  const source = `
    const { parentPort } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(${JSON.stringify(fileURLToPath(wasmUrl))})), {}).exports;
    parentPort.on('message', (j) => {
      const size = j.f32 ? 4 : 8, Arr = j.f32 ? Float32Array : Float64Array;
      const a = new Arr(j.a), b = new Arr(j.b), c = new Arr(j.c), ctl = new Int32Array(j.ctl);
      const rows = j.m1 - j.m0, k = j.k, n = j.n;
      const base = (ex.heapBase() + 15) & ~15;
      const pa = base, pb = pa + rows * k * size, pc = pb + k * n * size, pw = pc + rows * n * size;
      const need = pw + Math.max(ex.dgemmWorkspace(), ex.sgemmWorkspace());
      if (need > ex.memory.buffer.byteLength) ex.memory.grow(Math.ceil((need - ex.memory.buffer.byteLength) / 65536));
      const heap = new Arr(ex.memory.buffer);
      heap.set(a.subarray(j.m0 * k, j.m1 * k), pa / size);
      heap.set(b, pb / size);
      (j.f32 ? ex.sgemm : ex.dgemm)(0, 0, rows, n, k, 1, pa, k, pb, n, 0, pc, n, pw);
      c.set(heap.subarray(pc / size, pc / size + rows * n), j.m0 * n);
      Atomics.store(ctl, 0, 1);
      Atomics.notify(ctl, 0);
    });
    parentPort.postMessage('ready');`;
  const worker = new Worker(source, { eval: true });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  const n = 1024;
  for (const f32 of [false, true]) {
    const size = f32 ? 4 : 8;
    const shared = (len: number): FloatArray => {
      const arr = f32 ? new Float32Array(new SharedArrayBuffer(len * size)) : new Float64Array(new SharedArrayBuffer(len * size));
      for (let i = 0; i < len; i++) arr[i] = rng.uniformIn(-1, 1);
      return arr;
    };
    const a = shared(n * n), b = shared(n * n), c = shared(n * n);
    const ctl = new Int32Array(new SharedArrayBuffer(4));
    const half = n / 2;
    const split = (): void => {
      Atomics.store(ctl, 0, 0);
      worker.postMessage({ f32, a: a.buffer, b: b.buffer, c: c.buffer, ctl: ctl.buffer, m0: half, m1: n, n, k: n });
      gemmOf(direct, f32)(false, false, half, n, n, 1, a.subarray(0, half * n), n, b, n, 0, c.subarray(0, half * n), n);
      Atomics.wait(ctl, 0, 0);
    };
    const single = (): void => gemmOf(direct, f32)(false, false, n, n, n, 1, a, n, b, n, 0, c, n);
    // Interleave the two variants so that frequency/thermal drift affects both alike.
    const ts: number[] = [], tt: number[] = [];
    for (let w = 0; w < 4; w++) { split(); single(); }
    for (let r = 0; r < 7; r++) {
      ts.push(median(single, 1, 0, 'wall'));
      tt.push(median(split, 1, 0, 'wall'));
    }
    const med = (x: number[]): number => x.sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
    const s = med(ts), t = med(tt);
    console.log(`workers gemm ${f32 ? 'f32' : 'f64'} ${n}: 1 thread ${fmt(gflops(2 * n ** 3, s))} GFLOP/s, 2 threads ${fmt(gflops(2 * n ** 3, t))} GFLOP/s (${(s / t).toFixed(2)}x speed-up from the second thread)`);
  }
  await worker.terminate();
}
