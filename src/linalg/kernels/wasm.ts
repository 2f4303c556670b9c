// The WebAssembly SIMD128 backend: loads build/kernels.wasm (compiled from ./assembly/ by
// scripts/build-wasm.mjs) synchronously at import, copies operands into its linear memory, runs
// the kernel, and copies the result back. Design and measurements: docs/kernels.md.
//
// Loading never throws: when the file is missing or invalid, or the runtime lacks SIMD,
// `wasmLoad.kernels` is null and `wasmLoad.reason` says why; src/linalg/backend.ts then falls
// back to the TypeScript reference. (This module does not import backend.ts, so there is no
// import cycle; backend.ts registers what this module exports.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ShapeError, UnsupportedError } from '../../errors.ts';
import type { FloatArray } from '../matrix.ts';
import { convWithGemm, referenceNn } from './nn-reference.ts';
import type { GemmFn } from './nn-reference.ts';
import { GemmThreads, defaultThreadMode, secondCoreIdle, type ThreadMode } from './threads.ts';
import type { Kernels } from './types.ts';
import { smallToReference } from './dispatch.ts';
import { checkBatched, checkResidualGrad, checkSymv } from './batched-checks.ts';

/** The exports of build/kernels.wasm (addresses and leading dimensions as in assembly/f64.ts). */
interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  dgemmWorkspace(): number;
  sgemmWorkspace(): number;
  dgemm(ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
    b: number, ldb: number, beta: number, c: number, ldc: number, work: number): void;
  sgemm(ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
    b: number, ldb: number, beta: number, c: number, ldc: number, work: number): void;
  dgram(n: number, d: number, alpha: number, x: number, ldx: number, beta: number, c: number, ldc: number, work: number): void;
  sgram(n: number, d: number, alpha: number, x: number, ldx: number, beta: number, c: number, ldc: number, work: number): void;
  dgemv(trans: number, m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void;
  sgemv(trans: number, m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void;
  dsymvBatched(count: number, d: number, alpha: number, a: number, x: number, beta: number, y: number): void;
  dgemvBatched(trans: number, count: number, offsets: number, n: number, alpha: number, a: number, x: number, beta: number, y: number): void;
  dresidualGradBatched(count: number, offsets: number, n: number, a: number, x: number, y: number, r: number, g: number): void;
}

/**
 * Below these sizes the call and copy overhead outweighs the SIMD speed-up and the wasm backend
 * runs the TypeScript reference instead. Measured by bench/linalg.bench.ts (section "crossover"):
 * see docs/kernels.md for the numbers. GEMM/Gram: m·n·k (resp. n·d²) multiply-adds; GEMV: m·n.
 */
export const SMALL_GEMM_WORK = 150;
export const SMALL_GEMV_WORK = 200;

/** Row chunk of X for XᵀX: 256 KiB stays in L2 (1 MiB) next to the kernel's working set. */
const GRAM_CHUNK_BYTES = 256 * 1024;
const GRAM_CHUNK_ALIGN = 128; // a multiple of the kernel's 128-row blocks

/**
 * GEMM splits C's rows over the main thread and one worker (threads.ts) from this many
 * multiply-adds (m·n·k) on, in chunks of THREAD_CHUNK_ROWS rows. From the "threads" section of
 * bench/linalg.bench.ts (docs/kernels.md): the split costs ~1.15–1.2× the CPU time of one thread
 * (staging copies), so with ~0.1 ms of wake-up latency an idle second core gives ≥ 1.3× from
 * about 256³ in both precisions (f32, being twice as fast, needs the larger size). POLYTASK_THREADS=1 turns it off.
 */
export const THREAD_MIN_WORK = 256 * 256 * 256;
export const THREAD_CHUNK_ROWS = 64;

let threadMode: ThreadMode | null = null;
let threadMinWork = THREAD_MIN_WORK;
let workerChunks: () => number = () => 0;

/**
 * Thread mode for GEMMs of at least `minWork` multiply-adds: 1, 2 (always split) or 'auto'
 * (split while a core is idle). Default: POLYTASK_THREADS, else 'auto'. Tests and the benchmark
 * use it to force a mode and to lower minWork.
 */
export function setThreads(mode: ThreadMode, minWork = THREAD_MIN_WORK): void {
  threadMode = mode;
  threadMinWork = minWork;
}

/** How many row chunks the worker thread has computed so far (tests check that it takes part). */
export function workerChunkCount(): number {
  return workerChunks();
}

/** Where the compiled kernels live: <package root>/build/kernels.wasm, from src/ (tsx) or dist/ (tsc). */
export const wasmUrl = new URL('../../../build/kernels.wasm', import.meta.url);

/** A minimal module whose only function uses a SIMD128 instruction (i32.const 0; i8x16.splat). */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0, i8x16.splat, end
]);

