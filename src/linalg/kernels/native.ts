// The native CPU backend (issue 14): the N-API addon build/Release/polytask_native.node, compiled
// from native/*.cc by scripts/build-native.mjs at install. AVX2 + FMA GEMM/GEMV/XᵀX with an
// AVX-512 path chosen at run time, a worker pool inside the addon, and the decompositions (Cholesky,
// symmetric eigen, SVD) in native code. Design and measurements: docs/native.md.
//
// Zero-copy: the addon computes directly on the caller's Float64Array / Float32Array memory.
// Loading never throws: when the CPU lacks AVX2/FMA, the addon was not built, or its self-test
// fails, `nativeLoad.kernels` is null and `nativeLoad.reason` says why in one line (backend.ts then
// falls back to wasm, and `polytask --version` prints the reason).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ShapeError } from '../../errors.ts';
import type { FloatArray } from '../matrix.ts';
import { THREADS_ENV } from './threads.ts';
import { ACTIVATIONS, checkBiasAct, checkAdam, checkBiasActGrad, checkBmm, checkConv, checkIm2col, checkMaxPool, checkMaxPoolGrad, checkMulAcc, referenceNn } from './nn-reference.ts';
import type { Kernels, NnKernels } from './types.ts';
import { smallToReference } from './dispatch.ts';
import { checkBatched, checkResidualGrad, checkSqGrad, checkSymv } from './batched-checks.ts';

/** The addon's exports (native/addon.cc). */
interface Addon {
  dgemm(ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, a: Float64Array, lda: number,
    b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number): void;
  sgemm(ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, lda: number,
    b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): void;
  dgemv(trans: boolean, m: number, n: number, alpha: number, a: Float64Array, lda: number, x: Float64Array, beta: number, y: Float64Array): void;
  sgemv(trans: boolean, m: number, n: number, alpha: number, a: Float32Array, lda: number, x: Float32Array, beta: number, y: Float32Array): void;
  dgram(n: number, d: number, alpha: number, x: Float64Array, ldx: number, beta: number, c: Float64Array, ldc: number): void;
  sgram(n: number, d: number, alpha: number, x: Float32Array, ldx: number, beta: number, c: Float32Array, ldc: number): void;
  cholesky(n: number, a: Float64Array, l: Float64Array, pivot: Float64Array): number;
  eigh(n: number, a: Float64Array, values: Float64Array, vectors: Float64Array): number;
  svd(m: number, n: number, a: Float64Array, u: Float64Array, s: Float64Array, v: Float64Array): number;
  biasAct(act: number, rows: number, n: number, x: FloatArray, bias: FloatArray | null, slope: number, y: FloatArray, d: FloatArray | null): void;
  softmaxRows(rows: number, n: number, x: FloatArray, y: FloatArray): void;
  colSums(rows: number, n: number, x: FloatArray, beta: number, out: FloatArray): void;
  im2col(N: number, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, x: FloatArray, cols: FloatArray): void;
  col2im(N: number, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, cols: FloatArray, x: FloatArray): void;
  biasActGrad(rows: number, n: number, go: FloatArray, d: FloatArray | null, gx: FloatArray | null, gb: FloatArray | null): void;
  /** conv.cc (absent from addons built before it: the reference runs instead). */
  conv2d?(N: number, C: number, H: number, W: number, O: number, kh: number, kw: number, stride: number, pad: number,
    x: FloatArray, w: FloatArray, b: FloatArray | null, cols: FloatArray, y: FloatArray): void;
  conv2dGrad?(N: number, C: number, H: number, W: number, O: number, kh: number, kw: number, stride: number, pad: number,
    cols: FloatArray, w: FloatArray, go: FloatArray, gw: FloatArray | null, gb: FloatArray | null, gx: FloatArray | null, dcols: FloatArray | null): void;
  maxPool?(NC: number, H: number, W: number, k: number, stride: number, x: FloatArray, y: FloatArray, arg: Int32Array): void;
  maxPoolGrad?(n: number, nx: number, arg: Int32Array, go: FloatArray, gx: FloatArray): void;
  mulAcc(n: number, a: FloatArray, b: FloatArray | null, out: FloatArray): void;
  adam(n: number, g: FloatArray, m: FloatArray, v: FloatArray, b1: number, b2: number, bc1: number, sbc2: number, eps: number): void;
  bmm(ta: boolean, tb: boolean, batch: number, m: number, n: number, k: number, a: FloatArray, sa: number, lda: number,
    b: FloatArray, sb: number, ldb: number, beta: number, c: FloatArray, sc: number, ldc: number): void;
  dsymvBatched(count: number, d: number, alpha: number, a: Float64Array, x: Float64Array, beta: number, y: Float64Array): void;
  dgemvBatched(trans: boolean, count: number, offsets: Int32Array, n: number, alpha: number, a: Float64Array, x: Float64Array, beta: number, y: Float64Array): void;
  dresidualGradBatched(count: number, offsets: Int32Array, n: number, a: Float64Array, x: Float64Array, y: Float64Array, r: Float64Array, g: Float64Array): void;
  /** Absent from addons built before issue 12's native NNQP (native/nnqp.cc). */
  nnqpBatch?(n: number, m: number, q: Float64Array, rhs: Float64Array, start: Uint8Array, x: Float64Array, stats: Int32Array,
    relTol: number, ridge: number, pdasSteps: number, maxIter: number, threads: number): void;
  admmSupports?(n: number, b: number, m: Float64Array, qb: Float64Array, rho: number, relax: number, maxIter: number, check: number, supports: Uint8Array, single?: number): number;
  admmMatrix?(n: number, q: Float64Array, m: Float64Array, bounds: Float64Array): number;
  nnqpCertify?(n: number, m: number, q: Float64Array, rhs: Float64Array, x: Float64Array, relTol: number, certified: Uint8Array): number;
  spdSolve?(n: number, a: Float64Array, b: Float64Array): number;
  dsqGradBatched?(count: number, offsets: Int32Array, n: number, a: Float64Array, cols: Int32Array, w: Float64Array, ldw: number, y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): void;
  fistaRowsStep?: NonNullable<Kernels['fistaRowsStep']>;
  fistaRowsCheck?: NonNullable<Kernels['fistaRowsCheck']>;
  fistaRowsStepTasks?: NonNullable<Kernels['fistaRowsStepTasks']>;
  dsqGradTasks?: NonNullable<Kernels['dsqGradTasks']>;
  fistaFusedTasks?: NonNullable<Kernels['fistaFusedTasks']>;
  /** native/logistic_model.cc (absent from addons built before it: prox-Newton keeps its GEMV/Gram path). */
  dlogisticModelBatched?: NonNullable<Kernels['dlogisticModelBatched']>;
  /** native/newton_step.cc (absent from addons built before it: prox-Newton runs its TypeScript inner solve). */
  proxNewtonStep?: NonNullable<Kernels['proxNewtonStep']>;
  dpackLogisticRows?: NonNullable<Kernels['dpackLogisticRows']>;
  setThreads(n: number): void;
  setAvx2Only(on: boolean): void;
  info(): { isa: string; threads: number };
}

