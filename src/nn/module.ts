// Modules: parameter holders with a forward on a tape. No class hierarchy beyond the two small
// interfaces: a module lists its parameters in a stable order (optimiser state, checkpoints and
// model files follow that order and the parameters' names).
import { OptionError } from '../errors.ts';
import type { Random } from '../linalg/random.ts';
import { initFill } from './init.ts';
import type { InitName } from './init.ts';
import { addBias, biasAct, gelu, leakyRelu, relu, sigmoid, tanh } from './ops/elementwise.ts';
import type { Activation as KernelActivation } from '../linalg/kernels/types.ts';
import { matmul } from './ops/matmul.ts';
import { dropout, gather, layerNorm } from './ops/nn.ts';
import { conv2d, maxPool2d } from './ops/conv.ts';
import type { Tape } from './tape.ts';
import { Param, makeData } from './tensor.ts';
import type { DType, Tensor } from './tensor.ts';

export interface Module {
  /** Trainable parameters, in a stable order, each with a unique name. */
  parameters(): Param[];
}

export interface Layer extends Module {
  forward(g: Tape, x: Tensor): Tensor;
}

export type Activation = 'relu' | 'leaky-relu' | 'gelu' | 'tanh' | 'sigmoid' | 'none';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'leaky-relu', 'gelu', 'tanh', 'sigmoid', 'none'];

export function activate(g: Tape, x: Tensor, a: Activation): Tensor {
  switch (a) {
    case 'relu': return relu(g, x);
    case 'leaky-relu': return leakyRelu(g, x);
    case 'gelu': return gelu(g, x);
    case 'tanh': return tanh(g, x);
    case 'sigmoid': return sigmoid(g, x);
    case 'none': return x;
    default: throw new OptionError('activation', `unknown activation "${String(a)}"; use one of ${ACTIVATIONS.join(', ')}`);
  }
}

/** The kernel name of a module activation ('none' → identity). */
export const KERNEL_ACT: Record<Activation, KernelActivation> = {
  'relu': 'relu', 'leaky-relu': 'leakyRelu', 'gelu': 'gelu', 'tanh': 'tanh', 'sigmoid': 'sigmoid', 'none': 'identity',
};

/** A parameter of the given shape, initialised in place. */
export function makeParam(name: string, shape: readonly number[], dtype: DType, fill: (d: ReturnType<typeof makeData>) => void): Param {
  let n = 1;
  for (const d of shape) n *= d;
  const data = makeData(dtype, n);
  fill(data);
  return new Param(name, shape, data);
}

export interface LinearOptions {
  readonly bias?: boolean;
  /** Weight initialiser (default kaiming-uniform); the bias starts at 0 except for 'torch-default'. */
  readonly init?: InitName;
  readonly dtype?: DType;
}

/** y = x·W + b with W stored [in, out] (so the forward GEMM needs no transpose). */
export class Linear implements Layer {
  readonly weight: Param;
  readonly bias: Param | null;
  constructor(name: string, readonly inFeatures: number, readonly outFeatures: number, rng: Random, opts: LinearOptions = {}) {
    const dtype = opts.dtype ?? 'float32', init = opts.init ?? 'kaiming-uniform';
    this.weight = makeParam(`${name}.weight`, [inFeatures, outFeatures], dtype, (d) => initFill(d, init, rng, inFeatures, outFeatures));
    this.bias = opts.bias === false ? null : makeParam(`${name}.bias`, [outFeatures], dtype, (d) => {
      if (init === 'torch-default') initFill(d, 'torch-default', rng, inFeatures, outFeatures);
    });
  }
  parameters(): Param[] { return this.bias ? [this.weight, this.bias] : [this.weight]; }
  forward(g: Tape, x: Tensor): Tensor {
    const y = matmul(g, x, this.weight);
    return this.bias ? addBias(g, y, this.bias) : y;
  }
  /** act(x·W + b) with the bias and the activation in one fused op (one pass, forward and backward). */
  forwardAct(g: Tape, x: Tensor, act: Activation): Tensor {
    if (!(act in KERNEL_ACT)) return activate(g, this.forward(g, x), act); // the unknown-activation error
    const y = matmul(g, x, this.weight);
    if (!this.bias && act === 'none') return y;
    return biasAct(g, y, this.bias, KERNEL_ACT[act]);
  }
}

export interface MLPOptions extends LinearOptions {
  readonly activation?: Activation;
  /** Dropout probability after each hidden activation (0 = none). */
  readonly dropout?: number;
  /** Apply the activation after the last layer too (a trunk feeding heads: yes; a head: no). */
  readonly activateLast?: boolean;
  /** Layer norm after each hidden linear layer (before the activation). */
  readonly layerNorm?: boolean;
}