/** True when this JavaScript engine validates WebAssembly SIMD128 code. */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** Element span a row-major rows×cols operand with leading dimension ld occupies. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

function checkOperand(op: string, name: string, arr: FloatArray, rows: number, cols: number, ld: number): number {
  if (cols > 0 && ld < cols) throw new ShapeError(`${op}: leading dimension of ${name} is ${ld}, smaller than its ${cols} columns`);
  const s = span(rows, cols, ld);
  if (arr.length < s) throw new ShapeError(`${op}: ${name} (${rows}×${cols}, leading dimension ${ld}) needs ${s} entries, has ${arr.length}`);
  return s;
}

const PAGE = 65536;
const MAX_BYTES = 65536 * PAGE; // wasm32: 4 GiB

/**
 * The linear-memory arena. Layout: [AssemblyScript static data | resident (pinned) operands |
 * scratch]. Scratch is reused by every call (operands copied in, result copied out). Memory grows
 * geometrically so a sequence of growing problems does not grow it on every call; growth detaches
 * the old ArrayBuffer, so views are re-created whenever memory.buffer has changed.
 */
class Arena {
  private readonly mem: WebAssembly.Memory;
  private buf: ArrayBuffer;
  private f64: Float64Array;
  private f32: Float32Array;
  /** First byte of scratch: the end of the highest live pinned region. */
  scratch: number;
  private readonly base: number;
  private readonly pins = new Set<{ start: number; end: number }>();

  constructor(mem: WebAssembly.Memory, base: number) {
    this.mem = mem;
    this.base = base;
    this.scratch = base;
    this.buf = mem.buffer;
    this.f64 = new Float64Array(this.buf);
    this.f32 = new Float32Array(this.buf);
  }

  /** Ensure bytes [0, end) exist; returns nothing, views are refreshed by view64/view32. */
  ensure(end: number): void {
    const have = this.mem.buffer.byteLength;
    if (end <= have) return;
    const target = Math.max(end, Math.ceil(have * 1.5));
    try {
      this.mem.grow(Math.ceil((Math.min(target, MAX_BYTES) - have) / PAGE));
    } catch {
      throw new UnsupportedError(`wasm kernels: the operands need ${(end / 2 ** 20).toFixed(0)} MiB of WebAssembly memory, ` +
        `more than this engine grants (at most 4 GiB); set POLYTASK_BACKEND=ts for this problem`);
    }
  }

  view64(): Float64Array {
    if (this.buf !== this.mem.buffer) this.refresh();
    return this.f64;
  }

  view32(): Float32Array {
    if (this.buf !== this.mem.buffer) this.refresh();
    return this.f32;
  }

  private refresh(): void {
    this.buf = this.mem.buffer;
    this.f64 = new Float64Array(this.buf);
    this.f32 = new Float32Array(this.buf);
  }