/** The decompositions the addon provides (used by src/linalg/decomp/* when the backend is native). */
export interface NativeDecomp {
  /** L (n×n, zero above the diagonal) with A = L Lᵀ; returns null, or the failing pivot (index, value). */
  cholesky(n: number, a: Float64Array, l: Float64Array): { index: number; value: number } | null;
  /**
   * The whole of eigh.ts eigh() for n ≥ 1: values ascending, vectors column k. 0 on success; −1 when
   * the QR iteration did not converge; −4 (a non-finite entry) and −5 (the zero matrix) are left to
   * the TypeScript code, which has their messages and special case.
   */
  eigh(n: number, a: Float64Array, values: Float64Array, vectors: Float64Array): number;
  /**
   * The whole of svd.ts svd() for m, n ≥ 1 (U m×r, s, V n×r): the Jacobi sweeps (≥ 1) on success;
   * −1 not converged; −2 an exactly zero singular value (TypeScript completes U), −3 the inner eigh
   * failed, −4 / −5 as for eigh: all left to the TypeScript code.
   */
  svd(m: number, n: number, a: Float64Array, u: Float64Array, s: Float64Array, v: Float64Array): number;
  /**
   * m non-negative QPs min_{x ≥ 0} ½xᵀQx + rhs_iᵀx with one n × n Q (native/nnqp.cc: the algorithm of
   * src/balance/solvers/nnqp.ts — PDAS from the guessed sets `start` (m × n, 1 = in), then
   * Lawson–Hanson). X (m × n) receives the solutions; stats[2i] the steps, stats[2i + 1] 1 (PDAS),
   * 2 (Lawson–Hanson) or 0 (not converged). `ridge` is relative to max Q_ii. Absent from an older addon.
   */
  nnqpBatch?(n: number, m: number, q: Float64Array, rhs: Float64Array, start: Uint8Array, x: Float64Array, stats: Int32Array,
    opts: { relTol: number; ridge: number; pdasSteps: number; maxIter: number }): void;
  /**
   * The ADMM iterations of src/balance/solvers/nnqp-batch.ts (admmSupports) for b problems with
   * M = (Q + ρI)⁻¹ given; writes each row's support (1 = z_j > 0) when it settled; returns the
   * iterations run. Absent from an older addon.
   */
  admmSupports?(n: number, b: number, m: Float64Array, qb: Float64Array, opts: { rho: number; relax: number; maxIter: number; check: number; single?: boolean }, supports: Uint8Array): number;
  /**
   * ADMM's M = (Q + ρI)⁻¹ (n × n, into m) with ρ = ½√(λ_min λ_max) from power and inverse iteration
   * (no eigendecomposition); returns [λ_min, λ_max, ρ], or null when Q is not numerically positive
   * definite. Absent from an older addon.
   */
  admmMatrix?(n: number, q: Float64Array, m: Float64Array): readonly [number, number, number] | null;
  /**
   * exactBatchNnqp's KKT certificate (R = XQ + rhs, then per row x ≥ 0, ∇ ≥ −tol, ∇_j ≤ tol where
   * x_j > 0, NaN never, tol = 100·relTol·(‖q‖∞ + max Q_jj·‖x‖∞)) into certified (1/0 per row); returns
   * the count. Absent from an older addon.
   */
  nnqpCertify?(n: number, m: number, q: Float64Array, rhs: Float64Array, x: Float64Array, relTol: number, certified: Uint8Array): number;
  /**
   * Solves A x = b for a symmetric positive definite A (n × n, its upper triangle read, overwritten by
   * the Cholesky factor) into b; false (b unspecified) at a pivot ≤ 0. Absent from an older addon.
   */
  spdSolve?(n: number, a: Float64Array, b: Float64Array): boolean;
}

