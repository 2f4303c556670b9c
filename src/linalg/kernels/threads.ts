// Two-thread GEMM for the wasm backend: the main thread and one persistent worker (its own
// instance of build/kernels.wasm) split C into row chunks. Measured on this 2-core machine at
// n = 1024: 1.9x when the second core is free, ~1.0x (no loss) when other processes occupy it —
// see docs/kernels.md. The Kernels API is synchronous, so the main thread blocks on Atomics.wait.
//
// Why dynamic chunk claiming (a shared counter) rather than a fixed half each: if the worker is
// slow to start, busy, or dead, the main thread simply takes the remaining chunks, so a call can
// never wait on work nobody has started, and an unequal share of a loaded machine is balanced.
// The claim word holds (job id << 16 | next chunk) and is advanced with compareExchange, so a late
// message from an earlier job can never claim a chunk of the current one.
//
// Operands reach the worker through SharedArrayBuffers (a staging copy: O(m·k + k·n) against the
// O(m·n·k) work); the worker copies them into its own linear memory like the main thread does.
import { Worker } from 'node:worker_threads';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { OptionError } from '../../errors.ts';
import type { FloatArray } from '../matrix.ts';

export const THREADS_ENV = 'POLYTASK_THREADS';

/** Control words in the shared Int32Array. */
const CLAIM = 0;
const DONE = 1;
const OWNER = 2; // OWNER + chunk: 0 main (or unclaimed), 1 done by the worker, 2 failed in the worker
const MAX_CHUNKS = 256;

/** A GEMM job as the worker sees it (leading dimensions and spans in elements). */
export interface SplitJob {
  f32: boolean;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  a: FloatArray;
  lda: number;
  spanA: number;
  b: FloatArray;
  ldb: number;
  spanB: number;
  beta: number;
  c: FloatArray;
  ldc: number;
  spanC: number;
}