/** sizes = [in, h1, ..., out]: Linear → (LayerNorm) → activation → (Dropout) per layer. */
export class MLP implements Layer {
  readonly layers: Linear[] = [];
  readonly norms: LayerNormLayer[] = [];
  readonly activation: Activation;
  readonly dropout: number;
  readonly activateLast: boolean;
  constructor(name: string, readonly sizes: readonly number[], rng: Random, opts: MLPOptions = {}) {
    if (sizes.length < 2) throw new OptionError('sizes', `an MLP needs at least input and output sizes, got [${sizes.join(', ')}]`);
    for (const s of sizes) if (!Number.isInteger(s) || s < 1) throw new OptionError('sizes', `layer sizes must be positive integers, got [${sizes.join(', ')}]`);
    this.activation = opts.activation ?? 'relu';
    this.dropout = opts.dropout ?? 0;
    this.activateLast = opts.activateLast ?? false;
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push(new Linear(`${name}.${i}`, sizes[i]!, sizes[i + 1]!, rng, opts));
      if (opts.layerNorm && (i + 2 < sizes.length || this.activateLast)) this.norms.push(new LayerNormLayer(`${name}.${i}.norm`, sizes[i + 1]!, { dtype: opts.dtype }));
    }
  }
  parameters(): Param[] {
    const ps: Param[] = [];
    for (let i = 0; i < this.layers.length; i++) {
      ps.push(...this.layers[i]!.parameters());
      if (this.norms[i]) ps.push(...this.norms[i]!.parameters());
    }
    return ps;
  }
  forward(g: Tape, x: Tensor): Tensor {
    let h = x;
    const L = this.layers.length;
    for (let i = 0; i < L; i++) {
      const act = i < L - 1 || this.activateLast;
      if (act && !this.norms[i]) h = this.layers[i]!.forwardAct(g, h, this.activation);
      else h = this.layers[i]!.forward(g, h);
      if (act) {
        if (this.norms[i]) h = activate(g, this.norms[i]!.forward(g, h), this.activation);
        if (this.dropout > 0) h = dropout(g, h, this.dropout);
      }
    }
    return h;
  }
}

/** Embedding table [V, D], N(0, 1) initialised as PyTorch; forward takes row indices. */
export class Embedding implements Module {
  readonly weight: Param;
  constructor(name: string, readonly numEmbeddings: number, readonly dim: number, rng: Random, opts: { dtype?: DType } = {}) {
    this.weight = makeParam(`${name}.weight`, [numEmbeddings, dim], opts.dtype ?? 'float32', (d) => { for (let i = 0; i < d.length; i++) d[i] = rng.normal(); });
  }
  parameters(): Param[] { return [this.weight]; }
  forward(g: Tape, indices: Int32Array | readonly number[]): Tensor { return gather(g, this.weight, indices); }
}

/** Layer norm over the last axis with learned gain (1) and bias (0). */
export class LayerNormLayer implements Layer {
  readonly gamma: Param;
  readonly beta: Param;
  constructor(name: string, readonly dim: number, opts: { dtype?: DType; eps?: number } = {}) {
    const dt = opts.dtype ?? 'float32';
    this.gamma = makeParam(`${name}.gamma`, [dim], dt, (d) => d.fill(1));
    this.beta = makeParam(`${name}.beta`, [dim], dt, () => undefined);
    this.eps = opts.eps ?? 1e-5;
  }
  readonly eps: number;
  parameters(): Param[] { return [this.gamma, this.beta]; }
  forward(g: Tape, x: Tensor): Tensor { return layerNorm(g, x, this.gamma, this.beta, this.eps); }
}

export class Dropout implements Layer {
  constructor(readonly p: number) {
    if (!(p >= 0 && p < 1)) throw new OptionError('dropout', `must be in [0, 1), got ${p}`);
  }
  parameters(): Param[] { return []; }
  forward(g: Tape, x: Tensor): Tensor { return dropout(g, x, this.p); }
}

export interface Conv2dOptions {
  readonly stride?: number;
  readonly padding?: number;
  readonly bias?: boolean;
  readonly init?: InitName;
  readonly dtype?: DType;
}

/** Conv2d with weight [O, C, k, k]; fan_in = C·k·k. */
export class Conv2d implements Layer {
  readonly weight: Param;
  readonly bias: Param | null;
  readonly stride: number;
  readonly padding: number;
  constructor(name: string, readonly inChannels: number, readonly outChannels: number, readonly kernel: number, rng: Random, opts: Conv2dOptions = {}) {
    const dt = opts.dtype ?? 'float32', init = opts.init ?? 'kaiming-uniform';
    const fanIn = inChannels * kernel * kernel, fanOut = outChannels * kernel * kernel;
    this.weight = makeParam(`${name}.weight`, [outChannels, inChannels, kernel, kernel], dt, (d) => initFill(d, init, rng, fanIn, fanOut));
    this.bias = opts.bias === false ? null : makeParam(`${name}.bias`, [outChannels], dt, (d) => {
      if (init === 'torch-default') initFill(d, 'torch-default', rng, fanIn, fanOut);
    });
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
  }
  parameters(): Param[] { return this.bias ? [this.weight, this.bias] : [this.weight]; }
  forward(g: Tape, x: Tensor): Tensor { return conv2d(g, x, this.weight, this.bias, this.stride, this.padding); }
}

export class MaxPool2d implements Layer {
  constructor(readonly kernel: number, readonly stride = kernel) {}
  parameters(): Param[] { return []; }
  forward(g: Tape, x: Tensor): Tensor { return maxPool2d(g, x, this.kernel, this.stride); }
}

/** All parameters of several modules, checking that names are unique (checkpoints key on them). */
export function collectParameters(mods: readonly Module[]): Param[] {
  const ps: Param[] = [];
  const seen = new Set<string>();
  for (const m of mods) {
    for (const p of m.parameters()) {
      if (seen.has(p.name)) throw new OptionError('parameters', `two parameters are named "${p.name}"`);
      seen.add(p.name);
      ps.push(p);
    }
  }
  return ps;
}
