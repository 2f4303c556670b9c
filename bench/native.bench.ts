// The native backend (issue 14) side by side with OpenBLAS / LAPACK (numpy, scipy: bench/peers/
// openblas.py, skipped with a message when python3 or numpy is absent) and the WebAssembly kernels,
// in one run. Rounds alternate native, peer and wasm so that a change of machine load hits all
// three; each figure is the median over rounds of per-round medians.
// One thread: process CPU time (the machine is shared; wall time would measure the scheduler), the
// peer with OPENBLAS_NUM_THREADS=1 and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from its own
// environment only. Two threads: wall time (CPU time adds both threads up), with the load average.
// FLOPs: GEMM 2·m·n·k, XᵀX n·d·(d+1), GEMV 2·m·n. The decompositions are compared in time only
// (LAPACK's flop counts differ by algorithm): native vs the TypeScript ones vs numpy.
// Run: node --import tsx bench/native.bench.ts [peers] [threads] [crossover] [school] [linear] [baseline]
// (default: all but linear, which runs bench/linear.bench.ts in child processes and takes long, and
// baseline: BENCH_BASELINE_ADDON=<an older build's polytask_native.node> times its eigh/svd against
// this build's on the same inputs in this process, alternating, CPU time)
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { Random } from '../src/linalg/random.ts';
import { Matrix } from '../src/linalg/matrix.ts';
import { nativeLoad } from '../src/linalg/kernels/native.ts';
import { wasmLoad } from '../src/linalg/kernels/wasm.ts';
import { setThreads as setWasmThreads } from '../src/linalg/kernels/wasm.ts';
import { referenceKernels as ref } from '../src/linalg/kernels/reference.ts';
import { setBackend } from '../src/linalg/backend.ts';
import { eigh } from '../src/linalg/decomp/eigh.ts';
import { svd } from '../src/linalg/decomp/svd.ts';
import { cholesky } from '../src/linalg/decomp/cholesky.ts';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getModelSpec } from '../src/linear/registry.ts';
import type { ModelOptions } from '../src/linear/types.ts';
import { SCHOOL, loadSchool, schoolOptions } from './common.ts';
import type { Kernels } from '../src/linalg/kernels/types.ts';
import type { FloatArray } from '../src/linalg/matrix.ts';

if (!nativeLoad.direct || !wasmLoad.direct) {
  console.error(`native.bench: needs both backends (native: ${nativeLoad.reason}; wasm: ${wasmLoad.reason})`);
  process.exit(1);
}
const nat: Kernels = nativeLoad.direct;
const wasm: Kernels = wasmLoad.direct;
const sections = process.argv.slice(2);
const want = (s: string): boolean => sections.length === 0 || sections.includes(s);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const rng = new Random(2024);

type Clock = 'cpu' | 'wall';
function now(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
/** Median seconds of `reps` runs after one warm-up. */
function time(fn: () => void, reps: number, clock: Clock = 'cpu'): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now(clock);
    fn();
    t.push((now(clock) - t0) / 1000);
  }
  return median(t);
}
function randomArray(f32: boolean, n: number): FloatArray {
  const a = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniformIn(-1, 1);
  return a;
}
const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

/** One run of the peer script; null (with the reason printed once) when it cannot run. */
let peerMissing: string | null = null;
function peer(threads: number, gemmOnly = false): Record<string, number> | null {
  if (peerMissing) return null;
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', [new URL('./peers/openblas.py', import.meta.url).pathname, String(threads), '5', ...(gemmOnly ? ['gemm-only'] : [])], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    peerMissing = r.error ? `python3 not found (${r.error.message})` : `bench/peers/openblas.py failed: ${(r.stderr ?? '').trim().split('\n').pop()}`;
    console.log(`# peers skipped: ${peerMissing} (apt-get install python3-numpy python3-scipy)`);
    return null;
  }
  const out = JSON.parse(r.stdout) as Record<string, number | string>;
  if (!peerInfo) peerInfo = `${out.numpy}; OpenBLAS core ${out.core}`;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
}
let peerInfo = '';