/**
 * Below these sizes the reference is faster than crossing into the addon (an N-API call with 13
 * arguments plus the shape checks costs ~0.5 µs). Measured per call, CPU time, one thread
 * (bench/native.bench.ts "crossover", docs/native.md): GEMM n = 5 (125 multiply-adds) reference
 * 0.95 µs / native 0.81, n = 4 (64) 0.54 / 1.2; GEMV 12×12 (144) 0.36 / 0.46, 16×16 (256) 0.62 / 0.45.
 */
export const NATIVE_SMALL_GEMM_WORK = 150;
export const NATIVE_SMALL_GEMV_WORK = 200;

/** <package root>/build/Release/polytask_native.node, from src/ (tsx) or dist/ (tsc). */
export const addonUrl = new URL('../../../build/Release/polytask_native.node', import.meta.url);
const statusUrl = new URL('../../../build/native-status.txt', import.meta.url);

/** What /proc/cpuinfo says about AVX2 and FMA (the addon is compiled for both); null when it cannot be read. */
export function cpuHasAvx2Fma(cpuinfo?: string): boolean | null {
  let text = cpuinfo;
  if (text === undefined) {
    if (process.platform !== 'linux' || process.arch !== 'x64') return null;
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return null;
    }
  }
  const flags = /^flags\s*:(.*)$/m.exec(text)?.[1]?.split(/\s+/) ?? [];
  return flags.includes('avx2') && flags.includes('fma');
}

function bspan(batch: number, stride: number, rows: number, cols: number, ld: number): number {
  const s = span(rows, cols, ld);
  return batch === 0 || s === 0 ? 0 : (batch - 1) * stride + s;
}

function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

function checkOperand(op: string, name: string, arr: FloatArray, rows: number, cols: number, ld: number): void {
  if (cols > 0 && ld < cols) throw new ShapeError(`${op}: leading dimension of ${name} is ${ld}, smaller than its ${cols} columns`);
  const s = span(rows, cols, ld);
  if (arr.length < s) throw new ShapeError(`${op}: ${name} (${rows}×${cols}, leading dimension ${ld}) needs ${s} entries, has ${arr.length}`);
}

/** Dimensions must be non-negative integers. Plain loops, no allocation: this runs on every call. */
function checkDims(op: string, names: string, ...dims: number[]): void {
  for (let i = 0; i < dims.length; i++) {
    const v = dims[i]!;
    if (!(Number.isInteger(v) && v >= 0)) throw new ShapeError(`${op}: ${names.split(',')[i]} = ${v} is not a non-negative integer`);
  }
}

/** True when the element ranges [0, sa) of a and [0, sb) of b share memory. */
function overlaps(a: FloatArray, sa: number, b: FloatArray, sb: number): boolean {
  if (a.buffer !== b.buffer || sa === 0 || sb === 0) return false;
  const a0 = a.byteOffset, a1 = a0 + sa * a.BYTES_PER_ELEMENT;
  const b0 = b.byteOffset, b1 = b0 + sb * b.BYTES_PER_ELEMENT;
  return a0 < b1 && b0 < a1;
}

/**
 * Aliasing rule (the same as the reference's observable result): inputs are read as they were
 * before the call. An input that shares memory with the output is copied first; without overlap
 * nothing is copied.
 */
function unalias<A extends FloatArray>(input: A, spanIn: number, out: FloatArray, spanOut: number): A {
  return overlaps(input, spanIn, out, spanOut) ? (input.slice(0, spanIn) as A) : input;
}

/** `input`, or a copy of it when it overlaps any of the outputs (whole arrays compared). */
function apart<A extends FloatArray>(input: A, ...outs: (FloatArray | null)[]): A {
  for (const o of outs) if (o && overlaps(input, input.length, o, o.length)) return input.slice() as A;
  return input;
}

