// Tensors of the neural engine: a dense row-major buffer (Float32Array for training, Float64Array
// for gradient checks) with a shape, a gradient buffer, and — for op outputs — the record the
// reverse pass needs (inputs, a static backward function, saved scalars and buffers).
//
// Why one object per tensor and no separate "node": op outputs live in the Tape's arena and are
// reused step after step (the k-th op of a step writes into the k-th arena slot), so the tensor
// object, its data and its gradient buffer are allocated once and the steady state allocates nothing.
import { ShapeError } from '../errors.ts';
import type { Tape } from './tape.ts';

export type DType = 'float32' | 'float64';
export type Data = Float32Array | Float64Array;
/** Any buffer the arena pools: float data, index maps, masks. */
export type Buf = Data | Int32Array | Uint8Array;

/**
 * @internal A capacity buffer and the views of the live sizes cut from it (a few, newest last).
 * Views are kept because creating one allocates: a run whose batches alternate between two sizes
 * (full batches and the partial last one) then allocates nothing after its first epoch.
 */
export interface Slab {
  buf: Buf;
  views: Buf[];
}

/** Reverse-mode rule of one op: reads `out.grad` (lanes × out.size) and ACCUMULATES into the
 * gradients of `out.inputs` (obtained through `tape.gradOf(input, lanes)`). `lanes` > 1 carries T
 * stacked cotangents at once (the Jacobian pass); lane l of a gradient is the slice [l·size, (l+1)·size). */
export type BackwardFn = (tape: Tape, out: Tensor, lanes: number) => void;

export function makeData(dtype: DType, n: number): Data {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function checkShape(shape: readonly number[], what: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what}: invalid shape ${shapeStr(shape)}`);
  }
}

export class Tensor {
  /** Dimensions, row-major. Do not mutate. */
  shape: number[];
  /** Number of elements = product of shape. */
  size: number;
  data: Data;
  /** Gradient (for parameters: accumulated until zeroGrad; for op outputs: valid during one backward pass). */
  grad: Data | null = null;
  /** Whether gradients flow into this tensor (parameters, and op outputs that depend on one). */
  requiresGrad: boolean;
  /** For op outputs: position on the tape (−1 for parameters and inputs). */
  index = -1;
  /** @internal inputs of the op that produced this tensor */
  inputs: Tensor[] = [];
  /** @internal backward rule; null for leaves */
  backwardFn: BackwardFn | null = null;
  /** @internal saved scalars (axis, eps, strides, ...) */
  aux: number[] = [];
  /** @internal saved buffers (softmax output, dropout mask, index maps, im2col columns ...) */
  saved: (Data | Int32Array | Uint8Array)[] = [];
  /** @internal the backward pass in which `grad` was last zeroed (op outputs only) */
  gradStamp = -1;
  /** @internal true when `data` is a caller's buffer (Tape.input): the arena must never write into it */
  external = false;
  /** @internal capacity buffers of the arena (Tape): data, one-lane grad, multi-lane grad, then one
   * per saved slot. `data`, `grad` and `saved[k]` are views of the live size into them, so a batch
   * smaller than the largest seen reuses the buffers instead of reallocating (src/nn/tape.ts). */
  slabs: (Slab | undefined)[] = [];

  constructor(shape: readonly number[], data: Data, requiresGrad = false) {
    checkShape(shape, 'Tensor');
    const n = shapeSize(shape);
    if (data.length < n) throw new ShapeError(`Tensor: data of length ${data.length} is too short for shape ${shapeStr(shape)}`);
    this.shape = [...shape];
    this.size = n;
    this.data = data;
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType {
    return this.data instanceof Float32Array ? 'float32' : 'float64';
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor (a loss). */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item(): tensor has shape ${shapeStr(this.shape)}, not one element`);
    return this.data[0]!;
  }
}

/**
 * A trainable parameter: a leaf tensor that persists across steps. `grad` accumulates over backward
 * passes until `zeroGrad`; `jac` receives the T × size Jacobian rows of a lanes pass (mtlBackward).
 */
export class Param extends Tensor {
  /** Stable name used by checkpoints and model files (e.g. 'trunk.0.weight'). */
  name: string;
  /** Jacobian rows (lanes × size) written by a lanes backward pass; null until first used. */
  jac: Data | null = null;
  /** @internal capacity buffer behind `jac` (lanes vary with the number of tasks asked for) */
  jacSlab: Slab | undefined = undefined;
  /** @internal lanes pass in which jac was last zeroed */
  jacStamp = -1;

  constructor(name: string, shape: readonly number[], data: Data) {
    super(shape, data, true);
    this.name = name;
    this.grad = makeData(this.dtype, this.size);
  }
}

/** Zero the accumulated gradients of parameters. */
export function zeroGrad(params: readonly Param[]): void {
  for (const p of params) p.grad!.fill(0);
}

/** Total number of scalar parameters. */
export function paramCount(params: readonly Param[]): number {
  let n = 0;
  for (const p of params) n += p.size;
  return n;
}
