// The reverse-mode tape and its arena.
//
// Define-by-run: each op (src/nn/ops/*) appends its output to the tape; backward walks the tape in
// reverse. Steady state allocates nothing: `reset()` rewinds the tape, and the k-th op of the next
// step reuses the k-th slot (tensor object, data buffer, gradient buffers, saved buffers) — a
// training step issues the same ops every time, but not always with the same sizes: the last batch
// of an epoch is short, and one network per task (stl-mlp) sees batches of different sizes. So every
// buffer is a capacity buffer allocated at the largest size seen, and the tensor holds a view of the
// live size cut from it (a slab, ./tensor.ts); the views of the few sizes in use are kept, so a run
// alternating full and partial batches allocates nothing after its first epoch. `allocations`
// counts every buffer, view and tensor object the arena had to create, so a test can prove the
// steady state is flat.
//
// Lanes: a backward pass may carry `lanes` stacked cotangents (gradient buffers of lanes × size).
// With one lane per task this is torchjd's mtl_backward: ONE reverse pass from the shared
// representation gives the T × P Jacobian of the shared parameters (see ./mtl.ts).
import { ShapeError } from '../errors.ts';
import { kernels } from '../linalg/backend.ts';
import type { Kernels } from '../linalg/kernels/types.ts';
import { Random } from '../linalg/random.ts';
import { Tensor, Param, shapeSize, shapeStr, checkShape } from './tensor.ts';
import type { BackwardFn, Buf, DType, Data, Slab } from './tensor.ts';

export interface BackwardOptions {
  /** Seed of each root's gradient (default 1 each); roots must then be scalars. */
  readonly seeds?: readonly number[];
  /**
   * Do not propagate through this tensor: its gradient is computed but its op's backward is not run
   * (gradients w.r.t. the shared representation). Other paths still propagate, so task-specific
   * parameters used before it (e.g. MMoE gates) get their gradients.
   */
  readonly stopAt?: Tensor;
}

type BufCtor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

/** Views kept per slab: full and partial batches, plus a few sizes of evaluation passes. */
const MAX_VIEWS = 4;

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Pass numbers are global (not per tape): a parameter shared by several tapes must never mistake
// another tape's pass for the current one when deciding whether its `jac` is fresh.
let passCounter = 0;

export class Tape {
  readonly dtype: DType;
  /** Dropout and other stochastic ops are active only in training mode. */
  training = true;
  /** The generator stochastic ops draw from (seeded; replace it to reseed). */
  rng: Random;
  /** Number of buffers and tensor objects the arena created (flat in the steady state). */
  allocations = 0;
  private slots: Tensor[] = [];
  private readonly scratchSlabs: (Slab | undefined)[] = [];
  private cursor = 0;
  private pass = 0;
  /** The kernels backend, looked up once per tape (so a backend switch applies to new tapes). */
  readonly k: Kernels;
  private readonly floatCtor: BufCtor;

  constructor(dtype: DType = 'float32', seed = 0) {
    this.dtype = dtype;
    this.floatCtor = dtype === 'float32' ? Float32Array : Float64Array;
    this.rng = new Random(seed);
    this.k = kernels();
  }

  /** Rewind for the next step: every tensor produced since the last reset is recycled. */
  reset(): void {
    this.cursor = 0;
  }

  /** Number of ops recorded since the last reset. */
  get length(): number {
    return this.cursor;
  }

  /** A tensor on the tape (not a parameter), recorded at position `index`. */
  node(i: number): Tensor {
    return this.slots[i]!;
  }