/**
 * The neural engine's kernels: shapes checked here (the same checks and messages as the reference),
 * then one call into the addon per op. Below NATIVE_SMALL_NN elements the reference runs (the call
 * costs more than the loop). Precision mixing is refused by the addon.
 */
export const NATIVE_SMALL_NN = 200; // not measured separately: the GEMV crossover (one pass over the data)

function makeNn(ad: Addon): { nn: NnKernels; direct: NnKernels } {
  const direct: NnKernels = {
    biasAct(act, rows, n, x, bias, slope, y, d) {
      checkBiasAct(act, rows, n, x, bias, y, d);
      ad.biasAct(ACTIVATIONS.indexOf(act), rows, n, x, bias, slope, y, d);
    },
    softmaxRows(rows, n, x, y) {
      checkDims('softmaxRows', 'rows,n', rows, n);
      if (x.length < rows * n || y.length < rows * n) throw new ShapeError(`softmaxRows: x and y need ${rows * n} entries, have ${x.length} and ${y.length}`);
      ad.softmaxRows(rows, n, x, y);
    },
    colSums(rows, n, x, beta, out) {
      checkDims('colSums', 'rows,n', rows, n);
      if (x.length < rows * n || out.length < n) throw new ShapeError(`colSums: x needs ${rows * n} entries and out ${n}, have ${x.length} and ${out.length}`);
      ad.colSums(rows, n, unalias(x, rows * n, out, n), beta, out);
    },
    im2col(N, C, H, W, kh, kw, stride, pad, x, cols) {
      checkIm2col(N, C, H, W, kh, kw, stride, pad, x, cols);
      ad.im2col(N, C, H, W, kh, kw, stride, pad, x, cols);
    },
    col2im(N, C, H, W, kh, kw, stride, pad, cols, x) {
      checkIm2col(N, C, H, W, kh, kw, stride, pad, x, cols);
      ad.col2im(N, C, H, W, kh, kw, stride, pad, cols, x);
    },
    conv2d(N, C, H, W, O, kh, kw, stride, pad, x, w, b, cols, y) {
      if (!ad.conv2d) { referenceNn.conv2d(N, C, H, W, O, kh, kw, stride, pad, x, w, b, cols, y); return; }
      checkConv('conv2d', N, C, H, W, O, kh, kw, stride, pad, { x: [x, 'x'], w: [w, 'w'], b: [b, 'b'], cols: [cols, 'cols'], y: [y, 'y'] });
      // inputs overlapping an output (y, cols) are copied first (the aliasing rule above)
      ad.conv2d(N, C, H, W, O, kh, kw, stride, pad, apart(x, y, cols), apart(w, y, cols), b && apart(b, y, cols), cols, y);
    },
    conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, cols, w, go, gw, gb, gx, dcols) {
      if (!ad.conv2dGrad) { referenceNn.conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, cols, w, go, gw, gb, gx, dcols); return; }
      checkConv('conv2dGrad', N, C, H, W, O, kh, kw, stride, pad,
        { cols: [cols, 'cols'], w: [w, 'w'], go: [go, 'y'], gw: [gw, 'w'], gb: [gb, 'b'], gx: [gx, 'x'], dcols: [dcols, 'dcols'] });
      if (gx && !dcols) throw new ShapeError('conv2dGrad: gx needs the dcols scratch');
      const outs = [gw, gb, gx, dcols];
      ad.conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, apart(cols, ...outs), apart(w, ...outs), apart(go, ...outs), gw, gb, gx, dcols);
    },
    maxPool(NC, H, W, k, stride, x, y, arg) {
      if (!ad.maxPool) { referenceNn.maxPool(NC, H, W, k, stride, x, y, arg); return; }
      checkMaxPool(NC, H, W, k, stride, x, y, arg);
      ad.maxPool(NC, H, W, k, stride, unalias(x, NC * H * W, y, y.length), y, arg);
    },
    maxPoolGrad(n, arg, go, gx) {
      if (!ad.maxPoolGrad) { referenceNn.maxPoolGrad(n, arg, go, gx); return; }
      checkMaxPoolGrad(n, arg, go, gx);
      ad.maxPoolGrad(n, gx.length, arg, unalias(go, n, gx, gx.length), gx);
    },
    biasActGrad(rows, n, go, d, gx, gb) {
      checkBiasActGrad(rows, n, go, d, gx, gb);
      // gx may be go itself (in place); gb is n long and must not read a changing go or d
      const len = rows * n;
      const go2 = gb ? unalias(go, len, gb, n) : go;
      const d2 = d && gb ? unalias(d, len, gb, n) : d;
      ad.biasActGrad(rows, n, go2, d2, gx, gb);
    },
    mulAcc(n, a, b, out) {
      checkMulAcc(n, a, b, out);
      ad.mulAcc(n, a, b, out);
    },
    adam(n, g, m, v, b1, b2, bc1, sbc2, eps) {
      checkAdam(n, g, m, v);
      ad.adam(n, g, m, v, b1, b2, bc1, sbc2, eps);
    },
    bmm(ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, beta, c, sc, ldc) {
      checkBmm(ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, c, sc, ldc);
      const sC = bspan(batch, sc, m, n, ldc);
      const a2 = unalias(a, bspan(batch, sa, ta ? k : m, ta ? m : k, lda), c, sC);
      const b2 = unalias(b, bspan(batch, sb, tb ? n : k, tb ? k : n, ldb), c, sC);
      ad.bmm(ta, tb, batch, m, n, k, a2, sa, lda, b2, sb, ldb, beta, c, sc, ldc);
    },
  };
  const ref = referenceNn;
  const nn: NnKernels = {
    biasAct: (act, rows, n, x, bias, slope, y, d) => (rows * n < NATIVE_SMALL_NN ? ref : direct).biasAct(act, rows, n, x, bias, slope, y, d),
    softmaxRows: (rows, n, x, y) => (rows * n < NATIVE_SMALL_NN ? ref : direct).softmaxRows(rows, n, x, y),
    colSums: (rows, n, x, beta, out) => (rows * n < NATIVE_SMALL_NN ? ref : direct).colSums(rows, n, x, beta, out),
    im2col: (N, C, H, W, kh, kw, stride, pad, x, cols) =>
      (N * C * H * W < NATIVE_SMALL_NN ? ref : direct).im2col(N, C, H, W, kh, kw, stride, pad, x, cols),
    col2im: (N, C, H, W, kh, kw, stride, pad, cols, x) =>
      (N * C * H * W < NATIVE_SMALL_NN ? ref : direct).col2im(N, C, H, W, kh, kw, stride, pad, cols, x),
    conv2d: (N, C, H, W, O, kh, kw, stride, pad, x, w, b, cols, y) =>
      (N * C * H * W < NATIVE_SMALL_NN ? ref : direct).conv2d(N, C, H, W, O, kh, kw, stride, pad, x, w, b, cols, y),
    conv2dGrad: (N, C, H, W, O, kh, kw, stride, pad, cols, w, go, gw, gb, gx, dcols) =>
      (N * C * H * W < NATIVE_SMALL_NN ? ref : direct).conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, cols, w, go, gw, gb, gx, dcols),
    maxPool: (NC, H, W, k, stride, x, y, arg) => (NC * H * W < NATIVE_SMALL_NN ? ref : direct).maxPool(NC, H, W, k, stride, x, y, arg),
    maxPoolGrad: (n, arg, go, gx) => (n < NATIVE_SMALL_NN ? ref : direct).maxPoolGrad(n, arg, go, gx),
    biasActGrad: (rows, n, go, d, gx, gb) => (rows * n < NATIVE_SMALL_NN ? ref : direct).biasActGrad(rows, n, go, d, gx, gb),
    mulAcc: (n, a, b, out) => (n < NATIVE_SMALL_NN ? ref : direct).mulAcc(n, a, b, out),
    adam: (n, g, m, v, b1, b2, bc1, sbc2, eps) => (n < NATIVE_SMALL_NN ? ref : direct).adam(n, g, m, v, b1, b2, bc1, sbc2, eps),
    bmm: (ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, beta, c, sc, ldc) =>
      (batch * m * n * k < NATIVE_SMALL_GEMM_WORK ? ref : direct).bmm(ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, beta, c, sc, ldc),
  };
  return { nn, direct };
}