interface Case {
  key: string; // the peer's key
  label: string;
  flops: number; // 0: print times
  native: () => void;
  wasm: () => void;
  wasmLabel?: string;
}

function gemmCase(f32: boolean, n: number): Case {
  const a = randomArray(f32, n * n), b = randomArray(f32, n * n), c = randomArray(f32, n * n);
  const g = (k: Kernels) => () => (f32 ? k.sgemm : k.dgemm)(false, false, n, n, n, 1, a as never, n, b as never, n, 0, c as never, n);
  return { key: `gemm ${f32 ? 'f32' : 'f64'} ${n}`, label: `gemm ${f32 ? 'f32' : 'f64'} ${n}`, flops: 2 * n ** 3, native: g(nat), wasm: g(wasm) };
}
function gramCase(f32: boolean, rows: number, d: number): Case {
  const x = randomArray(f32, rows * d), c = randomArray(f32, d * d);
  const g = (k: Kernels) => () => (f32 ? k.sgram : k.dgram)(rows, d, 1, x as never, d, 0, c as never, d);
  return { key: `gram ${f32 ? 'f32' : 'f64'} ${rows}x${d}`, label: `gram ${f32 ? 'f32' : 'f64'} ${rows}x${d}`, flops: rows * d * (d + 1), native: g(nat), wasm: g(wasm) };
}
function gemvCase(f32: boolean, n: number): Case {
  const a = randomArray(f32, n * n), x = randomArray(f32, n), y = randomArray(f32, n);
  const g = (k: Kernels) => () => (f32 ? k.sgemv : k.dgemv)(false, n, n, 1, a as never, n, x as never, 0, y as never);
  return { key: `gemv ${f32 ? 'f32' : 'f64'} ${n}`, label: `gemv ${f32 ? 'f32' : 'f64'} ${n}`, flops: 2 * n * n, native: g(nat), wasm: g(wasm) };
}
function decompCase(key: string, label: string, run: () => void): Case {
  // "wasm" here is the TypeScript decomposition (the wasm backend has no decompositions of its own).
  const on = (b: 'native' | 'wasm') => () => {
    setBackend(b);
    run();
  };
  return { key, label, flops: 0, native: on('native'), wasm: on('wasm'), wasmLabel: 'typescript' };
}

function sym(n: number): Matrix {
  const a = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = rng.uniformIn(-1, 1);
  return a;
}

function peersSection(): void {
  nativeLoad.setThreads(1);
  setWasmThreads(1);
  const s200 = sym(200);
  const tall = Matrix.zeros(1000, 28);
  for (let i = 0; i < tall.data.length; i++) tall.data[i] = rng.uniformIn(-1, 1);
  const spd = Matrix.zeros(200, 200);
  ref.dgram(200, 200, 1, s200.data as Float64Array, 200, 0, spd.data as Float64Array, 200);
  for (let i = 0; i < 200; i++) spd.data[i * 201]! += 200;
  const cases: Case[] = [
    gemmCase(false, 1024), gemmCase(true, 1024),
    gramCase(false, 100000, 64), gramCase(true, 100000, 64),
    gemvCase(false, 4096), gemvCase(true, 4096),
    decompCase('eigh 200 numpy (syevd)', 'eigh 200', () => eigh(s200)),
    decompCase('svd 1000x28 numpy (gesdd)', 'svd 1000x28', () => svd(tall)),
    decompCase('cholesky 200 numpy (potrf)', 'cholesky 200', () => cholesky(spd)),
  ];
  const tn: number[][] = cases.map(() => []), tw: number[][] = cases.map(() => []), tp: number[][] = cases.map(() => []);
  const scipyEigh: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    cases.forEach((c, i) => tn[i]!.push(time(c.native, 5)));
    const p = peer(1);
    if (p) {
      cases.forEach((c, i) => tp[i]!.push(p[c.key]!));
      if (p['eigh 200 scipy (syevr)'] !== undefined) scipyEigh.push(p['eigh 200 scipy (syevr)']);
    }
    cases.forEach((c, i) => tw[i]!.push(time(c.wasm, c.flops > 0 && c.flops > 1e9 ? 2 : 3)));
  }
  setBackend('native');
  console.log(`# one thread, process CPU time, median over ${ROUNDS} rounds of medians of 5 (native, peer) / 2–3 (wasm, TypeScript)`);
  console.log(`# load average ${load()} on ${availableParallelism()} cores; native: ${nativeLoad.isa}; peer: ${peerInfo || 'absent'}`);
  cases.forEach((c, i) => {
    const n = median(tn[i]!), w = median(tw[i]!), p = tp[i]!.length ? median(tp[i]!) : NaN;
    if (c.flops > 0) {
      const g = (s: number) => c.flops / s / 1e9;
      const peerPart = Number.isNaN(p) ? 'openblas absent' : `openblas ${f(g(p))} (${(100 * g(n) / g(p)).toFixed(0)} %)`;
      console.log(`${c.label} 1 thread: native ${f(g(n))} GFLOP/s, ${peerPart}, wasm ${f(g(w))}`);
    } else {
      const peerPart = Number.isNaN(p) ? 'lapack absent' : `lapack ${f(p * 1e3)} ms (native/lapack ${(n / p).toFixed(2)}×)`;
      console.log(`${c.label} 1 thread: native ${f(n * 1e3)} ms, ${peerPart}, ${c.wasmLabel} ${f(w * 1e3)} ms (${(w / n).toFixed(1)}× native)`);
    }
  });
  if (scipyEigh.length) console.log(`(eigh 200 via scipy.linalg.eigh, syevr: ${f(median(scipyEigh) * 1e3)} ms)`);
}