  /** Reserve a persistent region (16-byte aligned) above all live pins; scratch moves up. */
  pin(bytes: number): { start: number; end: number } {
    const start = align16(this.scratch);
    const region = { start, end: start + bytes };
    this.ensure(region.end);
    this.pins.add(region);
    this.scratch = align16(region.end);
    return region;
  }

  unpin(region: { start: number; end: number }): void {
    this.pins.delete(region);
    let top = this.base;
    for (const r of this.pins) top = Math.max(top, r.end);
    this.scratch = align16(top);
  }
}

/** Round a byte address up to 16 (arithmetic, not `& ~15`: addresses can exceed 2³¹). */
function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

/** Hands out consecutive 16-byte-aligned scratch slices for one call. */
class Layout {
  next: number;
  constructor(start: number) {
    this.next = align16(start);
  }
  take(bytes: number): number {
    const at = this.next;
    this.next = align16(at + bytes);
    return at;
  }
}

/** Copy a row-major operand (span elements from index 0) into wasm memory at byte address `at`. */
function copyIn(heap: FloatArray, at: number, src: FloatArray, count: number): void {
  if (count > 0) heap.set(src.subarray(0, count), at / src.BYTES_PER_ELEMENT);
}

/**
 * Copy the m×n result back row by row when ld > n, so entries between rows (which belong to the
 * caller's larger matrix) are never touched; in one block when rows are contiguous.
 */
function copyOut(heap: FloatArray, at: number, dst: FloatArray, m: number, n: number, ld: number): void {
  if (m === 0 || n === 0) return;
  const e0 = at / dst.BYTES_PER_ELEMENT;
  if (ld === n) {
    dst.set(heap.subarray(e0, e0 + m * n));
    return;
  }
  for (let i = 0; i < m; i++) dst.set(heap.subarray(e0 + i * ld, e0 + i * ld + n), i * ld);
}

/** A matrix copied once into wasm memory, so repeated GEMVs skip the O(m·n) copy (see docs/kernels.md). */
export interface ResidentMatrix {
  readonly rows: number;
  readonly cols: number;
  /** y = alpha·op(A)·x + beta·y with the resident A (op(A) = Aᵀ when trans). */
  gemv(trans: boolean, alpha: number, x: FloatArray, beta: number, y: FloatArray): void;
  /** Release the memory (the object must not be used afterwards). */
  free(): void;
}

/**
 * Blocks (row-stacked task matrices, or contiguous d×d Gram blocks) copied once into wasm memory,
 * for the batched products of every solver iteration without the per-call O(size) copy.
 * The methods are the batched kernels of types.ts with `a` replaced by the resident copy.
 */
export interface ResidentBlocks {
  readonly length: number;
  symvBatched(count: number, d: number, alpha: number, x: Float64Array, beta: number, y: Float64Array): void;
  gemvBatched(trans: boolean, count: number, offsets: Int32Array, n: number, alpha: number, x: Float64Array, beta: number, y: Float64Array): void;
  residualGradBatched(count: number, offsets: Int32Array, n: number, x: Float64Array, y: Float64Array, r: Float64Array, g: Float64Array): void;
  /** Release the memory (the object must not be used afterwards). */
  free(): void;
}

interface Made {
  kernels: Kernels;
  direct: Kernels;
  pin: (a: FloatArray, rows: number, cols: number) => ResidentMatrix;
  pinBlocks: (a: Float64Array) => ResidentBlocks;
}