function makeKernels(ad: Addon): { kernels: Kernels; direct: Kernels } {
  const nnk = makeNn(ad);
  function gemm<A extends FloatArray>(f32: boolean, ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number,
    a: A, lda: number, b: A, ldb: number, beta: number, c: A, ldc: number): void {
    const op = f32 ? 'sgemm' : 'dgemm';
    checkDims(op, 'm,n,k,lda,ldb,ldc', m, n, k, lda, ldb, ldc);
    checkOperand(op, 'A', a, ta ? k : m, ta ? m : k, lda);
    checkOperand(op, 'B', b, tb ? n : k, tb ? k : n, ldb);
    checkOperand(op, 'C', c, m, n, ldc);
    const sc = span(m, n, ldc);
    const a2 = unalias(a, span(ta ? k : m, ta ? m : k, lda), c, sc);
    const b2 = unalias(b, span(tb ? n : k, tb ? k : n, ldb), c, sc);
    if (f32) ad.sgemm(ta, tb, m, n, k, alpha, a2 as Float32Array, lda, b2 as Float32Array, ldb, beta, c as Float32Array, ldc);
    else ad.dgemm(ta, tb, m, n, k, alpha, a2 as Float64Array, lda, b2 as Float64Array, ldb, beta, c as Float64Array, ldc);
  }

  function gemv<A extends FloatArray>(f32: boolean, trans: boolean, m: number, n: number, alpha: number, a: A, lda: number,
    x: A, beta: number, y: A): void {
    const op = f32 ? 'sgemv' : 'dgemv';
    checkDims(op, 'm,n,lda', m, n, lda);
    checkOperand(op, 'A', a, m, n, lda);
    const xlen = trans ? m : n;
    const ylen = trans ? n : m;
    if (x.length < xlen) throw new ShapeError(`${op}: x has length ${x.length}, op(A) needs ${xlen}`);
    if (y.length < ylen) throw new ShapeError(`${op}: y has length ${y.length}, op(A) gives ${ylen}`);
    const a2 = unalias(a, span(m, n, lda), y, ylen);
    const x2 = unalias(x, xlen, y, ylen);
    if (f32) ad.sgemv(trans, m, n, alpha, a2 as Float32Array, lda, x2 as Float32Array, beta, y as Float32Array);
    else ad.dgemv(trans, m, n, alpha, a2 as Float64Array, lda, x2 as Float64Array, beta, y as Float64Array);
  }

  function gram<A extends FloatArray>(f32: boolean, n: number, d: number, alpha: number, x: A, ldx: number, beta: number, c: A, ldc: number): void {
    const op = f32 ? 'sgram' : 'dgram';
    checkDims(op, 'n,d,ldx,ldc', n, d, ldx, ldc);
    checkOperand(op, 'X', x, n, d, ldx);
    checkOperand(op, 'C', c, d, d, ldc);
    const x2 = unalias(x, span(n, d, ldx), c, span(d, d, ldc));
    if (f32) ad.sgram(n, d, alpha, x2 as Float32Array, ldx, beta, c as Float32Array, ldc);
    else ad.dgram(n, d, alpha, x2 as Float64Array, ldx, beta, c as Float64Array, ldc);
  }

  // The batched per-task kernels (issue 15; native/batched.h): one call for all blocks, so always
  // native (no small-size shortcut). Shapes checked as on wasm; an input overlapping an output is
  // copied first (the aliasing rule above). Older addons without them fall back to the reference
  // through src/linalg/batched.ts (the methods are optional in Kernels).
  const batched: Pick<Kernels, 'dsymvBatched' | 'dgemvBatched' | 'dresidualGradBatched' | 'dsqGradBatched' | 'fistaRowsStep' | 'fistaRowsCheck' | 'fistaRowsStepTasks' | 'dsqGradTasks' | 'fistaFusedTasks' | 'dlogisticModelBatched' | 'proxNewtonStep' | 'dpackLogisticRows'> = typeof ad.dsymvBatched !== 'function' ? {} : {
    dsymvBatched(count, d, alpha, a, x, beta, y) {
      checkDims('dsymvBatched', 'count,d', count, d);
      checkSymv(count, d, a, x, y);
      const ys = count * d;
      ad.dsymvBatched(count, d, alpha, unalias(a, count * d * d, y, ys), unalias(x, ys, y, ys), beta, y);
    },
    dgemvBatched(trans, count, offsets, n, alpha, a, x, beta, y) {
      checkDims('dgemvBatched', 'count,n', count, n);
      const rows = checkBatched(trans, count, offsets, n, a, x, y);
      const ys = trans ? count * n : rows;
      ad.dgemvBatched(trans, count, offsets, n, alpha, unalias(a, rows * n, y, ys), unalias(x, trans ? rows : count * n, y, ys), beta, y);
    },
    dresidualGradBatched(count, offsets, n, a, x, y, r, g) {
      checkDims('dresidualGradBatched', 'count,n', count, n);
      const rows = checkBatched(false, count, offsets, n, a, x, null);
      checkResidualGrad(count, n, rows, y, r, g);
      const gs = count * n;
      const safe = <A extends Float64Array>(v: A, len: number): A => unalias(unalias(v, len, r, rows), len, g, gs);
      ad.dresidualGradBatched(count, offsets, n, safe(a, rows * n), safe(x, gs), safe(y, rows), r, g);
    },
    ...(typeof ad.dsqGradBatched !== 'function' ? {} : {
      dsqGradBatched(count: number, offsets: Int32Array, n: number, a: Float64Array, cols: Int32Array, w: Float64Array, ldw: number,
        y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): void {
        checkDims('dsqGradBatched', 'count,n,ldw', count, n, ldw);
        const rows = checkSqGrad(count, offsets, n, a, cols, w, ldw, y, c, g, f);
        const gs = n * ldw;
        const safe = <A extends Float64Array>(v: A, len: number): A => unalias(unalias(v, len, g, gs), len, f, count);
        ad.dsqGradBatched!(count, offsets, n, safe(a, rows * n), cols, safe(w, gs), ldw, safe(y, rows), safe(c, count), g, f);
      },
    }),
    // The many-small-task FISTA's two passes (native/fista_rows.cc; the solver owns distinct buffers, so no
    // aliasing copies: lengths are checked in C++).
    ...(typeof ad.fistaRowsStep !== 'function' ? {} : { fistaRowsStep: ad.fistaRowsStep.bind(ad) }),
    ...(typeof ad.fistaRowsCheck !== 'function' ? {} : { fistaRowsCheck: ad.fistaRowsCheck.bind(ad) }),
    ...(typeof ad.fistaRowsStepTasks !== 'function' ? {} : { fistaRowsStepTasks: ad.fistaRowsStepTasks.bind(ad) }),
    ...(typeof ad.dsqGradTasks !== 'function' ? {} : { dsqGradTasks: ad.dsqGradTasks.bind(ad) }),
    ...(typeof ad.fistaFusedTasks !== 'function' ? {} : { fistaFusedTasks: ad.fistaFusedTasks.bind(ad) }),
    // prox-Newton's logistic pass (native/logistic_model.cc): the solver owns distinct buffers; lengths and
    // offsets are checked in C++.
    ...(typeof ad.dlogisticModelBatched !== 'function' ? {} : { dlogisticModelBatched: ad.dlogisticModelBatched.bind(ad) }),
    // prox-Newton's inner solve (native/newton_step.cc): distinct solver-owned buffers, lengths checked in C++.
    ...(typeof ad.proxNewtonStep !== 'function' ? {} : { proxNewtonStep: ad.proxNewtonStep.bind(ad) }),
    ...(typeof ad.dpackLogisticRows !== 'function' ? {} : { dpackLogisticRows: ad.dpackLogisticRows.bind(ad) }),
  };

  const direct: Kernels = {
    name: 'native',
    dgemm: (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => gemm(false, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),
    sgemm: (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => gemm(true, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),
    dgemv: (trans, m, n, alpha, a, lda, x, beta, y) => gemv(false, trans, m, n, alpha, a, lda, x, beta, y),
    sgemv: (trans, m, n, alpha, a, lda, x, beta, y) => gemv(true, trans, m, n, alpha, a, lda, x, beta, y),
    dgram: (n, d, alpha, x, ldx, beta, c, ldc) => gram(false, n, d, alpha, x, ldx, beta, c, ldc),
    sgram: (n, d, alpha, x, ldx, beta, c, ldc) => gram(true, n, d, alpha, x, ldx, beta, c, ldc),
    ...batched,
    nn: nnk.direct,
  };
  const kernels: Kernels = {
    name: 'native',
    ...smallToReference(direct, NATIVE_SMALL_GEMM_WORK, NATIVE_SMALL_GEMV_WORK),
    ...batched,
    nn: nnk.nn,
  };
  return { kernels, direct };
}

function makeDecomp(ad: Addon): NativeDecomp {
  const pivot = new Float64Array(1);
  return {
    cholesky(n, a, l) {
      const j = ad.cholesky(n, a, l, pivot);
      return j < 0 ? null : { index: j, value: pivot[0]! };
    },
    eigh: (n, a, values, vectors) => ad.eigh(n, a, values, vectors),
    svd: (m, n, a, u, s, v) => ad.svd(m, n, a, u, s, v),
    ...(ad.nnqpBatch ? {
      nnqpBatch: (n: number, m: number, q: Float64Array, rhs: Float64Array, start: Uint8Array, x: Float64Array, stats: Int32Array, o: { relTol: number; ridge: number; pdasSteps: number; maxIter: number }) => {
        if (q.length < n * n || rhs.length < m * n || start.length < m * n || x.length < m * n || stats.length < 2 * m) throw new ShapeError(`native nnqpBatch: arrays shorter than n = ${n}, m = ${m}`);
        ad.nnqpBatch!(n, m, q, rhs, start, x, stats, o.relTol, o.ridge, o.pdasSteps, o.maxIter, ad.info().threads);
      },
    } : {}),
    ...(ad.admmSupports ? {
      admmSupports: (n: number, b: number, m: Float64Array, qb: Float64Array, o: { rho: number; relax: number; maxIter: number; check: number; single?: boolean }, supports: Uint8Array) => {
        if (m.length < n * n || qb.length < b * n || supports.length < b * n) throw new ShapeError(`native admmSupports: arrays shorter than n = ${n}, b = ${b}`);
        return ad.admmSupports!(n, b, m, qb, o.rho, o.relax, o.maxIter, o.check, supports, o.single ? 1 : 0);
      },
    } : {}),
    ...(ad.admmMatrix ? {
      admmMatrix: (n: number, q: Float64Array, m: Float64Array): readonly [number, number, number] | null => {
        if (q.length < n * n || m.length < n * n) throw new ShapeError(`native admmMatrix: arrays shorter than n = ${n}`);
        const b = new Float64Array(3);
        return ad.admmMatrix!(n, q, m, b) === 1 ? [b[0]!, b[1]!, b[2]!] : null;
      },
    } : {}),
    ...(ad.nnqpCertify ? {
      nnqpCertify: (n: number, m: number, q: Float64Array, rhs: Float64Array, x: Float64Array, relTol: number, certified: Uint8Array): number => {
        if (q.length < n * n || rhs.length < m * n || x.length < m * n || certified.length < m) throw new ShapeError(`native nnqpCertify: arrays shorter than n = ${n}, m = ${m}`);
        return ad.nnqpCertify!(n, m, q, rhs, x, relTol, certified);
      },
    } : {}),
    ...(ad.spdSolve ? {
      spdSolve: (n: number, a: Float64Array, b: Float64Array): boolean => {
        if (a.length < n * n || b.length < n) throw new ShapeError(`native spdSolve: arrays shorter than n = ${n}`);
        return ad.spdSolve!(n, a, b) === 1;
      },
    } : {}),
  };
}

/** A few tiny products against exact answers: catches a stale or mis-built addon at load. */
function selfTest(k: Kernels): string | null {
  const a = new Float64Array([1, 2, 3, 4, 5, 6]);
  const b = new Float64Array([7, 8, 9, 10, 11, 12]);
  const c = new Float64Array([NaN, NaN, NaN, NaN]);
  k.dgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2);
  const want = [58, 64, 139, 154];
  for (let i = 0; i < 4; i++) if (c[i] !== want[i]) return `self-test failed: dgemm gave ${Array.from(c)}`;
  const ones = new Float32Array(40 * 40).fill(1);
  const c32 = new Float32Array(40 * 40).fill(NaN);
  k.sgemm(true, true, 40, 40, 40, 1, ones, 40, ones, 40, 0, c32, 40);
  if (!c32.every((v) => v === 40)) return 'self-test failed: sgemm on a 40×40 block of ones';
  const c64 = new Float64Array(40 * 40).fill(NaN);
  k.dgram(40, 40, 2, new Float64Array(1600).fill(1), 40, 0, c64, 40);
  if (!c64.every((v) => v === 80)) return 'self-test failed: dgram on a 40×40 block of ones';
  return null;
}

export interface NativeLoad {
  readonly kernels: Kernels | null;
  /** The kernels without the small-size shortcut to the reference (tests, benchmarks). */
  readonly direct: Kernels | null;
  readonly decomp: NativeDecomp | null;
  /** Instruction set and threads of the loaded addon, e.g. "avx512, 2 threads". */
  readonly isa: string | null;
  /** Why it loaded or did not (one line, for `polytask --version` and --verbose). */
  readonly reason: string;
  /** Threads for calls from this JavaScript thread (tests, benchmarks); 0 restores the pool size. */
  setThreads(n: number): void;
  /** Use the AVX2 kernels even where AVX-512 exists (tests compare both paths). */
  setAvx2Only(on: boolean): void;
  /** Threads a call from this JavaScript thread may use now (0 when not loaded). */
  threads(): number;
}

/** POLYTASK_THREADS for the native pool: a positive integer, or undefined when unset/invalid (backend.ts reports invalid values). */
export function nativeThreadsFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : undefined;
}