function threadsSection(): void {
  console.log(`\n# two threads vs one, wall time, median of 7 per round, ${ROUNDS} rounds; load average ${load()} on ${availableParallelism()} cores`);
  console.log('# (the 2-thread figure needs the second core free; with other jobs running it measures the scheduler)');
  for (const f32 of [false, true]) {
    const c = gemmCase(f32, 1024);
    const one: number[] = [], two: number[] = [], p1: number[] = [], p2: number[] = [], cpu1: number[] = [], cpu2: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      nativeLoad.setThreads(1);
      one.push(time(c.native, 7, 'wall'));
      cpu1.push(time(c.native, 3, 'cpu'));
      nativeLoad.setThreads(2);
      two.push(time(c.native, 7, 'wall'));
      cpu2.push(time(c.native, 3, 'cpu'));
      if (!peerMissing) {
        const a = peer(1, true), b = peer(2, true);
        if (a && b) {
          p1.push(a[c.key]!);
          p2.push(b[c.key]!);
        }
      }
    }
    nativeLoad.setThreads(0);
    const g = (s: number) => c.flops / s / 1e9;
    const t1 = median(one), t2 = median(two);
    const peerPart = p2.length ? `, openblas 2 threads ${f(g(median(p2)))} (1 thread, CPU time: ${f(g(median(p1)))})` : '';
    console.log(`${c.label} 2 threads: native ${f(g(t2))} GFLOP/s, 1 thread ${f(g(t1))} (wall), speed-up ${(t1 / t2).toFixed(2)}×${peerPart}; load ${load()}`);
    // Load-independent part of the question: how much more CPU time (both threads together) the
    // split costs. With an idle second core the wall-clock speed-up is at most 2 / this ratio.
    console.log(`  CPU time of both threads / one thread: ${(median(cpu2) / median(cpu1)).toFixed(3)} (idle-machine bound on the speed-up: ${(2 * median(cpu1) / median(cpu2)).toFixed(2)}×)`);
  }
}