function makeKernels(ex: KernelExports, url: URL): Made {
  const arena = new Arena(ex.memory, align16(ex.heapBase()));
  const threads = new GemmThreads(url);
  workerChunks = () => threads.workerChunks;
  const work64 = ex.dgemmWorkspace();
  const work32 = ex.sgemmWorkspace();

  function gemm<A extends FloatArray>(f32: boolean, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: A, lda: number, b: A, ldb: number, beta: number, c: A, ldc: number): void {
    const op = f32 ? 'sgemm' : 'dgemm';
    const sa = checkOperand(op, 'A', a, transA ? k : m, transA ? m : k, lda);
    const sb = checkOperand(op, 'B', b, transB ? n : k, transB ? k : n, ldb);
    const sc = checkOperand(op, 'C', c, m, n, ldc);
    const size = a.BYTES_PER_ELEMENT;
    const L = new Layout(arena.scratch);
    const pa = L.take(sa * size), pb = L.take(sb * size), pc = L.take(sc * size), pw = L.take(f32 ? work32 : work64);
    arena.ensure(L.next);
    const heap = f32 ? arena.view32() : arena.view64();
    copyIn(heap, pa, a, sa);
    copyIn(heap, pb, b, sb);
    // C's old contents matter when beta ≠ 0; with ldc > n the span goes in anyway, harmlessly,
    // since copyOut writes back only the m×n entries. With beta = 0 the kernel never reads C.
    if (beta !== 0) copyIn(heap, pc, c, sc);
    if (threadMode === null) threadMode = defaultThreadMode();
    const split = m * n * k >= threadMinWork && m >= 2 * THREAD_CHUNK_ROWS &&
      (threadMode === 2 || (threadMode === 'auto' && secondCoreIdle()));
    if (split) {
      // Rows i0..i0+rows of C from the same operands: op(A)'s rows start i0 rows (or, for Aᵀ,
      // i0 columns) into A; computed and copied back on their own, so chunks are independent.
      const chunk = (i0: number, rows: number): void => {
        (f32 ? ex.sgemm : ex.dgemm)(transA ? 1 : 0, transB ? 1 : 0, rows, n, k, alpha, pa + (transA ? i0 : i0 * lda) * size, lda,
          pb, ldb, beta, pc + i0 * ldc * size, ldc, pw);
        const h = f32 ? arena.view32() : arena.view64();
        const e0 = pc / size + i0 * ldc;
        if (ldc === n) c.set(h.subarray(e0, e0 + rows * n), i0 * n);
        else for (let r = 0; r < rows; r++) c.set(h.subarray(e0 + r * ldc, e0 + r * ldc + n), (i0 + r) * ldc);
      };
      const job = { f32, transA, transB, m, n, k, alpha, a, lda, spanA: sa, b, ldb, spanB: sb, beta, c, ldc, spanC: sc };
      if (threads.run(job, THREAD_CHUNK_ROWS, chunk)) return;
    }
    (f32 ? ex.sgemm : ex.dgemm)(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, pw);
    copyOut(f32 ? arena.view32() : arena.view64(), pc, c, m, n, ldc);
  }

  /**
   * XᵀX over row chunks of X of about GRAM_CHUNK_BYTES: each chunk is copied in and accumulated
   * (beta for the first, 1 after), so X is read from the caller's array once into a buffer that is
   * still in L2 when the kernel reads it, instead of a whole-X copy that goes through DRAM twice —
   * and wasm memory never has to hold all of X. (XᵀX = Σ over row blocks of X_bᵀX_b.)
   */
  function gram<A extends FloatArray>(f32: boolean, n: number, d: number, alpha: number, x: A, ldx: number, beta: number, c: A, ldc: number): void {
    const op = f32 ? 'sgram' : 'dgram';
    checkOperand(op, 'X', x, n, d, ldx);
    const sc = checkOperand(op, 'C', c, d, d, ldc);
    const size = x.BYTES_PER_ELEMENT;
    const rowsPer = Math.max(GRAM_CHUNK_ALIGN, Math.floor(GRAM_CHUNK_BYTES / (Math.max(ldx, 1) * size) / GRAM_CHUNK_ALIGN) * GRAM_CHUNK_ALIGN);
    const chunkRows = Math.min(n, rowsPer);
    const L = new Layout(arena.scratch);
    // 64 spare bytes after X: the unpacked Gram kernel's edge tiles read (and discard) a few lanes past X.
    const px = L.take(span(chunkRows, d, ldx) * size + 64), pc = L.take(sc * size), pw = L.take(f32 ? work32 : work64);
    arena.ensure(L.next);
    if (beta !== 0) copyIn(f32 ? arena.view32() : arena.view64(), pc, c, sc);
    const run = f32 ? ex.sgram : ex.dgram;
    if (n === 0) run(0, d, alpha, px, ldx, beta, pc, ldc, pw);
    for (let r0 = 0; r0 < n; r0 += chunkRows) {
      const rows = Math.min(chunkRows, n - r0);
      const heap = f32 ? arena.view32() : arena.view64();
      heap.set(x.subarray(r0 * ldx, r0 * ldx + span(rows, d, ldx)), px / size);
      run(rows, d, alpha, px, ldx, r0 === 0 ? beta : 1, pc, ldc, pw);
    }
    copyOut(f32 ? arena.view32() : arena.view64(), pc, c, d, d, ldc);
  }

  function gemv<A extends FloatArray>(f32: boolean, trans: boolean, m: number, n: number, alpha: number, a: A, lda: number,
    x: A, beta: number, y: A): void {
    const op = f32 ? 'sgemv' : 'dgemv';
    const sa = checkOperand(op, 'A', a, m, n, lda);
    const L = new Layout(arena.scratch);
    const pa = L.take(sa * a.BYTES_PER_ELEMENT);
    arena.ensure(L.next);
    copyIn(f32 ? arena.view32() : arena.view64(), pa, a, sa);
    gemvAt(f32, trans, m, n, alpha, pa, lda, x, beta, y, L);
  }

  /** GEMV with A already in wasm memory at byte address pa; copies x (and y when beta ≠ 0) in. */
  function gemvAt(f32: boolean, trans: boolean, m: number, n: number, alpha: number, pa: number, lda: number,
    x: FloatArray, beta: number, y: FloatArray, L: Layout): void {
    const op = f32 ? 'sgemv' : 'dgemv';
    const xlen = trans ? m : n;
    const ylen = trans ? n : m;
    if (x.length < xlen) throw new ShapeError(`${op}: x has length ${x.length}, op(A) needs ${xlen}`);
    if (y.length < ylen) throw new ShapeError(`${op}: y has length ${y.length}, op(A) gives ${ylen}`);
    const size = f32 ? 4 : 8;
    const px = L.take(xlen * size), py = L.take(ylen * size);
    arena.ensure(L.next);
    const heap = f32 ? arena.view32() : arena.view64();
    copyIn(heap, px, x, xlen);
    if (beta !== 0) copyIn(heap, py, y, ylen);
    (f32 ? ex.sgemv : ex.dgemv)(trans ? 1 : 0, m, n, alpha, pa, lda, px, beta, py);
    copyOut(f32 ? arena.view32() : arena.view64(), py, y, 1, ylen, ylen);
  }

  /** dsymvBatched with the blocks already at byte address pa; copies x (and y when beta ≠ 0) in, y out. */
  function symvBatchedAt(count: number, d: number, alpha: number, pa: number, x: Float64Array, beta: number, y: Float64Array, L: Layout): void {
    const len = count * d;
    const px = L.take(len * 8), py = L.take(len * 8);
    arena.ensure(L.next);
    const heap = arena.view64();
    copyIn(heap, px, x, len);
    if (beta !== 0) copyIn(heap, py, y, len);
    ex.dsymvBatched(count, d, alpha, pa, px, beta, py);
    copyOut(arena.view64(), py, y, 1, len, len);
  }

  function gemvBatchedAt(trans: boolean, count: number, offsets: Int32Array, n: number, rows: number, alpha: number, pa: number,
    x: Float64Array, beta: number, y: Float64Array, L: Layout): void {
    const xl = trans ? rows : count * n;
    const yl = trans ? count * n : rows;
    const po = L.take((count + 1) * 4), px = L.take(xl * 8), py = L.take(yl * 8);
    arena.ensure(L.next);
    new Int32Array(arena.view64().buffer, po, count + 1).set(offsets.subarray(0, count + 1));
    const heap = arena.view64();
    copyIn(heap, px, x, xl);
    if (beta !== 0) copyIn(heap, py, y, yl);
    ex.dgemvBatched(trans ? 1 : 0, count, po, n, alpha, pa, px, beta, py);
    copyOut(arena.view64(), py, y, 1, yl, yl);
  }

  /** dresidualGradBatched with the blocks at byte address pa: copies x, y and offsets in, r and g out. */
  function residualGradAt(count: number, offsets: Int32Array, n: number, rows: number, pa: number, x: Float64Array, y: Float64Array,
    r: Float64Array, g: Float64Array, L: Layout): void {
    checkResidualGrad(count, n, rows, y, r, g);
    const po = L.take((count + 1) * 4), px = L.take(count * n * 8), py = L.take(rows * 8), pr = L.take(rows * 8), pg = L.take(count * n * 8);
    arena.ensure(L.next);
    new Int32Array(arena.view64().buffer, po, count + 1).set(offsets.subarray(0, count + 1));
    const heap = arena.view64();
    copyIn(heap, px, x, count * n);
    copyIn(heap, py, y, rows);
    ex.dresidualGradBatched(count, po, n, pa, px, py, pr, pg);
    const h = arena.view64();
    copyOut(h, pr, r, 1, rows, rows);
    copyOut(h, pg, g, 1, count * n, count * n);
  }

  function residualGradBatched(count: number, offsets: Int32Array, n: number, a: Float64Array, x: Float64Array, y: Float64Array,
    r: Float64Array, g: Float64Array): void {
    const rows = checkBatched(false, count, offsets, n, a, x, null);
    const L = new Layout(arena.scratch);
    const pa = L.take(rows * n * 8);
    arena.ensure(L.next);
    copyIn(arena.view64(), pa, a, rows * n);
    residualGradAt(count, offsets, n, rows, pa, x, y, r, g, L);
  }

  function symvBatched(count: number, d: number, alpha: number, a: Float64Array, x: Float64Array, beta: number, y: Float64Array): void {
    checkSymv(count, d, a, x, y);
    const L = new Layout(arena.scratch);
    const pa = L.take(count * d * d * 8);
    arena.ensure(L.next);
    copyIn(arena.view64(), pa, a, count * d * d);
    symvBatchedAt(count, d, alpha, pa, x, beta, y, L);
  }

  function gemvBatched(trans: boolean, count: number, offsets: Int32Array, n: number, alpha: number, a: Float64Array,
    x: Float64Array, beta: number, y: Float64Array): void {
    const rows = checkBatched(trans, count, offsets, n, a, x, y);
    const L = new Layout(arena.scratch);
    const pa = L.take(rows * n * 8);
    arena.ensure(L.next);
    copyIn(arena.view64(), pa, a, rows * n);
    gemvBatchedAt(trans, count, offsets, n, rows, alpha, pa, x, beta, y, L);
  }

  /** Every call on the SIMD path, whatever its size (the tests use this to reach edge cases). */
  const direct: Kernels = {
    name: 'wasm',
    dgemm: (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => gemm(false, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),
    sgemm: (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => gemm(true, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),
    dgemv: (trans, m, n, alpha, a, lda, x, beta, y) => gemv(false, trans, m, n, alpha, a, lda, x, beta, y),
    sgemv: (trans, m, n, alpha, a, lda, x, beta, y) => gemv(true, trans, m, n, alpha, a, lda, x, beta, y),
    dgram: (n, d, alpha, x, ldx, beta, c, ldc) => gram(false, n, d, alpha, x, ldx, beta, c, ldc),
    sgram: (n, d, alpha, x, ldx, beta, c, ldc) => gram(true, n, d, alpha, x, ldx, beta, c, ldc),
    dsymvBatched: symvBatched,
    dgemvBatched: gemvBatched,
    dresidualGradBatched: residualGradBatched,
    // The element-wise kernels stay in TypeScript here: copying operands into wasm memory would
    // cost as much as the O(n) work itself. The convolution's products run on the SIMD GEMM.
    nn: { ...referenceNn, ...convWithGemm((ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc) => gemm(c instanceof Float32Array, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc)) },
  };

  const dense = smallToReference(direct, SMALL_GEMM_WORK, SMALL_GEMV_WORK);
  const smallGemm: GemmFn = (ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc) => {
    if (c instanceof Float32Array) dense.sgemm(ta, tb, m, n, k, al, a as Float32Array, lda, b as Float32Array, ldb, be, c, ldc);
    else dense.dgemm(ta, tb, m, n, k, al, a as Float64Array, lda, b as Float64Array, ldb, be, c, ldc);
  };
  const kernels: Kernels = {
    name: 'wasm',
    ...dense,
    // One call covers all blocks, so the call and copy overhead is amortised: always SIMD.
    dsymvBatched: symvBatched,
    dgemvBatched: gemvBatched,
    dresidualGradBatched: residualGradBatched,
    nn: { ...referenceNn, ...convWithGemm(smallGemm) },
  };

  /** Copies the blocks (row-stacked or d×d) into wasm memory once, for repeated batched products. */
  function pinBlocks(a: Float64Array): ResidentBlocks {
    const region = arena.pin(a.length * 8);
    copyIn(arena.view64(), region.start, a, a.length);
    let live = true;
    const alive = (op: string): void => {
      if (!live) throw new ShapeError(`${op}: these resident blocks were freed`);
    };
    return {
      length: a.length,
      symvBatched(count, d, alpha, x, beta, y) {
        alive('dsymvBatched');
        if (count * d * d > a.length) throw new ShapeError(`dsymvBatched: ${count} blocks of ${d}×${d} exceed the ${a.length} resident entries`);
        checkSymv(count, d, null, x, y);
        symvBatchedAt(count, d, alpha, region.start, x, beta, y, new Layout(arena.scratch));
      },
      gemvBatched(trans, count, offsets, n, alpha, x, beta, y) {
        alive('dgemvBatched');
        const rows = checkBatched(trans, count, offsets, n, a, x, y);
        gemvBatchedAt(trans, count, offsets, n, rows, alpha, region.start, x, beta, y, new Layout(arena.scratch));
      },
      residualGradBatched(count, offsets, n, x, y, r, g) {
        alive('dresidualGradBatched');
        const rows = checkBatched(false, count, offsets, n, a, x, null);
        residualGradAt(count, offsets, n, rows, region.start, x, y, r, g, new Layout(arena.scratch));
      },
      free() {
        if (live) arena.unpin(region);
        live = false;
      },
    };
  }

  function pin(a: FloatArray, rows: number, cols: number): ResidentMatrix {
    const f32 = a instanceof Float32Array;
    const op = f32 ? 'sgemv' : 'dgemv';
    const s = checkOperand(op, 'A', a, rows, cols, cols);
    const region = arena.pin(s * a.BYTES_PER_ELEMENT);
    copyIn(f32 ? arena.view32() : arena.view64(), region.start, a, s);
    let live = true;
    return {
      rows,
      cols,
      gemv(trans, alpha, x, beta, y) {
        if (!live) throw new ShapeError(`${op}: this resident matrix was freed`);
        if ((x instanceof Float32Array) !== f32 || (y instanceof Float32Array) !== f32) {
          throw new ShapeError(`${op}: x and y must have the resident matrix's precision (${f32 ? 'f32' : 'f64'})`);
        }
        gemvAt(f32, trans, rows, cols, alpha, region.start, cols, x, beta, y, new Layout(arena.scratch));
      },
      free() {
        if (live) arena.unpin(region);
        live = false;
      },
    };
  }

  return { kernels, direct, pin, pinBlocks };
}

/** Run a few tiny products against the reference: catches a stale or mis-built kernels.wasm at load. */
function selfTest(k: Kernels): string | null {
  // `k` is the direct (always-SIMD) kernel set, so these tiny shapes do reach the wasm code.
  const a = new Float64Array([1, 2, 3, 4, 5, 6]); // 2×3
  const b = new Float64Array([7, 8, 9, 10, 11, 12]); // 3×2
  const c = new Float64Array([NaN, NaN, NaN, NaN]);
  k.dgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2);
  const want = [58, 64, 139, 154];
  const ones = new Float32Array(256).fill(1);
  const c32 = new Float32Array(256).fill(NaN);
  k.sgemm(true, false, 16, 16, 16, 1, ones, 16, ones, 16, 0, c32, 16);
  const ones64 = new Float64Array(256).fill(1);
  const c64 = new Float64Array(256).fill(NaN);
  k.dgram(16, 16, 2, ones64, 16, 0, c64, 16);
  for (let i = 0; i < 4; i++) if (c[i] !== want[i]) return `self-test failed: dgemm gave ${Array.from(c)}`;
  if (!c32.every((v) => v === 16)) return 'self-test failed: sgemm on a 16×16 block of ones';
  if (!c64.every((v) => v === 32)) return 'self-test failed: dgram on a 16×16 block of ones';
  return null;
}

export interface WasmLoad {
  /** The backend, or null when it could not be loaded. */
  readonly kernels: Kernels | null;
  /** The same kernels without the small-size shortcut to the reference (for tests and benchmarks). */
  readonly direct: Kernels | null;
  /** Copies a matrix into wasm memory once for repeated GEMVs; null when not loaded. */
  readonly pin: ((a: FloatArray, rows: number, cols: number) => ResidentMatrix) | null;
  /** Copies blocks into wasm memory once for repeated batched products; null when not loaded. */
  readonly pinBlocks?: ((a: Float64Array) => ResidentBlocks) | null;
  /** Why it loaded or did not, for `polytask --version` and backendInfo(). */
  readonly reason: string;
}

/** Load and instantiate the kernels synchronously from `url`; never throws. */
export function loadWasmKernels(url: URL = wasmUrl): WasmLoad {
  const path = fileURLToPath(url);
  if (!simdSupported()) return { kernels: null, direct: null, pin: null, reason: 'this JavaScript engine does not support WebAssembly SIMD128' };
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    return { kernels: null, direct: null, pin: null, reason: `${path} not found (run npm run build:wasm)` };
  }
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const made = makeKernels(instance.exports as unknown as KernelExports, url);
    const failure = selfTest(made.direct);
    if (failure) return { kernels: null, direct: null, pin: null, reason: `${path}: ${failure}` };
    return { kernels: made.kernels, direct: made.direct, pin: made.pin, pinBlocks: made.pinBlocks, reason: `WebAssembly SIMD128 kernels from ${path}` };
  } catch (e) {
    return { kernels: null, direct: null, pin: null, reason: `${path} is not a usable kernels module: ${(e as Error).message}` };
  }
}

/** The module loaded once at import (what backend.ts registers). */
export const wasmLoad: WasmLoad = loadWasmKernels();

/**
 * Copy `a` (rows×cols, row-major, contiguous) into wasm memory once, for repeated GEMVs without
 * the per-call O(rows·cols) copy. Throws when the wasm backend is not loaded.
 */
export function pinMatrix(a: FloatArray, rows: number, cols: number): ResidentMatrix {
  if (!wasmLoad.pin) throw new UnsupportedError(`pinMatrix: the wasm backend is not loaded (${wasmLoad.reason})`);
  return wasmLoad.pin(a, rows, cols);
}