// The worker: plain JavaScript (CommonJS, run with eval) so that it works the same from src/ under
// tsx and from dist/, without a loader. It mirrors the main thread's single-threaded path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(workerData.wasmPath)), {}).exports;
const align = (x) => Math.ceil(x / 16) * 16; // not & ~15: addresses can exceed 2^31
function ensure(end) {
  const have = ex.memory.buffer.byteLength;
  if (end > have) ex.memory.grow(Math.ceil((Math.max(end, have * 1.5) - have) / 65536));
}
function claim(ctl, job, chunks) {
  for (;;) {
    const cur = Atomics.load(ctl, ${CLAIM});
    if ((cur >>> 16) !== job || (cur & 0xffff) >= chunks) return -1;
    if (Atomics.compareExchange(ctl, ${CLAIM}, cur, cur + 1) === cur) return cur & 0xffff;
  }
}
parentPort.on('message', (j) => {
  const ctl = new Int32Array(j.ctl);
  const size = j.f32 ? 4 : 8, Arr = j.f32 ? Float32Array : Float64Array;
  const A = new Arr(j.bufA), B = new Arr(j.bufB), C = new Arr(j.bufC);
  let pa = -1, pb = 0, pc = 0, pw = 0;
  for (let idx = claim(ctl, j.job, j.chunks); idx >= 0; idx = claim(ctl, j.job, j.chunks)) {
    try {
      if (pa < 0) {
        pa = align(ex.heapBase());
        pb = align(pa + j.spanA * size);
        pc = align(pb + j.spanB * size);
        pw = align(pc + j.spanC * size);
        ensure(pw + (j.f32 ? ex.sgemmWorkspace() : ex.dgemmWorkspace()));
        const heap = new Arr(ex.memory.buffer);
        heap.set(A.subarray(0, j.spanA), pa / size);
        heap.set(B.subarray(0, j.spanB), pb / size);
      }
      const heap = new Arr(ex.memory.buffer);
      const i0 = idx * j.chunkRows, rows = Math.min(j.chunkRows, j.m - i0);
      const c0 = i0 * j.ldc;
      if (j.beta !== 0) for (let r = 0; r < rows; r++) heap.set(C.subarray(c0 + r * j.ldc, c0 + r * j.ldc + j.n), pc / size + c0 + r * j.ldc);
      const aOff = pa + (j.transA ? i0 : i0 * j.lda) * size;
      (j.f32 ? ex.sgemm : ex.dgemm)(j.transA ? 1 : 0, j.transB ? 1 : 0, rows, j.n, j.k, j.alpha, aOff, j.lda, pb, j.ldb, j.beta, pc + c0 * size, j.ldc, pw);
      for (let r = 0; r < rows; r++) C.set(heap.subarray(pc / size + c0 + r * j.ldc, pc / size + c0 + r * j.ldc + j.n), c0 + r * j.ldc);
      Atomics.store(ctl, ${OWNER} + idx, 1);
    } catch (e) {
      Atomics.store(ctl, ${OWNER} + idx, 2);
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
});
`;

export type ThreadMode = 1 | 2 | 'auto';

/**
 * POLYTASK_THREADS: "1" never splits, "2" (or more) always splits large GEMMs, unset means 'auto' (split
 * only while a core looks idle, see secondCoreIdle). Anything else names the variable in an error.
 */
export function threadsFromEnv(value: string | undefined): ThreadMode {
  if (value === undefined || value.trim() === '') return 'auto';
  const v = value.trim();
  if (v === '1') return 1;
  // Any larger count means "split" here (this pool has one helper); the native pool uses the count itself.
  if (/^[0-9]+$/.test(v) && Number(v) >= 2 && Number(v) <= 64) return 2;
  throw new OptionError(THREADS_ENV, `"${value}" is not a thread count; use an integer from 1 to 64 (or leave it unset for automatic)`);
}

let loadCheckedAt = -Infinity;
let loadSaysIdle = false;

/**
 * 'auto' mode's guard. Measured: with the second core free the split gives 1.9x, but when other
 * processes keep both cores busy it was up to 7x slower (the main thread ends up waiting for a
 * descheduled worker). So split only when the 1-minute load average leaves a core idle beyond our
 * own thread: load < cores − 0.5. Re-read at most once a second (os.loadavg is a system call).
 */
export function secondCoreIdle(now = performance.now()): boolean {
  if (now - loadCheckedAt > 1000) {
    loadCheckedAt = now;
    const cores = availableParallelism();
    loadSaysIdle = cores >= 2 && loadavg()[0]! < cores - 0.5;
  }
  return loadSaysIdle;
}

type Staging = { a: FloatArray; b: FloatArray; c: FloatArray };

function sharedArray(f32: boolean, len: number): FloatArray {
  const bytes = Math.max(16, len * (f32 ? 4 : 8));
  return f32 ? new Float32Array(new SharedArrayBuffer(bytes)) : new Float64Array(new SharedArrayBuffer(bytes));
}

/** The main-thread side: one lazily started worker, reused by every call. */
export class GemmThreads {
  private readonly wasmPath: string;
  private worker: Worker | null = null;
  private broken = false;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * (OWNER + MAX_CHUNKS)));
  private job = 0;
  private staging: { f64: Staging | null; f32: Staging | null } = { f64: null, f32: null };
  /** Chunks done by the worker over the lifetime of this object (tests check it takes part). */
  workerChunks = 0;

  constructor(wasmUrl: URL) {
    this.wasmPath = fileURLToPath(wasmUrl);
  }

  /** False when the worker could not be created (the caller then runs single-threaded). */
  private ensureWorker(): boolean {
    if (this.worker) return true;
    if (this.broken) return false;
    try {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { wasmPath: this.wasmPath } });
      w.unref(); // never keeps the process alive
      w.on('error', () => {
        this.broken = true;
        this.worker = null;
      });
      this.worker = w;
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  private stage(f32: boolean, j: SplitJob): Staging {
    const key = f32 ? 'f32' : 'f64';
    let s = this.staging[key];
    if (!s || s.a.length < j.spanA || s.b.length < j.spanB || s.c.length < j.spanC) {
      const grow = (have: number, need: number): number => Math.max(need, Math.ceil(have * 1.5));
      s = {
        a: sharedArray(f32, grow(s?.a.length ?? 0, j.spanA)),
        b: sharedArray(f32, grow(s?.b.length ?? 0, j.spanB)),
        c: sharedArray(f32, grow(s?.c.length ?? 0, j.spanC)),
      };
      this.staging[key] = s;
    }
    s.a.set(j.a.subarray(0, j.spanA));
    s.b.set(j.b.subarray(0, j.spanB));
    if (j.beta !== 0) s.c.set(j.c.subarray(0, j.spanC));
    return s;
  }

  /**
   * Run `doChunk(i0, rows)` on the main thread for the chunks it claims and let the worker do the
   * rest; on return every row of C is final. False (nothing done) when no worker is available.
   */
  run(j: SplitJob, chunkRows: number, doChunk: (i0: number, rows: number) => void): boolean {
    if (!this.ensureWorker() || !this.worker) return false;
    const chunks = Math.ceil(j.m / chunkRows);
    if (chunks > MAX_CHUNKS) chunkRows = Math.ceil(j.m / MAX_CHUNKS);
    const nChunks = Math.ceil(j.m / chunkRows);
    const s = this.stage(j.f32, j);
    const ctl = this.ctl;
    this.job = (this.job + 1) & 0x7fff;
    for (let i = 0; i < nChunks; i++) ctl[OWNER + i] = 0;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CLAIM, this.job << 16);
    this.worker.postMessage({
      job: this.job, chunks: nChunks, chunkRows, f32: j.f32, transA: j.transA, transB: j.transB,
      m: j.m, n: j.n, k: j.k, alpha: j.alpha, beta: j.beta, lda: j.lda, ldb: j.ldb, ldc: j.ldc,
      spanA: j.spanA, spanB: j.spanB, spanC: j.spanC,
      bufA: s.a.buffer, bufB: s.b.buffer, bufC: s.c.buffer, ctl: ctl.buffer,
    });
    let mine = 0;
    for (;;) {
      const cur = Atomics.load(ctl, CLAIM);
      const idx = cur & 0xffff;
      if (idx >= nChunks) break;
      if (Atomics.compareExchange(ctl, CLAIM, cur, cur + 1) !== cur) continue;
      doChunk(idx * chunkRows, Math.min(chunkRows, j.m - idx * chunkRows));
      mine++;
    }
    // Wait for the chunks the worker claimed (it claimed exactly nChunks - mine of them).
    for (;;) {
      const done = Atomics.load(ctl, DONE);
      if (done >= nChunks - mine) break;
      Atomics.wait(ctl, DONE, done, 1000);
    }
    for (let idx = 0; idx < nChunks; idx++) {
      const owner = Atomics.load(ctl, OWNER + idx);
      const i0 = idx * chunkRows, rows = Math.min(chunkRows, j.m - i0);
      if (owner === 1) {
        for (let r = 0; r < rows; r++) {
          const o = (i0 + r) * j.ldc;
          j.c.set(s.c.subarray(o, o + j.n), o);
        }
        this.workerChunks++;
      } else if (owner === 2) {
        doChunk(i0, rows); // the worker failed (e.g. out of memory): redo it here
      }
    }
    return true;
  }
}

/** The thread mode from the environment (read once by wasm.ts; setThreads overrides). */
export function defaultThreadMode(): ThreadMode {
  return threadsFromEnv(process.env[THREADS_ENV]);
}