function crossoverSection(): void {
  console.log('\n# crossover: per-call CPU time (µs), reference vs native (incl. the N-API call), one thread');
  nativeLoad.setThreads(1);
  for (const n of [2, 3, 4, 5, 6, 8]) {
    const a = randomArray(false, n * n), b = randomArray(false, n * n), c = randomArray(false, n * n);
    const reps = 20000;
    const run = (k: Kernels) => () => {
      for (let i = 0; i < reps; i++) k.dgemm(false, false, n, n, n, 1, a as Float64Array, n, b as Float64Array, n, 0, c as Float64Array, n);
    };
    const tr = time(run(ref), 5) / reps * 1e6, tn = time(run(nat), 5) / reps * 1e6;
    console.log(`gemm f64 n = ${n} (${n ** 3} multiply-adds): reference ${tr.toFixed(2)} µs, native ${tn.toFixed(2)} µs`);
  }
  for (const n of [4, 8, 12, 16]) {
    const a = randomArray(false, n * n), x = randomArray(false, n), y = randomArray(false, n);
    const reps = 20000;
    const run = (k: Kernels) => () => {
      for (let i = 0; i < reps; i++) k.dgemv(false, n, n, 1, a as Float64Array, n, x as Float64Array, 0, y as Float64Array);
    };
    const tr = time(run(ref), 5) / reps * 1e6, tn = time(run(nat), 5) / reps * 1e6;
    console.log(`gemv f64 n = ${n} (${n * n}): reference ${tr.toFixed(2)} µs, native ${tn.toFixed(2)} µs`);
  }
  nativeLoad.setThreads(0);
}

/**
 * bench/linear.bench.ts (School part) per backend in child processes, alternating native, wasm
 * (BENCH_LINEAR_ROUNDS rounds, default 1; BENCH_REPEATS runs per fit, default 1 here). Wall time,
 * one thread each (POLYTASK_THREADS=1). BENCH_TEXTBOOK_MAX_ITER=1: the textbook-gd column is not what is compared
 * here and would take minutes per model.
 */
function linearSection(): void {
  console.log(`\n# bench/linear.bench.ts (School) per backend, POLYTASK_THREADS=1, wall time; load average ${load()}`);
  const rounds = Number(process.env.BENCH_LINEAR_ROUNDS ?? 1);
  for (let round = 1; round <= rounds; round++) {
    for (const b of ['native', 'wasm']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./linear.bench.ts', import.meta.url).pathname], {
        env: { ...process.env, POLYTASK_BACKEND: b, POLYTASK_THREADS: '1', BENCH_PART: 'school', BENCH_TEXTBOOK_MAX_ITER: '1',
          BENCH_REPEATS: process.env.BENCH_REPEATS ?? '1' }, encoding: 'utf8',
      });
      const rows = (r.stdout ?? '').trim().split('\n').filter((l) => !l.includes('textbook') || l.startsWith('model'));
      console.log(`## ${b}, round ${round}; load ${load()}\n${rows.map((l) => l.split('|')[0]!.trimEnd()).join('\n')}` +
        `${r.status === 0 ? '' : `\n(failed: ${(r.stderr ?? '').trim().split('\n').pop()})`}`);
    }
  }
}

/**
 * School fits (the models and λ convention of bench/linear.bench.ts: squared loss, 'sum' scaling,
 * λ = 0.1·λ_max where defined, else 1000) timed on native and wasm alternately in this process,
 * one thread each, wall time, median of 5 per backend per round over 3 rounds. Same iterations on
 * both backends is checked (the kernels agree to rounding, so the solvers take the same path).
 */
function schoolSection(): void {
  if (!existsSync(SCHOOL)) {
    console.log(`\n# School fits: skipped (needs ${SCHOOL})`);
    return;
  }
  const problem = loadSchool();
  nativeLoad.setThreads(1);
  setWasmThreads(1);
  console.log(`\n# School fits (T = ${problem.tasks.length}, d = ${problem.d}), tol 1e-6, wall time, one thread, native vs wasm alternating; load average ${load()}`);
  for (const name of ['stl', 'mean', 'lasso', 'l21', 'trace', 'tgl', 'mtrl', 'cmtl']) {
    const spec = getModelSpec(name);
    const o = schoolOptions(problem, name);
    const opts = { ...o, tol: 1e-6, maxIter: 5000 };
    const tn: number[] = [], tw: number[] = [];
    const iters: Record<string, number> = {};
    const run = (b: 'native' | 'wasm') => () => {
      setBackend(b);
      iters[b] = spec.fit(problem, opts).info.iterations;
    };
    try {
      for (let r = 0; r < ROUNDS; r++) {
        tn.push(time(run('native'), 5, 'wall'));
        tw.push(time(run('wasm'), 5, 'wall'));
      }
    } catch (e) {
      console.log(`${name}: failed: ${(e as Error).message}`);
      continue;
    }
    const n = median(tn), w = median(tw);
    console.log(`${name.padEnd(6)} native ${f(n * 1e3)} ms, wasm ${f(w * 1e3)} ms, ${(w / n).toFixed(2)}× (iterations ${iters.native} / ${iters.wasm})`);
  }
  setBackend('native');
  nativeLoad.setThreads(0);
}