function unavailable(reason: string): NativeLoad {
  return { kernels: null, direct: null, decomp: null, isa: null, reason, setThreads() {}, setAvx2Only() {}, threads: () => 0 };
}

/** Load the addon from `url`; never throws. */
export function loadNative(url: URL = addonUrl, cpuinfo?: string): NativeLoad {
  const cpu = cpuHasAvx2Fma(cpuinfo);
  if (cpu === null) return unavailable(`native backend needs Linux on x86-64 with AVX2 + FMA (this is ${process.platform}/${process.arch})`);
  if (!cpu) return unavailable('native backend unavailable: this CPU lacks AVX2/FMA');
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    let status = '';
    try {
      status = readFileSync(statusUrl, 'utf8').trim();
    } catch {
      /* no status: the install script never ran */
    }
    // The install script's one-line status says why the build failed or was skipped.
    const why = status && !status.startsWith('native addon built') ? status : `${path} is missing; run npm run build:native`;
    return unavailable(`native addon not built (${why})`);
  }
  try {
    const ad = createRequire(import.meta.url)(path) as Addon;
    const threads = nativeThreadsFromEnv(process.env[THREADS_ENV]);
    if (threads !== undefined) ad.setThreads(threads);
    const made = makeKernels(ad);
    const failure = selfTest(made.direct);
    if (failure) return unavailable(`native addon ${path}: ${failure}`);
    const info = ad.info();
    return {
      kernels: made.kernels,
      direct: made.direct,
      decomp: makeDecomp(ad),
      isa: `${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`,
      reason: `native ${info.isa} kernels, ${info.threads} thread${info.threads === 1 ? '' : 's'} (${path})`,
      setThreads: (n) => ad.setThreads(n),
      setAvx2Only: (on) => ad.setAvx2Only(on),
      threads: () => ad.info().threads,
    };
  } catch (e) {
    return unavailable(`native addon ${path} could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The addon loaded once at import (what backend.ts registers). */
export const nativeLoad: NativeLoad = loadNative();
