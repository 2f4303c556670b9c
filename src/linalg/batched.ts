// Batched per-task products for solvers over many tasks (issue 15): one kernel call computes the
// products of all T tasks (Gram blocks H_t w_t, or X_t w_t and X_tᵀ r_t over row-stacked task
// matrices), instead of a JavaScript loop of T small kernel calls whose per-call overhead dominated
// at T = 10 000 (≈ 0.2 GFLOP/s, issue 15).
//
// `residentBlocks(a)` is the form a solver uses: the big operand (all Gram blocks, or all tasks'
// rows) never changes between iterations, so on the wasm backend it is copied into WebAssembly
// memory once and each iteration copies only the vectors; on the TypeScript (or a native) backend
// the kernels read the caller's array directly. The batched methods are optional in the Kernels
// interface (backends written before them still type-check); the reference implementation fills in.
import { backendName, kernels } from './backend.ts';
import { gemvBatched as refGemvBatched, residualGradBatched as refResidualGradBatched, sqGradBatched as refSqGradBatched, symvBatched as refSymvBatched } from './kernels/reference.ts';
import { wasmLoad, type ResidentBlocks } from './kernels/wasm.ts';

/** y_t = alpha·A_t·x_t + beta·y_t over count contiguous symmetric d×d blocks (one call). */
export function dsymvBatched(count: number, d: number, alpha: number, a: Float64Array, x: Float64Array, beta: number, y: Float64Array): void {
  (kernels().dsymvBatched ?? refSymvBatched)(count, d, alpha, a, x, beta, y);
}

/** GEMV over row-stacked blocks (offsets: count + 1 row starts); see src/linalg/kernels/types.ts. */
export function dgemvBatched(trans: boolean, count: number, offsets: Int32Array, n: number, alpha: number, a: Float64Array,
  x: Float64Array, beta: number, y: Float64Array): void {
  (kernels().dgemvBatched ?? refGemvBatched)(trans, count, offsets, n, alpha, a, x, beta, y);
}

/** r_t = A_t·x_t − y_t and g_t = A_tᵀ·r_t over row-stacked blocks, one pass over each block. */
export function dresidualGradBatched(count: number, offsets: Int32Array, n: number, a: Float64Array, x: Float64Array, y: Float64Array,
  r: Float64Array, g: Float64Array): void {
  (kernels().dresidualGradBatched ?? refResidualGradBatched)(count, offsets, n, a, x, y, r, g);
}

/**
 * The squared loss over row-stacked task blocks, one call (see src/linalg/kernels/types.ts): for block k,
 * r = A_k w_{:,cols[k]} − y_k, g_{:,cols[k]} = c_k A_kᵀ r, f[k] = ½ c_k ‖r‖², with w and g the solvers'
 * n × ldw matrices (no transposes). Falls back to the reference where the backend lacks it.
 */
export function dsqGradBatched(count: number, offsets: Int32Array, n: number, a: Float64Array, cols: Int32Array, w: Float64Array, ldw: number,
  y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): void {
  (kernels().dsqGradBatched ?? refSqGradBatched)(count, offsets, n, a, cols, w, ldw, y, c, g, f);
}

/** Whether the current backend has its own dsqGradBatched (native, ts); on wasm the squared loss keeps
 * its resident residual-gradient path, which is faster there than this kernel's reference fallback. */
export function hasSqGradBatched(): boolean {
  return kernels().dsqGradBatched !== undefined;
}

export type BlockOperand = ResidentBlocks;

// Resident copies are released when their owner (e.g. a loss object) is garbage-collected.
const registry = new FinalizationRegistry<() => void>((free) => free());

/**
 * Above this size the blocks are not made resident: wasm32 memory is at most 4 GiB and a resident
 * copy doubles the data's memory; the batched kernels then copy the operand in on each call.
 */
export const RESIDENT_MAX_BYTES = 512 * 2 ** 20;

/** The blocks `a` as an operand of repeated batched products (resident in wasm memory on that backend). */
export function residentBlocks(a: Float64Array): BlockOperand {
  if (backendName() === 'wasm' && wasmLoad.pinBlocks && a.length * 8 <= RESIDENT_MAX_BYTES) {
    const r = wasmLoad.pinBlocks(a);
    const handle: BlockOperand = {
      length: r.length,
      symvBatched: (count, d, alpha, x, beta, y) => r.symvBatched(count, d, alpha, x, beta, y),
      gemvBatched: (trans, count, offsets, n, alpha, x, beta, y) => r.gemvBatched(trans, count, offsets, n, alpha, x, beta, y),
      residualGradBatched: (count, offsets, n, x, y, rr, g) => r.residualGradBatched(count, offsets, n, x, y, rr, g),
      free: () => r.free(),
    };
    registry.register(handle, () => r.free(), handle);
    return handle;
  }
  return {
    length: a.length,
    symvBatched: (count, d, alpha, x, beta, y) => dsymvBatched(count, d, alpha, a, x, beta, y),
    gemvBatched: (trans, count, offsets, n, alpha, x, beta, y) => dgemvBatched(trans, count, offsets, n, alpha, a, x, beta, y),
    residualGradBatched: (count, offsets, n, x, y, r, g) => dresidualGradBatched(count, offsets, n, a, x, y, r, g),
    free: () => undefined,
  };
}