/** The raw decomposition entry points of an addon (src/linalg/kernels/native.ts NativeDecomp). */
interface DecompAddon {
  setThreads?(n: number): void;
  eigh(n: number, a: Float64Array, values: Float64Array, vectors: Float64Array): number;
  svd(m: number, n: number, a: Float64Array, u: Float64Array, s: Float64Array, v: Float64Array): number;
}

/**
 * This build's eigh/SVD against an older addon's (e.g. before issue 9's port), same inputs, one
 * thread, CPU time, alternating per round: the after/before ratio is the figure to read.
 */
function baselineSection(): void {
  const path = process.env.BENCH_BASELINE_ADDON;
  if (!path || !existsSync(path)) {
    console.log('\n# baseline: skipped (set BENCH_BASELINE_ADDON to an older build of polytask_native.node)');
    return;
  }
  const req = createRequire(import.meta.url);
  const before = req(path) as DecompAddon;
  const after = req(new URL('../build/Release/polytask_native.node', import.meta.url).pathname) as DecompAddon;
  for (const ad of [before, after]) ad.setThreads?.(1);
  const mat = (m: number, k: number): Float64Array => randomArray(false, m * k) as Float64Array;
  const s200 = sym(200).data as Float64Array;
  const svdCase = (m: number, k: number, cond: number): [string, (ad: DecompAddon) => number] => {
    const a = mat(m, k);
    // κ ≈ cond by a nearly repeated column: the Jacobi sweeps then rotate.
    if (cond > 1) for (let i = 0; i < m; i++) a[i * k + k - 1] = a[i * k]! + a[i * k + k - 1]! / cond;
    const r = Math.min(m, k);
    return [`svd ${m}x${k}${cond > 1 ? ` κ≈${cond.toExponential(0)}` : ''}`, (ad) => ad.svd(m, k, a, new Float64Array(m * r), new Float64Array(r), new Float64Array(k * r))];
  };
  const cases: [string, (ad: DecompAddon) => number][] = [
    ['eigh 200', (ad) => ad.eigh(200, s200, new Float64Array(200), new Float64Array(40000))],
    svdCase(1000, 28, 1), svdCase(139, 28, 1), svdCase(28, 139, 1), svdCase(60, 20, 1), svdCase(60, 20, 1e10), svdCase(1000, 28, 1e10),
  ];
  console.log(`\n# baseline ${path} vs this build, one thread, CPU time, median of ${3 * ROUNDS} alternating rounds; load average ${load()}`);
  for (const [label, run] of cases) {
    const reps = label.startsWith('eigh') ? 5 : 50;
    const tb: number[] = [], ta: number[] = [];
    for (let r = 0; r < 3 * ROUNDS; r++) {
      for (const [ad, out] of [[before, tb], [after, ta]] as const) {
        out.push(time(() => {
          for (let i = 0; i < reps; i++) if (!(run(ad) >= 0)) throw new Error(`${label}: failed`);
        }, 1) / reps);
      }
    }
    const b = median(tb), a = median(ta);
    console.log(`${label.padEnd(20)} before ${f(b * 1e3)} ms, after ${f(a * 1e3)} ms, after/before ${(a / b).toFixed(3)}`);
  }
}

if (want('peers')) peersSection();
if (want('threads')) threadsSection();
if (want('crossover')) crossoverSection();
if (want('school')) schoolSection();
if (sections.includes('linear')) linearSection();
if (sections.includes('baseline')) baselineSection();