  /**
   * @internal The next arena slot, shaped `shape`, as the output of an op with `inputs` and `fn`.
   * Its data are NOT zeroed (ops overwrite them); call `.data.fill(0)` when accumulating.
   */
  out(shape: readonly number[], inputs: readonly Tensor[], fn: BackwardFn | null): Tensor {
    const n = shapeSize(shape);
    let t = this.slots[this.cursor];
    if (t === undefined || t.external) {
      checkShape(shape, 'op output');
      const slabs: (Slab | undefined)[] = [];
      t = new Tensor(shape, this.fit(slabs, 0, n, this.floatCtor) as Data);
      t.slabs = slabs;
      this.allocations++;
      this.slots[this.cursor] = t;
    } else {
      const s = t.shape;
      if (!sameDims(s, shape)) {
        checkShape(shape, 'op output');
        // copy the shape without allocating
        s.length = shape.length;
        for (let i = 0; i < shape.length; i++) s[i] = shape[i]!;
      }
      t.size = n;
      t.data = this.fit(t.slabs, 0, n, this.floatCtor) as Data;
    }
    t.index = this.cursor++;
    let rg = false;
    const ins = t.inputs;
    // setting an array's length is a runtime call in V8: only when it changes
    if (ins.length !== inputs.length) ins.length = inputs.length;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      if (x.data.constructor !== t.data.constructor) {
        throw new ShapeError(`op input ${i} is ${x.dtype} but the tape is ${this.dtype}`);
      }
      ins[i] = x;
      if (x.requiresGrad) rg = true;
    }
    t.requiresGrad = rg && fn !== null;
    t.backwardFn = fn;
    if (t.aux.length !== 0) t.aux.length = 0;
    t.gradStamp = -1;
    return t;
  }

  /**
   * @internal A buffer of exactly `n` elements cut from slab `i` of a tensor. Reallocates only when `n` exceeds the capacity (or the element type
   * differs); a size seen recently reuses its view.
   */
  private fit(slabs: (Slab | undefined)[], i: number, n: number, ctor: BufCtor): Buf {
    let s = slabs[i];
    if (s === undefined || s.buf.length < n || s.buf.constructor !== ctor) {
      s = { buf: new ctor(n), views: [] };
      slabs[i] = s;
      this.allocations++;
      return s.buf;
    }
    return this.viewOf(s, n);
  }

  private viewOf(s: Slab, n: number): Buf {
    if (s.buf.length === n) return s.buf;
    const vs = s.views;
    for (let k = vs.length - 1; k >= 0; k--) if (vs[k]!.length === n) return vs[k]!;
    const v = s.buf.subarray(0, n);
    if (vs.length >= MAX_VIEWS) vs.shift();
    vs.push(v);
    this.allocations++;
    return v;
  }

  /** @internal A saved buffer of the current op output, reused across steps. */
  savedData(t: Tensor, slot: number, n: number): Data {
    const b = this.fit(t.slabs, 3 + slot, n, this.floatCtor) as Data;
    t.saved[slot] = b;
    return b;
  }

  /** @internal */
  savedInt(t: Tensor, slot: number, n: number): Int32Array {
    const b = this.fit(t.slabs, 3 + slot, n, Int32Array) as Int32Array;
    t.saved[slot] = b;
    return b;
  }

  /** @internal */
  savedMask(t: Tensor, slot: number, n: number): Uint8Array {
    const b = this.fit(t.slabs, 3 + slot, n, Uint8Array) as Uint8Array;
    t.saved[slot] = b;
    return b;
  }

  /**
   * A scratch buffer of `n` floats owned by the tape (slot `slot`), reused step to step like the
   * arena's: for work buffers outside the ops whose size follows the batch (the T × batch·H
   * representation gradients of the Jacobian way). Valid until the next call with the same slot.
   */
  scratch(slot: number, n: number): Data {
    return this.fit(this.scratchSlabs, slot, n, this.floatCtor) as Data;
  }

  /** A tensor on the tape wrapping `data` (no copy; not differentiated): mini-batch inputs. */
  input(data: Data, shape: readonly number[]): Tensor {
    const n = shapeSize(shape);
    if (data.length !== n) throw new ShapeError(`input: data of length ${data.length} does not match shape ${shapeStr(shape)}`);
    if (data.constructor !== (this.dtype === 'float32' ? Float32Array : Float64Array)) {
      throw new ShapeError(`input: data is ${data instanceof Float32Array ? 'float32' : 'float64'} but the tape is ${this.dtype}`);
    }
    let t = this.slots[this.cursor];
    if (t === undefined || !t.external) {
      // never adopt an op's slot: its buffers belong to the arena, and later ops must not see ours
      t = new Tensor(shape, data);
      t.external = true;
      this.allocations++;
      this.slots[this.cursor] = t;
    } else {
      t.shape.length = 0;
      for (const d of shape) t.shape.push(d);
      t.size = n;
      t.data = data;
    }
    t.index = this.cursor++;
    t.inputs.length = 0;
    t.backwardFn = null;
    t.requiresGrad = false;
    t.gradStamp = -1;
    return t;
  }

  /** A new tensor on the tape filled with `value` (not differentiated). */
  full(shape: readonly number[], value: number): Tensor {
    const t = this.out(shape, [], null);
    t.data.fill(value);
    return t;
  }

  /**
   * The gradient buffer of `t` for the current pass (lanes × size), zeroed on first touch in the
   * pass; null when no gradient flows into `t`. Parameters: `grad` (accumulating across passes)
   * when lanes = 1, `jac` (zeroed at the first touch of each pass) when lanes > 1.
   */
  gradOf(t: Tensor, lanes: number): Data | null {
    if (!t.requiresGrad) return null;
    if (t instanceof Param) {
      if (lanes === 1) return t.grad;
      const n = lanes * t.size;
      if (t.jac === null || t.jac.length !== n) {
        const ctor = t.data.constructor as BufCtor;
        if (t.jacSlab === undefined || t.jacSlab.buf.length < n || t.jacSlab.buf.constructor !== ctor) {
          t.jacSlab = { buf: new ctor(n), views: [] };
          this.allocations++;
        }
        t.jac = this.viewOf(t.jacSlab, n) as Data;
        t.jacStamp = -1;
      }
      if (t.jacStamp !== this.pass) { t.jac.fill(0); t.jacStamp = this.pass; }
      return t.jac;
    }
    if (t.gradStamp === this.pass) return t.grad;
    // one-lane and T-lane passes alternate in a step (heads, then the Jacobian): keep one buffer each
    // (slab 1 and 2; an input wrapped by input() has a float type of its own: the tape's)
    const b = this.fit(t.slabs, lanes === 1 ? 1 : 2, lanes * t.size, this.floatCtor) as Data;
    b.fill(0);
    t.grad = b;
    t.gradStamp = this.pass;
    return b;
  }

  /** Whether parameter `p` received Jacobian rows in the latest (lanes) pass. */
  hasJac(p: Param): boolean {
    return p.jacStamp === this.pass;
  }

  /** Whether `t` received a gradient in the latest pass (op outputs). */
  hasGrad(t: Tensor): boolean {
    return t.gradStamp === this.pass;
  }

  /**
   * Reverse pass from one or several scalar roots (seeded with 1, or `seeds`): accumulates
   * d(Σ seed_i · root_i)/dθ into every parameter's `grad`. The tape is kept (several passes over
   * one forward are allowed, as retain_graph in PyTorch) until `reset()`.
   */
  backward(roots: Tensor | readonly Tensor[], opts: BackwardOptions = {}): void {
    const rs = roots instanceof Tensor ? [roots] : roots;
    this.pass = ++passCounter;
    let top = -1;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (r.size !== 1) throw new ShapeError(`backward: root ${i} has shape ${shapeStr(r.shape)}; roots must be scalars (use backwardFrom for a cotangent)`);
      const g = this.gradOf(r, 1);
      if (g === null) continue;
      g[0] += opts.seeds ? opts.seeds[i]! : 1;
      if (r.index > top) top = r.index;
    }
    this.run(top, opts.stopAt ?? null, 1);
  }

  /**
   * Reverse pass from `t` with a given cotangent of `lanes × t.size` values (lanes > 1: one
   * cotangent per lane; parameters then receive `jac` rows instead of `grad`).
   */
  backwardFrom(t: Tensor, cotangent: Data, lanes = 1): void {
    if (cotangent.length !== lanes * t.size) {
      throw new ShapeError(`backwardFrom: cotangent has ${cotangent.length} values, expected ${lanes} × ${t.size}`);
    }
    this.pass = ++passCounter;
    const g = this.gradOf(t, lanes);
    if (g === null) return;
    g.set(cotangent);
    if (t instanceof Param) return;
    this.run(t.index, null, lanes);
  }

  private run(top: number, stop: Tensor | null, lanes: number): void {
    for (let i = top; i >= 0; i--) {
      const t = this.slots[i]!;
      if (t === stop || t.gradStamp !== this.pass || t.backwardFn === null || !t.requiresGrad) continue;
      t.backwardFn(this, t, lanes);
    }
  }
}

/** The tape an op output lives on is implicit; ops take the tape explicitly as first argument. */
export type { Tensor, Param };
